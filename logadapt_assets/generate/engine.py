"""Vectorised template engine of the synthetic dataset generator.

A template is a short sequence of steps; each step is the text of one log event with
«placeholders». Rendering n events of a template draws each placeholder as one Polars column
and joins literals and columns with `concat_str`, so the cost is per template, not per line.
Randomness comes from `random.Random(seed)` streams turned into columns with `randbytes`, so the
same arguments give the same bytes on every run and machine (no wall clock, no hash order).

Placeholder syntax (inside « »):
  kind[:arg:...][@label]   draw a value; with @label it is remembered for later references
  @label[.field]           the value drawn earlier for label (fields: topic, part of a `tp`)
  @label=>a|b|c            the option with the same index as the `pick` drawn for label
  !kind[:arg:...]@label    draw and remember, print nothing
Kinds: ts:<fmt>, int:lo:hi, dec:lo:hi:digits, exp:mean:digits[:min[:max]], pick:a|b=3|c,
hex:n, HEX:n, b64:nbytes, uuid, port, pgpid, ip[:pool], tp[:scope], group, grow:base:per_second,
ago:lo_ms:hi_ms, idlist:lo:hi, blob:lo:hi. Reference fields: .topic .part .padN .plusN .minusN.
Container macros («self», «peer», ...) are expanded before parsing.
"""

import hashlib
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl
import pyarrow as pa

NS = 1_000_000_000
MS = 1_000_000
PLACEHOLDER = re.compile(r"«([^«»]+)»")

# Named timestamp layouts, as each piece of software writes them (all in UTC).
TIME_FORMATS: dict[str, str] = {
    "log4j": "%Y-%m-%d %H:%M:%S,%3f",  # Kafka/ZooKeeper log4j  [%d]
    "pg": "%Y-%m-%d %H:%M:%S.%3f UTC",  # Postgres %m with log_timezone=UTC
    "pgsec": "%Y-%m-%d %H:%M:%S UTC",  # Postgres "last known up at ..."
    "iso_ms": "%Y-%m-%dT%H:%M:%S.%3fZ",  # Spring Boot 3 / logback ISO8601
    "iso_us": "%Y-%m-%dT%H:%M:%S.%6fZ",
    "rfc3339": "%Y-%m-%dT%H:%M:%SZ",  # logrus JSONFormatter default
    "gostd": "%Y/%m/%d %H:%M:%S",  # Go standard library `log`
    "flyway": "%Y-%m-%d %H:%M:%S",
}


