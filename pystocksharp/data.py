"""OHLCV market data: load from CSV, Parquet or a pandas DataFrame, validated before anything runs.

The file format is one bar per row, ascending::

    timestamp,open,high,low,close,volume
    2004-08-19,100.0,104.06,95.96,100.34,22351900

Conventions:

* ``timestamp`` is the bar's **open time**, ISO 8601 (``2004-08-19`` or ``2017-04-19T09:00:00``,
  an offset such as ``+02:00`` is honoured); naive times are taken as **UTC**.
* Prices are in the instrument's quote currency, volume in units traded (never negative).
* A loaded frame has a ``DatetimeIndex`` named ``timestamp`` (``datetime64[ns, UTC]``) and
  float64 columns ``open, high, low, close, volume``.

Validation reports every problem at once (up to ``max_problems``), each with the file, the real
CSV line number (the header is line 1) and the field, as an :class:`~pystocksharp.errors.InputError`.
All checks are vectorized, so a file of millions of rows is checked in pandas/numpy time.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pystocksharp.errors import InputError, Problem
from pystocksharp.instruments import InstrumentSpec, instrument_spec, read_sidecar
from pystocksharp.timeframes import is_timeframe, parse_timeframe, timeframe_from_seconds

EXPECTED_COLUMNS: tuple[str, ...] = ("timestamp", "open", "high", "low", "close", "volume")
VALUE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")
EXPECTED_HEADER = ",".join(EXPECTED_COLUMNS)
PARQUET_SUFFIXES = (".parquet", ".pq")
_NAN_WORDS = frozenset({"nan", "-nan", "+nan", "na", "n/a", "null", "none", "<na>"})
_PARQUET_META_KEY = b"pystocksharp.ohlcv"
_COLUMN_ORDER = {name: i for i, name in enumerate(EXPECTED_COLUMNS)}


@dataclass(frozen=True, eq=False)
class OhlcvData:
    """Validated OHLCV bars of one instrument.

    ``frame``: ``DatetimeIndex`` "timestamp" (UTC bar open times, ns) and float64 columns
    open, high, low, close, volume. ``symbol`` and ``timeframe`` (e.g. "1d") are taken from the
    arguments, else from a file name such as ``GOOG_1d.csv``, else the time frame is inferred
    from the median bar spacing. ``sha256`` is the hex digest of the source file (None for a
    DataFrame).
    """

    frame: pd.DataFrame
    symbol: str | None = None
    timeframe: str | None = None
    source_path: Path | None = None
    sha256: str | None = None
    #: Instrument specs from the data (a Parquet file's metadata, a ``NAME.instrument.json`` beside the file) or
    #: given with it (:mod:`pystocksharp.instruments`); None: nothing but the inferred price step.
    instrument: InstrumentSpec | None = None
    #: What is suspicious but not wrong (:func:`data_warnings`): a long gap, timestamps with several UTC offsets.
    warnings: tuple[str, ...] = ()

    @property
    def bars(self) -> int:
        """Number of bars."""
        return len(self.frame)

    @property
    def price_step(self) -> float:
        """The instrument's price step (minimum price increment) as the prices of the loaded data are written
        (:func:`infer_price_step`: 0.00001 for EURUSD_1h, 0.01 for GOOG_1d), kept by windows and slices of the
        frame. Slippage in steps and StockSharp strategies' ``Security.PriceStep`` use it."""
        if self.instrument is not None and self.instrument.price_step is not None:
            return self.instrument.price_step
        step = self.frame.attrs.get(PRICE_STEP_ATTR)
        return step if _valid_step(step) else infer_price_step(self.frame)

    @property
    def start(self) -> pd.Timestamp:
        """Open time of the first bar (UTC)."""
        return self.frame.index[0]

    @property
    def end(self) -> pd.Timestamp:
        """Open time of the last bar (UTC)."""
        return self.frame.index[-1]

    def __repr__(self) -> str:
        span = f"{self.start.isoformat()} .. {self.end.isoformat()}" if self.bars else "empty"
        return f"OhlcvData(symbol={self.symbol!r}, timeframe={self.timeframe!r}, bars={self.bars}, {span})"


# ---- instrument specs ---------------------------------------------------------------------------

