"""Regenerate the pictures in docs/images/ from real runs on the packaged samples.

    .venv/bin/python scripts/screenshots.py            # writes docs/images/*.png (needs chromium + chromedriver)

Runs, through the CLI, a StockSharp-style RSI strategy on GOOG with the S&P 500 as its benchmark, an optimization
and a walk-forward validation of the built-in SMA cross, then photographs their pages in headless Chromium (the
browser tests' driver, tests/browser/chromium.py) at 1366 px: the README's picture and one per page section.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
sys.path.insert(0, str(ROOT / "tests"))

from browser.chromium import close, console_errors, make_driver, page_url, wait_ready  # noqa: E402

RUNS: dict[str, list[str]] = {
    "run": ["backtest", "-s", "strategies/stocksharp/RsiThresholdStrategy.cs", "-d", "sample:GOOG_1d",
            "--benchmark", "sample:SPX_1d", "--commission", "0.001"],
    "optimization": ["optimize", "-s", "sma_cross", "-d", "sample:GOOG_1d", "--grid", "fast=5:50:5",
                     "--grid", "slow=20:200:10", "--constraint", "fast < slow"],
    "walk-forward": ["walk-forward", "-s", "sma_cross", "-d", "sample:GOOG_1d", "--grid", "fast=5:30:5",
                     "--grid", "slow=20:120:20", "--constraint", "fast < slow", "--rank", "sharpe_ratio:desc",
                     "--train", "2y", "--test", "6m", "--warmup", "120", "--monte-carlo", "500", "--seed", "7"],
}  # fmt: skip

#: The page of each run that is photographed.
PAGES = {"run": "index.html", "optimization": "reports/index.html", "walk-forward": "summary.html"}

#: (run, element id or "" for the top of the page, picture).
SHOTS = (
    ("run", "", "report.png"),
    ("run", "price", "run-price-and-indicators.png"),
    ("run", "equity", "run-equity-vs-benchmark.png"),
    ("run", "comparison", "run-yearly-and-rolling-sharpe.png"),
    ("optimization", "grid", "optimization-grid.png"),
    ("walk-forward", "wf-oos-panel", "walk-forward-stitched-oos.png"),
)


def run_cli(args: list[str], out: Path, page: str) -> Path:
    """Runs ``pystocksharp ARGS --out OUT`` with this interpreter; returns the shallowest ``page`` it wrote. Exit 1 is
    accepted: a walk-forward whose verdict is FAIL exits 1 and still writes its page."""
    done = subprocess.run([sys.executable, "-m", "pystocksharp", *args, "--out", str(out)], cwd=ROOT,
                          stdout=subprocess.DEVNULL, check=False)  # fmt: skip
    pages = sorted(out.rglob(page), key=lambda p: len(p.parts))
    if done.returncode not in (0, 1) or not pages:
        raise SystemExit(f"pystocksharp {' '.join(args)}: exit {done.returncode}, no {page} under {out}")
    return pages[0]


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pystocksharp-shots-") as tmp:
        pages = {name: run_cli(args, Path(tmp) / name, PAGES[name]) for name, args in RUNS.items()}
        driver = make_driver()
        try:
            for run, element, picture in SHOTS:
                driver.get(page_url(pages[run]))
                wait_ready(driver)
                errors = console_errors(driver)
                if errors:
                    raise SystemExit(f"{pages[run]}: console errors {errors}")
                target = IMAGES / picture
                if not element:
                    driver.save_screenshot(str(target))
                else:
                    driver.execute_script("document.querySelector('nav, header') && (document.querySelector('nav, header').style.display = 'none')")
                    node = driver.find_element("id", element)
                    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", node)
                    node.screenshot(str(target))
                print(f"wrote {target.relative_to(ROOT)}")
        finally:
            close(driver)


if __name__ == "__main__":
    main()