class Rng:
    """A `random.Random` keyed by a tuple of names; draws come out as Polars columns."""

    def __init__(self, *key: object) -> None:
        digest = hashlib.sha256("\x1f".join(str(k) for k in key).encode()).digest()
        self.random = random.Random(int.from_bytes(digest[:8], "big"))

    def u64(self, n: int) -> pl.Series:
        if n == 0:
            return pl.Series("u", [], dtype=pl.UInt64)
        buf = pa.py_buffer(self.random.randbytes(8 * n))
        return pl.Series("u", pa.Array.from_buffers(pa.uint64(), n, [None, buf]))

    def uniform(self, n: int) -> pl.Series:
        """Floats in [0, 1) with 53 random bits each."""
        return (self.u64(n) // 2048).cast(pl.Float64) * 2.0**-53

    def integers(self, n: int, lo: int, hi: int) -> pl.Series:
        """Integers in [lo, hi], inclusive."""
        return (self.uniform(n) * (hi - lo + 1)).floor().cast(pl.Int64) + lo

    def exponential(self, n: int, mean: float) -> pl.Series:
        return -(1.0 - self.uniform(n)).log() * mean

    def normal(self, n: int) -> pl.Series:
        u1 = 1.0 - self.uniform(n)
        u2 = self.uniform(n)
        return (-2.0 * u1.log()).sqrt() * (2.0 * math.pi * u2).cos()

    def bytes_hex(self, n: int, nbytes: int) -> pl.Series:
        if n == 0:
            return pl.Series("h", [], dtype=pl.String)
        buf = pa.py_buffer(self.random.randbytes(nbytes * n))
        arr = pa.Array.from_buffers(pa.binary(nbytes), n, [None, buf])
        return pl.Series("h", arr.cast(pa.binary())).bin.encode("hex")

    def bytes_b64url(self, n: int, nbytes: int) -> pl.Series:
        if n == 0:
            return pl.Series("b", [], dtype=pl.String)
        buf = pa.py_buffer(self.random.randbytes(nbytes * n))
        arr = pa.Array.from_buffers(pa.binary(nbytes), n, [None, buf])
        b64 = pl.Series("b", arr.cast(pa.binary())).bin.encode("base64")
        return (
            b64.str.replace_all("+", "-", literal=True)
            .str.replace_all("/", "_", literal=True)
            .str.strip_chars_end("=")
        )

    def poisson(self, lam: float) -> int:
        """One Poisson draw (Knuth below 30, normal approximation above)."""
        if lam <= 0:
            return 0
        if lam < 30:
            limit, k, p = math.exp(-lam), 0, 1.0
            while True:
                p *= self.random.random()
                if p <= limit:
                    return k
                k += 1
        return max(0, round(self.random.gauss(lam, math.sqrt(lam))))


@dataclass(frozen=True)
class Step:
    """One log event of a template: its text, the container it goes to, its delay."""

    text: str
    to: str | None = None  # container name; None = the template's source container
    after_ms: tuple[float, float] = (0.05, 3.0)  # delay after the previous step (uniform)
    stream: str | None = None  # None = the target container's default stream


@dataclass(frozen=True)
class Template:
    key: str
    steps: tuple[Step, ...]
    weight: float = 1.0  # share of the container's background rate
    every_s: float | None = None  # periodic (clock-driven, not scaled) instead of random
    flat: bool = False  # random but not following the diurnal traffic shape


def tpl(
    key: str, *steps: str | Step, w: float = 1.0, every: float | None = None, flat: bool = False
) -> Template:
    """Shorthand used by the catalogs: strings become steps to the source container."""
    return Template(
        key, tuple(s if isinstance(s, Step) else Step(s) for s in steps), w, every, flat
    )


@dataclass
class World:
    """What placeholders draw from: the fleet's topics, groups, address pools, macros."""

    t0_ns: int
    streams: dict[str, str]  # container name -> default stream
    macros: dict[str, dict[str, str]]  # container name -> «macro» -> text
    partitions: dict[str, list[tuple[str, int]]]  # scope -> [(topic, partition)]
    groups: list[str]
    ip_pools: dict[str, list[str]]
    _compiled: dict[tuple[str, str], tuple] = field(default_factory=dict)

    def compile(self, text: str, container: str) -> tuple:
        key = (text, container)
        parts = self._compiled.get(key)
        if parts is None:
            parts = _parse(_expand(text, self.macros.get(container, {})))
            self._compiled[key] = parts
        return parts


@dataclass(frozen=True)
class Ph:
    kind: str  # "" for a reference
    args: tuple[str, ...]
    label: str | None
    field: str | None = None
    mapping: tuple[str, ...] | None = None
    silent: bool = False  # «!kind@label»: draw and remember, print nothing


def _expand(text: str, macros: dict[str, str]) -> str:
    if not macros or "«" not in text:
        return text
    for _ in range(3):  # macros may contain macros
        new = PLACEHOLDER.sub(lambda m: macros.get(m.group(1), m.group(0)), text)
        if new == text:
            break
        text = new
    return text


def _parse(text: str) -> tuple:
    parts: list = []
    pos = 0
    for m in PLACEHOLDER.finditer(text):
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        parts.append(_parse_ph(m.group(1)))
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return tuple(parts)


def _parse_ph(body: str) -> Ph:
    if body.startswith("@"):
        ref = body[1:]
        if "=>" in ref:
            label, opts = ref.split("=>", 1)
            return Ph("", (), label, mapping=tuple(opts.split("|")))
        label, _, fld = ref.partition(".")
        return Ph("", (), label, fld or None)
    if body.startswith("!"):
        ph = _parse_ph(body[1:])
        return Ph(ph.kind, ph.args, ph.label, silent=True)
    label = None
    if "@" in body:
        body, label = body.rsplit("@", 1)
    kind, _, rest = body.partition(":")
    if kind == "pick":
        args = tuple(rest.split("|"))
    else:
        args = tuple(rest.split(":")) if rest else ()
    return Ph(kind, args, label)


# --- value kinds -------------------------------------------------------------------------------

Value = dict[str, pl.Series]  # "" -> text column; extra fields ("idx", "topic", "part")


def fixed_decimals(scaled: pl.Series, digits: int) -> pl.Series:
    """Integers holding value*10**digits -> text with exactly `digits` decimals."""
    if digits == 0:
        return scaled.cast(pl.String)
    unit = 10**digits
    whole = (scaled // unit).cast(pl.String)
    frac = (scaled % unit).cast(pl.String).str.zfill(digits)
    return whole + "." + frac


def format_time(t_ns: pl.Series, fmt: str) -> pl.Series:
    """Event times (Int64 ns, UTC) in one of the named layouts."""
    dt = t_ns.cast(pl.Datetime("ns", "UTC"))
    if fmt == "epoch":  # zap's EpochTimeEncoder: float seconds (here to the microsecond)
        us = (t_ns + 500) // 1000
        frac = (us % 1_000_000).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
        secs = (us // 1_000_000).cast(pl.String)
        return pl.select(pl.when(frac == "").then(secs).otherwise(secs + "." + frac)).to_series()
    if fmt == "epoch_ms":
        return (t_ns // MS).cast(pl.String)
    if fmt == "rfc3339nano":
        return rfc3339nano(t_ns)
    return dt.dt.strftime(TIME_FORMATS[fmt])


def rfc3339nano(t_ns: pl.Series) -> pl.Series:
    """Go's time.RFC3339Nano in UTC: trailing zeros of the fraction are trimmed."""
    text = t_ns.cast(pl.Datetime("ns", "UTC")).dt.strftime("%Y-%m-%dT%H:%M:%S.%9f")
    return text.str.replace(r"\.?0+$", "") + "Z"


def _pick(n: int, rng: Rng, args: tuple[str, ...]) -> Value:
    opts: list[str] = []
    weights: list[float] = []
    for a in args:
        text, eq, w = a.rpartition("=")
        if eq and _is_number(w):
            opts.append(text)
            weights.append(float(w))
        else:
            opts.append(a)
            weights.append(1.0)
    idx = choose(rng, n, weights)
    return {"": pl.Series(opts, dtype=pl.String).gather(idx), "idx": idx}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def choose(rng: Rng, n: int, weights: Sequence[float]) -> pl.Series:
    """Indices drawn with the given relative weights."""
    total = float(sum(weights))
    cum, acc = [], 0.0
    for w in weights:
        acc += w / total
        cum.append(acc)
    cum[-1] = 1.0
    idx = pl.Series(cum).search_sorted(rng.uniform(n), side="right")
    return idx.clip(0, len(weights) - 1).cast(pl.UInt32)


def _draw(ph: Ph, n: int, rng: Rng, world: World, t_ns: pl.Series) -> Value:
    kind, a = ph.kind, ph.args
    if kind == "ts":
        return {"": format_time(t_ns, a[0])}
    if kind == "int":
        return {"": rng.integers(n, int(a[0]), int(a[1])).cast(pl.String)}
    if kind == "dec":
        d = int(a[2])
        lo, hi = round(float(a[0]) * 10**d), round(float(a[1]) * 10**d)
        return {"": fixed_decimals(rng.integers(n, lo, hi), d)}
    if kind == "exp":
        d = int(a[1])
        lo = float(a[2]) if len(a) > 2 else 0.0
        x = rng.exponential(n, float(a[0])) + lo
        if len(a) > 3:
            x = x.clip(upper_bound=float(a[3]))
        return {"": fixed_decimals((x * 10**d).round().cast(pl.Int64), d)}
    if kind == "pick":
        return _pick(n, rng, a)
    if kind == "hex":
        return {"": rng.bytes_hex(n, (int(a[0]) + 1) // 2).str.slice(0, int(a[0]))}
    if kind == "HEX":
        return {
            "": rng.bytes_hex(n, (int(a[0]) + 1) // 2).str.slice(0, int(a[0])).str.to_uppercase()
        }
    if kind == "b64":
        return {"": rng.bytes_b64url(n, int(a[0]))}
    if kind == "uuid":
        h = rng.bytes_hex(n, 16)
        parts = [
            h.str.slice(0, 8),
            h.str.slice(8, 4),
            "4" + h.str.slice(13, 3),
            "a" + h.str.slice(17, 3),
            h.str.slice(20, 12),
        ]
        return {"": pl.select(pl.concat_str([pl.lit(p) for p in parts], separator="-")).to_series()}
    if kind == "port":
        return {"": rng.integers(n, 32768, 60999).cast(pl.String)}
    if kind == "ip":
        pool = world.ip_pools[a[0] if a else "client"]
        return {"": pl.Series(pool, dtype=pl.String).gather(rng.integers(n, 0, len(pool) - 1))}
    if kind == "tp":
        parts = world.partitions[a[0] if a else "data"]
        idx = rng.integers(n, 0, len(parts) - 1)
        topic = pl.Series([p[0] for p in parts], dtype=pl.String).gather(idx)
        part = pl.Series([str(p[1]) for p in parts], dtype=pl.String).gather(idx)
        return {"": topic + "-" + part, "topic": topic, "part": part}
    if kind == "group":
        return {
            "": pl.Series(world.groups, dtype=pl.String).gather(
                rng.integers(n, 0, len(world.groups) - 1)
            )
        }
    if kind == "grow":  # counters that grow with time (offsets, xids, epochs)
        base, per_s = int(a[0]), float(a[1])
        elapsed = (t_ns - world.t0_ns).cast(pl.Float64) / NS
        jitter = rng.integers(n, 0, max(1, int(per_s * 5)))
        return {"": ((elapsed * per_s).floor().cast(pl.Int64) + base + jitter).cast(pl.String)}
    if kind == "pgpid":  # backend pids climb with connection churn, like a long-lived server
        elapsed = (t_ns - world.t0_ns) // NS
        return {"": (elapsed // 4 + 20000 + rng.integers(n, 0, 4000)).cast(pl.String)}
    if kind == "ago":  # epoch milliseconds some time before the event (file mtimes, ...)
        back = rng.integers(n, int(a[0]), int(a[1]))
        return {"": (t_ns // MS - back).cast(pl.String)}
    if kind == "idlist":  # rare very long lines: a loop over those few events is fine
        lo, hi = int(a[0]), int(a[1])
        sizes = rng.integers(n, lo, hi).to_list()
        r = rng.random
        vals = [", ".join(str(r.randrange(100000, 9999999)) for _ in range(k)) for k in sizes]
        return {"": pl.Series(vals, dtype=pl.String)}
    if kind == "blob":
        lo, hi = int(a[0]), int(a[1])
        sizes = rng.integers(n, lo, hi).to_list()
        r = rng.random
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        vals = ["".join(r.choices(alphabet, k=k)) for k in sizes]
        return {"": pl.Series(vals, dtype=pl.String)}
    raise KeyError(f"unknown placeholder kind {kind!r}")


def _field(value: Value, fld: str | None) -> pl.Series:
    """A label's text, a projection of it (topic/part/idx), or a derived form of it:
    padN (zero-padded to N digits, Kafka file names) or plusN / minusN (generations, epochs)."""
    if not fld:
        return value[""]
    if fld in value:
        return value[fld]
    if fld.startswith("pad"):
        return value[""].str.zfill(int(fld[3:]))
    if fld.startswith("plus"):
        return (value[""].cast(pl.Int64) + int(fld[4:])).cast(pl.String)
    if fld.startswith("minus"):
        return (value[""].cast(pl.Int64) - int(fld[5:])).cast(pl.String)
    raise KeyError(f"unknown label field {fld!r}")


# --- rendering ---------------------------------------------------------------------------------

EVENT_SCHEMA = {
    "container": pl.String,
    "t_ns": pl.Int64,
    "stream": pl.String,
    "text": pl.String,
    "key": pl.String,
}


def render(
    template: Template,
    source: str,
    times: pl.Series,
    rng: Rng,
    world: World,
    bound: dict[str, pl.Series] | None = None,
) -> pl.DataFrame:
    """Events (EVENT_SCHEMA) of `len(times)` occurrences of `template` from `source`.

    `bound` pre-sets labels (e.g. the affected partitions of an incident), so one call renders
    a line per partition without a Python loop.
    """
    n = len(times)
    if n == 0:
        return pl.DataFrame(schema=EVENT_SCHEMA)
    labels: dict[str, Value] = {}
    for name, col in (bound or {}).items():
        label, _, fld = name.partition(".")
        labels.setdefault(label, {})[fld] = col.cast(pl.String)
    frames = []
    t = times.cast(pl.Int64)
    for i, step in enumerate(template.steps):
        if i:
            lo, hi = step.after_ms
            t = t + (rng.uniform(n) * (hi - lo) * MS + lo * MS).cast(pl.Int64)
        target = step.to or source
        cols: list[pl.Series] = []
        exprs: list[pl.Expr] = []
        for part in world.compile(step.text, source):
            if isinstance(part, str):
                exprs.append(pl.lit(part))
                continue
            if part.kind == "":
                if part.label not in labels:
                    raise KeyError(
                        f"template {template.key}: label {part.label!r} used before "
                        "it is drawn or bound"
                    )
                value = labels[part.label]
                if part.mapping is not None:
                    col = pl.Series(part.mapping, dtype=pl.String).gather(value["idx"])
                else:
                    col = _field(value, part.field)
            elif part.label is not None and part.label in labels:
                col = labels[part.label][""]
            else:
                value = _draw(part, n, rng, world, t)
                if part.label is not None:
                    labels[part.label] = value
                col = value[""]
                if part.silent:
                    continue
            name = f"c{len(cols)}"
            cols.append(col.alias(name))
            exprs.append(pl.col(name))
        base = pl.DataFrame(cols) if cols else pl.DataFrame({"_": pl.zeros(n, eager=True)})
        text = base.select(pl.concat_str(exprs).alias("text")).to_series()
        frames.append(
            pl.DataFrame(
                {
                    "container": pl.repeat(target, n, eager=True, dtype=pl.String),
                    "t_ns": t,
                    "stream": pl.repeat(
                        step.stream or world.streams[target], n, eager=True, dtype=pl.String
                    ),
                    "text": text,
                    "key": pl.repeat(template.key, n, eager=True, dtype=pl.String),
                }
            )
        )
    return pl.concat(frames)


# --- background traffic ------------------------------------------------------------------------


def diurnal_factor(hour_of_day: float, amplitude: float, peak_hour: float) -> float:
    """Traffic multiplier: 1 +/- amplitude, highest at peak_hour (UTC)."""
    return 1.0 + amplitude * math.cos(2 * math.pi * (hour_of_day - peak_hour) / 24.0)


@dataclass(frozen=True)
class Load:
    """How much background a container writes and with which daily shape."""

    rate_per_hour: float
    amplitude: float
    peak_hour: float
    bucket_minutes: int = 10


def background(
    world: World,
    container: str,
    catalog: Sequence[Template],
    load: Load,
    start_ns: int,
    hours: int,
    scale: float,
    seed: int,
    silences: Sequence[tuple[int, int]] = (),
) -> list[pl.DataFrame]:
    """Steady-state events of one container over [start, start + hours)."""
    end_ns = start_ns + hours * 3600 * NS
    frames: list[pl.DataFrame] = []
    random_tpls = [t for t in catalog if t.every_s is None]
    total_w = sum(t.weight for t in random_tpls) or 1.0
    bucket_ns = load.bucket_minutes * 60 * NS
    n_buckets = hours * 60 // load.bucket_minutes
    for flat in (False, True):
        group = [t for t in random_tpls if t.flat == flat]
        if not group:
            continue
        share = sum(t.weight for t in group) / total_w
        rng = Rng(seed, container, "bg-times", flat)
        counts = []
        for b in range(n_buckets):
            hod = ((start_ns + (b + 0.5) * bucket_ns) / NS / 3600.0) % 24.0
            m = 1.0 if flat else diurnal_factor(hod, load.amplitude, load.peak_hour)
            lam = load.rate_per_hour * scale * share * m * load.bucket_minutes / 60.0
            counts.append(rng.poisson(lam))
        starts = pl.Series("s", [start_ns + b * bucket_ns for b in range(n_buckets)], pl.Int64)
        times = (
            pl.DataFrame({"s": starts, "c": pl.Series(counts, dtype=pl.UInt32)})
            .select(pl.col("s").repeat_by("c"))
            .explode("s")
            .drop_nulls()
            .to_series()
        )
        times = times + (rng.uniform(len(times)) * bucket_ns).cast(pl.Int64)
        which = choose(rng, len(times), [t.weight for t in group])
        frame = pl.DataFrame({"t": times, "i": which})
        frame = _drop_silenced(frame, silences)
        for i, template in enumerate(group):
            sel = frame.filter(pl.col("i") == i)["t"].sort()
            frames.append(
                render(template, container, sel, Rng(seed, container, template.key), world)
            )
    for template in catalog:
        if template.every_s is None:
            continue
        rng = Rng(seed, container, template.key, "every")
        every_ns = int(template.every_s * NS)
        phase = int(rng.random.random() * every_ns)
        n = max(0, (end_ns - start_ns - phase + every_ns - 1) // every_ns)
        ticks = pl.int_range(0, n, eager=True, dtype=pl.Int64) * every_ns + start_ns + phase
        jitter = (rng.uniform(n) * min(every_ns * 0.01, 2 * NS)).cast(pl.Int64)
        frame = _drop_silenced(pl.DataFrame({"t": ticks + jitter}), silences)
        frames.append(render(template, container, frame["t"], rng, world))
    return frames


def _drop_silenced(frame: pl.DataFrame, silences: Sequence[tuple[int, int]]) -> pl.DataFrame:
    for lo, hi in silences:
        frame = frame.filter((pl.col("t") < lo) | (pl.col("t") >= hi))
    return frame


def burst(
    world: World,
    template: Template,
    source: str,
    start_ns: int,
    end_ns: int,
    n: int,
    rng: Rng,
    bound: dict[str, pl.Series] | None = None,
) -> pl.DataFrame:
    """n occurrences of template at sorted uniform times in [start, end)."""
    times = (rng.uniform(n) * (end_ns - start_ns)).cast(pl.Int64).sort() + start_ns
    return render(template, source, times, rng, world, bound)


def at(
    world: World,
    template: Template,
    source: str,
    t_ns: int | Sequence[int],
    rng: Rng,
    bound: dict[str, pl.Series] | None = None,
) -> pl.DataFrame:
    """Occurrences of template at given times (one per bound row if times is a scalar)."""
    if isinstance(t_ns, int):
        n = len(next(iter(bound.values()))) if bound else 1
        times = pl.repeat(t_ns, n, eager=True, dtype=pl.Int64)
        # rows of one scripted moment are logged a few hundred microseconds apart
        times = times + pl.int_range(0, n, eager=True, dtype=pl.Int64) * 180_000
    else:
        times = pl.Series(list(t_ns), dtype=pl.Int64)
    return render(template, source, times, rng, world, bound)
