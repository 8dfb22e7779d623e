"""PostgreSQL 15 server log templates, as the official image writes them to stderr.

`log_line_prefix = '%m [%p] '` (the image default) with `log_timezone = UTC`, `log_connections`,
`log_disconnections`, `log_checkpoints`, `log_lock_waits`, `log_min_duration_statement = 250ms`,
`log_autovacuum_min_duration = 1s`, `log_temp_files = 10MB`. One ereport prints each field
(ERROR, DETAIL, HINT, CONTEXT, STATEMENT) on its own prefixed line; newlines inside a field
continue with a tab (elog.c append_with_tabs). Wording checked against a real PostgreSQL 15.
"""

from logadapt_assets.generate.engine import Step, Template, tpl

PREFIX = "«ts:pg» [«pgpid@pid»] "


def pg(*fields: tuple[str, str], pid: str = PREFIX) -> str:
    """One ereport: (severity, message) pairs, each on a prefixed line, tabs for newlines."""
    return "\n".join(
        f"{pid}{sev}:  {msg.replace(chr(10), chr(10) + chr(9))}" for sev, msg in fields
    )


def to_pg(text: str, lo: float = 0.2, hi: float = 30.0) -> Step:
    return Step(text, to="postgres", after_ms=(lo, hi))


POSTMASTER = "«ts:pg» [1] "
CHECKPOINTER = "«ts:pg» [«ckpt_pid»] "
HBA = 'Connection matched pg_hba.conf line «hba_line»: "«hba_rule»"'

TABLES = "orders|order_items|payments|inventory|outbox_events|customers"
SQL_REPORT = (
    "SELECT date_trunc('hour', o.created_at) AS hour, count(*) AS orders, sum(o.total_cents) "
    "AS revenue\nFROM orders o\nJOIN order_items i ON i.order_id = o.id\nWHERE o.created_at >= "
    "now() - interval '«pick:1 day|7 days|30 days»'\nGROUP BY 1\nORDER BY 1"
)
SQL_ADMIN = (
    "pick:SELECT count(*) FROM orders WHERE status = 'PENDING'|SELECT * FROM pg_stat_activity "
    "WHERE state <> 'idle'|SELECT relname, n_dead_tup FROM pg_stat_user_tables ORDER BY 2 DESC "
    "LIMIT 20|VACUUM (VERBOSE, ANALYZE) outbox_events"
)

VACUUM = (
    'automatic vacuum of table "«db».public.«pick:'
    + TABLES
    + '@t»": index scans: «pick:0=3|1@isc»\n'
    "pages: 0 removed, «int:2000:900000@pg» remain, «int:100:2000» scanned («dec:0.1:40:2»% of "
    "total)\n"
    "tuples: «int:100:90000» removed, «int:100000:9000000» remain, «int:0:400» are dead but not "
    "yet removable\n"
    "removable cutoff: «grow:9000000:40@x», which was «int:0:900» XIDs old when operation ended\n"
    "new relfrozenxid: «@x.minus120000», which is «int:1:90000» XIDs ahead of previous value\n"
    "index scan «@isc=>not needed|needed»: «int:10:2000» pages from table («dec:0.1:20:2»% "
    "of total) had «int:100:90000» dead item identifiers removed\n"
    'index "«@t»_pkey": pages: «int:300:90000» in total, 0 newly deleted, «int:0:90» currently '
    "deleted, «int:0:90» reusable\n"
    "avg read rate: «dec:0:40:3» MB/s, avg write rate: «dec:0:20:3» MB/s\n"
    "buffer usage: «int:1000:90000» hits, «int:0:9000» misses, «int:0:4000» dirtied\n"
    "WAL usage: «int:100:90000» records, «int:0:4000» full page images, «int:10000:90000000» "
    "bytes\n"
    "system usage: CPU: user: «dec:0:2:2» s, system: «dec:0:1:2» s, elapsed: «dec:1:20:2» s"
)
ANALYZE = (
    'automatic analyze of table "«db».public.«pick:' + TABLES + '»"\n'
    "avg read rate: «dec:0:90:3» MB/s, avg write rate: «dec:0:9:3» MB/s\n"
    "buffer usage: «int:300:30000» hits, «int:0:3000» misses, «int:0:300» dirtied\n"
    "system usage: CPU: user: «dec:0:1:2» s, system: «dec:0:1:2» s, elapsed: «dec:1:9:2» s"
)

