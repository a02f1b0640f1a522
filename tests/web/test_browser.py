"""Browser tests: Playwright driving Debian's headless Chromium against a live server on loopback.

search → substance page → 3D viewer drawn → download the CIF.  Screenshots are kept as test artifacts in
``$MATINFO_TEST_ARTIFACTS`` (default ``test-artifacts/browser`` in the working directory).  Chromium is found at
``$MATINFO_CHROMIUM`` or ``/usr/bin/chromium``; where it is missing the tests skip, unless ``MATINFO_REQUIRE_BROWSER``
is set (CI sets it, after installing Debian's ``chromium``).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("MATINFO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: Flags for a headless Chromium on a machine without network or GPU (software WebGL for the 3D viewer).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.slow

if not Path(CHROMIUM).exists():
    if os.environ.get("MATINFO_REQUIRE_BROWSER"):
        raise RuntimeError(f"MATINFO_REQUIRE_BROWSER is set but there is no Chromium at {CHROMIUM}")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


def _artifacts() -> Path:
    out = Path(os.environ.get("MATINFO_TEST_ARTIFACTS", "test-artifacts")) / "browser"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture
def live_url(seeded):
    import uvicorn

    from matinfo.web import Settings, create_app

    app = create_app(Settings(db_url=seeded.url))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start in 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    app.state.db.close()


@pytest.fixture
def page():
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 1000})
        pg = context.new_page()
        yield pg
        context.close()
        browser.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_search_then_substance_then_3d_viewer_then_cif(live_url, page):
    shots = _artifacts()
    page.goto(f"{live_url}/search")
    page.fill("input[name=elements]", "Mg")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#results")
    page.screenshot(path=str(shots / "1-search-results.png"), full_page=True)
    page.click("#results a[href^='/substances/']")
    page.wait_for_selector("h1")
    assert page.inner_text("h1").startswith("MgO")
    viewer = page.locator(".viewer3d").first
    page.wait_for_function(
        "() => document.querySelector('.viewer3d').dataset.ready === 'true'", timeout=30_000
    )
    canvas = viewer.locator("canvas")
    assert canvas.count() >= 1 and canvas.first.is_visible()
    box = canvas.first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    page.screenshot(path=str(shots / "2-substance-3d.png"), full_page=True)
    with page.expect_download() as info:
        page.click("a.download-cif")
    download = info.value
    target = shots / download.suggested_filename
    download.save_as(str(target))
    text = target.read_text()
    assert download.suggested_filename.endswith(".cif") and "_cell_length_a" in text and "Mg" in text
