"""Application log templates: the shop's services as their logging libraries write them.

- orders-api: Go, go.uber.org/zap production JSON on stderr (level, ts as epoch float, caller,
  msg, fields; `stacktrace` on errors); net/http panics through the standard `log` package.
- payments-worker: Spring Boot 3 console pattern on stdout, JVM stack traces after a blank line
  (%wEx), Kafka consumer client lines.
- inventory-svc: Go, sirupsen/logrus JSONFormatter on stderr (keys sorted, RFC 3339 seconds).
- db-migrate: Flyway CLI output, then the container exits 0.

Request ids (32 hex, the ingress' X-Request-ID) join the services: the same id is the Kafka
message key of orders.events, appears in the consumers' lines, and in the SQL comment of the
statements PostgreSQL logs (`/* request_id=... */` prefix, or sqlcommenter `request_id='...'`).
"""

from logadapt_assets.generate.engine import Step, Template, tpl
from logadapt_assets.generate.postgres_lines import pg


def zap(level: str, caller: str, msg: str, fields: str = "", stack: str = "") -> str:
    """One zap JSON line; `stack` is already JSON-escaped (\\n, \\t)."""
    out = f'{{"level":"{level}","ts":«ts:epoch»,"caller":"{caller}","msg":"{msg}"'
    if fields:
        out += "," + fields
    if stack:
        out += f',"stacktrace":"{stack}"'
    return out + "}"


def logrus(level: str, msg: str, **fields: str) -> str:
    """One logrus JSON line: encoding/json sorts the keys; values are given already quoted."""
    items = dict(fields, level=f'"{level}"', msg=f'"{msg}"', time='"«ts:rfc3339»"')
    return "{" + ",".join(f'"{key}":{items[key]}' for key in sorted(items)) + "}"


def sb(level: str, thread: str, logger: str, msg: str, tail: str = "") -> str:
    """Spring Boot 3 console line: ISO time, %5p, pid, app name, [%15.15t], %-40.40logger{39}.

    A throwable follows after an empty line (%wEx), its frames tab-indented."""
    thread = thread if "«" in thread else f"{thread[-15:]:>15}"  # callers size «» ones to 15
    line = f"«ts:iso_ms» {level:>5} 1 --- [payments-worker] [{thread}] {logger[:40]:<40} : {msg}"
    return f"{line}\n\n{tail}" if tail else line


def go_stack(*frames: tuple[str, str]) -> str:
    """zap's stacktrace field: function, then tab + file:line, JSON-escaped."""
    return "\\n".join(f"{fn}\\n\\t{loc}" for fn, loc in frames)


def later(
    text: str, lo: float, hi: float, to: str | None = None, stream: str | None = None
) -> Step:
    return Step(text, to=to, after_ms=(lo, hi), stream=stream)


REQ = '"request_id":"«hex:32@r»","trace_id":"«hex:32@trace»"'
UA = (
    "«pick:Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15=3|"
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0=4|"
    "shop-ios/5.12.0=2|shop-android/5.11.2=2|okhttp/4.12.0»"
)


def http(method: str, path: str, status: str, latency: str) -> str:
    return (
        f'"method":"{method}","path":"{path}","status":{status},"latency_ms":{latency},'
        f'"bytes_out":«int:60:6000»,"remote_addr":"«ip:client»:«port»","user_agent":"{UA}"'
    )


MIDDLEWARE = "httpserver/middleware.go:71"
HANDLER_STACK = go_stack(
    (
        "github.com/shop/orders-api/internal/httpapi.(*Handler).CreateOrder",
        "/src/internal/httpapi/orders.go:118",
    ),
    ("net/http.HandlerFunc.ServeHTTP", "/usr/local/go/src/net/http/server.go:2220"),
    (
        "github.com/shop/orders-api/internal/httpserver.RequestID.func1",
        "/src/internal/httpserver/middleware.go:42",
    ),
    ("net/http.HandlerFunc.ServeHTTP", "/usr/local/go/src/net/http/server.go:2220"),
    ("net/http.serverHandler.ServeHTTP", "/usr/local/go/src/net/http/server.go:3210"),
    ("net/http.(*conn).serve", "/usr/local/go/src/net/http/server.go:2092"),
)
SQL_INSERT_ORDER = (
    "/* request_id=«@r» */ INSERT INTO orders (public_id, customer_id, idempotency_key, status, "
    "total_cents)\nVALUES ($1, $2, $3, 'PENDING', $4)\nRETURNING id, created_at"
)
SQL_LIST = (
    "/* request_id=«@r» */ -- name: ListOrdersByCustomer :many\nSELECT id, public_id, status, "
    "total_cents, created_at\nFROM orders\nWHERE customer_id = $1\nORDER BY created_at DESC\n"
    "LIMIT $2"
)
SQL_RESERVE = (
    "UPDATE inventory SET reserved = reserved + $1 WHERE sku = $2 "
    "/*application='inventory-svc',request_id='«@r»'*/"
)

