"""Deterministic synthetic container logs of a small Kafka + PostgreSQL + apps platform (#4)."""

from logadapt_assets.generate.dataset import GenerateReport, generate

__all__ = ["GenerateReport", "generate"]
