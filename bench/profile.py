"""Where `logadapt convert` spends its time: `python -m bench.profile ROOT [--cprofile FILE]`.

Runs the converter in process over a json-file containers root and prints wall seconds per
stage (source wait, line redaction, assembly, each parser, enrichment, event ids, staging,
final write). Stages nest (`_parse` includes the parser and `_enrich`), so shares add up to
more than 100%. cProfile sees Polars calls only as opaque `collect`s, so the stage view is the
useful one; `--cprofile` writes a pstats file as well.
"""

import argparse
import cProfile
import functools
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable

from logadapt_assets import enrich as enrich_mod
from logadapt_assets import lake as lake_mod
from logadapt_assets import pipeline, reassembly
from logadapt_assets.catalog import ServiceCatalog
from logadapt_assets.parsing import assemble, registry
from logadapt_assets.sources.open import open_source

SECONDS: Counter = Counter()
CALLS: Counter = Counter()


def _timed(name: str, fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            SECONDS[name] += time.perf_counter() - start
            CALLS[name] += 1

    return wrapper


def instrument() -> None:
    conv = pipeline.Converter
    for method in ["_lines", "_assemble", "_parse", "_enrich", "_log_events", "_stage", "_write"]:
        setattr(conv, method, _timed(method, getattr(conv, method)))
    conv._with_event_ids = _timed("event ids", conv._with_event_ids)
    reassembly.Reassembler.feed = _timed("reassemble partials", reassembly.Reassembler.feed)
    assemble.Assembler.feed = _timed("assemble records", assemble.Assembler.feed)
    pipeline.redact_frame = _timed("redact lines", pipeline.redact_frame)
    enrich_mod.redact_frame = _timed("redact events", enrich_mod.redact_frame)
    pipeline.enrich = _timed("enrich", pipeline.enrich)
    pipeline.to_contract = _timed("to_contract", pipeline.to_contract)
    lake_mod.Lake.write_partition = _timed("write_partition", lake_mod.Lake.write_partition)
    for name in ["structured", "kafka", "postgres", "generic"]:
        cls = type(registry.get_parser(name))
        cls.parse = _timed(f"parse {name}", cls.parse)


def convert(root: str, lake: str) -> float:
    converter = pipeline.Converter(lake_mod.Lake(lake), ServiceCatalog.load(None))
    start = time.perf_counter()
    with open_source(root, "auto") as source:
        batches = iter(source.read(None, None))
        while True:
            wait = time.perf_counter()
            try:
                batch = next(batches)
            except StopIteration:
                break
            SECONDS["source (wait)"] += time.perf_counter() - wait
            converter.process(batch)
    converter.finish()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    p.add_argument("root", help="json-file containers root (e.g. data/bench/data-N/chunk-0/...)")
    p.add_argument("--cprofile", help="also write cProfile stats here")
    a = p.parse_args(argv)
    instrument()
    lake = tempfile.mkdtemp(prefix="bench-profile-")
    try:
        if a.cprofile:
            prof = cProfile.Profile()
            total = prof.runcall(convert, a.root, lake)
            prof.dump_stats(a.cprofile)
        else:
            total = convert(a.root, lake)
    finally:
        shutil.rmtree(lake, ignore_errors=True)
    print(f"total {total:.2f} s")
    for name, seconds in SECONDS.most_common():
        print(f"  {name:<22} {seconds:7.2f} s {seconds / total:6.1%}  calls {CALLS[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