PANIC = "\n".join(
    [
        "«ts:gostd» http: panic serving «ip:client»:«port»: runtime error: invalid memory address "
        "or nil pointer dereference",
        "goroutine «int:1000:900000» [running]:",
        "net/http.(*conn).serve.func1()",
        "\t/usr/local/go/src/net/http/server.go:1947 +0xbe",
        "panic({0x8b5e20?, 0xd2d650?})",
        "\t/usr/local/go/src/runtime/panic.go:785 +0x132",
        "github.com/shop/orders-api/internal/orders.(*Service).Get(0xc0001a6000, {0xa1c0e8, "
        "0xc000712a80}, 0x0)",
        "\t/src/internal/orders/service.go:88 +0x4c",
        "github.com/shop/orders-api/internal/httpapi.(*Handler).GetOrder(0xc0000b8120, {0xa1b6f0, "
        "0xc0004ae1c0}, 0xc000386a00)",
        "\t/src/internal/httpapi/orders.go:64 +0x1a5",
        "net/http.HandlerFunc.ServeHTTP(0xc000190a20?, {0xa1b6f0?, 0xc0004ae1c0?}, 0xc00007fb18?)",
        "\t/usr/local/go/src/net/http/server.go:2220 +0x29",
        # Go passes a value receiver as the first argument: serverHandler.ServeHTTP({...}, ...)
        "net/http.serverHandler.ServeHTTP({0xc0001a4000?}, {0xa1b6f0?, 0xc0004ae1c0?}, 0x6?)",
        "\t/usr/local/go/src/net/http/server.go:3210 +0x8e",
        "net/http.(*conn).serve(0xc0001be000, {0xa1c0e8, 0xc000182360})",
        "\t/usr/local/go/src/net/http/server.go:2092 +0x5d0",
        "created by net/http.(*Server).Serve in goroutine 1",
        "\t/usr/local/go/src/net/http/server.go:3360 +0x485",
    ]
)

