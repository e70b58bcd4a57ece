"""Parquet datasets of every combination's fills and equity, partitioned by parameter hash.

A dataset folder is hive-partitioned on ``hash_bucket`` (the first hex digit of the
parameter hash, so at most 16 files however many combinations there are: one folder per
combination took ~11 s for 10,000 combinations x 252 bars, and fsyncing many files costs
~3 ms each). Within a file the rows of one combination are contiguous and row groups hold
at most 65,536 rows, so a filter on ``parameter_hash`` skips most of the file. Every row keeps
its full ``parameter_hash`` (``"sha256:..."``, as in the optimization table), so plain
pyarrow or pandas reads one combination with a filter::

    pd.read_parquet("optimization/fills", filters=[("parameter_hash", "==", h)])

Time columns (``time``, ``*_time``) given as int64 nanoseconds are stored as
``timestamp[ns, UTC]``. A dataset folder is written beside its target and renamed into
place, so readers never see half of one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol, TypeAlias, runtime_checkable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pystocksharp.errors import InputError, Problem

HASH_COLUMN = "parameter_hash"
BUCKET_COLUMN = "hash_bucket"
#: Hex digits of the hash that name a bucket: 1 digit = at most 16 files per dataset.
BUCKET_DIGITS = 1
ROWS_PER_GROUP = 65_536
COMPRESSION = "zstd"

#: Rows of combinations read and written at a time by the streamed (bulk) path.
STREAM_ROWS = 4_000_000

Frame: TypeAlias = pd.DataFrame | pa.Table


@runtime_checkable
class BulkFrames(Protocol):
    """Per-combination frames that can also be read many at a time (e.g. an optimizer's captures).

    ``__call__(hash)`` gives one combination's rows; ``read_many(hashes)`` one Arrow table per
    hash, in order (an empty table when the combination has none, e.g. a failed one).
    :func:`combine` of such a source reads nothing yet: :func:`write_partitioned` streams it
    bucket by bucket, so memory stays flat however many combinations there are.
    """

    def __call__(self, parameter_hash: str) -> Frame: ...

    def read_many(self, hashes: Sequence[str]) -> list[pa.Table]: ...


#: Per-combination data: one frame with a ``parameter_hash`` column, a mapping hash -> frame,
#: a function hash -> frame, or a :class:`BulkFrames` source.
CombinationFrames: TypeAlias = Frame | Mapping[str, Frame] | Callable[[str], Frame] | BulkFrames


class StreamedCombination:
    """The not yet read rows of ``hashes`` from a :class:`BulkFrames` source (see :func:`combine`)."""

    def __init__(self, source: BulkFrames, hashes: Sequence[str]) -> None:
        self.source = source
        self.hashes = list(hashes)

    def tables(self, hashes: Sequence[str], rows: int | None = None) -> Iterator[pa.Table]:
        """Tables of about ``rows`` rows (default :data:`STREAM_ROWS`) with a ``parameter_hash``
        column, ``hashes`` in order."""
        rows = STREAM_ROWS if rows is None else rows
        pending: list[pa.Table] = []
        names: list[str] = []
        count = 0
        step = 64
        for start in range(0, len(hashes), step):
            chunk = list(hashes[start : start + step])
            for h, table in zip(chunk, self.source.read_many(chunk), strict=True):
                if table.num_rows == 0:
                    continue
                pending.append(to_arrow(table))
                names.append(h)
                count += table.num_rows
                if count >= rows:
                    yield _with_hashes(pending, names)
                    pending, names, count = [], [], 0
        if pending:
            yield _with_hashes(pending, names)


def _with_hashes(tables: list[pa.Table], hashes: list[str]) -> pa.Table:
    """Concatenated ``tables`` (fields made nullable, as a pandas round trip makes them) with a
    dictionary ``parameter_hash`` column first, as :func:`combine` builds it."""
    body = pa.concat_tables([_nullable(t) for t in tables], promote_options="default")
    if HASH_COLUMN in body.column_names:
        body = body.drop_columns([HASH_COLUMN])
    lengths = [t.num_rows for t in tables]
    indices = pa.array(np.repeat(np.arange(len(tables), dtype=np.int32), lengths))
    column = pa.DictionaryArray.from_arrays(indices, pa.array(hashes, pa.string()))
    return body.add_column(0, HASH_COLUMN, column)


def _nullable(table: pa.Table) -> pa.Table:
    schema = pa.schema([f.with_nullable(True) for f in table.schema])
    return table if schema.equals(table.schema) else table.cast(schema)


def to_arrow(frame: Frame) -> pa.Table:
    """An Arrow table of a DataFrame (index dropped) or a table, time columns as UTC timestamps."""
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    for i, name in enumerate(table.column_names):
        if (name == "time" or name.endswith("_time")) and pa.types.is_integer(table.schema.field(i).type):
            table = table.set_column(
                i, name, table.column(i).cast(pa.int64()).cast(pa.timestamp("ns", tz="UTC"))
            )
    return table


def combine(data: CombinationFrames, hashes: Sequence[str]) -> pa.Table | StreamedCombination:
    """One table of all combinations in ``hashes`` with a ``parameter_hash`` column (for a
    :class:`BulkFrames` source: a :class:`StreamedCombination`, read when written)."""
    if isinstance(data, BulkFrames):
        return StreamedCombination(data, hashes)
    if isinstance(data, pd.DataFrame | pa.Table):
        table = to_arrow(data)
        if HASH_COLUMN not in table.column_names:
            raise InputError(
                f"combined frame needs a '{HASH_COLUMN}' column",
                [Problem("missing column", field=HASH_COLUMN)],
            )
        return table
    get = data.__getitem__ if isinstance(data, Mapping) else data
    frames = [get(h) for h in hashes]
    if not frames:
        return pa.table({HASH_COLUMN: pa.array([], pa.string())})
    lengths = [len(f) for f in frames]
    if all(isinstance(f, pd.DataFrame) for f in frames):
        # one pandas concat then one conversion: ~50x faster than converting each small frame
        body = to_arrow(pd.concat(frames, ignore_index=True))
    else:
        body = pa.concat_tables([to_arrow(f) for f in frames], promote_options="default")
    if HASH_COLUMN in body.column_names:
        body = body.drop_columns([HASH_COLUMN])
    indices = pa.array(np.repeat(np.arange(len(frames), dtype=np.int32), lengths))
    column = pa.DictionaryArray.from_arrays(indices, pa.array(list(hashes), pa.string()))
    return body.add_column(0, HASH_COLUMN, column)


def _bucket_codes(hashes: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list[str]]:
    """Per row, the bucket number (0-15: the first hex digit of the hash), and the bucket names."""
    encoded = hashes if pa.types.is_dictionary(hashes.type) else pc.dictionary_encode(hashes)
    chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
    names = [f"{i:x}" for i in range(16**BUCKET_DIGITS)]
    parts = []
    for chunk in chunks:
        values = chunk.dictionary.to_pylist()
        per_value = np.array(
            [int(str(v).split(":", 1)[-1][:BUCKET_DIGITS] or "0", 16) for v in values], np.int16
        )
        parts.append(
            per_value[chunk.indices.to_numpy(zero_copy_only=False)] if len(values) else np.empty(0, np.int16)
        )
    codes = np.concatenate(parts) if parts else np.empty(0, np.int16)
    return codes, names


def write_partitioned(table: pa.Table | StreamedCombination, target: str | os.PathLike[str]) -> Path:
    """Write ``table`` as a hive dataset at ``target`` (replacing it), partitioned by hash bucket.

    Rows are grouped by bucket with a stable sort (so each combination's rows stay in order)
    and each bucket is written as one Parquet file ``hash_bucket={digit}/part-0.parquet``. A
    :class:`StreamedCombination` is read and written bucket by bucket, a few million rows at a
    time, giving the same rows in the same files.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.tmp-*"):  # left by an earlier write that was killed
        shutil.rmtree(stale, ignore_errors=True)
    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        if isinstance(table, StreamedCombination):
            _write_streamed(table, tmp)
            replace_dir(tmp, target)
            return target
        codes, names = _bucket_codes(table.column(HASH_COLUMN))
        order = np.argsort(codes, kind="stable")
        ordered = table.take(pa.array(order)) if len(order) else table
        counts = np.bincount(codes, minlength=len(names)) if len(codes) else np.zeros(len(names), int)
        offset = 0
        for bucket, count in enumerate(counts.tolist()):
            if count:
                folder = tmp / f"{BUCKET_COLUMN}={names[bucket]}"
                folder.mkdir()
                write_parquet(ordered.slice(offset, count), folder / "part-0.parquet")
                offset += count
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _write_streamed(combination: StreamedCombination, folder: Path) -> None:
    """Each bucket's combinations (in their given order) into ``folder/hash_bucket=X/part-0.parquet``."""
    codes, names = _bucket_codes(pa.array(combination.hashes, pa.string()))
    for bucket, name in enumerate(names):
        hashes = [h for h, code in zip(combination.hashes, codes.tolist(), strict=True) if code == bucket]
        writer: pq.ParquetWriter | None = None
        try:
            for table in combination.tables(hashes):
                if writer is None:
                    (folder / f"{BUCKET_COLUMN}={name}").mkdir()
                    writer = pq.ParquetWriter(
                        folder / f"{BUCKET_COLUMN}={name}" / "part-0.parquet",
                        table.schema,
                        compression=COMPRESSION,
                        use_dictionary=dictionary_columns(table),
                    )
                writer.write_table(table.cast(writer.schema), row_group_size=ROWS_PER_GROUP)
        finally:
            if writer is not None:
                writer.close()


def dictionary_columns(table: pa.Table) -> list[str]:
    """Columns worth Parquet dictionary encoding: strings and dictionaries (hashes, sides as text).

    Trying it on float columns of distinct values costs ~3x the write time for nothing.
    """
    return [
        f.name
        for f in table.schema
        if pa.types.is_dictionary(f.type) or pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]


def write_parquet(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """One Parquet file: zstd, row groups of 65,536 rows, dictionary encoding of string columns."""
    pq.write_table(
        table,
        path,
        compression=COMPRESSION,
        row_group_size=ROWS_PER_GROUP,
        use_dictionary=dictionary_columns(table),
    )


def hashes_mask(column: pa.ChunkedArray, hashes: Sequence[str]) -> pa.ChunkedArray:
    """Boolean mask of the rows whose hash is in ``hashes`` (on dictionary indices when encoded)."""
    value_set = pa.array(list(hashes), pa.string())
    if not pa.types.is_dictionary(column.type):
        return pc.is_in(column, value_set=value_set)
    masks = []
    for chunk in column.chunks:
        wanted = pc.is_in(chunk.dictionary, value_set=value_set)
        masks.append(pc.take(wanted, chunk.indices))
    return pa.chunked_array(masks, pa.bool_())


def hash_mask(column: pa.ChunkedArray, parameter_hash: str) -> pa.ChunkedArray:
    """Boolean mask of the rows of one hash."""
    return hashes_mask(column, [parameter_hash])


def replace_dir(source: Path, target: Path) -> None:
    """Move folder ``source`` to ``target``, replacing any old ``target`` (renames only)."""
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(target, old)
    os.replace(source, target)
    if old is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(old)


def read_combination(dataset_dir: str | os.PathLike[str], parameter_hash: str) -> pd.DataFrame:
    """Rows of one combination from a dataset folder (the bucket column dropped)."""
    dataset = ds.dataset(dataset_dir, format="parquet", partitioning="hive")
    table = dataset.to_table(filter=ds.field(HASH_COLUMN) == parameter_hash)
    if BUCKET_COLUMN in table.column_names:
        table = table.drop_columns([BUCKET_COLUMN])
    return table.to_pandas()
