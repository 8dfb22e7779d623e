"""Incidents injected at known times, each with the ground truth a detector should find.

Every scenario renders its lines with the same template engine as the background, binding the
affected entities (partitions, pids, request ids) as columns, and returns a label: window,
affected services/containers/entities, expected event types and evidence patterns (a regex that
must match at least `min_count` lines of a container inside the window).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from logadapt_assets.generate import app_lines as app
from logadapt_assets.generate import kafka_lines as kl
from logadapt_assets.generate import postgres_lines as pgl
from logadapt_assets.generate.engine import MS, NS, Rng, at, burst, render
from logadapt_assets.generate.platform import Platform

S = NS  # one second in ns


@dataclass
class Incident:
    scenario: str
    start_ns: int
    end_ns: int
    services: list[str]
    containers: list[str]
    entities: dict[str, object]
    event_types: list[str]
    evidence: list[dict]
    frames: list[pl.DataFrame] = field(default_factory=list)
    silences: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    lifecycle: list[dict] = field(default_factory=list)  # container die/start events

    def label(self, index: int, fmt: Callable[[int], str]) -> dict:
        return {
            "id": f"{self.scenario}-{index}",
            "scenario": self.scenario,
            "start": fmt(self.start_ns),
            "end": fmt(self.end_ns),
            "affected_services": self.services,
            "affected_containers": self.containers,
            "entities": self.entities,
            "expected_event_types": self.event_types,
            "evidence": self.evidence,
        }


def _ev(container: str, pattern: str, min_count: int = 1) -> dict:
    return {"container": container, "pattern": pattern, "min_count": min_count}


def _count(base: float, scale: float, floor: int) -> int:
    return max(floor, round(base * min(1.0, scale)))


def _hex(rng: Rng, n: int, chars: int = 32) -> pl.Series:
    return rng.bytes_hex(n, chars // 2)


# --- Kafka: a broker's log dir fails, it halts, restarts and recovers ---------------------------


def broker_crash(plat: Platform, t0: int, dur: int, rng: Rng, scale: float) -> Incident:
    f = dur / (300 * S)  # timeline below is for a 5-minute incident
    zk = plat.kafka_mode == "zookeeper"
    victim = rng.random.choice([b.broker_id for b in plat.brokers if b.broker_id != 1])
    vname = f"kafka-{victim}"
    survivors = [b.broker_id for b in plat.brokers if b.broker_id != victim]
    ctrl = f"kafka-{plat.controller}"
    world = plat.world
    peer_ip = plat.containers[vname].ip
    pt = plat.partitions.filter(pl.col("replicas").list.contains(victim)).with_columns(
        isr=pl.col("replicas").list.eval(pl.element().cast(pl.String)).list.join(","),
        newisr=pl.col("replicas")
        .list.filter(pl.element() != victim)
        .list.eval(pl.element().cast(pl.String))
        .list.join(","),
        newleader=pl.col("replicas").list.filter(pl.element() != victim).list.first(),
    )
    frames: list[pl.DataFrame] = []

    def cols(frame: pl.DataFrame, **extra: object) -> dict[str, pl.Series]:
        out = {
            "p": frame["tp"],
            "p.topic": frame["topic"],
            "p.part": frame["part"],
            "tid": frame["tid"],
            "le": frame["le"],
            "pe": frame["pe"],
            "hw": frame["hw"],
            "o": frame["o"],
            "b": frame["b"],
            "isr": frame["isr"],
            "newisr": frame["newisr"],
        }
        for key, value in extra.items():
            out[key] = pl.repeat(str(value), len(frame), eager=True, dtype=pl.String)
        return out

    # 1. the disk under the victim stalls: slow segment rolls, producers retry
    frames.append(burst(world, kl.SLOW_ROLL, vname, t0, t0 + int(25 * f * S), 3, rng))
    led = pt.filter((pl.col("leader") == victim) & (pl.col("topic") == "orders.events"))
    n_retry = _count(30, scale, 6)
    pick = rng.integers(n_retry, 0, len(led) - 1)
    errors = pl.Series([e.format(peer_ip=peer_ip) for e in app.PRODUCE_ERRORS])
    frames.append(
        burst(
            world,
            app.PRODUCE_RETRY,
            "orders-api",
            t0 + int(5 * f * S),
            t0 + int(70 * f * S),
            n_retry,
            rng,
            {
                "part": led["part"].gather(pick),
                "err": errors.gather(rng.integers(n_retry, 0, len(errors) - 1)),
            },
        )
    )
    # 2. followers on the victim fall behind: the leaders shrink their ISRs
    for s in survivors:
        mine = pt.filter(pl.col("leader") == s)
        t = t0 + int(31 * f * S)
        frames.append(at(world, kl.ISR_SHRINK, f"kafka-{s}", t, rng, cols(mine, gone=victim)))
    # 3. the log dir fails and the broker halts
    t_fail = t0 + int(40 * f * S)
    frames.append(at(world, kl.LOG_DIR_FAILURE, vname, t_fail, rng))
    t_die = t_fail + 60 * MS + 200 * MS
    t_start = t_die + int((0.3 + rng.random.random()) * S)
    # 4. survivors lose their fetch sessions to the victim, reconnects fail until fenced
    t_fence = t_die + (18 if zk else 9) * S
    for s in survivors:
        follows = pt.filter((pl.col("leader") == victim) & pl.col("replicas").list.contains(s))
        one = follows.head(1)
        frames.append(
            at(
                world,
                kl.FETCH_DISCONNECT,
                f"kafka-{s}",
                t_die + 20 * MS,
                rng,
                cols(one, peer=victim),
            )
        )
        ticks = list(range(t_die + S, t_fence, S))
        frames.append(
            at(
                world,
                kl.FETCH_CONNECT_FAIL,
                f"kafka-{s}",
                ticks,
                rng,
                {
                    "peer": pl.repeat(str(victim), len(ticks), eager=True),
                    "peer_ip": pl.repeat(peer_ip, len(ticks), eager=True),
                },
            )
        )
    frames.append(
        at(
            world,
            app.CONSUMER_DISCONNECT,
            "payments-worker",
            t_die + 40 * MS,
            rng,
            {"gone": pl.Series([str(victim)]), "peer_ip": pl.Series([peer_ip])},
        )
    )
    # 5. the controller fences the victim, survivors take over its partitions
    led_all = pt.filter(pl.col("leader") == victim)
    epoch = str(rng.random.randint(4000, 90000))
    if zk:
        alive = ",".join(str(b) for b in survivors)
        frames.append(
            at(
                world,
                kl.ZK_BROKER_GONE,
                ctrl,
                t_fence,
                rng,
                {
                    "gone": pl.Series([str(victim)]),
                    "alive": pl.Series([alive]),
                    "epochs": pl.Series([", ".join(f"{b} -> {epoch}" for b in survivors)]),
                },
            )
        )
        frames.append(at(world, kl.ZK_SESSION_EXPIRED, "zookeeper", t_fence - 300 * MS, rng))
        frames.append(
            at(
                world,
                kl.ZK_LEADER_CHANGE,
                ctrl,
                t_fence + 200 * MS,
                rng,
                cols(led_all, gone=victim)
                | {
                    "leader": led_all["newleader"].cast(pl.String),
                    "newisr_sp": led_all["newisr"].str.replace_all(",", ", "),
                },
            )
        )
    else:
        frames.append(
            at(
                world,
                kl.FENCE,
                ctrl,
                t_fence,
                rng,
                {
                    "gone": pl.Series([str(victim)]),
                    "epoch": pl.Series([epoch]),
                    "parts": pl.Series([", ".join(led_all["tp"].to_list())]),
                },
            )
        )
    for s in survivors:
        take = led_all.filter(pl.col("newleader") == s)
        if len(take):
            frames.append(
                at(
                    world,
                    kl.BECOME_LEADER,
                    f"kafka-{s}",
                    t_fence + 300 * MS,
                    rng,
                    {
                        "count": pl.Series([str(len(take))]),
                        "parts": pl.Series([", ".join(take["tp"].to_list())]),
                    },
                )
            )
            frames.append(
                at(
                    world,
                    kl.LEADER_EPOCH,
                    f"kafka-{s}",
                    t_fence + 330 * MS,
                    rng,
                    cols(take, gone=victim),
                )
            )
    # 6. the victim restarts: entrypoint, JVM, unclean recovery of every log, rejoin
    frames.append(
        at(world, kl.ZK_ENTRYPOINT if zk else kl.ENTRYPOINT, vname, t_start + 50 * MS, rng)
    )
    frames.append(
        at(
            world,
            kl.ZK_STARTUP if zk else kl.STARTUP,
            vname,
            t_start + 2 * S,
            rng,
            {"epoch": pl.Series([epoch])},
        )
    )
    rec_lo, rec_hi = t_start + int(6 * f * S), t_start + int(40 * f * S)
    total = len(pt)
    rec_times = (
        pl.int_range(0, total, eager=True, dtype=pl.Int64) * ((rec_hi - rec_lo) // max(1, total))
        + rec_lo
    )
    frames.append(
        render(
            kl.RECOVER_LOG,
            vname,
            rec_times,
            rng,
            world,
            cols(pt)
            | {
                "i": pl.int_range(1, total + 1, eager=True).cast(pl.String),
                "total": pl.repeat(str(total), total, eager=True),
            },
        )
    )
    t_up = rec_hi + 500 * MS
    frames.append(
        at(
            world,
            kl.ZK_STARTED if zk else kl.STARTED,
            vname,
            t_up,
            rng,
            {"total": pl.Series([str(total)]), "epoch": pl.Series([epoch])},
        )
    )
    t_unfence = t_up + 2500 * MS
    if zk:
        frames.append(
            at(world, kl.ZK_BROKER_BACK, ctrl, t_unfence, rng, {"gone": pl.Series([str(victim)])})
        )
    else:
        frames.append(
            at(
                world,
                kl.UNFENCE,
                ctrl,
                t_up + 300 * MS,
                rng,
                {"gone": pl.Series([str(victim)]), "epoch": pl.Series([epoch])},
            )
        )
    followers = pt.with_columns(
        leader=pl.when(pl.col("leader") == victim).then("newleader").otherwise("leader")
    )
    frames.append(
        at(
            world,
            kl.TRUNCATE,
            vname,
            t_unfence + 500 * MS,
            rng,
            cols(followers) | {"leader": followers["leader"].cast(pl.String)},
        )
    )
    for s in survivors:
        mine = followers.filter(pl.col("leader") == s)
        frames.append(
            burst(
                world,
                kl.ISR_EXPAND,
                f"kafka-{s}",
                t_unfence + 2 * S,
                t_unfence + int(20 * f * S) + 3 * S,
                len(mine),
                rng,
                cols(mine),
            )
        )
    # 7. preferred leaders move back to the victim (auto.leader.rebalance)
    t_pref = t0 + int(270 * f * S)
    for s in survivors:
        back = led_all.filter(pl.col("newleader") == s)
        if len(back):
            fetchstate = ", ".join(
                f"{tp} -> InitialFetchState(Some({tid}),BrokerEndPoint(id={victim}, "
                f"host=kafka-{victim}:9092),{le + 1},{o})"
                for tp, tid, le, o in back.select("tp", "tid", "le", "o").iter_rows()
            )
            frames.append(
                at(
                    world,
                    kl.PREFERRED_BACK,
                    f"kafka-{s}",
                    t_pref,
                    rng,
                    {
                        "count": pl.Series([str(len(back))]),
                        "gone": pl.Series([str(victim)]),
                        "fetchstate": pl.Series([fetchstate]),
                    },
                )
            )
    frames.append(
        at(
            world,
            kl.BECOME_LEADER,
            vname,
            t_pref + 150 * MS,
            rng,
            {
                "count": pl.Series([str(len(led_all))]),
                "parts": pl.Series([", ".join(led_all["tp"].to_list())]),
            },
        )
    )

    surv = [f"kafka-{s}" for s in survivors]
    evidence = [
        _ev(vname, r"Rolled new log segment at offset \d+ in \d{4} ms"),
        _ev(vname, r"Error while appending records to"),
        _ev(vname, r"Shutdown broker because all log dirs in"),
        _ev(vname, r"Recovering unflushed segment", total),
        _ev(vname, r"Kafka Server started" if not zk else r"\[KafkaServer id=\d+\] started"),
        _ev(
            ctrl,
            rf"Fencing broker {victim} because its session has timed out"
            if not zk
            else rf"deleted brokers: {victim},",
        ),
    ]
    for s in survivors:
        name = f"kafka-{s}"
        evidence += [
            _ev(name, r"Shrinking ISR from [0-9,]+ to [0-9,]+"),
            _ev(name, r"Expanding ISR from [0-9,]+ to [0-9,]+"),
            _ev(
                name,
                rf"Connection to node {victim} \(kafka-{victim}/[0-9.]+:9092\) "
                r"could not be established",
            ),
        ]
        if len(led_all.filter(pl.col("newleader") == s)):
            evidence.append(_ev(name, r"Transitioning \d+ partition\(s\) to local leaders"))
    evidence += [
        _ev("orders-api", r'"msg":"publish failed, retrying"', n_retry),
        _ev("payments-worker", rf"Connection to node {victim} .* could not be established"),
    ]
    if zk:
        evidence.append(_ev("zookeeper", r"Expiring session 0x[0-9a-f]+, timeout of \d+ms"))
    return Incident(
        "broker_crash",
        t0,
        t0 + dur,
        ["kafka", "orders-api", "payments-worker", *(["zookeeper"] if zk else [])],
        [vname, *surv, "orders-api", "payments-worker", *(["zookeeper"] if zk else [])],
        {
            "broker_id": victim,
            "controller_id": plat.controller,
            "exit_code": 1,
            "partitions_led": len(led_all),
            "partitions_hosted": total,
        },
        [
            "kafka.slow_log_roll",
            "kafka.isr_shrink",
            "kafka.log_dir_failure",
            "kafka.fetcher_disconnect",
            *(
                ["kafka.broker_change", "kafka.zk_session_expired"]
                if zk
                else ["kafka.broker_session_timeout", "kafka.broker_fenced"]
            ),
            "kafka.leader_change",
            "kafka.broker_start",
            "kafka.log_recovery",
            *([] if zk else ["kafka.broker_unfenced"]),
            "kafka.isr_expand",
            "app.kafka_produce_retry",
            "app.connection_error",
        ],
        evidence,
        frames,
        silences={vname: [(t_die, t_start)]},
        lifecycle=[
            {"container": vname, "event": "die", "t_ns": t_die, "exit_code": 1},
            {"container": vname, "event": "start", "t_ns": t_start},
        ],
    )


# --- Kafka: a consumer group that keeps rebalancing --------------------------------------------


def rebalance_storm(plat: Platform, t0: int, dur: int, rng: Rng, scale: float) -> Incident:
    group = "payments"
    coord = plat.coordinators[group]
    cname = f"kafka-{coord}"
    world = plat.world
    parts = [f"orders.events-{p}" for p in range(12)]
    members = 3
    cycles = max(4, round(dur / (40 * S)))
    step = dur // (cycles + 1)
    gen0 = rng.random.randint(40, 400)
    times, rows = [], []
    for c in range(cycles):
        m = c % members + 1
        t = t0 + c * step + int(rng.random.random() * step * 0.3)
        times.append(t)
        rows.append((m, gen0 + c))
    n = len(rows)
    ids = [f"consumer-{group}-{m}-" for m, _ in rows]
    old = pl.Series(ids) + _uuid(rng, n)
    new = pl.Series(ids) + _uuid(rng, n)
    assigned = [", ".join(parts[(m - 1) * 4 : (m - 1) * 4 + 4]) for m, _ in rows]
    bound = {
        "group": pl.repeat(group, n, eager=True),
        "gen": pl.Series([str(g) for _, g in rows]),
        "gpart": pl.repeat(str(plat.group_partition[group]), n, eager=True),
        "member": old,
        "newmember": new,
        "members": pl.repeat(str(members), n, eager=True),
        "client": pl.Series([f"consumer-{group}-{m}" for m, _ in rows]),
        "host": pl.repeat(plat.containers["payments-worker"].ip, n, eager=True),
        "reason": pl.repeat("consumer poll timeout has expired", n, eager=True),
        "assigned": pl.Series(assigned),
        "coord": pl.repeat(str(coord), n, eager=True),
        "coordid": pl.repeat(str(2147483647 - coord), n, eager=True),
    }
    frames = [
        render(
            app.STORM_CONSUMER,
            "payments-worker",
            pl.Series(times, dtype=pl.Int64),
            rng,
            world,
            bound,
        ),
        render(
            kl.STORM_LEAVE, cname, pl.Series(times, dtype=pl.Int64) + 150 * MS, rng, world, bound
        ),
        render(
            kl.STORM_REJOIN, cname, pl.Series(times, dtype=pl.Int64) + 400 * MS, rng, world, bound
        ),
    ]
    return Incident(
        "rebalance_storm",
        t0,
        t0 + dur,
        ["kafka", "payments-worker"],
        [cname, "payments-worker"],
        {
            "consumer_group": group,
            "coordinator_id": coord,
            "topic": "orders.events",
            "rebalances": n,
        },
        [
            "kafka.rebalance_start",
            "kafka.member_timeout",
            "kafka.member_join",
            "kafka.rebalance_complete",
            "app.consumer_poll_timeout",
            "app.consumer_rebalance",
            "app.commit_failed",
        ],
        [
            _ev(cname, rf"Preparing to rebalance group {group} in state PreparingRebalance", n),
            _ev(cname, rf"Stabilized group {group} generation \d+", n),
            _ev("payments-worker", r"consumer poll timeout has expired", n),
            _ev("payments-worker", r"Revoke previously assigned partitions", n),
            _ev("payments-worker", r"CommitFailedException", n),
        ],
        frames,
    )


def _uuid(rng: Rng, n: int) -> pl.Series:
    h = rng.bytes_hex(n, 16)
    return pl.select(
        pl.concat_str(
            [
                pl.lit(h.str.slice(0, 8)),
                pl.lit(h.str.slice(8, 4)),
                pl.lit("4" + h.str.slice(13, 3)),
                pl.lit("a" + h.str.slice(17, 3)),
                pl.lit(h.str.slice(20, 12)),
            ],
            separator="-",
        )
    ).to_series()


# --- PostgreSQL ---------------------------------------------------------------------------------


def pg_deadlock(plat: Platform, t0: int, dur: int, rng: Rng, scale: float) -> Incident:
    world = plat.world
    n = _count(14, scale, 6)
    times = (rng.uniform(n) * (dur - 5 * S)).cast(pl.Int64).sort() + t0
    pid = rng.integers(n, 20000, 60000)
    xid = rng.integers(n, 9_000_000, 9_900_000)
    r1, r2 = _hex(rng, n), _hex(rng, n)
    upd = " UPDATE inventory SET reserved = reserved + $1, updated_at = now() WHERE sku = $2"
    bound = {
        "pid": pid.cast(pl.String),
        "pid2": (pid + rng.integers(n, 1, 900)).cast(pl.String),
        "xid1": xid.cast(pl.String),
        "xid2": (xid + rng.integers(n, 1, 40)).cast(pl.String),
        "sql1": "/* request_id=" + r1 + " */" + upd,
        "sql2": "/* request_id=" + r2 + " */" + upd,
        "r": r2,
        "trace": _hex(rng, n),
    }
    frames = [
        render(pgl.LOCK_WAIT, "postgres", times, rng, world, bound),
        render(pgl.DEADLOCK, "postgres", times + 1000 * MS, rng, world, bound),
        render(app.DEADLOCK_APP, "orders-api", times + 1003 * MS, rng, world, bound),
        render(
            app.LOCK_WAIT_OK_APP,
            "orders-api",
            times + 1010 * MS,
            rng,
            world,
            {"r": r1, "trace": _hex(rng, n)},
        ),
    ]
    return Incident(
        "pg_deadlock",
        t0,
        t0 + dur,
        ["postgres", "orders-api"],
        ["postgres", "orders-api"],
        {"relation": "inventory", "deadlocks": n, "db_name": plat.rules["postgres"]["database"]},
        ["postgres.lock_wait", "postgres.deadlock", "app.db_error", "app.http_5xx"],
        [
            _ev("postgres", r"ERROR:  deadlock detected", n),
            _ev("postgres", r"still waiting for ShareLock on transaction", n),
            _ev("orders-api", r"deadlock detected \(SQLSTATE 40P01\)", n),
        ],
        frames,
    )


def auth_failure_flood(plat: Platform, t0: int, dur: int, rng: Rng, scale: float) -> Incident:
    world = plat.world
    n = _count(600, scale, 60)
    host, user = "10.0.7.23", "reporting"
    frames = [
        burst(
            world,
            pgl.AUTH_FAIL,
            "postgres",
            t0,
            t0 + dur,
            n,
            rng,
            {"host": pl.repeat(host, n, eager=True), "user": pl.repeat(user, n, eager=True)},
        ),
    ]
    m = max(10, n // 8)
    frames.append(
        burst(
            world,
            pgl.AUTH_FAIL_NO_ROLE,
            "postgres",
            t0 + dur // 3,
            t0 + dur // 2,
            m,
            rng,
            {"host": pl.repeat("185.220.101.34", m, eager=True)},
        )
    )
    k = max(3, n // 60)
    frames.append(
        burst(
            world,
            pgl.TOO_MANY,
            "postgres",
            t0 + dur // 2,
            t0 + dur * 2 // 3,
            k,
            rng,
            {"host": pl.repeat(host, k, eager=True)},
        )
    )
    return Incident(
        "auth_failure_flood",
        t0,
        t0 + dur,
        ["postgres"],
        ["postgres"],
        {
            "db_user": user,
            "client_addr": host,
            "attempts": n,
            "other_client_addrs": ["185.220.101.34"],
        },
        ["postgres.auth_failure", "postgres.too_many_connections"],
        [
            _ev("postgres", rf'FATAL:  password authentication failed for user "{user}"', n),
            _ev("postgres", r"FATAL:  sorry, too many clients already", k),
        ],
        frames,
    )


def slow_queries(plat: Platform, t0: int, dur: int, rng: Rng, scale: float) -> Incident:
    world = plat.world
    n = _count(160, scale, 24)
    # a quarter of the slow requests hit the gateway's timeout (504), the rest complete slowly
    n_504 = max(1, n // 4)
    statuses = ["504"] * n_504 + ["200"] * (n - n_504)
    rng.random.shuffle(statuses)
    status = pl.Series(statuses, dtype=pl.String)
    frames = [
        burst(world, pgl.SLOW_REPORT, "postgres", t0, t0 + dur, n // 2, rng),
        burst(world, pgl.SLOW_SEARCH, "postgres", t0, t0 + dur, n - n // 2, rng),
        burst(
            world, pgl.STATEMENT_TIMEOUT, "postgres", t0 + dur // 4, t0 + dur, max(4, n // 6), rng
        ),
        burst(world, pgl.CHECKPOINT_PRESSURE, "postgres", t0, t0 + dur, 3, rng),
        burst(world, app.SLOW_APP, "orders-api", t0, t0 + dur, n, rng, {"status": status}),
    ]
    return Incident(
        "slow_queries",
        t0,
        t0 + dur,
        ["postgres", "orders-api"],
        ["postgres", "orders-api"],
        {"db_name": plat.rules["postgres"]["database"], "slow_statements": n},
        [
            "postgres.slow_statement",
            "postgres.statement_timeout",
            "postgres.checkpoint_too_frequent",
            "app.slow_request",
            "app.http_5xx",
        ],
        [
            _ev("postgres", r"duration: \d{4,}\.\d{3} ms  statement: ", n),
            _ev("postgres", r"canceling statement due to statement timeout", max(4, n // 6)),
            _ev("postgres", r"checkpoints are occurring too frequently", 3),
            _ev("orders-api", r'"latency_ms":\d{4,}', n // 2),
            _ev("orders-api", r'"status":504', n_504),
        ],
        frames,
    )


def disk_full(plat: Platform, t0: int, dur: int, rng: Rng, scale: float) -> Incident:
    world = plat.world
    n = _count(80, scale, 12)
    t_panic = t0 + int(dur * 0.6)
    r = _hex(rng, n)
    trace = _hex(rng, n)
    times = (rng.uniform(n) * (t_panic - t0 - 2 * S)).cast(pl.Int64).sort() + t0
    frames = [
        render(pgl.DISK_EXTEND, "postgres", times, rng, world, {"r": r}),
        render(
            app.DISK_FULL_APP, "orders-api", times + 2 * MS, rng, world, {"r": r, "trace": trace}
        ),
        burst(world, pgl.DISK_TEMP, "postgres", t0, t_panic, max(3, n // 4), rng),
        at(world, pgl.DISK_PANIC, "postgres", t_panic, rng),
    ]
    k = max(4, n // 8)
    frames.append(
        burst(
            world, pgl.RECOVERY_REJECT, "postgres", t_panic + 200 * MS, t_panic + 1500 * MS, k, rng
        )
    )
    frames.append(
        burst(
            world, app.RECOVERY_APP, "orders-api", t_panic + 200 * MS, t_panic + 1500 * MS, k, rng
        )
    )
    return Incident(
        "disk_full",
        t0,
        t0 + dur,
        ["postgres", "orders-api"],
        ["postgres", "orders-api"],
        {"db_name": plat.rules["postgres"]["database"], "sqlstate": "53100", "panic": True},
        [
            "postgres.disk_full",
            "postgres.backend_crash",
            "postgres.crash_restart",
            "postgres.crash_recovery",
            "postgres.cannot_connect_now",
            "postgres.startup",
            "app.db_error",
            "app.http_5xx",
        ],
        [
            _ev("postgres", r"No space left on device", n),
            _ev("postgres", r"PANIC:  could not write to file"),
            _ev("postgres", r"all server processes terminated; reinitializing"),
            _ev("postgres", r"database system is ready to accept connections"),
            _ev("orders-api", r"SQLSTATE 53100", n),
        ],
        frames,
    )


SCENARIOS: dict[str, tuple[Callable[..., Incident], int]] = {
    # name: (builder, nominal minutes)
    "broker_crash": (broker_crash, 5),
    "rebalance_storm": (rebalance_storm, 6),
    "pg_deadlock": (pg_deadlock, 4),
    "auth_failure_flood": (auth_failure_flood, 6),
    "slow_queries": (slow_queries, 12),
    "disk_full": (disk_full, 5),
}


def plan(
    plat: Platform, names: list[str] | None, scale: float, quiet_hours: int = 0
) -> list[Incident]:
    """One occurrence of each selected scenario per day of data, in non-overlapping slots.

    quiet_hours: the first hours stay free of incidents (a clean baseline for a detector); the
    days are counted from there.
    """
    names = list(SCENARIOS) if names is None else list(names)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise ValueError(f"unknown scenarios {unknown}; known: {sorted(SCENARIOS)}")
    if not 0 <= quiet_hours < plat.hours:
        raise ValueError(f"quiet_hours must be in [0, {plat.hours}), not {quiet_hours}")
    incidents: list[Incident] = []
    if not names:
        return incidents
    total_h = plat.hours - quiet_hours
    blocks = [
        (quiet_hours + b * 24, min(24, total_h - b * 24)) for b in range(math.ceil(total_h / 24))
    ]
    for bi, (h0, length_h) in enumerate(blocks):
        rng = Rng(plat.seed, "plan", bi)
        order = list(names)
        rng.random.shuffle(order)
        slot = length_h * 3600 * S // len(order)
        for si, name in enumerate(order):
            builder, minutes = SCENARIOS[name]
            dur = min(minutes * 60 * S, int(slot * 0.7))
            slot_start = plat.start_ns + h0 * 3600 * S + si * slot
            start = slot_start + int((slot - dur) * (0.15 + 0.6 * rng.random.random()))
            start -= start % MS
            incidents.append(builder(plat, start, dur, Rng(plat.seed, name, bi), scale))
    return incidents