ORDERS_API: list[Template] = [
    tpl(
        "orders.get",
        zap(
            "info",
            MIDDLEWARE,
            "request completed",
            REQ + "," + http("GET", "/v1/orders/«int:100000:999999»", "200", "«exp:9:3:0.8»"),
        ),
        w=30,
    ),
    tpl(
        "orders.list",
        zap(
            "info",
            MIDDLEWARE,
            "request completed",
            REQ
            + ","
            + http(
                "GET",
                "/v1/orders?customer_id=«int:1000:99999»&limit=«pick:20|50»",
                "200",
                "«exp:18:3:2»",
            ),
        ),
        w=12,
    ),
    tpl(
        "orders.create",
        zap(
            "info",
            "orders/service.go:77",
            "order created",
            REQ + ',"order_id":«int:100000:999999@oid»,"customer_id":«int:1000:99999»,"items":'
            '«int:1:6»,"total_cents":«int:500:90000@amt»',
        ),
        later(
            zap(
                "info",
                "events/publisher.go:54",
                "event published",
                '«!tp:orders.events@p»"request_id":"«@r»","topic":"orders.events","partition":'
                '«@p.part»,"offset":«grow:1200000:35@o»,"key":"«@r»","event":"OrderCreated"',
            ),
            1,
            6,
        ),
        later(
            zap(
                "info",
                MIDDLEWARE,
                "request completed",
                REQ + "," + http("POST", "/v1/orders", "201", "«exp:25:3:6»"),
            ),
            0.05,
            1,
        ),
        later(
            logrus(
                "info",
                "stock reserved",
                order_id="«@oid»",
                partition="«@p.part»",
                offset="«@o»",
                request_id='"«@r»"',
                sku='"SKU-«int:10000:99999»"',
                qty="«int:1:5»",
                topic='"orders.events"',
            ),
            5,
            80,
            to="inventory-svc",
        ),
        later(
            sb(
                "INFO",
                "org.springframework.kafka.KafkaListenerEndpointContainer#0-0-C-1",
                "c.s.payments.kafka.OrderEventsListener",
                "Received OrderCreated key=«@r» topic=orders.events partition=«@p.part» "
                "offset=«@o» orderId=«@oid»",
            ),
            5,
            200,
            to="payments-worker",
        ),
        later(
            sb(
                "INFO",
                "org.springframework.kafka.KafkaListenerEndpointContainer#0-0-C-1",
                "c.s.payments.PaymentService",
                "Payment authorized orderId=«@oid» amountCents=«@amt» pspRef=psp_«hex:24» "
                "requestId=«@r»",
            ),
            60,
            700,
            to="payments-worker",
        ),
        w=9,
    ),
    tpl(
        "orders.create_duplicate",
        Step(
            pg(
                (
                    "ERROR",
                    'duplicate key value violates unique constraint "orders_idempotency_key_key"',
                ),
                ("DETAIL", "Key (idempotency_key)=(«hex:32@idem») already exists."),
                (
                    "STATEMENT",
                    "/* request_id=«hex:32@r» */ INSERT INTO orders (public_id, "
                    "customer_id, idempotency_key, status, total_cents)\nVALUES ($1, $2, "
                    "$3, 'PENDING', $4)\nRETURNING id, created_at",
                ),
            ),
            to="postgres",
        ),
        later(
            zap(
                "error",
                "httpapi/orders.go:121",
                "create order failed",
                REQ + ',"error":"ERROR: duplicate key value violates unique constraint '
                '\\"orders_idempotency_key_key\\" (SQLSTATE 23505)"',
                HANDLER_STACK,
            ),
            0.3,
            3,
        ),
        later(
            zap(
                "info",
                MIDDLEWARE,
                "request completed",
                REQ + "," + http("POST", "/v1/orders", "409", "«exp:12:3:3»"),
            ),
            0.05,
            1,
        ),
        w=0.35,
    ),
    tpl(
        "orders.slow_query",
        Step(
            pg(
                (
                    "LOG",
                    "duration: «exp:500:3:250@d» ms  execute stmtcache_«hex:32»: "
                    "/* request_id=«hex:32@r» */ -- name: ListOrdersByCustomer :many\n"
                    "SELECT id, public_id, status, total_cents, created_at\nFROM orders\n"
                    "WHERE customer_id = $1\nORDER BY created_at DESC\nLIMIT $2",
                ),
                ("DETAIL", "parameters: $1 = '«int:1000:99999»', $2 = '50'"),
            ),
            to="postgres",
        ),
        later(
            zap(
                "warn",
                "db/tracer.go:39",
                "slow query",
                REQ + ',"query":"ListOrdersByCustomer","duration_ms":«@d»,"rows":«int:0:50»',
            ),
            0.05,
            1,
        ),
        later(
            zap(
                "info",
                MIDDLEWARE,
                "request completed",
                REQ
                + ","
                + http("GET", "/v1/orders?customer_id=«int:1000:99999»&limit=50", "200", "«@d»"),
            ),
            0.5,
            5,
        ),
        w=1.0,
    ),
    tpl(
        "orders.items",
        zap(
            "info",
            MIDDLEWARE,
            "request completed",
            REQ + "," + http("GET", "/v1/orders/«int:100000:999999»/items", "200", "«exp:11:3:1»"),
        ),
        w=6,
    ),
    tpl(
        "orders.stock_check",
        Step(
            logrus(
                "info",
                "request handled",
                duration_ms="«exp:5:3:0.6@d»",
                method='"GET"',
                path='"/v1/stock/SKU-«int:10000:99999@sku»"',
                request_id='"«hex:32@r»"',
                status="200",
            ),
            to="inventory-svc",
        ),
        later(
            zap(
                "info",
                "clients/inventory.go:48",
                "inventory lookup",
                REQ + ',"url":"http://inventory-svc:8080/v1/stock/SKU-«@sku»","status":200,'
                '"duration_ms":«@d»',
            ),
            0.3,
            2,
        ),
        later(
            zap(
                "info",
                MIDDLEWARE,
                "request completed",
                REQ
                + ","
                + http("GET", "/v1/orders/«int:100000:999999»/availability", "200", "«exp:9:3:1»"),
            ),
            0.1,
            2,
        ),
        w=4,
    ),
    tpl(
        "orders.update",
        zap(
            "info",
            MIDDLEWARE,
            "request completed",
            REQ
            + ","
            + http("PATCH", "/v1/orders/«int:100000:999999»", "«pick:200=9|422»", "«exp:22:3:3»"),
        ),
        w=2,
    ),
    tpl(
        "orders.rate_limited",
        zap(
            "warn",
            "httpserver/ratelimit.go:33",
            "rate limit exceeded",
            REQ + ',"client_ip":"«ip:client@ip»","limit":100,"window":"1m0s"',
        ),
        later(
            zap(
                "info",
                MIDDLEWARE,
                "request completed",
                REQ
                + ","
                + http(
                    "GET",
                    "/v1/orders?customer_id=«int:1000:99999»&limit=20",
                    "429",
                    "«dec:0.05:0.5:3»",
                ),
            ),
            0.01,
            0.2,
        ),
        w=0.3,
        flat=True,
    ),
    tpl(
        "orders.jwks_refresh",
        zap(
            "info",
            "auth/jwks.go:77",
            "jwks refreshed",
            '"url":"https://auth.shop.example/.well-known/jwks.json","keys":«pick:2|3»,'
            '"duration_ms":«exp:40:3:8»',
        ),
        every=3600,
    ),
    tpl(
        "orders.cancel",
        zap(
            "info",
            "orders/service.go:131",
            "order canceled",
            REQ + ',"order_id":«int:100000:999999@oid»,"reason":"«pick:customer_request|'
            'payment_timeout|out_of_stock»"',
        ),
        later(
            zap(
                "info",
                MIDDLEWARE,
                "request completed",
                REQ + "," + http("POST", "/v1/orders/«@oid»/cancel", "200", "«exp:20:3:4»"),
            ),
            0.1,
            2,
        ),
        w=1.5,
    ),
    tpl(
        "orders.cancel_conflict",
        zap(
            "warn",
            MIDDLEWARE,
            "request completed",
            REQ
            + ","
            + http("POST", "/v1/orders/«int:100000:999999»/cancel", "409", "«exp:9:3:2»")
            + ',"error":"order already shipped"',
        ),
        w=0.4,
    ),
    tpl(
        "orders.not_found",
        zap(
            "info",
            MIDDLEWARE,
            "request completed",
            REQ + "," + http("GET", "/v1/orders/«int:100000:999999»", "404", "«exp:4:3:0.6»"),
        ),
        w=2,
    ),
    tpl(
        "orders.bad_request",
        zap(
            "warn",
            "httpapi/errors.go:27",
            "invalid request",
            REQ + ',"error":"validation failed: «pick:items[0].quantity must be greater than 0|'
            'customer_id is required|currency must be EUR»"',
        ),
        later(
            zap(
                "info",
                MIDDLEWARE,
                "request completed",
                REQ + "," + http("POST", "/v1/orders", "400", "«exp:3:3:0.4»"),
            ),
            0.05,
            0.5,
        ),
        w=1.0,
    ),
    tpl(
        "orders.unauthorized",
        zap(
            "warn",
            "httpserver/auth.go:58",
            "authentication failed",
            REQ + ',"error":"«pick:token is expired|token signature is invalid|missing bearer '
            'token»"',
        ),
        later(
            zap(
                "info",
                MIDDLEWARE,
                "request completed",
                REQ + "," + http("«pick:GET|POST»", "/v1/orders", "401", "«exp:1:3:0.2»"),
            ),
            0.05,
            0.5,
        ),
        w=0.6,
    ),
    tpl(
        "orders.client_canceled",
        zap(
            "warn",
            MIDDLEWARE,
            "request canceled",
            REQ
            + ',"error":"context canceled",'
            + http(
                "GET", "/v1/orders?customer_id=«int:1000:99999»&limit=50", "499", "«exp:900:3:100»"
            ),
        ),
        w=0.4,
    ),
    tpl(
        "orders.health",
        zap(
            "info",
            MIDDLEWARE,
            "request completed",
            '"request_id":"«hex:32»","method":"GET","path":"/healthz","status":200,"latency_ms":'
            '«dec:0.05:0.4:3»,"bytes_out":2,"remote_addr":"172.20.0.1:«port»",'
            '"user_agent":"Docker-Healthcheck"',
        ),
        every=15,
    ),
    tpl(
        "orders.pool_stats",
        zap(
            "info",
            "db/pool.go:88",
            "db pool stats",
            '"total_conns":«int:8:20»,"idle_conns":«int:2:10»,"acquired_conns":«int:0:8»,'
            '"acquire_count":«grow:4000000:8»,"empty_acquire_count":«grow:9000:0.05»,'
            '"canceled_acquire_count":«int:0:40»',
        ),
        every=60,
    ),
    tpl("orders.panic", Step(PANIC, stream="stderr"), w=0.015, flat=True),
    tpl(
        "orders.body_too_large",
        zap(
            "error",
            "httpapi/errors.go:44",
            "request body rejected",
            REQ + ',"error":"json: unknown field \\"attachments\\"","content_length":'
            '«int:17000:41000»,"body":"«blob:17000:40000»"',
            HANDLER_STACK,
        ),
        every=1800,
    ),
]

