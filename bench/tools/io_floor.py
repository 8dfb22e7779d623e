"""The I/O floor (Polars): read every json-file line, write it to zstd Parquet, parse nothing.

No tool that reads these files and writes Parquet can be faster than this by much: it is the
cost of decoding the JSON envelope and compressing the bytes, with no work on the log text.
"""

import polars as pl

from bench.tools.common import args, log_files

SCHEMA = {"log": pl.String, "stream": pl.String, "time": pl.String}


def main() -> None:
    a = args()
    frames = [pl.scan_ndjson(f, schema=SCHEMA) for f in log_files(a.roots)]
    pl.concat(frames).sink_parquet(f"{a.out}/part-0.parquet", compression="zstd", mkdir=True)


if __name__ == "__main__":
    main()
