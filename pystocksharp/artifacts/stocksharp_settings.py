"""Deploying back to StockSharp: the strategy's source, a StockSharp settings file and a README.

``pystocksharp deploy RUN_DIR --stocksharp OUT_DIR`` writes, for a StockSharp-style strategy (a ``.cs`` or
``.py`` file written against StockSharp's API):

* the source file, byte for byte;
* ``<Strategy>.settings.json``: the parameter values in the layout of StockSharp's ``Strategy.Save`` —
  ``{"Name": ..., "Parameters": [{"Name": ..., "Value": ...}, ...]}`` — which StockSharp reads with
  ``new JsonSerializer<SettingsStorage>().Deserialize(path)`` and ``strategy.Load(storage)`` (StockSharp 5.x,
  where ``Strategy.Load`` finds each parameter by its ``Name`` and loads its ``Value``). Time frames are
  written as ``{"MessageType": "TimeFrameCandleMessage", "Arg": "hh:mm:ss"}``;
* ``strategy-config.json``: our configuration, pointing at the copied source, so that
  ``pystocksharp backtest --config OUT_DIR/strategy-config.json`` replays the run exactly;
* ``README.md``: how to load the strategy and its settings in StockSharp.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pystocksharp.artifacts.manifest import sha256_file
from pystocksharp.artifacts.models import StrategyConfig
from pystocksharp.errors import InputError, Problem
from pystocksharp.io import atomic_write_json, atomic_write_text
from pystocksharp.timeframes import parse_timeframe

#: The StockSharp API generation the settings layout follows.
STOCKSHARP_VERSION = "5.x (the API of OnStarted2(DateTime), 2025)"
_TIMEFRAME_TYPE = "TimeFrameCandleMessage"


class StockSharpTimeFrame(BaseModel):
    """A ``DataType`` of time-frame candles as StockSharp's settings store it."""

    model_config = ConfigDict(extra="forbid")
    MessageType: str = _TIMEFRAME_TYPE  # noqa: N815 (StockSharp's key)
    Arg: str = Field(description="the candle width as hh:mm:ss or d.hh:mm:ss")  # noqa: N815


class StockSharpParameter(BaseModel):
    """One entry of ``Parameters``: what ``StrategyParam.Save`` keeps of a parameter."""

    model_config = ConfigDict(extra="allow")
    Name: str  # noqa: N815
    Value: bool | int | float | str | StockSharpTimeFrame | None  # noqa: N815


class StockSharpSettings(BaseModel):
    """``<Strategy>.settings.json``: the settings ``Strategy.Load(SettingsStorage)`` reads."""

    model_config = ConfigDict(extra="allow")
    Name: str  # noqa: N815
    Parameters: list[StockSharpParameter]  # noqa: N815


def _timespan(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return f"{days}.{h:02d}:{m:02d}:{s:02d}" if days else f"{h:02d}:{m:02d}:{s:02d}"


def _is_timeframe(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d+(s|m|h|d|w)", value) is not None


def to_stocksharp_value(value: Any) -> Any:
    """Our parameter value → StockSharp's settings value (time frames become a DataType entry)."""
    if _is_timeframe(value):
        return StockSharpTimeFrame(Arg=_timespan(parse_timeframe(value).seconds))
    return value


def from_stocksharp_value(value: Any) -> Any:
    """StockSharp's settings value → our parameter value (the inverse of :func:`to_stocksharp_value`)."""
    if isinstance(value, StockSharpTimeFrame):
        m = re.fullmatch(r"(?:(\d+)\.)?(\d\d):(\d\d):(\d\d)", value.Arg)
        if not m:
            raise ValueError(f"time frame {value.Arg!r} is not d.hh:mm:ss")
        seconds = int(m[1] or 0) * 86400 + int(m[2]) * 3600 + int(m[3]) * 60 + int(m[4])
        for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
            if seconds % size == 0:
                return f"{seconds // size}{unit}"
    return value


def settings_of(parameters: dict[str, Any], name: str) -> StockSharpSettings:
    return StockSharpSettings(
        Name=name,
        Parameters=[StockSharpParameter(Name=k, Value=to_stocksharp_value(v)) for k, v in parameters.items()],
    )


def read_settings(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The parameter values of a StockSharp settings file (as our configurations hold them)."""
    settings = StockSharpSettings.model_validate_json(Path(path).read_bytes())
    return {p.Name: from_stocksharp_value(p.Value) for p in settings.Parameters}


_README = """# {name}: deploying to StockSharp

Validated with pystocksharp ({source}). Files:

* `{source_file}`: the strategy's source, unchanged.
* `{settings_file}`: the chosen parameter values in the layout of StockSharp's `Strategy.Save`
  (StockSharp {version}).
* `strategy-config.json`: pystocksharp's configuration; `pystocksharp backtest --config strategy-config.json`
  replays the validated run.

Parameters:

{parameters}

## Loading it in StockSharp

Designer: add a strategy from source code (`{source_file}`), then open its properties and set the values
above (or load `{settings_file}` from code as below).

Code (StockSharp API):

```cs
var strategy = new {name}();
var storage = new JsonSerializer<SettingsStorage>().Deserialize("{settings_file}");
strategy.Load(storage);
```

Python (StockSharp's host): load the class from `{source_file}` and set each `self.<param>.Value`, or call
`Load` with the deserialized storage as above.
"""


def write_stocksharp_deployment(
    config: StrategyConfig, out_dir: str | os.PathLike[str], *, declared: dict[str, Any] | None = None
) -> dict[str, Path]:
    """Writes the StockSharp deployment of ``config`` into ``out_dir`` (see the module doc). ``declared``: every
    parameter the strategy declares with its default; the settings file then holds them all (the run's values
    where it set them), so StockSharp loads exactly the validated configuration."""
    src = config.strategy.source_file
    if not src or Path(src).suffix.lower() not in (".cs", ".py"):
        raise InputError(
            "not a StockSharp strategy",
            [Problem(f"--stocksharp needs a .cs or .py strategy file; this run used '{config.strategy.spec}'",
                     field="strategy")],
        )  # fmt: skip
    source = Path(src)
    if not source.is_file():
        raise InputError("strategy source not found", [Problem("no such file", file=str(source), field="strategy")])
    if config.strategy.source_sha256 and sha256_file(source) != config.strategy.source_sha256:
        raise InputError(
            "strategy source changed since the run",
            [Problem(f"sha256 differs from the run's {config.strategy.source_sha256}", file=str(source))],
        )
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError("cannot create the deployment folder", [Problem(str(exc), file=str(out))]) from exc
    name = config.strategy.name or source.stem
    target = out / source.name
    if target.resolve() != source.resolve():
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    values = {**(declared or {}), **config.parameters}
    settings_path = atomic_write_json(out / f"{name}.settings.json", settings_of(values, name))
    local = config.model_copy(
        update={"strategy": config.strategy.model_copy(update={"source_file": source.name})}
    )
    config_path = atomic_write_json(out / "strategy-config.json", local)
    parameters = "\n".join(f"* `{k}` = `{v}`" for k, v in values.items()) or "* (defaults)"
    readme = atomic_write_text(
        out / "README.md",
        _README.format(name=name, source=config.source or "a backtest", source_file=source.name,
                       settings_file=settings_path.name, version=STOCKSHARP_VERSION, parameters=parameters),
    )  # fmt: skip
    return {"source": target, "settings": settings_path, "config": config_path, "readme": readme}