# --- payments-worker (Spring Boot 3, JVM) ------------------------------------------------------

LISTENER = "org.springframework.kafka.KafkaListenerEndpointContainer#0-0-C-1"
PSP_TRACE = "\n".join(
    [
        "org.springframework.web.client.ResourceAccessException: I/O error on POST request for "
        '"https://api.psp.example/v1/charges": Read timed out',
        "\tat org.springframework.web.client.DefaultRestClient.createResourceAccessException("
        "DefaultRestClient.java:534)",
        "\tat org.springframework.web.client.DefaultRestClient.readWithMessageConverters("
        "DefaultRestClient.java:223)",
        "\tat org.springframework.web.client.DefaultRestClient$DefaultResponseSpec.readBody("
        "DefaultRestClient.java:702)",
        "\tat com.shop.payments.psp.PspClient.charge(PspClient.java:64)",
        "\tat com.shop.payments.PaymentService.authorize(PaymentService.java:88)",
        "\tat com.shop.payments.kafka.OrderEventsListener.onOrderCreated("
        "OrderEventsListener.java:41)",
        "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke("
        "DirectMethodHandleAccessor.java:103)",
        "\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)",
        "\tat org.springframework.messaging.handler.invocation.InvocableHandlerMethod.doInvoke("
        "InvocableHandlerMethod.java:169)",
        "\tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer."
        "doInvokeOnMessage(KafkaMessageListenerContainer.java:2839)",
        "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
        "Caused by: java.net.SocketTimeoutException: Read timed out",
        "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)",
        "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:304)",
        "\tat java.base/sun.nio.ch.NioSocketImpl.read(NioSocketImpl.java:346)",
        "\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:1099)",
        "\tat java.base/sun.security.ssl.SSLSocketInputRecord.read(SSLSocketInputRecord.java:489)",
        "\t... 31 common frames omitted",
    ]
)
COMMIT_FAILED_TRACE = "\n".join(
    [
        "org.apache.kafka.clients.consumer.CommitFailedException: Offset commit cannot be "
        "completed since the consumer is not part of an active group for auto partition "
        "assignment; it is likely that the consumer was kicked out of the group.",
        "\tat org.apache.kafka.clients.consumer.internals.ConsumerCoordinator.sendOffsetCommit"
        "Request(ConsumerCoordinator.java:1353)",
        "\tat org.apache.kafka.clients.consumer.internals.ConsumerCoordinator.commitOffsetsSync("
        "ConsumerCoordinator.java:1188)",
        "\tat org.apache.kafka.clients.consumer.internals.LegacyKafkaConsumer.commitSync("
        "LegacyKafkaConsumer.java:795)",
        "\tat org.apache.kafka.clients.consumer.KafkaConsumer.commitSync(KafkaConsumer.java:903)",
        "\tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer."
        "doCommitSync(KafkaMessageListenerContainer.java:3352)",
        "\tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer."
        "commitSync(KafkaMessageListenerContainer.java:3347)",
        "\tat org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer."
        "run(KafkaMessageListenerContainer.java:1362)",
        "\tat java.base/java.util.concurrent.CompletableFuture$AsyncRun.run("
        "CompletableFuture.java:1804)",
        "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
    ]
)

