"""Self-contained interactive HTML reports: one page per backtest, a summary per run.

Inputs are plain data (:class:`RunReport`, :class:`SummaryReport`,
:class:`ValidationReport`); :func:`build_reports` builds them from a run's artifacts.
"""

from __future__ import annotations

from pystocksharp.reports.data import RunReport, SummaryReport, ValidationReport
from pystocksharp.reports.render import render_run_page, render_summary_page, run_page_html, summary_page_html

__all__ = [
    "RunReport",
    "SummaryReport",
    "ValidationReport",
    "render_run_page",
    "render_summary_page",
    "run_page_html",
    "summary_page_html",
]