BACKGROUND: list[Template] = [
    tpl(
        "postgres.session",
        pg(
            (
                "LOG",
                "connection received: host=«pick:«ip_orders»=5|«ip_payments»=3|«ip_inventory»"
                "=3@u» port=«port@port»",
            )
        ),
        Step(
            pg(
                (
                    "LOG",
                    'connection authenticated: identity="«@u=>orders|payments|inventory»" '
                    "method=scram-sha-256 (/var/lib/postgresql/data/pg_hba.conf:«hba_line»)",
                )
            ),
            after_ms=(2, 9),
        ),
        Step(
            pg(
                (
                    "LOG",
                    "connection authorized: user=«@u=>orders|payments|inventory» database=«db» "
                    "application_name=«@u=>orders-api|PostgreSQL JDBC Driver|inventory-svc»",
                )
            ),
            after_ms=(0.01, 0.1),
        ),
        Step(
            pg(
                (
                    "LOG",
                    "disconnection: session time: 0:«int:10:59»:«int:10:59».«int:100:999» "
                    "user=«@u=>orders|payments|inventory» database=«db» host=«@u» port=«@port»",
                )
            ),
            after_ms=(600000, 3000000),
        ),
        w=6,
    ),
    tpl(
        "postgres.session_psql",
        pg(("LOG", "connection received: host=«ip:ops@h» port=«port@port»")),
        Step(
            pg(
                (
                    "LOG",
                    'connection authenticated: identity="postgres" method=scram-sha-256 '
                    "(/var/lib/postgresql/data/pg_hba.conf:«hba_line»)",
                )
            ),
            after_ms=(2, 9),
        ),
        Step(
            pg(("LOG", "connection authorized: user=postgres database=«db» application_name=psql")),
            after_ms=(0.01, 0.1),
        ),
        Step(
            pg(("LOG", "duration: «exp:300:3:250» ms  statement: «" + SQL_ADMIN + "»")),
            after_ms=(5000, 60000),
        ),
        Step(
            pg(
                (
                    "LOG",
                    "disconnection: session time: 0:«int:10:59»:«int:10:59».«int:100:999» "
                    "user=postgres database=«db» host=«@h» port=«@port»",
                )
            ),
            after_ms=(5000, 90000),
        ),
        w=0.3,
        flat=True,
    ),
    tpl(
        "postgres.checkpoint",
        pg(("LOG", "checkpoint starting: time"), pid=CHECKPOINTER),
        Step(
            pg(
                (
                    "LOG",
                    "checkpoint complete: wrote «int:200:9000» buffers («dec:0.1:5.0:1»%); 0 WAL "
                    "file(s) added, «int:0:3» removed, «int:0:4» recycled; write=«dec:265:269:3»"
                    " s, sync=«dec:0.001:0.9:3» s, total=«dec:269:270.5:3» s; sync files="
                    "«int:10:300», longest=«dec:0.001:0.2:3» s, average=«dec:0.001:0.01:3» s; "
                    "distance=«int:4000:90000» kB, estimate=«int:40000:90000» kB",
                ),
                pid=CHECKPOINTER,
            ),
            after_ms=(269000, 270500),
        ),
        every=300,
    ),
    tpl("postgres.autovacuum", pg(("LOG", VACUUM)), w=1.2),
    tpl("postgres.autoanalyze", pg(("LOG", ANALYZE)), w=1.5),
    tpl(
        "postgres.slow_report",
        pg(("LOG", "duration: «exp:1500:3:250» ms  statement: " + SQL_REPORT)),
        w=0.8,
        flat=True,
    ),
    tpl(
        "postgres.temp_file",
        pg(
            (
                "LOG",
                'temporary file: path "base/pgsql_tmp/pgsql_tmp«@pid».«int:0:3»", size '
                "«int:10485760:209715200»",
            ),
            ("STATEMENT", SQL_REPORT),
        ),
        w=0.5,
        flat=True,
    ),
    tpl(
        "postgres.client_reset",
        pg(("LOG", "could not receive data from client: Connection reset by peer")),
        w=0.5,
    ),
    tpl(
        "postgres.client_eof",
        pg(("LOG", "unexpected EOF on client connection with an open transaction")),
        w=0.2,
    ),
    tpl(
        "postgres.idle_in_tx",
        pg(("FATAL", "terminating connection due to idle-in-transaction timeout")),
        w=0.1,
    ),
    tpl(
        "postgres.cancel",
        pg(
            ("ERROR", "canceling statement due to user request"),
            (
                "STATEMENT",
                "SELECT id, status FROM orders WHERE customer_id = $1 ORDER BY created_at "
                "DESC LIMIT 50",
            ),
        ),
        w=0.3,
    ),
    tpl(
        "postgres.typo_relation",
        pg(
            (
                "ERROR",
                'relation "«pick:order|orderz|payment|stock»" does not exist at character '
                "«pick:15|22»",
            ),
            ("STATEMENT", "SELECT * FROM «pick:order|orderz|payment|stock» LIMIT 10;"),
        ),
        w=0.05,
        flat=True,
    ),
    tpl(
        "postgres.syntax_error",
        pg(
            ("ERROR", 'syntax error at or near "«pick:FORM|WHER|SELEC»" at character «int:1:30»'),
            ("STATEMENT", "SELECT id, status FORM orders WHER status = 'PENDING';"),
        ),
        w=0.05,
        flat=True,
    ),
    tpl(
        "postgres.undefined_column",
        pg(
            ("ERROR", 'column "totl" does not exist at character 8'),
            ("HINT", 'Perhaps you meant to reference the column "orders.total_cents".'),
            ("STATEMENT", "SELECT totl FROM orders WHERE id = 42;"),
        ),
        w=0.03,
        flat=True,
    ),
    tpl(
        "postgres.permission",
        pg(
            ("ERROR", "permission denied for table payments"),
            ("STATEMENT", "SELECT * FROM payments WHERE order_id = «int:100000:999999»"),
        ),
        w=0.05,
        flat=True,
    ),
    tpl(
        "postgres.no_tx",
        pg(("WARNING", "there is no transaction in progress")),
        w=0.3,
    ),
    tpl(
        "postgres.db_typo",
        pg(("LOG", "connection received: host=«ip:ops» port=«port»")),
        Step(
            pg(("FATAL", 'database "«pick:order|ordres|postgress»" does not exist')),
            after_ms=(2, 9),
        ),
        w=0.04,
        flat=True,
    ),
    tpl(
        "postgres.varchar_too_long",
        pg(
            ("ERROR", "value too long for type character varying(64)"),
            ("STATEMENT", "UPDATE customers SET email = $1 WHERE id = $2"),
        ),
        w=0.05,
    ),
    tpl(
        "postgres.invalid_uuid",
        pg(
            (
                "ERROR",
                'invalid input syntax for type uuid: "«pick:undefined|null|[object Object]»"',
            ),
            ("CONTEXT", "unnamed portal parameter $1 = '...'"),
            ("STATEMENT", "SELECT id, status, total_cents FROM orders WHERE public_id = $1"),
        ),
        w=0.08,
    ),
    tpl(
        "postgres.checkpoint_wal",
        pg(("LOG", "checkpoint starting: wal"), pid=CHECKPOINTER),
        w=0.05,
        flat=True,
    ),
    tpl(
        "postgres.broken_pipe",
        pg(("LOG", "could not send data to client: Broken pipe")),
        Step(pg(("FATAL", "connection to client lost")), after_ms=(0.01, 0.2)),
        w=0.15,
    ),
    tpl(
        "postgres.fk_violation",
        pg(
            (
                "ERROR",
                'insert or update on table "order_items" violates foreign key constraint '
                '"order_items_order_id_fkey"',
            ),
            ("DETAIL", 'Key (order_id)=(«int:100000:999999») is not present in table "orders".'),
            (
                "STATEMENT",
                "INSERT INTO order_items (order_id, sku, quantity, price_cents) VALUES "
                "($1, $2, $3, $4)",
            ),
        ),
        w=0.1,
    ),
    tpl(
        "postgres.not_null",
        pg(
            (
                "ERROR",
                'null value in column "customer_id" of relation "orders" violates not-null '
                "constraint",
            ),
            (
                "DETAIL",
                "Failing row contains («int:100000:999999», «uuid», null, PENDING, "
                "«int:500:90000», «ts:flyway».«int:100000:999999»+00).",
            ),
            (
                "STATEMENT",
                "INSERT INTO orders (public_id, customer_id, status, total_cents) VALUES "
                "($1, $2, 'PENDING', $3) RETURNING id",
            ),
        ),
        w=0.05,
    ),
    tpl(
        "postgres.tx_aborted",
        pg(
            (
                "ERROR",
                "current transaction is aborted, commands ignored until end of transaction block",
            ),
            ("STATEMENT", "SELECT id FROM payments WHERE order_id = $1 FOR UPDATE"),
        ),
        w=0.08,
    ),
    tpl(
        "postgres.already_in_tx",
        pg(("WARNING", "there is already a transaction in progress")),
        w=0.1,
    ),
    tpl(
        "postgres.autovacuum_cancel",
        pg(
            ("ERROR", "canceling autovacuum task"),
            (
                "CONTEXT",
                'while scanning block «int:100:90000» of relation "public.«pick:'
                + TABLES
                + '@t»"\nautomatic vacuum of table "«db».public.«@t»"',
            ),
        ),
        w=0.05,
        flat=True,
    ),
    tpl(
        "postgres.skip_vacuum",
        pg(("LOG", 'skipping vacuum of "«pick:orders|payments|inventory»" --- lock not available')),
        w=0.03,
        flat=True,
    ),
    tpl(
        "postgres.relation_lock_wait",
        pg(
            (
                "LOG",
                "process «@pid» still waiting for RowExclusiveLock on relation «pick:16401|16422"
                "|24611@rel» of database 16384 after «dec:1000:1100:3» ms",
            ),
            ("DETAIL", "Process holding the lock: «pgpid@holder». Wait queue: «@pid»."),
            ("STATEMENT", "UPDATE orders SET status = $1, updated_at = now() WHERE id = $2"),
        ),
        Step(
            pg(
                (
                    "LOG",
                    "process «@pid» acquired RowExclusiveLock on relation «@rel»"
                    " of database 16384 after «dec:1450:1700:3» ms",
                ),
                ("STATEMENT", "UPDATE orders SET status = $1, updated_at = now() WHERE id = $2"),
            ),
            after_ms=(400, 600),
        ),
        w=0.1,
        flat=True,
    ),
    tpl(
        "postgres.terminated_by_admin",
        pg(("FATAL", "terminating connection due to administrator command")),
        w=0.02,
        flat=True,
    ),
    tpl(
        "postgres.bind_slow",
        pg(
            (
                "LOG",
                "duration: «exp:300:3:250» ms  bind <unnamed>: SELECT id, sku, available, "
                "reserved FROM inventory WHERE sku = ANY($1)",
            ),
            ("DETAIL", "parameters: $1 = '{SKU-«int:10000:99999»,SKU-«int:10000:99999»}'"),
        ),
        w=0.3,
    ),
    tpl(
        "postgres.long_in_list",
        pg(
            (
                "LOG",
                "duration: «exp:400:3:250» ms  statement: SELECT id, sku, available FROM "
                "inventory WHERE id IN («idlist:2500:4500»)",
            )
        ),
        every=2400,
    ),
]