PAYMENTS_WORKER: list[Template] = [
    tpl(
        "payments.webhook",
        sb(
            "INFO",
            "nio-8080-exec-«int:1:9»",
            "c.s.payments.web.PspWebhookController",
            "Webhook received eventId=evt_«hex:24» type=«pick:charge.succeeded=6|charge.refunded|"
            "charge.dispute.created=0.2» pspRef=psp_«hex:24»",
        ),
        w=3,
    ),
    tpl(
        "payments.psp_retry",
        sb(
            "WARN",
            LISTENER,
            "c.s.payments.psp.PspClient",
            "PSP call failed with «pick:503 Service Unavailable=3|502 Bad Gateway|429 Too Many "
            "Requests», retrying attempt=«pick:2=3|3» after «pick:500|1000|2000» ms",
        ),
        w=0.8,
    ),
    tpl(
        "payments.idempotent_replay",
        sb(
            "INFO",
            LISTENER,
            "c.s.payments.PaymentService",
            "Duplicate OrderCreated for orderId=«int:100000:999999», returning stored result "
            "pspRef=psp_«hex:24»",
        ),
        w=0.4,
    ),
    tpl(
        "payments.publish",
        sb(
            "INFO",
            LISTENER,
            "c.s.payments.kafka.PaymentEventsPublisher",
            "Published PaymentAuthorized to payments.events partition=«int:0:5» offset="
            "«grow:1200000:12» key=«hex:32»",
        ),
        w=2,
    ),
    tpl(
        "payments.psp_call",
        sb(
            "INFO",
            LISTENER,
            "c.s.payments.psp.PspClient",
            "PSP call POST https://api.psp.example/v1/charges -> «pick:200=30|201=5|402» in "
            "«exp:180:0:40» ms",
        ),
        w=8,
    ),
    tpl(
        "payments.outbox",
        sb(
            "INFO",
            "scheduling-1",
            "c.s.payments.outbox.OutboxRelay",
            "Relayed «int:0:40» outbox events to payments.events in «int:2:90» ms",
        ),
        every=30,
    ),
    tpl(
        "payments.declined",
        sb(
            "WARN",
            LISTENER,
            "c.s.payments.PaymentService",
            "Payment declined orderId=«int:100000:999999» reason=«pick:insufficient_funds|"
            "card_expired|do_not_honor|suspected_fraud» requestId=«hex:32»",
        ),
        w=1.2,
    ),
    tpl(
        "payments.refund",
        sb(
            "INFO",
            "nio-8080-exec-«int:1:9»",
            "c.s.payments.RefundService",
            "Refund issued orderId=«int:100000:999999» amountCents=«int:500:90000» "
            "pspRef=psp_«hex:24»",
        ),
        w=0.6,
    ),
    tpl(
        "payments.psp_timeout",
        sb(
            "ERROR",
            LISTENER,
            "c.s.payments.kafka.OrderEventsListener",
            "Payment processing failed orderId=«int:100000:999999» requestId=«hex:32», will retry",
            PSP_TRACE,
        ),
        w=0.15,
    ),
    tpl(
        "payments.node_disconnected",
        sb(
            "INFO",
            "kafka-producer-network-thread | payments-worker-producer-1",
            "org.apache.kafka.clients.NetworkClient",
            "[Producer clientId=payments-worker-producer-1] Node «pick:-1|-2|-3» disconnected.",
        ),
        w=0.4,
        flat=True,
    ),
    tpl(
        "payments.hikari_starvation",
        sb(
            "WARN",
            "HikariPool-1 housekeeper",
            "com.zaxxer.hikari.pool.HikariPool",
            "HikariPool-1 - Thread starvation or clock leap detected (housekeeper "
            "delta=1m«int:2:59»s«int:100:999»ms).",
        ),
        w=0.05,
        flat=True,
    ),
    tpl(
        "payments.jdbc_slow",
        Step(
            pg(
                (
                    "LOG",
                    "duration: «exp:500:3:250» ms  execute S_«int:1:12»: UPDATE payments SET "
                    "status = $1, updated_at = now() WHERE id = $2",
                ),
                (
                    "DETAIL",
                    "parameters: $1 = '«pick:AUTHORIZED|CAPTURED|DECLINED»', $2 = "
                    "'«int:100000:999999»'",
                ),
            ),
            to="postgres",
        ),
        w=0.6,
    ),
    tpl(
        "payments.actuator",
        sb(
            "INFO",
            "nio-8080-exec-«int:1:9»",
            "c.s.payments.web.AuditLogFilter",
            "GET /actuator/health 200 «int:1:9»ms",
        ),
        every=30,
    ),
]

