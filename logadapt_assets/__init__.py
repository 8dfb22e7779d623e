"""logadapt: container runtime logs -> analytics-ready, hive-partitioned Parquet."""

__version__ = "0.1.0"