#: Price step of prices that sit on no decimal grid of up to :data:`MAX_PRICE_DECIMALS` (generated data).
DEFAULT_PRICE_STEP = 0.01
#: Inferred steps are never coarser than 0.01 (prices written as 10.5 or 101 do not make a 0.1 or 1.0 tick).
MIN_PRICE_DECIMALS = 2
MAX_PRICE_DECIMALS = 8
#: ``DataFrame.attrs`` key of the price step a loaded frame carries: its windows and slices (walk-forward,
#: ``bounded``) keep the step of the whole data instead of inferring one from their own bars.
PRICE_STEP_ATTR = "pystocksharp.price_step"


def _valid_step(step: Any) -> bool:
    return isinstance(step, int | float) and not isinstance(step, bool) and 0 < step < float("inf")


def infer_price_step(frame: pd.DataFrame) -> float:
    """The finest decimal step the open/high/low/close prices are written in: ``10**-d`` for the smallest
    ``d`` in 2..:data:`MAX_PRICE_DECIMALS` such that every price is a whole number of ``10**-d`` (to the
    precision of a float32, see :func:`_on_grid`); :data:`DEFAULT_PRICE_STEP` when there is none (unrounded,
    generated prices) or no price at all. E.g. 1.07219 (EURUSD, 5 decimals) gives 0.00001, 1412.25 and
    1229.229980 (a float32 1229.23) give 0.01."""
    prices = frame[["open", "high", "low", "close"]].to_numpy(dtype=np.float64).ravel()
    prices = np.abs(prices[np.isfinite(prices)])
    if len(prices) == 0:
        return DEFAULT_PRICE_STEP
    probe = prices[:4096]  # unrounded data fails on the first values: no full pass per candidate
    for d in range(MIN_PRICE_DECIMALS, MAX_PRICE_DECIMALS + 1):
        if _on_grid(probe, d) and _on_grid(prices, d):
            return float(f"1e-{d}")
    return DEFAULT_PRICE_STEP


def _on_grid(values: np.ndarray, decimals: int) -> bool:
    """Every value is a whole number of ``10**-decimals`` up to single-precision rounding: files exported
    from float32 sources write 1229.23 as 1229.229980 (relative error <= 2**-24), and that is 0.01's grid."""
    scaled = values * 10.0**decimals
    single = np.abs(scaled) * 2.0**-24
    # float32 slack only where it still tells grid points apart (<= 5% of a step); else a double's few ulps
    tolerance = np.where(single <= 0.05, single, np.abs(scaled) * 8 * np.finfo(np.float64).eps)
    return bool(np.all(np.abs(scaled - np.rint(scaled)) <= np.maximum(tolerance, 1e-7)))


# ---- packaged samples ---------------------------------------------------------------------------


def _sample_dir() -> Path:
    return Path(str(resources.files("pystocksharp") / "sample_data"))


def sample_names() -> list[str]:
    """Names of the packaged sample data sets, e.g. ``["EURUSD_1h", "GOOG_1d", ...]``."""
    return sorted(p.stem for p in _sample_dir().glob("*.csv"))


def sample_path(name: str) -> Path:
    """Path of a packaged sample CSV: ``"GOOG_1d"`` or ``"GOOG_1d.csv"``."""
    stem = name[:-4] if name.lower().endswith(".csv") else name
    path = _sample_dir() / f"{stem}.csv"
    if not path.is_file():
        raise InputError(
            f"unknown sample data set {name!r}",
            [Problem(f"choose one of: {', '.join(sample_names())}", field="sample")],
        )
    return path


#: Prefix of a packaged sample in any data argument: ``sample:GOOG_1d``.
SAMPLE_PREFIX = "sample:"


def data_path(reference: str | os.PathLike[str]) -> Path:
    """The file a data argument names: ``sample:NAME`` is the packaged sample, anything else a path."""
    text = os.fspath(reference)
    if text.startswith(SAMPLE_PREFIX):
        return sample_path(text.removeprefix(SAMPLE_PREFIX))
    return Path(text)


def load_sample(name: str) -> OhlcvData:
    """A packaged sample loaded and validated (``load_sample("GOOG_1d")``)."""
    return load_ohlcv(sample_path(name))


# ---- loading ------------------------------------------------------------------------------------