# --- inventory-svc (Go logrus) -----------------------------------------------------------------

INVENTORY_SVC: list[Template] = [
    tpl(
        "inventory.request",
        logrus(
            "info",
            "request handled",
            duration_ms="«exp:8:3:0.5»",
            method='"GET"',
            path='"/v1/stock/SKU-«int:10000:99999»"',
            request_id='"«hex:32»"',
            status="200",
        ),
        w=20,
    ),
    tpl(
        "inventory.request_404",
        logrus(
            "info",
            "request handled",
            duration_ms="«exp:3:3:0.3»",
            method='"GET"',
            path='"/v1/stock/SKU-«int:10000:99999»"',
            request_id='"«hex:32»"',
            status="404",
        ),
        w=1,
    ),
    tpl(
        "inventory.low_stock",
        logrus(
            "warning",
            "stock level low",
            sku='"SKU-«int:10000:99999»"',
            available="«int:0:9»",
            threshold="10",
            warehouse='"«pick:ams1|fra2|par1»"',
        ),
        w=1,
    ),
    tpl(
        "inventory.commit",
        logrus(
            "info",
            "committed offsets",
            group='"inventory-sync"',
            topic='"orders.events"',
            partition="«int:0:11»",
            offset="«grow:1200000:35»",
        ),
        w=4,
    ),
    tpl(
        "inventory.slow_query",
        Step(
            pg(
                (
                    "LOG",
                    "duration: «exp:450:3:250@d» ms  execute <unnamed>: "
                    + SQL_RESERVE.replace("«@r»", "«hex:32@r»"),
                ),
                ("DETAIL", "parameters: $1 = '«int:1:5»', $2 = 'SKU-«int:10000:99999»'"),
            ),
            to="postgres",
        ),
        later(
            logrus(
                "warning",
                "slow query",
                duration_ms="«@d»",
                query='"reserve_stock"',
                request_id='"«@r»"',
            ),
            0.05,
            1,
        ),
        w=0.8,
    ),
    tpl(
        "inventory.serialization_failure",
        Step(
            pg(
                ("ERROR", "could not serialize access due to concurrent update"),
                ("STATEMENT", SQL_RESERVE.replace("«@r»", "«hex:32@r»")),
            ),
            to="postgres",
        ),
        later(
            logrus(
                "error",
                "failed to reserve stock",
                error='"pq: could not serialize access due to concurrent update"',
                request_id='"«@r»"',
                attempt="1",
            ),
            0.2,
            2,
        ),
        later(
            logrus("info", "stock reserved after retry", request_id='"«@r»"', attempt="2"), 5, 60
        ),
        w=0.25,
    ),
    tpl(
        "inventory.restock",
        logrus(
            "info",
            "restock received",
            sku='"SKU-«int:10000:99999»"',
            qty="«int:10:500»",
            warehouse='"«pick:ams1|fra2|par1»"',
            supplier='"«pick:acme|globex|initech»"',
        ),
        w=0.8,
    ),
    tpl(
        "inventory.reservation_expired",
        logrus(
            "info",
            "reservation expired",
            order_id="«int:100000:999999»",
            sku='"SKU-«int:10000:99999»"',
            held_for='"15m0s"',
        ),
        w=0.6,
    ),
    tpl(
        "inventory.unknown_sku",
        logrus("warning", "unknown sku", sku='"SKU-«int:100000:999999»"', request_id='"«hex:32»"'),
        w=0.3,
    ),
    tpl(
        "inventory.cache",
        logrus(
            "info", "catalog cache refreshed", entries="«int:48000:52000»", took_ms="«int:40:900»"
        ),
        every=300,
    ),
]

# --- db-migrate (Flyway, one run at deploy time) -----------------------------------------------

