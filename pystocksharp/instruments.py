"""Instrument specs: price step, volume step, contract multiplier and an instrument's own commission.

Where they come from, later sources overriding earlier ones field by field:

1. the data: the price step inferred from the prices (:func:`pystocksharp.data.infer_price_step`), the specs stored
   in a Parquet file written by :func:`pystocksharp.data.write_parquet`, and a sidecar file ``NAME.instrument.json``
   beside a CSV or Parquet file ``NAME.csv`` (a JSON object with the fields of :class:`InstrumentSpec`);
2. the Python API: ``backtest(..., instrument=InstrumentSpec(...) or {field: value})`` (several instruments:
   ``instrument={"SPX": {...}, "NDX": {...}}``);
3. the CLI: ``--instrument [SYMBOL:]field=value[,field=value...]``, repeatable.

Conventions (docs/engine-api.md, "Instrument specs"): money is quantity × price × ``multiplier``; a given
``volume_step`` is enforced (order volumes rounded down to whole steps, an order below one step rejected);
``commission`` is a fraction of the fill's notional (price × volume × multiplier) and ``commission_per_unit`` money per
unit, both replacing the run's commission on this instrument only.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pystocksharp.errors import InputError, Problem, did_you_mean

SIDECAR_SUFFIX = ".instrument.json"


class InstrumentSpec(BaseModel):
    """What the brokerage needs to know of an instrument; None: not given (the data's or the run's value)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    price_step: float | None = Field(None, gt=0, allow_inf_nan=False, description="Smallest price change.")
    volume_step: float | None = Field(
        None, gt=0, allow_inf_nan=False, description="Smallest volume change; enforced on orders when given."
    )
    multiplier: float | None = Field(
        None, gt=0, allow_inf_nan=False, description="Money per unit of price per unit of quantity (1 if not given)."
    )
    commission: float | None = Field(
        None, ge=0, allow_inf_nan=False, description="Commission as a fraction of notional, for this instrument only."
    )
    commission_per_unit: float | None = Field(
        None, ge=0, allow_inf_nan=False, description="Commission per unit traded (money), for this instrument only."
    )

    def given(self) -> dict[str, float]:
        """The fields that were given."""
        return {k: v for k, v in self.model_dump().items() if v is not None}

    def over(self, base: InstrumentSpec | None) -> InstrumentSpec:
        """``base`` with the fields given here replacing its own."""
        return self if base is None else base.model_copy(update=self.given())


FIELDS: tuple[str, ...] = tuple(InstrumentSpec.model_fields)


def _problems(exc: ValidationError, *, file: str | None, field: str) -> list[Problem]:
    problems = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else ""
        if err["type"] == "extra_forbidden":
            message = f"unknown instrument field '{name}'{did_you_mean(name, FIELDS)}; known: {', '.join(FIELDS)}"
        else:
            message = f"{name}: {err['msg']} (got {err.get('input')!r})"
        problems.append(Problem(message, file=file, field=field))
    return problems


def instrument_spec(value: InstrumentSpec | Mapping[str, Any] | None, *, field: str = "instrument",
                    file: str | None = None) -> InstrumentSpec | None:  # fmt: skip
    """``value`` as a checked :class:`InstrumentSpec` (None stays None); InputError naming every bad field."""
    if value is None or isinstance(value, InstrumentSpec):
        return value
    if not isinstance(value, Mapping):
        raise InputError(
            "bad instrument specs",
            [Problem(f"expected InstrumentSpec or a mapping of {', '.join(FIELDS)}, got {type(value).__name__}",
                     file=file, field=field)],
        )  # fmt: skip
    try:
        return InstrumentSpec(**dict(value))
    except ValidationError as exc:
        raise InputError("bad instrument specs", _problems(exc, file=file, field=field)) from None


def parse_instrument_option(text: str) -> tuple[str | None, InstrumentSpec]:
    """``[SYMBOL:]field=value[,field=value...]`` (the CLI's ``--instrument``) as (symbol or None, specs)."""
    field = "--instrument"
    symbol, sep, body = text.partition(":") if ":" in text.split("=", 1)[0] else (None, "", text)
    symbol = symbol.strip() if sep else None
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for item in (part.strip() for part in body.split(",")):
        name, eq, raw = item.partition("=")
        name = name.strip()
        if not eq or not name:
            problems.append(Problem(f"'{item}' in '{text}': expected field=value, e.g. 'ES:multiplier=50,price_step=0.25'",
                                    field=field))  # fmt: skip
            continue
        try:
            values[name] = float(raw)
        except ValueError:
            problems.append(Problem(f"'{name}={raw}' in '{text}': expected a number", field=field))
    if sep and not symbol:
        problems.append(Problem(f"'{text}': empty symbol before ':'", field=field))
    if problems:
        raise InputError("bad --instrument", problems)
    spec = instrument_spec(values, field=field)
    assert spec is not None
    return symbol, spec


def sidecar_path(data_path: Path) -> Path:
    """Where the specs of the data file ``data_path`` are read from: ``NAME.instrument.json`` beside it."""
    return data_path.with_name(data_path.stem + SIDECAR_SUFFIX)


def read_sidecar(data_path: Path | None) -> InstrumentSpec | None:
    """The specs in :func:`sidecar_path` of ``data_path`` (None when there is no such file)."""
    if data_path is None:
        return None
    path = sidecar_path(data_path)
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(
            f"bad instrument file {path}",
            [Problem(f"not a readable JSON object ({type(exc).__name__}: {getattr(exc, 'msg', exc)})",
                     file=str(path), line=line)],
        ) from None  # fmt: skip
    if not isinstance(value, dict):
        raise InputError(f"bad instrument file {path}",
                         [Problem(f"expected a JSON object with fields {', '.join(FIELDS)}", file=str(path))])  # fmt: skip
    return instrument_spec(value, field="instrument", file=str(path))


def specs_by_symbol(value: Any, symbols: list[str]) -> dict[str, InstrumentSpec]:
    """The API's ``instrument=`` for a run on ``symbols``: one spec (the first symbol's, or the only one's), or a
    mapping symbol -> spec. Unknown symbols are an error naming the known ones."""
    if value is None:
        return {}
    if isinstance(value, InstrumentSpec) or (
        isinstance(value, Mapping)
        and (all(k in FIELDS for k in value) or (len(symbols) == 1 and not any(k in symbols for k in value)))
    ):  # one spec (with one data, keys that are not its symbol are read as (possibly misspelt) fields)
        spec = instrument_spec(value)
        return {symbols[0]: spec} if spec is not None and symbols else {}
    if not isinstance(value, Mapping):
        instrument_spec(value)  # raises with the expected types
    problems: list[Problem] = []
    out: dict[str, InstrumentSpec] = {}
    for sym, item in value.items():
        if sym not in symbols:
            close = difflib.get_close_matches(str(sym), symbols, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(Problem(f"no data for symbol '{sym}'{hint}; data symbols: {', '.join(symbols)}",
                                    field="instrument"))  # fmt: skip
            continue
        try:
            spec = instrument_spec(item, field=f"instrument[{sym}]")
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if spec is not None:
            out[sym] = spec
    if problems:
        raise InputError("bad instrument specs", problems)
    return out
