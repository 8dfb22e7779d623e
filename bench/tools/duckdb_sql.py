"""DuckDB baseline: read_json + regexp_extract + COPY ... PARTITION_BY, one SQL statement."""

import duckdb

from bench.tools.common import (
    COLUMNS,
    LEADING_TIME,
    OUTPUT_COLUMNS,
    PARTITIONS,
    args,
    container_map,
    log_files,
)

CASTS = {"str": "{}", "int": "TRY_CAST({} AS INTEGER)", "float": "TRY_CAST({} AS DOUBLE)"}


def q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def column(patterns: list[str], cast: str) -> str:
    tries = ", ".join(f"NULLIF(regexp_extract(log, {q(p)}, 1), '')" for p in patterns)
    expr = f"coalesce({tries})" if len(patterns) > 1 else tries
    return f"upper({expr})" if cast == "upper" else CASTS[cast].format(expr)


def main() -> None:
    a = args()
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    mapping = container_map(a.roots)
    con.execute("CREATE TABLE ctr (id VARCHAR, service VARCHAR, name VARCHAR)")
    con.executemany("INSERT INTO ctr VALUES (?, ?, ?)", [(k, *v) for k, v in mapping.items()])
    files = ", ".join(q(str(f)) for f in log_files(a.roots))
    extracted = ",\n  ".join(f"{column(p, c)} AS {name}" for name, (p, c) in COLUMNS.items())
    lead = f"regexp_extract(log, {q(LEADING_TIME)}, 1)"
    sql = f"""
COPY (
  WITH raw AS (
    SELECT rtrim(log, chr(10)) AS log, stream, CAST(time AS TIMESTAMPTZ) AS observed_at,
           split_part(filename, '/', -2) AS cid
    FROM read_json([{files}], format='newline_delimited', filename=true,
                   columns={{log: 'VARCHAR', stream: 'VARCHAR', time: 'VARCHAR'}})
  ), parsed AS (
    SELECT coalesce(try_strptime(replace({lead}, 'T', ' '), '%Y-%m-%d %H:%M:%S')::TIMESTAMPTZ,
                    observed_at) AS timestamp,
           observed_at, stream, ctr.name AS container, ctr.service,
           strftime(observed_at AT TIME ZONE 'UTC', '%Y-%m-%d') AS date,
           strftime(observed_at AT TIME ZONE 'UTC', '%H') AS hour,
           {extracted}
    FROM raw LEFT JOIN ctr ON raw.cid = ctr.id
  )
  SELECT {", ".join(OUTPUT_COLUMNS + PARTITIONS)} FROM parsed
) TO {q(a.out)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({", ".join(PARTITIONS)}),
  OVERWRITE_OR_IGNORE true)
"""
    con.execute("SET TimeZone = 'UTC'")
    con.execute(sql)


if __name__ == "__main__":
    main()
