"""The Dagster layer: partitions, resources, assets, checks, sensors and schedules. Thin: it
resolves windows and resources, calls the core, and reports metadata."""
