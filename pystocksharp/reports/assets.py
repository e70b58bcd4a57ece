"""The JavaScript and CSS a page needs, from dependencies and ``templates/``.

plotly.js comes from the ``plotly`` package, TradingView Lightweight Charts from the
``lwcharts`` package (``litecharts`` as a fallback); neither is copied into the
repository. Pages either reference an ``assets/`` folder (shared by all pages of a run,
referenced by relative paths, so pages open from ``file://`` offline) or inline them.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pystocksharp
from pystocksharp.io import atomic_write_text

LWC_RESOURCE = "vendor/lightweight-charts.standalone.production.js"
LWC_PACKAGES = ("lwcharts", "litecharts")
STATIC_FILES = ("report.css", "report.js", "run.js", "summary.js")


def templates_dir() -> Path:
    """Jinja2 templates and static files: ``pystocksharp/_templates`` (wheel) else ``<repo>/templates``."""
    packaged = Path(pystocksharp.__file__).parent / "_templates"
    if packaged.is_dir():
        return packaged
    return Path(pystocksharp.__file__).resolve().parent.parent / "templates"


@functools.cache
def plotly_js() -> str:
    """plotly.js (minified) shipped by the ``plotly`` package."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@functools.cache
def lightweight_charts_js() -> str:
    """TradingView Lightweight Charts (standalone build) shipped by ``lwcharts`` or ``litecharts``."""
    errors = []
    for package in LWC_PACKAGES:
        try:
            return importlib.resources.files(package).joinpath(LWC_RESOURCE).read_text(encoding="utf-8")
        except (ModuleNotFoundError, FileNotFoundError) as exc:
            errors.append(f"{package}: {exc}")
    raise RuntimeError("Lightweight Charts not found; install lwcharts. " + "; ".join(errors))


def static_text(name: str) -> str:
    """A static file of the templates directory (``report.css``, ``report.js``)."""
    return (templates_dir() / name).read_text(encoding="utf-8")


def asset_texts() -> dict[str, str]:
    """File name -> content of every asset a page references."""
    texts = {"plotly.min.js": plotly_js(), "lightweight-charts.js": lightweight_charts_js()}
    texts.update({name: static_text(name) for name in STATIC_FILES})
    return texts


@dataclass(frozen=True)
class Assets:
    """How a page gets its scripts/styles: ``inline`` texts, or ``hrefs`` relative to the page."""

    scripts: tuple[str, ...]
    styles: tuple[str, ...]
    inline_scripts: tuple[str, ...] = ()
    inline_styles: tuple[str, ...] = ()


RUN_SCRIPTS = ("plotly.min.js", "lightweight-charts.js", "report.js", "run.js")
SUMMARY_SCRIPTS = ("plotly.min.js", "report.js", "summary.js")
STYLES = ("report.css",)


def write_assets(assets_dir: Path) -> Path:
    """Write the assets into ``assets_dir`` (atomically; unchanged files are left alone)."""
    assets_dir.mkdir(parents=True, exist_ok=True)
    for name, text in asset_texts().items():
        target = assets_dir / name
        if target.is_file() and _digest(target.read_bytes()) == _digest(text.encode("utf-8")):
            continue
        atomic_write_text(target, text, fsync=False)
    return assets_dir


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_assets(
    out_html: Path, assets_dir: Path | None, scripts: Sequence[str], *, inline: bool = False
) -> Assets:
    """Assets of a page at ``out_html``: inlined, or written to ``assets_dir`` and linked relatively.

    ``assets_dir`` defaults to ``assets/`` beside the page. ``scripts`` are asset names in load order.
    """
    if inline:
        texts = asset_texts()
        return Assets(
            scripts=(),
            styles=(),
            inline_scripts=tuple(_script_safe(texts[n]) for n in scripts),
            inline_styles=tuple(_script_safe(texts[n]) for n in STYLES),
        )
    assets_dir = Path(assets_dir) if assets_dir is not None else Path(out_html).parent / "assets"
    write_assets(assets_dir)
    rel = relative_href(assets_dir, Path(out_html).parent)
    return Assets(scripts=tuple(f"{rel}/{n}" for n in scripts), styles=tuple(f"{rel}/{n}" for n in STYLES))


def _script_safe(text: str) -> str:
    """Text safe inside <script>/<style>: no literal closing tag (``<\\/`` is the same in JS strings)."""
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def relative_href(target: Path, from_dir: Path) -> str:
    """URL path of ``target`` relative to the directory ``from_dir`` (forward slashes)."""
    rel = os.path.relpath(Path(target).resolve(), Path(from_dir).resolve())
    return Path(rel).as_posix()