def load_ohlcv(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    symbol: str | None = None,
    timeframe: str | None = None,
    max_problems: int = 50,
    allow_nonpositive_prices: bool = False,
) -> OhlcvData:
    """Load and validate OHLCV bars from a CSV path, a Parquet path or a pandas DataFrame.

    Raises :class:`InputError` listing every problem found (up to ``max_problems``, then
    "... and N more"), each with file, CSV line (header = line 1) and field. Prices must be
    finite and > 0 unless ``allow_nonpositive_prices`` (spreads, some futures and power prices can
    be zero or negative; a zero open would otherwise turn a buy into a huge return).
    """
    if max_problems < 1:
        raise ValueError("max_problems must be >= 1")
    path: Path | None = None
    digest: str | None = None
    if isinstance(source, pd.DataFrame):
        table = _table_from_frame(source, file=None)
    else:
        path = data_path(source)
        if not path.is_file():
            hint = "no such file; give a CSV or Parquet file with columns " + EXPECTED_HEADER
            if path.stem in sample_names():
                hint += f"; for the packaged sample use sample_path({path.stem!r}) (see `pystocksharp data samples`)"
            raise InputError(f"market data file not found: {path}", [Problem(hint, file=str(path))])
        digest = file_sha256(path)
        if path.suffix.lower() in PARQUET_SUFFIXES:
            table = _table_from_parquet(path)
        else:
            table = _read_csv(path)
    given_tf: str | None = None
    if timeframe:
        try:
            given_tf = str(parse_timeframe(timeframe))
        except InputError as exc:  # reported together with the data's own problems
            table.problems[:0] = exc.problems
    frame = _validate(table, max_problems, allow_nonpositive_prices=allow_nonpositive_prices)
    if given_tf is not None:
        _check_spacing(frame, given_tf, table.file)
    stored = _stored_identity(path)
    tf = given_tf or stored.get("timeframe") or _default_timeframe(path, frame)
    sym = symbol or stored.get("symbol") or _default_symbol(path)
    specs = _stored_specs(path)
    given_step = source.attrs.get(PRICE_STEP_ATTR) if isinstance(source, pd.DataFrame) else None
    if specs is not None and specs.price_step is not None:
        given_step = specs.price_step
    frame.attrs[PRICE_STEP_ATTR] = given_step if _valid_step(given_step) else infer_price_step(frame)
    warnings = data_warnings(frame, table.utc_offsets, file=table.file)
    return OhlcvData(frame=frame, symbol=sym, timeframe=tf, source_path=path, sha256=digest, instrument=specs,
                     warnings=warnings)  # fmt: skip


#: A gap between bars longer than this many typical bar spacings (and than :data:`GAP_FLOOR`) is reported.
GAP_SPACINGS = 30
GAP_FLOOR = pd.Timedelta(days=14)
_OFFSET = r"(Z|[+-]\d{2}:?\d{2})\s*$"


def data_warnings(frame: pd.DataFrame, utc_offsets: Sequence[str] = (), *, file: str | None = None) -> tuple[str, ...]:
    """What loads but looks wrong: gaps longer than :data:`GAP_SPACINGS` median bar spacings (at least
    :data:`GAP_FLOOR`: weekends and holidays are not gaps), and text timestamps written with more than one UTC offset
    (converted to UTC, but a time frame inferred from them may be off)."""
    out: list[str] = []
    where = f"{file}: " if file else ""
    index = pd.DatetimeIndex(frame.index)
    if len(index) >= 3:
        spacing = pd.Series(index[1:] - index[:-1])
        limit = max(spacing.median() * GAP_SPACINGS, GAP_FLOOR)
        long = spacing[spacing > limit]
        if len(long):
            k = int(long.idxmax())
            years = long.max() / pd.Timedelta(days=365.25)
            size = f"{years:.1f} years" if years >= 1 else f"{long.max().days} days"
            out.append(f"{where}{len(long)} gap(s) longer than {GAP_SPACINGS} bar spacings; the longest, {size}, "
                       f"between {index[k].isoformat()} and {index[k + 1].isoformat()}")  # fmt: skip
    if len(utc_offsets) > 1:
        out.append(f"{where}timestamps carry {len(utc_offsets)} different UTC offsets ({', '.join(utc_offsets)}): all "
                   "were converted to UTC, so bars may not be evenly spaced (check the time frame)")  # fmt: skip
    return tuple(out)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def infer_timeframe(index: pd.DatetimeIndex) -> str | None:
    """Time frame from the median spacing of bar open times ("1d" for daily bars with weekend gaps)."""
    if len(index) < 2:
        return None
    spacing = np.median(np.diff(index.as_unit("ns").asi8)) / 1e9
    return str(timeframe_from_seconds(spacing)) if spacing > 0 else None


