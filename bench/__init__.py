"""Benchmarks of logadapt against the tools a data engineer would otherwise use (issue #6)."""
