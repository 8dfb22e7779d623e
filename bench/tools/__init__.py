"""Baselines, each runnable as `python -m bench.tools.<name> --out DIR ROOT...` (timed whole)."""
