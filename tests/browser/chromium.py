"""Headless Chromium for the report tests and the report bench: the one place its options live.

Debian's ``chromium`` and ``chromium-driver`` packages, driven by selenium. Each driver
gets a fresh profile directory, removed on :func:`close`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM_BINARY = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WINDOW = (1366, 900)
"""A common laptop width: pages must not scroll horizontally at 1366 px."""

CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-file-access-from-files",
    "--enable-unsafe-swiftshader",
)


def make_driver(window: tuple[int, int] = WINDOW) -> Any:
    """A headless Chromium WebDriver logging the browser console (``driver.get_log("browser")``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="pystocksharp-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM_BINARY
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={window[0]},{window[1]}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver._pystocksharp_profile = profile  # removed by close()
    driver.set_window_size(*window)
    return driver


def close(driver: Any) -> None:
    """Quit the driver and remove its profile directory."""
    profile = getattr(driver, "_pystocksharp_profile", None)
    try:
        driver.quit()
    finally:
        if profile:
            shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver: Any) -> list[dict[str, Any]]:
    """Browser console entries of level SEVERE since the last call (JS errors, failed loads)."""
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def page_url(path: Path) -> str:
    """``file://`` URL of a page."""
    return Path(path).resolve().as_uri()


def wait_ready(driver: Any, timeout: float = 30.0) -> None:
    """Wait until the page's script has finished (``body[data-ready="1"]``)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script(
            "return document.readyState === 'complete' && document.body.dataset.ready === '1'"
        )
    )


def full_page_screenshot(driver: Any, path: Path) -> Path:
    """PNG of the whole page (beyond the viewport), via the DevTools protocol."""
    import base64

    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path