def _check_spacing(frame: pd.DataFrame, timeframe: str, file: str | None) -> None:
    """Bars cannot be closer together than their width: a median spacing below it is an error."""
    spacing = infer_timeframe(frame.index)  # type: ignore[arg-type]
    if spacing is not None and parse_timeframe(spacing).seconds < parse_timeframe(timeframe).seconds:
        raise InputError(
            f"time frame {timeframe} does not fit the data in {file or 'DataFrame'}",
            [
                Problem(
                    f"bars are {spacing} apart (median spacing) but the time frame is {timeframe}; "
                    f"give --timeframe {spacing} or resample the data first",
                    file,
                    field="timeframe",
                )
            ],
        )


def _default_symbol(path: Path | None) -> str | None:
    """``GOOG_1d.csv`` -> "GOOG"; a store file ``GOOG/1d.parquet`` -> "GOOG"."""
    if path is None:
        return None
    if is_timeframe(path.stem) and path.parent.name:
        return path.parent.name
    return path.stem.split("_", 1)[0]


def _stored_identity(path: Path | None) -> dict[str, str]:
    """Symbol and time frame recorded in a Parquet file written by :func:`write_parquet`."""
    if path is None or path.suffix.lower() not in PARQUET_SUFFIXES:
        return {}
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    raw = metadata.get(_PARQUET_META_KEY)
    if not raw:
        return {}
    value = json.loads(raw)
    return {k: str(v) for k, v in value.items() if k in ("symbol", "timeframe") and v}


def _stored_specs(path: Path | None) -> InstrumentSpec | None:
    """Instrument specs of a data file: a Parquet file's stored ones, overridden by its ``.instrument.json``."""
    stored = None
    if path is not None and path.suffix.lower() in PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        raw = (pq.read_schema(path).metadata or {}).get(_PARQUET_META_KEY)
        value = json.loads(raw).get("instrument") if raw else None
        stored = instrument_spec(value, file=str(path)) if value else None
    sidecar = read_sidecar(path)
    return sidecar.over(stored) if sidecar is not None else stored


def _default_timeframe(path: Path | None, frame: pd.DataFrame) -> str | None:
    if path is not None and "_" in path.stem:
        suffix = path.stem.split("_", 1)[1]
        if is_timeframe(suffix):
            return str(parse_timeframe(suffix))
    return infer_timeframe(frame.index)  # type: ignore[arg-type]


# ---- reading into a raw table -------------------------------------------------------------------


@dataclass
class _Table:
    """Columns as read (raw strings or numbers), with where each row came from."""

    file: str | None
    columns: dict[str, pd.Series]
    n_rows: int
    lines: np.ndarray | None = None  # CSV line of each row; None: rows are positions in a frame
    problems: list[Problem] = field(default_factory=list)  # header/structure problems
    utc_offsets: tuple[str, ...] = ()  # the distinct UTC offsets text timestamps were written with


def _match_columns(
    names: list[str], file: str | None, line: int | None
) -> tuple[dict[str, int], list[Problem]]:
    """Positions of the expected columns in ``names`` (case and surrounding spaces ignored)."""
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for pos, raw in enumerate(names):
        name = str(raw).strip().lower()
        if name in _COLUMN_ORDER and name not in positions:
            positions[name] = pos
        elif name in positions:
            problems.append(Problem(f"column '{raw}' appears twice", file, line, str(raw)))
        else:
            problems.append(
                Problem(
                    f"unexpected column '{raw}'; the expected header is {EXPECTED_HEADER}",
                    file,
                    line,
                    str(raw),
                )
            )
    for name in EXPECTED_COLUMNS:
        if name not in positions:
            problems.append(
                Problem(
                    f"missing column '{name}'; the expected header is {EXPECTED_HEADER}", file, line, name
                )
            )
    return positions, problems


def _read_csv(path: Path) -> _Table:
    file = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), None)
    except UnicodeDecodeError as exc:
        raise _not_text(path, exc) from None
    if not header or all(not h.strip() for h in header):
        return _Table(
            file,
            {},
            0,
            np.zeros(0, np.int64),
            [Problem(f"empty file; expected the header {EXPECTED_HEADER}", file, 1)],
        )
    positions, problems = _match_columns(header, file, 1)
    if len(header) == 1:
        separator = next((sep for sep in ";\t|" if sep in header[0]), None)
        if separator is not None:
            shown = "tab" if separator == "\t" else f"'{separator}'"
            problems.insert(0, Problem(f"the header is split by {shown}; the separator must be ','", file, 1))
    width = len(header)
    lines: np.ndarray | None = None
    # Fast path: Arrow's multithreaded reader parses times and numbers. If a value does not
    # convert, read text and convert column by column (columns that fail stay text for exact
    # messages); if a row has the wrong number of fields, the csv module lists each such row.
    frame = _read_csv_typed(path, width, positions)
    if frame is None:
        frame = _read_csv_text(path, width, positions)
    if frame is None:
        frame, lines, ragged = _read_csv_ragged(path, width)
        problems.extend(ragged)
    if lines is None:
        lines = np.arange(len(frame), dtype=np.int64) + 2
    frame, lines = _drop_blank_rows(frame, lines, file, problems)
    columns = {name: frame[pos].reset_index(drop=True) for name, pos in positions.items()}
    offsets = frame.attrs.get(_OFFSETS_ATTR) or (_utc_offsets(columns["timestamp"]) if "timestamp" in columns else ())
    return _Table(file, columns, len(frame), lines, problems, utc_offsets=tuple(offsets))