MIGRATION_SQL = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS payments_status_created_idx\n"
    "    ON payments (status, created_at)\n"
    "    WHERE status IN ('PENDING', 'AUTHORIZED')"
)
DB_MIGRATE = tpl(
    "flyway.migrate",
    "Flyway OSS Edition 10.17.0 by Redgate\n\nSee release notes here: https://rd.gt/416ObMi",
    Step(
        pg(("LOG", "connection received: host=«ip_db-migrate» port=«port@port»")),
        to="postgres",
        after_ms=(400, 900),
    ),
    Step(
        pg(
            (
                "LOG",
                'connection authenticated: identity="migrator" method=scram-sha-256 '
                "(/var/lib/postgresql/data/pg_hba.conf:«hba_line»)",
            )
        ),
        to="postgres",
        after_ms=(2, 9),
    ),
    Step(
        pg(
            (
                "LOG",
                "connection authorized: user=migrator database=«db» "
                "application_name=PostgreSQL JDBC Driver",
            )
        ),
        to="postgres",
        after_ms=(0.01, 0.1),
    ),
    later("Database: jdbc:postgresql://postgres:5432/«db» (PostgreSQL 15.8)", 5, 30),
    later("Successfully validated 42 migrations (execution time 00:00.«int:040:090»s)", 30, 90),
    later('Current version of schema "public": 41', 5, 20),
    later(
        'Migrating schema "public" to version "42 - add payment status index" [non-transactional]',
        5,
        20,
    ),
    Step(
        pg(("LOG", "duration: «int:1200:4800».«int:100:999» ms  statement: " + MIGRATION_SQL)),
        to="postgres",
        after_ms=(1200, 4800),
    ),
    later(
        'Successfully applied 1 migration to schema "public", now at version v42 (execution '
        "time 00:0«int:1:4».«int:100:999»s)",
        1,
        5,
    ),
    Step(
        pg(
            (
                "LOG",
                "disconnection: session time: 0:00:0«int:2:6».«int:100:999» user=migrator "
                "database=«db» host=«ip_db-migrate» port=«@port»",
            )
        ),
        to="postgres",
        after_ms=(1, 5),
    ),
)

# --- incident pieces ---------------------------------------------------------------------------