# --- incident pieces ---------------------------------------------------------------------------

LOCK_WAIT = tpl(
    "postgres.lock_wait",
    pg(
        (
            "LOG",
            "process «@pid» still waiting for ShareLock on transaction «@xid2» after "
            "«dec:1000:1100:3» ms",
        ),
        ("DETAIL", "Process holding the lock: «@pid2». Wait queue: «@pid»."),
        ("CONTEXT", 'while updating tuple («int:0:900»,«int:1:60») in relation "inventory"'),
        ("STATEMENT", "«@sql1»"),
    ),
)
DEADLOCK = tpl(
    "postgres.deadlock",
    pg(
        (
            "LOG",
            "process «@pid2» detected deadlock while waiting for ShareLock on transaction "
            "«@xid1» after «dec:1000:1010:3» ms",
        ),
        ("DETAIL", "Process holding the lock: «@pid». Wait queue: ."),
        ("CONTEXT", 'while updating tuple («int:0:900»,«int:1:60») in relation "inventory"'),
        ("STATEMENT", "«@sql2»"),
        pid="«ts:pg» [«@pid2»] ",
    ),
    Step(
        pg(
            ("ERROR", "deadlock detected"),
            (
                "DETAIL",
                "Process «@pid2» waits for ShareLock on transaction «@xid1»; blocked by "
                "process «@pid».\nProcess «@pid» waits for ShareLock on transaction «@xid2»; "
                "blocked by process «@pid2».\nProcess «@pid2»: «@sql2»\nProcess «@pid»: "
                "«@sql1»",
            ),
            ("HINT", "See server log for query details."),
            ("CONTEXT", 'while updating tuple («int:0:900»,«int:1:60») in relation "inventory"'),
            ("STATEMENT", "«@sql2»"),
            pid="«ts:pg» [«@pid2»] ",
        ),
        after_ms=(0.01, 0.1),
    ),
    Step(
        pg(
            (
                "LOG",
                "process «@pid» acquired ShareLock on transaction «@xid2» after "
                "«dec:1001:1400:3» ms",
            ),
            ("CONTEXT", 'while updating tuple («int:0:900»,«int:1:60») in relation "inventory"'),
            ("STATEMENT", "«@sql1»"),
        ),
        after_ms=(0.2, 2),
    ),
)
AUTH_FAIL = tpl(
    "postgres.auth_failed",
    pg(("LOG", "connection received: host=«@host» port=«port»")),
    Step(
        pg(("FATAL", 'password authentication failed for user "«@user»"'), ("DETAIL", HBA)),
        after_ms=(3, 12),
    ),
)
AUTH_FAIL_NO_ROLE = tpl(
    "postgres.auth_failed_no_role",
    pg(("LOG", "connection received: host=«@host» port=«port»")),
    Step(
        pg(
            (
                "FATAL",
                'password authentication failed for user "«pick:admin|root|pgadmin|test@u»"',
            ),
            ("DETAIL", 'Role "«@u»" does not exist.\n' + HBA),
        ),
        after_ms=(3, 12),
    ),
)
TOO_MANY = tpl(
    "postgres.too_many_clients",
    pg(("LOG", "connection received: host=«@host» port=«port»")),
    Step(pg(("FATAL", "sorry, too many clients already")), after_ms=(0.5, 3)),
)
SLOW_REPORT = tpl(
    "postgres.slow_statement",
    pg(("LOG", "duration: «exp:4000:3:1500:30000» ms  statement: " + SQL_REPORT)),
)
SLOW_SEARCH = tpl(
    "postgres.slow_statement",
    pg(
        (
            "LOG",
            "duration: «exp:3000:3:1200:30000» ms  statement: SELECT o.id, o.status, c.email "
            "FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email ILIKE "
            "'%«hex:6»%'",
        )
    ),
)
STATEMENT_TIMEOUT = tpl(
    "postgres.statement_timeout",
    pg(
        ("ERROR", "canceling statement due to statement timeout"),
        (
            "STATEMENT",
            "SELECT o.id, o.status, o.total_cents\nFROM orders o\nWHERE o.customer_id = "
            "$1\nORDER BY o.created_at DESC\nLIMIT 50",
        ),
    ),
)
CHECKPOINT_PRESSURE = tpl(
    "postgres.checkpoint_pressure",
    pg(
        ("LOG", "checkpoints are occurring too frequently («int:9:29» seconds apart)"),
        ("HINT", 'Consider increasing the configuration parameter "max_wal_size".'),
        pid=CHECKPOINTER,
    ),
    Step(pg(("LOG", "checkpoint starting: wal"), pid=CHECKPOINTER), after_ms=(0.01, 0.1)),
)
DISK_EXTEND = tpl(
    "postgres.disk_full",
    pg(
        (
            "ERROR",
            'could not extend file "base/16384/«pick:16401|16422|24611»": No space left on device',
        ),
        ("HINT", "Check free disk space."),
        (
            "STATEMENT",
            "/* request_id=«@r» */ INSERT INTO orders (public_id, customer_id, status, "
            "total_cents) VALUES ($1, $2, 'PENDING', $3) RETURNING id",
        ),
    ),
)
DISK_TEMP = tpl(
    "postgres.disk_full_temp",
    pg(
        (
            "ERROR",
            'could not write to file "base/pgsql_tmp/pgsql_tmp«@pid».«int:0:3»": No space '
            "left on device",
        ),
        ("STATEMENT", SQL_REPORT),
    ),
)
DISK_PANIC = tpl(
    "postgres.panic",
    pg(("PANIC", 'could not write to file "pg_wal/xlogtemp.«@pid»": No space left on device')),
    Step(
        pg(
            ("LOG", "server process (PID «@pid») was terminated by signal 6: Aborted"),
            (
                "DETAIL",
                "Failed process was running: UPDATE payments SET status = $1, updated_at = "
                "now() WHERE id = $2",
            ),
            pid=POSTMASTER,
        ),
        after_ms=(2, 20),
    ),
    Step(
        pg(("LOG", "terminating any other active server processes"), pid=POSTMASTER),
        after_ms=(0.1, 1),
    ),
    Step(
        pg(("LOG", "all server processes terminated; reinitializing"), pid=POSTMASTER),
        after_ms=(20, 90),
    ),
    Step(
        pg(
            ("LOG", "database system was interrupted; last known up at «ts:pgsec»"),
            pid="«ts:pg» [«pgpid@spid»] ",
        ),
        after_ms=(3, 9),
    ),
    Step(
        pg(
            ("LOG", "database system was not properly shut down; automatic recovery in progress"),
            pid="«ts:pg» [«pgpid@spid»] ",
        ),
        after_ms=(20, 90),
    ),
    Step(
        pg(("LOG", "redo starts at 0/«HEX:8@lsn»"), pid="«ts:pg» [«pgpid@spid»] "), after_ms=(1, 5)
    ),
    Step(
        pg(
            ("LOG", "invalid record length at 0/«HEX:8»: wanted 24, got 0"),
            pid="«ts:pg» [«pgpid@spid»] ",
        ),
        after_ms=(200, 3000),
    ),
    Step(
        pg(
            (
                "LOG",
                "redo done at 0/«HEX:8» system usage: CPU: user: «dec:0:1:2» s, system: "
                "«dec:0:1:2» s, elapsed: «dec:0.2:3:2» s",
            ),
            pid="«ts:pg» [«pgpid@spid»] ",
        ),
        after_ms=(0.1, 1),
    ),
    Step(
        pg(("LOG", "checkpoint starting: end-of-recovery immediate wait"), pid=CHECKPOINTER),
        after_ms=(0.5, 3),
    ),
    Step(
        pg(
            (
                "LOG",
                "checkpoint complete: wrote «int:100:3000» buffers («dec:0.1:2:1»%); 0 WAL "
                "file(s) added, 0 removed, «int:0:3» recycled; write=«dec:0.01:0.9:3» s, sync="
                "«dec:0.001:0.2:3» s, total=«dec:0.02:1.2:3» s; sync files=«int:10:90», "
                "longest=«dec:0.001:0.05:3» s, average=«dec:0.001:0.01:3» s; distance="
                "«int:1000:20000» kB, estimate=«int:20000:90000» kB",
            ),
            pid=CHECKPOINTER,
        ),
        after_ms=(30, 900),
    ),
    Step(
        pg(("LOG", "database system is ready to accept connections"), pid=POSTMASTER),
        after_ms=(2, 10),
    ),
)
RECOVERY_REJECT = tpl(
    "postgres.in_recovery",
    pg(
        (
            "LOG",
            "connection received: host=«pick:«ip_orders»|«ip_payments»|«ip_inventory»» port=«port»",
        )
    ),
    Step(pg(("FATAL", "the database system is in recovery mode")), after_ms=(0.2, 2)),
)