_OFFSETS_ATTR = "pystocksharp.utc_offsets"


def _utc_offsets(times: pd.Series) -> tuple[str, ...]:
    """The distinct UTC offsets (``+0100``, ``Z`` as ``+0000``) text timestamps end with; () for parsed times."""
    if isinstance(times.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(times.dtype):
        return ()
    found = times.astype("string").str.extract(_OFFSET)[0].dropna().str.replace(":", "", regex=False)
    return tuple(sorted(set(found.replace({"Z": "+0000"}))))


def _read_csv_typed(path: Path, width: int, positions: dict[str, int]) -> pd.DataFrame | None:
    """The file read by pyarrow with typed columns, or None when any value does not convert cleanly."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [str(i) for i in range(width)]
    read = pacsv.ReadOptions(skip_rows=1, column_names=names, encoding="utf8")
    parse = pacsv.ParseOptions(ignore_empty_lines=False)
    for tz in (None, "UTC"):  # naive times (taken as UTC), then times that all carry an offset
        types = {str(pos): pa.float64() for pos in positions.values()}
        if "timestamp" in positions:
            types[str(positions["timestamp"])] = pa.timestamp("ns", tz=tz)
        convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=False)
        try:
            table = pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        except (pa.ArrowInvalid, UnicodeDecodeError):
            continue
        if any(column.null_count for column in table.columns):
            return None
        frame = table.to_pandas()
        frame.columns = list(range(width))
        if tz is not None and "timestamp" in positions:  # times with offsets: which ones (several: a warning)
            col = str(positions["timestamp"])
            text = pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=pacsv.ConvertOptions(
                column_types={col: pa.string()}, include_columns=[col], strings_can_be_null=False))  # fmt: skip
            frame.attrs[_OFFSETS_ATTR] = _utc_offsets(text.column(0).to_pandas())
        return frame
    return None


def _read_csv_text(path: Path, width: int, positions: dict[str, int]) -> pd.DataFrame | None:
    """All columns read as text, then each converted if it converts whole; None on a ragged row."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [str(i) for i in range(width)]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, encoding="utf8"),
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    kinds = {pos: name for name, pos in positions.items()}
    columns: dict[int, pd.Series] = {}
    for pos, column in enumerate(table.columns):
        targets = (
            [pa.timestamp("ns"), pa.timestamp("ns", tz="UTC")]
            if kinds.get(pos) == "timestamp"
            else [pa.float64()]
        )
        for target in targets if pos in kinds else []:
            try:
                columns[pos] = column.cast(target).to_pandas()
                break
            except pa.ArrowInvalid:
                continue
        else:
            columns[pos] = column.to_pandas().astype("string")
    return pd.DataFrame(columns, columns=list(range(width)))


def _not_text(path: Path, exc: UnicodeDecodeError) -> InputError:
    return InputError(
        f"cannot read {path}",
        [Problem(f"not UTF-8 text (byte {exc.start} of a chunk): is it a CSV file?", str(path))],
    )


def _rows_with_lines(reader: Any) -> Iterable[tuple[list[str], int]]:
    """Rows of a ``csv.reader`` with the line each ends on."""
    for row in reader:
        yield row, reader.line_num


def _read_csv_ragged(path: Path, width: int) -> tuple[pd.DataFrame, np.ndarray, list[Problem]]:
    """Error path for rows with the wrong number of fields: report each and keep the others."""
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        try:
            rows_read = list(_rows_with_lines(reader))
        except UnicodeDecodeError as exc:
            raise _not_text(path, exc) from None
        for row, line in rows_read:
            if len(row) == width or not row:
                rows.append(row if row else [""] * width)
                lines.append(line)
            else:
                problems.append(
                    Problem(
                        f"expected {width} fields as in the header, found {len(row)}",
                        str(path),
                        line,
                    )
                )
    frame = pd.DataFrame(rows, columns=list(range(width)), dtype=str)
    return frame, np.asarray(lines, dtype=np.int64), problems


def _is_text(dtype: Any) -> bool:
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def _drop_blank_rows(
    frame: pd.DataFrame, lines: np.ndarray, file: str, problems: list[Problem]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Drops blank lines: tolerated at the end of a file (editors add them), reported elsewhere."""
    if len(frame) == 0 or not all(_is_text(t) for t in frame.dtypes):
        return frame, lines  # a blank row would have failed every column's conversion
    text = frame.astype("string")
    blank = (text.isna() | text.apply(lambda s: s.str.strip() == "")).all(axis=1).to_numpy(dtype=bool)
    if not blank.any():
        return frame, lines
    content_lines = [int(lines[~blank].max())] if not blank.all() else []
    content_lines += [p.line for p in problems if p.line is not None and p.line > 1]
    last_content = max(content_lines, default=0)
    for i in np.flatnonzero(blank & (lines < last_content)).tolist():
        problems.append(Problem("empty line; expected a bar: " + EXPECTED_HEADER, file, int(lines[i])))
    keep = ~blank
    return frame.loc[keep].reset_index(drop=True), lines[keep]


def _table_from_parquet(path: Path) -> _Table:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise InputError(
            f"cannot read Parquet file {path}", [Problem(f"not a readable Parquet file: {exc}", str(path))]
        ) from exc
    return _table_from_frame(frame, file=str(path))


def _table_from_frame(frame: pd.DataFrame, file: str | None) -> _Table:
    lowered = {str(c).strip().lower() for c in frame.columns}
    if "timestamp" not in lowered and isinstance(frame.index, pd.DatetimeIndex):
        frame = frame.reset_index(names="timestamp")
    positions, problems = _match_columns([str(c) for c in frame.columns], file, None)
    columns = {name: frame.iloc[:, pos].reset_index(drop=True) for name, pos in positions.items()}
    return _Table(file, columns, len(frame), None, problems)


# ---- validation ---------------------------------------------------------------------------------


class _Collector:
    """Gathers problems from vectorized masks; keeps at most ``cap`` of them per check but counts all."""

    def __init__(self, table: _Table, cap: int) -> None:
        self.table = table
        self.cap = cap
        self.total = len(table.problems)
        self.items: list[tuple[int, int, Problem]] = [(p.line or -1, -2, p) for p in table.problems]

    def rows(
        self, mask: np.ndarray, field_name: str | None, messages: Callable[[np.ndarray], Iterable[str]]
    ) -> None:
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return
        self.total += int(idx.size)
        idx = idx[: self.cap]
        order = _COLUMN_ORDER.get(field_name or "", -1)
        lines = self.table.lines
        for i, message in zip(idx.tolist(), messages(idx), strict=True):
            if lines is not None:
                problem = Problem(message, self.table.file, int(lines[i]), field_name)
            else:
                problem = Problem(f"row {i}: {message}", self.table.file, None, field_name)
            self.items.append((problem.line if problem.line is not None else i, order, problem))

    def raise_if_any(self) -> None:
        if self.total == 0:
            return
        self.items.sort(key=lambda t: (t[0], t[1]))
        shown = [p for _, _, p in self.items[: self.cap]]
        if self.total > len(shown):
            shown.append(Problem(f"... and {self.total - len(shown)} more problems", self.table.file))
        name = self.table.file or "DataFrame"
        raise InputError(f"invalid market data in {name}: {self.total} problem(s)", shown)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def _check_number_column(series: pd.Series, name: str, out: _Collector) -> np.ndarray:
    """Float64 values of a column; reports missing, empty, non-numeric, NaN and infinite values."""
    if _is_numeric(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        out.rows(
            np.isnan(values),
            name,
            lambda idx: ["value is NaN or missing; expected a finite number"] * len(idx),
        )
    else:
        raw = series.astype("string")
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        missing = raw.isna().to_numpy()
        stripped = raw.str.strip().str.lower()
        empty = (stripped == "").fillna(False).to_numpy(dtype=bool)
        nan_word = stripped.isin(_NAN_WORDS).fillna(False).to_numpy(dtype=bool)
        bad = np.isnan(values) & ~missing & ~empty & ~nan_word
        out.rows(missing, name, lambda idx: ["missing value; expected a number"] * len(idx))
        out.rows(empty, name, lambda idx: ["empty value; expected a number"] * len(idx))
        out.rows(nan_word & ~missing, name, lambda idx: ["value is NaN; expected a finite number"] * len(idx))
        out.rows(bad, name, lambda idx: [f"not a number: {raw.iloc[i]!r}" for i in idx])
    out.rows(
        np.isinf(values),
        name,
        lambda idx: [f"value is infinite ({values[i]}); expected a finite number" for i in idx],
    )
    return values


def _within_ns_range(times: pd.DatetimeIndex, out: _Collector) -> pd.DatetimeIndex:
    """``times`` in nanoseconds; a time outside what nanoseconds hold (1677-09-21 .. 2262-04-11, e.g. a year
    9999 placeholder) is reported on its line and becomes NaT."""
    lo, hi = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
    outside = (~times.isna()) & ((times < lo) | (times > hi))
    if outside.any():
        out.rows(
            np.asarray(outside),
            "timestamp",
            lambda idx: [
                f"timestamp {times[i].isoformat()} is outside the supported range "
                f"{lo.date().isoformat()} .. {hi.date().isoformat()}"
                for i in idx
            ],
        )
        times = times.where(~outside)
    return times.as_unit("ns")


def _check_timestamps(series: pd.Series, out: _Collector) -> pd.DatetimeIndex:
    """UTC bar times (NaT where unusable); reports empty, unparsable, duplicate and decreasing times."""
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(series.dtype):
        times = pd.DatetimeIndex(series)
        times = times.tz_localize("UTC") if times.tz is None else times.tz_convert("UTC")
        out.rows(times.isna(), "timestamp", lambda idx: ["missing timestamp"] * len(idx))
    else:
        raw = series.astype("string")
        times = pd.DatetimeIndex(pd.to_datetime(raw, utc=True, errors="coerce", format="ISO8601"))
        empty = (raw.isna() | (raw.str.strip() == "")).fillna(True).to_numpy(dtype=bool)
        unparsable = times.isna() & ~empty
        out.rows(
            empty,
            "timestamp",
            lambda idx: ["empty timestamp; expected ISO 8601 such as 2004-08-19"] * len(idx),
        )
        out.rows(
            unparsable,
            "timestamp",
            lambda idx: [
                f"cannot parse timestamp {raw.iloc[i]!r}; expected ISO 8601 such as 2004-08-19 or 2017-04-19T09:00:00"
                for i in idx
            ],
        )
    times = _within_ns_range(times, out)
    valid = np.flatnonzero(~times.isna())
    ns = times.asi8[valid]
    if valid.size > 1 and not np.all(ns[1:] > ns[:-1]):  # the ordering checks run only when needed
        duplicate = pd.Series(ns).duplicated(keep="first").to_numpy()
        first_pos = pd.Series(valid).groupby(ns).transform("first").to_numpy()
        not_after = np.concatenate([[False], ns[1:] <= ns[:-1]]) & ~duplicate
        where = _where_fn(out.table)
        dup_mask = np.zeros(len(times), dtype=bool)
        dup_mask[valid[duplicate]] = True
        back_mask = np.zeros(len(times), dtype=bool)
        back_mask[valid[not_after]] = True
        prev_of = np.full(len(times), -1, dtype=np.int64)
        prev_of[valid[1:]] = valid[:-1]
        first_of = np.full(len(times), -1, dtype=np.int64)
        first_of[valid] = first_pos
        out.rows(
            dup_mask,
            "timestamp",
            lambda idx: [
                f"duplicate timestamp {times[i].isoformat()} (first on {where(first_of[i])})" for i in idx
            ],
        )
        out.rows(
            back_mask,
            "timestamp",
            lambda idx: [
                f"timestamp {times[i].isoformat()} is earlier than {times[prev_of[i]].isoformat()} on "
                f"{where(prev_of[i])}; timestamps must be strictly increasing"
                for i in idx
            ],
        )
    return times


def _where_fn(table: _Table) -> Callable[[int], str]:
    if table.lines is not None:
        lines = table.lines
        return lambda i: f"line {int(lines[i])}"
    return lambda i: f"row {int(i)}"


def _check_bars(values: dict[str, np.ndarray], out: _Collector, *, allow_nonpositive_prices: bool = False) -> None:
    """Prices > 0 (unless allowed), negative volume and OHLC consistency (only on rows whose prices are all finite)."""
    if not allow_nonpositive_prices:
        for name in ("open", "high", "low", "close"):
            if name in values:
                v = values[name]
                with np.errstate(invalid="ignore"):
                    bad = np.isfinite(v) & (v <= 0)
                out.rows(bad, name, lambda idx, v=v: [
                    f"price {v[i]:g} is not > 0 (for an instrument whose prices can be zero or negative, "
                    "load it with allow_nonpositive_prices=True)" for i in idx])  # fmt: skip
    if "volume" in values:
        volume = values["volume"]
        out.rows(volume < 0, "volume", lambda idx: [f"negative volume {volume[i]:g}" for i in idx])
    if not all(c in values for c in ("open", "high", "low", "close")):
        return
    o, h, lo, c = values["open"], values["high"], values["low"], values["close"]
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(o) & np.isfinite(h) & np.isfinite(lo) & np.isfinite(c)
        top = np.maximum(o, c)
        bottom = np.minimum(o, c)
        high_low = finite & (h < lo)
        high_below = finite & (h < top) & ~high_low
        low_above = finite & (lo > bottom) & ~high_low
    out.rows(high_low, "high", lambda idx: [f"high {h[i]:g} is below low {lo[i]:g}" for i in idx])
    out.rows(
        high_below, "high", lambda idx: [f"high {h[i]:g} is below max(open, close) = {top[i]:g}" for i in idx]
    )
    out.rows(
        low_above,
        "low",
        lambda idx: [f"low {lo[i]:g} is above min(open, close) = {bottom[i]:g}" for i in idx],
    )


def _validate(table: _Table, max_problems: int, *, allow_nonpositive_prices: bool = False) -> pd.DataFrame:
    out = _Collector(table, max_problems)
    if table.n_rows == 0 and not table.problems:
        out.items.append((-1, 0, Problem("no bars: the data has a header but no rows", table.file, None)))
        out.total += 1
    times = _check_timestamps(table.columns["timestamp"], out) if "timestamp" in table.columns else None
    values = {
        name: _check_number_column(table.columns[name], name, out)
        for name in VALUE_COLUMNS
        if name in table.columns
    }
    _check_bars(values, out, allow_nonpositive_prices=allow_nonpositive_prices)
    out.raise_if_any()
    assert times is not None  # every column is present when there are no problems
    index = pd.DatetimeIndex(times, name="timestamp")
    return pd.DataFrame({name: values[name] for name in VALUE_COLUMNS}, index=index)


# ---- store --------------------------------------------------------------------------------------


def store_path(store: str | os.PathLike[str], symbol: str, timeframe: str) -> Path:
    """Where ``data import`` keeps a series: ``{store}/{symbol}/{timeframe}.parquet``."""
    return Path(store) / symbol / f"{parse_timeframe(timeframe)}.parquet"


def write_parquet(data: OhlcvData | pd.DataFrame, target: str | os.PathLike[str]) -> Path:
    """Write validated bars to Parquet atomically (index "timestamp" kept); ``target`` is untouched on error."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pystocksharp.io import atomic_path

    frame = data.frame if isinstance(data, OhlcvData) else data
    table = pa.Table.from_pandas(frame, preserve_index=True)
    if isinstance(data, OhlcvData):
        meta: dict[str, Any] = {"symbol": data.symbol, "timeframe": data.timeframe}
        if data.instrument is not None and data.instrument.given():
            meta["instrument"] = data.instrument.given()
        identity = json.dumps(meta, sort_keys=True)
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), _PARQUET_META_KEY: identity.encode()}
        )
    with atomic_path(target) as tmp:
        pq.write_table(table, tmp)
    return Path(target)


def import_to_store(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    symbol: str,
    timeframe: str,
    store: str | os.PathLike[str] = "data-store",
    max_problems: int = 50,
) -> tuple[OhlcvData, Path]:
    """Validate ``source`` then write it to ``{store}/{symbol}/{timeframe}.parquet`` atomically.

    Validation happens before the store is touched, so a bad file leaves the store exactly as it was.
    """
    problems = []
    if not symbol or any(ch in symbol for ch in "/\\") or symbol in (".", ".."):
        problems.append(
            Problem(f"symbol must be a plain name without path separators, got {symbol!r}", field="symbol")
        )
    if problems:
        raise InputError("bad symbol", problems)
    data = load_ohlcv(source, symbol=symbol, timeframe=timeframe, max_problems=max_problems)
    target = store_path(store, symbol, timeframe)
    write_parquet(data, target)
    return data, target