PRODUCE_RETRY = tpl(
    "orders.produce_retry",
    zap(
        "warn",
        "events/publisher.go:61",
        "publish failed, retrying",
        REQ + ',"topic":"orders.events","partition":«@part»,"attempt":«int:1:3»,"error":"«@err»"',
    ),
)
# the producer's errors while the partition leader's disk stalls and its broker dies: the
# scenario binds one per line (a pick cannot hold the «@peer_ip» reference)
PRODUCE_ERRORS = (
    "NOT_LEADER_FOR_PARTITION: This server is not the leader for that topic-partition.",
    "REQUEST_TIMED_OUT: The request timed out.",
    "unable to dial: dial tcp {peer_ip}:9092: connect: connection refused",
)
CONSUMER_DISCONNECT = tpl(
    "payments.broker_disconnected",
    sb(
        "INFO",
        LISTENER,
        "org.apache.kafka.clients.NetworkClient",
        "[Consumer clientId=consumer-payments-1, groupId=payments] Node «@gone» disconnected.",
    ),
    later(
        sb(
            "WARN",
            LISTENER,
            "org.apache.kafka.clients.NetworkClient",
            "[Consumer clientId=consumer-payments-1, groupId=payments] Connection to node «@gone» "
            "(kafka-«@gone»/«@peer_ip»:9092) could not be established. Node may not be "
            "available.",
        ),
        50,
        1000,
    ),
)
STORM_CONSUMER = tpl(
    "payments.rebalance",
    sb(
        "WARN",
        "kafka-coordinator-heartbeat-thread | payments",
        "o.a.k.c.c.internals.ConsumerCoordinator",
        "[Consumer clientId=«@client», groupId=payments] consumer poll timeout has expired. This "
        "means the time between subsequent calls to poll() was longer than the configured "
        "max.poll.interval.ms, which typically implies that the poll loop is spending too much "
        "time processing messages. You can address this either by increasing max.poll.interval.ms "
        "or by reducing the maximum size of batches returned in poll() with max.poll.records.",
    ),
    later(
        sb(
            "INFO",
            "kafka-coordinator-heartbeat-thread | payments",
            "o.a.k.c.c.internals.ConsumerCoordinator",
            "[Consumer clientId=«@client», groupId=payments] Member «@member» sending LeaveGroup "
            "request to coordinator kafka-«@coord»:9092 (id: «@coordid» rack: null) due to "
            "consumer poll timeout has expired.",
        ),
        0.2,
        2,
    ),
    later(
        sb(
            "ERROR",
            LISTENER,
            "o.s.k.l.KafkaMessageListenerContainer",
            "Consumer exception",
            "java.lang.IllegalStateException: This error handler cannot process "
            "'org.apache.kafka.clients.consumer.CommitFailedException's; no record information "
            "is available\n\tat org.springframework.kafka.listener.DefaultErrorHandler."
            "handleOtherException(DefaultErrorHandler.java:198)\n\tat org.springframework.kafka."
            "listener.KafkaMessageListenerContainer$ListenerConsumer.handleConsumerException("
            "KafkaMessageListenerContainer.java:1960)\n\tat org.springframework.kafka.listener."
            "KafkaMessageListenerContainer$ListenerConsumer.run(KafkaMessageListenerContainer."
            "java:1366)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)\nCaused by: "
            + COMMIT_FAILED_TRACE
            + "\n\t... 1 common frames omitted",
        ),
        100,
        900,
    ),
    later(
        sb(
            "INFO",
            LISTENER,
            "o.a.k.c.c.internals.ConsumerCoordinator",
            "[Consumer clientId=«@client», groupId=payments] Revoke previously assigned "
            "partitions «@assigned»",
        ),
        1,
        20,
    ),
    later(
        sb(
            "INFO",
            LISTENER,
            "o.s.k.l.KafkaMessageListenerContainer",
            "payments: partitions revoked: [«@assigned»]",
        ),
        0.5,
        5,
    ),
    later(
        sb(
            "INFO",
            LISTENER,
            "o.a.k.c.c.internals.ConsumerCoordinator",
            "[Consumer clientId=«@client», groupId=payments] (Re-)joining group",
        ),
        1,
        20,
    ),
    later(
        sb(
            "INFO",
            LISTENER,
            "o.a.k.c.c.internals.ConsumerCoordinator",
            "[Consumer clientId=«@client», groupId=payments] Request joining group due to: need "
            "to re-join with the given member-id: «@newmember»",
        ),
        1,
        30,
    ),
    later(
        sb(
            "INFO",
            LISTENER,
            "o.a.k.c.c.internals.ConsumerCoordinator",
            "[Consumer clientId=«@client», groupId=payments] Successfully joined group with "
            "generation Generation{generationId=«@gen.plus1», memberId='«@newmember»', "
            "protocol='range'}",
        ),
        3000,
        12000,
    ),
    later(
        sb(
            "INFO",
            LISTENER,
            "o.a.k.c.c.internals.ConsumerCoordinator",
            "[Consumer clientId=«@client», groupId=payments] Successfully synced group in "
            "generation Generation{generationId=«@gen.plus1», memberId='«@newmember»', "
            "protocol='range'}",
        ),
        5,
        60,
    ),
    later(
        sb(
            "INFO",
            LISTENER,
            "o.a.k.c.c.internals.ConsumerCoordinator",
            "[Consumer clientId=«@client», groupId=payments] Notifying assignor about the new "
            "Assignment(partitions=[«@assigned»])",
        ),
        0.5,
        3,
    ),
    later(
        sb(
            "INFO",
            LISTENER,
            "o.a.k.c.c.internals.ConsumerCoordinator",
            "[Consumer clientId=«@client», groupId=payments] Adding newly assigned partitions: "
            "«@assigned»",
        ),
        0.5,
        3,
    ),
    later(
        sb(
            "INFO",
            LISTENER,
            "o.s.k.l.KafkaMessageListenerContainer",
            "payments: partitions assigned: [«@assigned»]",
        ),
        1,
        10,
    ),
)
DEADLOCK_APP = tpl(
    "orders.deadlock",
    zap(
        "error",
        "httpapi/orders.go:121",
        "create order failed",
        REQ.replace("«hex:32@r»", "«@r»") + ',"error":"ERROR: deadlock detected (SQLSTATE 40P01)"',
        HANDLER_STACK,
    ),
    later(
        zap(
            "info",
            MIDDLEWARE,
            "request completed",
            REQ.replace("«hex:32@r»", "«@r»")
            + ","
            + http("POST", "/v1/orders", "500", "«exp:1100:3:1000»"),
        ),
        0.05,
        1,
    ),
)
LOCK_WAIT_OK_APP = tpl(
    "orders.lock_wait_ok",
    zap(
        "info",
        MIDDLEWARE,
        "request completed",
        REQ.replace("«hex:32@r»", "«@r»")
        + ","
        + http("POST", "/v1/orders", "201", "«exp:200:3:1000»"),
    ),
)
SLOW_APP = tpl(
    "orders.slow_request",
    zap(
        "warn",
        MIDDLEWARE,
        "request completed",
        REQ
        + ","
        + http(
            "GET",
            "/v1/orders?customer_id=«int:1000:99999»&limit=50",
            "«@status»",
            "«exp:3000:3:1200:30000»",
        ),
    ),
)
DISK_FULL_APP = tpl(
    "orders.disk_full",
    zap(
        "error",
        "httpapi/orders.go:121",
        "create order failed",
        REQ.replace("«hex:32@r»", "«@r»") + ',"error":"ERROR: could not extend file '
        '\\"base/16384/16401\\": No space left on device (SQLSTATE 53100)"',
        HANDLER_STACK,
    ),
    later(
        zap(
            "info",
            MIDDLEWARE,
            "request completed",
            REQ.replace("«hex:32@r»", "«@r»")
            + ","
            + http("POST", "/v1/orders", "500", "«exp:30:3:5»"),
        ),
        0.05,
        1,
    ),
)
RECOVERY_APP = tpl(
    "orders.db_unavailable",
    zap(
        "error",
        "httpapi/orders.go:64",
        "database unavailable",
        REQ + ',"error":"FATAL: the database system is in recovery mode (SQLSTATE 57P03)"',
    ),
    later(
        zap(
            "info",
            MIDDLEWARE,
            "request completed",
            REQ + "," + http("GET", "/v1/orders/«int:100000:999999»", "503", "«exp:3:3:1»"),
        ),
        0.05,
        1,
    ),
)
