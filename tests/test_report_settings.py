"""The run page's "Costs and settings" list and its price precision from the instrument's price step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser.report_inputs import page_data
from click.testing import CliRunner

from pystocksharp.cli import main
from pystocksharp.reports.formatting import step_decimals
from pystocksharp.reports.render import settings_rows


@pytest.mark.parametrize(("step", "decimals"), [(0.25, 2), (0.0001, 4), (5.0, 0), (0.05, 2), (0.00001, 5), (0.5, 1)])
def test_step_decimals(step: float, decimals: int) -> None:
    assert step_decimals(step) == decimals


def test_settings_rows_by_hand() -> None:
    rows = settings_rows({"capital": 25_000.0, "commission": 0.0015, "fill": "close", "participation": None,
                          "participation_remainder": "carry", "leverage": 2.0, "price_step": 0.25})  # fmt: skip
    assert [(r["label"], r["text"]) for r in rows] == [
        ("Initial capital", "25,000.00"),
        ("Commission (of notional)", "0.15%"),
        ("Fill", "this bar's close"),
        ("Leverage", "2"),
        ("Volume participation", "off (orders fill whole)"),  # and no remainder row when participation is off
        ("Price step", "0.25"),
    ]


@pytest.mark.engine
def test_run_folder_page_lists_the_costs_and_settings_used(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["backtest", "-s", "sma_cross", "-d", "sample:GOOG_1d", "--commission", "0.001", "--participation", "0.1",
            "--instrument", "multiplier=2,price_step=0.05", "--out", str(out)]  # fmt: skip
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    html = (out / "index.html").read_text(encoding="utf-8")
    listed = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html.split('id="settings"')[1].split("</dl>")[0]))
    assert listed == {
        "Initial capital": "10,000.00",
        "Commission (of notional)": "0.10%",
        "Commission per unit": "0.00",
        "Minimum commission": "0.00",
        "Slippage (of price)": "0.00%",
        "Slippage (price steps)": "0",
        "Fill": "next bar&#39;s open",
        "Leverage": "1",
        "Volume participation": "10.00%",
        "Unfilled remainder": "carry",
        "Square-root impact k": "0",
        "Price step": "0.05",
        "Contract multiplier": "2",
    }
    data = page_data(out / "index.html")
    assert data["price"]["decimals"] == 2  # the price step's precision
