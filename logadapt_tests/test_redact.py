"""Redaction: every rule on a realistic line, counts, idempotence, and no false redactions."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logadapt_assets.parsing.base import ATTRIBUTES_DTYPE
from logadapt_assets.redact import (
    _rules,
    keywords,
    may_hold_secret,
    redact,
    redact_attributes,
    redact_frame,
    redact_values,
    redaction_count,
)

# (rule name, line as written, expected line after redaction)
CASES = [
    (
        "sql_password_literal",
        "statement: ALTER ROLE app WITH PASSWORD 'S3cr3t!pw';",
        "statement: ALTER ROLE app WITH PASSWORD '[REDACTED]';",
    ),
    (
        "sql_password_literal",
        "statement: CREATE USER reporting WITH ENCRYPTED PASSWORD 'it''s-secret' VALID UNTIL "
        "'2030-01-01'",
        "statement: CREATE USER reporting WITH ENCRYPTED PASSWORD '[REDACTED]' VALID UNTIL "
        "'2030-01-01'",
    ),
    (
        "sql_password_literal",
        "duration: 2.1 ms  statement: create role etl login password 'hunter2'",
        "duration: 2.1 ms  statement: create role etl login password '[REDACTED]'",
    ),
    (
        "url_credentials",
        "could not connect: postgresql://app:Sup3rSecret@db.internal:5432/shop?sslmode=require",
        "could not connect: postgresql://app:[REDACTED]@db.internal:5432/shop?sslmode=require",
    ),
    (
        "url_credentials",
        "HikariPool-1 - jdbc url jdbc:postgresql://svc_user:pa55w0rd@pg-1:5432/orders",
        "HikariPool-1 - jdbc url jdbc:postgresql://svc_user:[REDACTED]@pg-1:5432/orders",
    ),
    (
        "url_credentials",
        "connecting to redis://:authpass@cache:6379/0",
        "connecting to redis://:[REDACTED]@cache:6379/0",
    ),
    (
        "kafka_jaas_password",
        "sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required "
        'username="admin" password="admin-secret";',
        "sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required "
        'username="admin" password="[REDACTED]";',
    ),
    (
        "json_secret_field",
        '{"level":"info","msg":"login","user":"bob","password":"hunter2","db_password": "x y"}',
        '{"level":"info","msg":"login","user":"bob","password":"[REDACTED]","db_password": '
        '"[REDACTED]"}',
    ),
    (
        "json_secret_field",
        '{"event":"config","api_key":"sk_live_51HxYz","client_secret":"abc\\"def"}',
        '{"event":"config","api_key":"[REDACTED]","client_secret":"[REDACTED]"}',
    ),
    (
        "pyrepr_secret_field",
        "settings loaded: {'user': 'etl', 'password': 'hunter2', 'port': 5432}",
        "settings loaded: {'user': 'etl', 'password': '[REDACTED]', 'port': 5432}",
    ),
    (
        "authorization_header",
        "GET /api/v1/orders Authorization: Bearer abc.def-ghi_jkl",
        "GET /api/v1/orders Authorization: Bearer [REDACTED]",
    ),
    (
        "authorization_header",
        'headers={"Authorization": "Basic YWRtaW46YWRtaW4=", "Accept": "*/*"}',
        'headers={"Authorization": "Basic [REDACTED]", "Accept": "*/*"}',
    ),
    (
        "bearer_token",
        "calling upstream with token Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "calling upstream with token Bearer [REDACTED]",
    ),
    (
        "jwt",
        "rejected token "
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n",
        "rejected token [REDACTED]",
    ),
    (
        "aws_access_key_id",
        "using credentials AKIAIOSFODNN7EXAMPLE for s3://backups",
        "using credentials AKIA[REDACTED] for s3://backups",
    ),
    (
        "aws_access_key_id",
        "assumed role session ASIAY34FZKBOKMUTVV7A",
        "assumed role session ASIA[REDACTED]",
    ),
    (
        "aws_secret_access_key",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_access_key = [REDACTED]",
    ),
    (
        "aws_secret_access_key",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_SECRET_ACCESS_KEY=[REDACTED]",
    ),
    (
        "secret_pair_double_quoted",
        'primary_conninfo = "host=pg-0 user=repl" ssl.keystore.password = "ks pass"',
        'primary_conninfo = "host=pg-0 user=repl" ssl.keystore.password = "[REDACTED]"',
    ),
    (
        "secret_pair",
        "primary_conninfo = 'host=pg-0 port=5432 user=replicator password=s3cr3t'",
        "primary_conninfo = 'host=pg-0 port=5432 user=replicator password=[REDACTED]'",
    ),
    (
        "secret_pair_single_quoted",
        "dsn: host=db dbname=shop password='two words' sslmode=verify-full",
        "dsn: host=db dbname=shop password='[REDACTED]' sslmode=verify-full",
    ),
    (
        "secret_pair",
        "host=db.internal port=5432 dbname=shop user=app password=Tr0ub4dor&3 sslmode=require",
        "host=db.internal port=5432 dbname=shop user=app password=[REDACTED]&3 sslmode=require",
    ),
    (
        "secret_pair",
        "jdbc:sqlserver://mssql:1433;databaseName=shop;user=sa;password=Str0ng!Pass;",
        "jdbc:sqlserver://mssql:1433;databaseName=shop;user=sa;password=[REDACTED];",
    ),
    (
        "secret_pair",
        'level=info msg="token refreshed" token=ghp_16C7e42F292c6912E7710c838347Ae178B4a '
        "api_key=abc123 passwd=x pwd=y secret=z",
        'level=info msg="token refreshed" token=[REDACTED] api_key=[REDACTED] passwd=[REDACTED] '
        "pwd=[REDACTED] secret=[REDACTED]",
    ),
    (
        "secret_pair",
        "env: DJANGO_SETTINGS_MODULE=app.settings SECRET_KEY=django-insecure-x9#k2 DEBUG=0 "
        "S3_ACCESS_KEY=minio-ak1 JWT_SIGNING_KEY=sk-42",
        "env: DJANGO_SETTINGS_MODULE=app.settings SECRET_KEY=[REDACTED] DEBUG=0 "
        "S3_ACCESS_KEY=[REDACTED] JWT_SIGNING_KEY=[REDACTED]",
    ),
    (
        "pyrepr_secret_field",
        "settings: {'DEBUG': False, 'SECRET_KEY': 'dj-7f#q', 'ALLOWED_HOSTS': ['*']}",
        "settings: {'DEBUG': False, 'SECRET_KEY': '[REDACTED]', 'ALLOWED_HOSTS': ['*']}",
    ),
    (
        "json_secret_field",
        '{"msg":"vault unsealed","encryption_key":"a2V5","key_id":"k-1"}',
        '{"msg":"vault unsealed","encryption_key":"[REDACTED]","key_id":"k-1"}',
    ),
    (
        "secret_pair_spaced",
        "JdbcSinkConfig values:\n\tconnection.password = cPa55-w0rd\n\tconnection.url = "
        "jdbc:postgresql://pg:5432/dw\n\tclickhouse.server.pass = root\n\tssl.key.password = null",
        "JdbcSinkConfig values:\n\tconnection.password = [REDACTED]\n\tconnection.url = "
        "jdbc:postgresql://pg:5432/dw\n\tclickhouse.server.pass = [REDACTED]\n\tssl.key.password "
        "= null",
    ),
    (
        "secret_pair_spaced",
        "psql: error: could not parse dsn 'host=db user=app password = nullable-pw dbname=x'",
        "psql: error: could not parse dsn 'host=db user=app password = [REDACTED] dbname=x'",
    ),
    (
        "secret_pair",
        "env: DB_PASS=pp1 SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO=sr:pw bypass=true",
        "env: DB_PASS=[REDACTED] SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO=[REDACTED] bypass=true",
    ),
    (
        "go_struct_secret_field",
        "db config &{Host:db Port:5432 User:app Password:gopw1 SSLMode:require} "
        "client={APIKey:ak9 Timeout:5s AuthToken:at9}",
        "db config &{Host:db Port:5432 User:app Password:[REDACTED] SSLMode:require} "
        "client={APIKey:[REDACTED] Timeout:5s AuthToken:[REDACTED]}",
    ),
    (
        "github_token",
        "git clone https://github.com/org/repo failed, GH_TOKEN is "
        "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8; new token github_pat_11AB2CD3E0aBcDeFgHiJkL_"
        "mNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567 ok",
        "git clone https://github.com/org/repo failed, GH_TOKEN is "
        "ghp_[REDACTED]; new token github_pat_[REDACTED] ok",
    ),
    (
        "gitlab_token",
        "runner registered with glrt-t3_AbCdEfGhIjKlMnOpQrSt, PAT "
        "glpat-AbCdEfGhIjKlMnOpQrStUvW.01.171x2y3z4 expires 2030-01-01",
        "runner registered with glrt-[REDACTED], PAT glpat-[REDACTED] expires 2030-01-01",
    ),
    (
        "slack_token",
        "slack post failed: invalid_auth (token "
        "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx)",
        "slack post failed: invalid_auth (token xoxb-[REDACTED])",
    ),
    (
        "slack_webhook",
        "POST https://hooks.slack.com/services/T0123ABCD/B0456EFGH/AbCdEfGhIjKlMnOpQrStUvWx 404",
        "POST https://hooks.slack.com/services/[REDACTED] 404",
    ),
    (
        "stripe_key",
        "stripe.error.AuthenticationError: Invalid API Key provided: sk_live_51AbCdEfGhIjKlMnOp, "
        "webhook whsec_AbCdEfGhIjKlMnOpQrSt",
        "stripe.error.AuthenticationError: Invalid API Key provided: sk_live_[REDACTED], "
        "webhook whsec_[REDACTED]",
    ),
    (
        "google_api_key",
        "GET /maps/api/geocode/json?address=Berlin&key=AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q 200",
        "GET /maps/api/geocode/json?address=Berlin&key=AIza[REDACTED] 200",
    ),
    (
        "sendgrid_api_key",
        "python_http_client.exceptions.UnauthorizedError: key "
        "SG.AbCdEfGhIjKlMnOpQrStUv.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfG",
        "python_http_client.exceptions.UnauthorizedError: key SG.[REDACTED]",
    ),
    (
        "npm_token",
        "npm notice using npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 for registry.npmjs.org",
        "npm notice using npm_[REDACTED] for registry.npmjs.org",
    ),
    (
        "secret_pair",
        "//registry.npmjs.org/:_authToken=npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 "
        "S3_ACCESS_KEY=AKIAIOSFODNN7EXAMPLE",
        "//registry.npmjs.org/:_authToken=[REDACTED] S3_ACCESS_KEY=[REDACTED]",
    ),
    (
        "authorization_header",
        "curl -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/"
        "us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca0"
        "38a248ff027d0445342fe2855ddc963176630326f1024'",
        "curl -H 'Authorization: AWS4-HMAC-SHA256 [REDACTED]'",
    ),
    (
        "api_key_header",
        "upstream 401 headers=map[Accept:[*/*] X-Api-Key:[k-7f3a9] X-Request-Id:[r-1]] "
        "X-Vault-Token: hvs.CAESIabc",
        "upstream 401 headers=map[Accept:[*/*] X-Api-Key:[[REDACTED]] X-Request-Id:[r-1]] "
        "X-Vault-Token: [REDACTED]",
    ),
    (
        "cookie_header",
        'GET /cart "Cookie: sessionid=s9a8b7c; csrftoken=ct123" 200',
        'GET /cart "Cookie: [REDACTED]" 200',
    ),
    (
        "cookie_header",
        "< Set-Cookie: JSESSIONID=0F1E2D3C4B5A69788796A5B4C3D2E1F0; Path=/; HttpOnly",
        "< Set-Cookie: [REDACTED]; HttpOnly",
    ),
    (
        "url_signature",
        "GET https://acct.blob.core.windows.net/c/b.csv?sv=2021-08-06&se=2030-01-01T00%3A00Z&sr=b"
        "&sp=r&sig=AbC%2Bd3F%3D 403 / GET /k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600"
        "&X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
        "&X-Amz-SignedHeaders=host",
        "GET https://acct.blob.core.windows.net/c/b.csv?sv=2021-08-06&se=2030-01-01T00%3A00Z&sr=b"
        "&sp=r&sig=[REDACTED] 403 / GET /k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600"
        "&X-Amz-Signature=[REDACTED]&X-Amz-SignedHeaders=host",
    ),
    (
        "azure_connection_key",
        "BlobServiceClient from DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFy"
        "Zm9vYmFy+/ZZ==;EndpointSuffix=core.windows.net and Endpoint=sb://ns.servicebus.windows.net/;"
        "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=YmFyYmF6+/Q=",
        "BlobServiceClient from DefaultEndpointsProtocol=https;AccountName=acct;"
        "AccountKey=[REDACTED];EndpointSuffix=core.windows.net and Endpoint=sb://ns.servicebus.windows.net/;"
        "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=[REDACTED]",
    ),
    (
        "postgres_scram_verifier",
        " app      | SCRAM-SHA-256$4096:c2FsdHNhbHQ=$c3RvcmVka2V5c3Rv=:c2VydmVya2V5c2Vy=",
        " app      | SCRAM-SHA-256$4096:[REDACTED]",
    ),
    (
        "sql_password_literal",
        "LOG:  statement: ALTER USER postgres PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2Vy'",
        "LOG:  statement: ALTER USER postgres PASSWORD '[REDACTED]'",
    ),
    (
        "kafka_scram_keys",
        "Configs for user-principal 'alice' are SCRAM-SHA-512=[salt=djR5dXdtZGNq,stored_key=sb5jkq"
        "StV9Rw==,server_key=3EfuHB4LPO+c==,iterations=4096]",
        "Configs for user-principal 'alice' are SCRAM-SHA-512=[salt=djR5dXdtZGNq,stored_key="
        "[REDACTED],server_key=[REDACTED],iterations=4096]",
    ),
    (
        "pem_private_key",
        "loaded key -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1L\n"
        "-----END RSA PRIVATE KEY----- ok",
        "loaded key -----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY----- ok",
    ),
]

# Lines Kafka, Postgres and apps write in normal operation: nothing to redact.
NORMAL = [
    'password authentication failed for user "bob"',
    'FATAL:  password authentication failed for user "postgres"',
    "connection authorized: user=app database=shop application_name=psql",
    "KafkaConfig values:\n\tssl.key.password = null\n\tssl.keystore.password = [hidden]\n\t"
    "sasl.jaas.config = null\n\tdelegation.token.secret.key = null\n\tpassword.encoder.secret = "
    "null",
    "[Partition password-reset-events-0 broker=1] Shrinking ISR from 1,2,3 to 1,3. Leader: "
    "(highWatermark: 5, endOffset: 9).",
    "[SocketServer listenerType=BROKER, nodeId=1] Failed authentication with /172.20.0.4 "
    "(channelId=172.20.0.2:9097-172.20.0.4:33076-4-3) (Authentication failed during "
    "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512)",
    'duplicate key value violates unique constraint "users_pkey"',
    "Key (token_id)=(42) already exists.",
    'level=info msg="rotated" token_ttl=300 max_tokens=5 keys=12',
    '{"level":"info","msg":"password reset requested","user_id":42}',
    "GET https://api.example.com/v1/orders?page=2 200",
    "Rolled new log segment at offset 184233903 in 0 ms.",
    "checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added",
    # keys ending in _key are secrets only as secret/access/private/signing/encryption/master keys
    "cache miss key=orders:42 partition_key=7 sort_key=ts primary_key=id",
    '{"msg":"rebalanced","partition_key":"p-7","idempotency_key":"k-1"}',
    # config dumps print no secret: null, Kafka's [hidden], Debezium's ********, config providers
    "ConsumerConfig values:\n\tsasl.jaas.config = [hidden]\n\tssl.truststore.password = null\n\t"
    "basic.auth.user.info = [hidden]\n\tdatabase.password = ********\n\t"
    "config.providers.file.param.password = ${file:/opt/secrets.properties:pw}",
    # SQL parameters and NULL in statement logs
    "statement: UPDATE users SET reset_token = NULL, password = $1 WHERE api_key = ? AND t = :t",
    "Token: expired, invalid Password: too short",
    "if token == expected: bypass=true compass=n",
    # ids that look random but are no secret: git SHAs, trace/span ids, UUIDs, npm env, msg.
    "deployed commit 3f786850e387550fdab836ed7e6dc881de23001b "
    "(sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08)",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 "
    "request_id=3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "npm_config_cache=/root/.npm npm_lifecycle_event=start msg.SG.count=3 disk_live_bytes=7",
    "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192",
    "cookie consent banner shown, cookie: none; signature verified sig_alg=RS256 signatures=3",
    "GET /search?q=signal&sign=up&page=2 200, X-Api-Key header missing",
    "BlobClient AccountName=acct; SharedAccessKeyName=RootManageSharedAccessKey",
    "Authorization header missing",
    "bearer token expired",
]


def _apply(lines: list[str]) -> tuple[list[str], list[int]]:
    frame = pl.DataFrame({"m": lines})
    out = frame.select(
        redact(pl.col("m")).alias("r"),
        redaction_count(pl.col("m"), redact(pl.col("m"))).alias("n"),
    )
    return out["r"].to_list(), out["n"].to_list()


@pytest.mark.parametrize(("rule", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule_redacts_real_lines(rule, line, expected):
    got, counts = _apply([line])
    assert got == [expected]
    assert counts[0] == expected.count("[REDACTED]")
    assert pl.select(may_hold_secret(pl.lit(line))).item()


@pytest.mark.parametrize(("rule", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_runs_on_its_cases_by_its_own_keywords(rule, line, expected):
    """redact_values runs a rule only where its keywords occur: they must be in every text the
    rule rewrites, or a secret would pass through."""
    words = next(r["keywords"] for r in _rules()["rules"] if r["name"] == rule)
    assert pl.select(pl.lit(line).str.contains_any(words, ascii_case_insensitive=True)).item()
    assert redact_values(pl.Series([line])).to_list() == [expected]


def test_keyword_gated_rules_equal_every_rule_everywhere():
    lines = [c[1] for c in CASES] + NORMAL + [None, ""]
    gated = redact_values(pl.Series(lines, dtype=pl.String))
    assert (
        gated.to_list()
        == pl.select(redact(pl.Series(lines, dtype=pl.String))).to_series().to_list()
    )


def test_keywords_cannot_be_made_by_a_replacement():
    """redact_values gates every rule on the keywords found before any rule ran: a replacement
    adds only the marker, so no keyword may hold a character of its brackets."""
    assert not [k for k in keywords() if "[" in k or "]" in k]


def test_gate_holds_when_an_earlier_rule_removed_a_keyword():
    # `password=token-x` loses `token` to secret_pair before later rules see it
    lines = ["password=token-x Bearer abcdefghijklmnop0123 pwd=eyJ", None, ""]
    gated = redact_values(pl.Series(lines, dtype=pl.String)).to_list()
    assert gated == pl.select(redact(pl.Series(lines, dtype=pl.String))).to_series().to_list()
    assert gated[0] == "password=[REDACTED] Bearer [REDACTED] pwd=[REDACTED]"


def test_every_rule_has_a_case():
    names = {r["name"] for r in _rules()["rules"]}
    assert names == {c[0] for c in CASES}


def test_normal_lines_are_untouched():
    got, counts = _apply(NORMAL)
    assert got == NORMAL
    assert counts == [0] * len(NORMAL)


def test_redaction_is_idempotent():
    once, _ = _apply([c[1] for c in CASES])
    twice, counts = _apply(once)
    assert twice == once
    assert counts == [0] * len(once)


def test_attributes_by_key_and_by_value():
    frame = pl.DataFrame(
        {
            "attributes": [
                [
                    {"key": "password", "value": "hunter2"},
                    {"key": "db.password", "value": "null"},
                    {"key": "client_secret", "value": "abc"},
                    {"key": "dsn", "value": "postgresql://u:p4ss@db/shop"},
                    {"key": "user", "value": "bob"},
                    {"key": "token_ttl", "value": "300"},
                    {"key": "SECRET_KEY", "value": "dj-1"},
                    {"key": "partition_key", "value": "p-7"},
                ],
                [],
                None,
            ]
        },
        schema={"attributes": ATTRIBUTES_DTYPE},
    )
    out = redact_attributes(frame["attributes"]).to_list()
    assert out[0] == [
        {"key": "password", "value": "[REDACTED]"},
        {"key": "db.password", "value": "null"},
        {"key": "client_secret", "value": "[REDACTED]"},
        {"key": "dsn", "value": "postgresql://u:[REDACTED]@db/shop"},
        {"key": "user", "value": "bob"},
        {"key": "token_ttl", "value": "300"},
        {"key": "SECRET_KEY", "value": "[REDACTED]"},
        {"key": "partition_key", "value": "p-7"},
    ]
    assert out[1] == []
    assert out[2] is None


def test_redact_frame_counts_and_keeps_order():
    lines = NORMAL + [c[1] for c in CASES] + NORMAL
    attrs = [
        [{"key": "api_key", "value": "k-123"}] if i % 7 == 0 else [] for i in range(len(lines))
    ]
    frame = pl.DataFrame(
        {"message": lines, "attributes": attrs, "n": list(range(len(lines)))},
        schema={"message": pl.String, "attributes": ATTRIBUTES_DTYPE, "n": pl.Int64},
    )
    out, count = redact_frame(frame)
    assert out.columns == frame.columns and out.schema == frame.schema
    assert out["n"].to_list() == list(range(len(lines)))
    expected_messages = NORMAL + [c[2] for c in CASES] + NORMAL
    assert out["message"].to_list() == expected_messages
    message_redactions = sum(c[2].count("[REDACTED]") for c in CASES)
    attr_redactions = sum(1 for a in attrs if a)
    assert count == message_redactions + attr_redactions
    again, count_again = redact_frame(out)
    assert again.equals(out) and count_again == 0


def test_redact_frame_without_candidates_is_a_no_op():
    frame = pl.DataFrame({"message": NORMAL[:3]})
    out, count = redact_frame(frame, attributes=None)
    assert out.equals(frame) and count == 0
    empty, zero = redact_frame(frame.clear(), attributes=None)
    assert empty.height == 0 and zero == 0


@settings(max_examples=200, deadline=None)
@given(
    key=st.sampled_from(["password", "passwd", "pwd", "secret", "token", "api_key", "PGPASSWORD"]),
    value=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="\"'&;,)]}"),
        min_size=1,
        max_size=30,
    ),
    prefix=st.sampled_from(["", "msg=x ", "host=db ", "[ctx] "]),
)
def test_property_secret_pairs_never_survive(key, value, prefix):
    line = f"{prefix}{key}={value} end"
    got, counts = _apply([line])
    assert got == [f"{prefix}{key}=[REDACTED] end"]
    assert counts == [0 if value == "[REDACTED]" else 1]
