"""Turn a Polars frame into an Arrow table with exactly a contract's schema.

Polars has no map type and exports large/view strings; the lake stores the contract's types, so
every write goes through `to_contract`, and the drift check can compare exactly.
"""

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from logadapt_assets.schema import Contract


def _list_struct_to_map(arr: pa.Array, map_type: pa.MapType) -> pa.Array:
    """list<struct<key, value>> -> map<key, value> (the cast Arrow does not offer)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], arr.type)
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), map_type)
    offsets = arr.offsets.cast(pa.int32())
    keys = pc.fill_null(arr.values.field("key").cast(map_type.key_type), "")
    items = arr.values.field("value").cast(map_type.item_type)
    mask = arr.is_null() if arr.null_count else None
    return pa.MapArray.from_arrays(offsets, keys, items, mask=mask)


def to_contract(df: pl.DataFrame, contract: Contract) -> pa.Table:
    """Select the contract's columns in order and cast to its Arrow types (with file metadata)."""
    schema = contract.arrow
    table = df.select([f.name for f in schema]).to_arrow()
    columns = []
    for field in schema:
        col = table.column(field.name)
        if pa.types.is_map(field.type) and not pa.types.is_map(col.type):
            columns.append(_list_struct_to_map(col, field.type))
        else:
            columns.append(col.cast(field.type))
    return pa.Table.from_arrays(columns, schema=contract.with_metadata())


def detach(df: pl.DataFrame) -> pl.DataFrame:
    """A copy of `df` that shares no buffers with the frame it was cut from.

    Polars strings are views into shared buffers: a one-row filter of a 65k-row batch keeps the
    whole batch's text alive. State carried between batches (open records, id counters) goes
    through here, or every finished container would pin its last batch until the run ends.
    """
    if df.height == 0:
        return df.clear()
    return pl.from_arrow(df.to_arrow(compat_level=pl.CompatLevel.oldest()))  # type: ignore[return-value]
