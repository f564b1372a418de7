"""`sdm-tui serve` end to end: the real command, the real app, headless Chromium.

Skipped when Chromium is not installed (Debian: `apt-get install chromium`; .ci/run installs
it). The browser resolves no name but 127.0.0.1, and every URL it asked for is checked.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from serve.cdp import Browser, chromium

from sdm_tui.ui.screens.help import CLOSE

pytestmark = pytest.mark.skipif(
    chromium() is None, reason="Chromium is not installed (Debian package 'chromium')"
)

HOME_TEXT = "Unfinished consultations"  # Home's second heading
HELP_TEXT = CLOSE  # the first line of the help that F1 opens


class Served:
    def __init__(self, process: asyncio.subprocess.Process, url: str, log: Path) -> None:
        self.process = process
        self.url = url
        parts = urlsplit(url)
        self.base = f"{parts.scheme}://{parts.netloc}"
        self.port = parts.port
        self.log = log

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    log = tmp_path / "server.log"
    with log.open("wb") as err:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "sdm_tui",
            "serve",
            "--records",
            str(tmp_path / "records"),
            "--port",
            "0",
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )
    assert process.stdout is not None
    url = ""
    while not url:
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=20)).decode()
        assert line, f"the server stopped: {log.read_text()}"
        if "?token=" in line:
            url = line.strip()
    try:
        yield Served(process, url, log)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=15)


@pytest.fixture
async def foreign_page() -> AsyncIterator[str]:
    """A page on another origin (127.0.0.1, another port) that tries our websocket."""

    async def page(request: web.Request) -> web.Response:
        target = request.query["target"]
        html = (
            "<!DOCTYPE html><title>elsewhere</title><script>"
            f"new WebSocket({json.dumps(target)});"
            "</script>"
        )
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.add_routes([web.get("/", page)])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def wait_for_log(served: Served, text: str, timeout: float = 10) -> None:
    for _ in range(int(timeout / 0.05)):
        if text in served.log_text():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{text!r} not in the server log:\n{served.log_text()}")


async def test_a_consultation_in_headless_chromium(
    served: Served, foreign_page: str, tmp_path: Path
) -> None:
    net_log = tmp_path / "net-log.json"
    async with Browser(tmp_path / "profile", net_log=net_log) as browser:
        # No token, a wrong token: a plain refusal, no app.
        for address in (f"{served.base}/", f"{served.base}/?token=wrong"):
            await browser.open(address)
            assert browser.statuses()[address] == 403
            assert "link printed when the server started" in await browser.body_text()
        assert "consultation started" not in served.log_text()

        # The link: the page loads and the app's Home arrives over the websocket.
        await browser.open(served.url)
        await browser.wait_for_text(HOME_TEXT)
        assert await browser.evaluate("location.search") == ""  # the token left the address

        # A key press reaches the app: F1 opens the help.
        assert HELP_TEXT not in await browser.screen_text()
        await browser.press("F1", 112)
        await browser.wait_for_text(HELP_TEXT)

        # A second tab while the consultation is live: told it is already open.
        await browser.evaluate("window.__second = window.open('/', '_blank'); 1", gesture=True)
        busy = "window.__second.document.body?.classList.contains('-busy') ?? false"
        await browser.wait_until(busy)
        shown = await browser.evaluate("window.__second.document.body.innerText")
        assert "already open in another tab" in shown
        await browser.evaluate("window.__second.close(); 1")
        assert served.log_text().count("consultation started") == 1

        # A reload: the new page takes over as the old one closes.
        await browser.reload()
        await browser.wait_for_text(HOME_TEXT)
        assert served.log_text().count("consultation started") == 2

        # A page on another origin, in the same browser (so with the cookie): refused.
        await browser.open(f"{foreign_page}/?target=ws://127.0.0.1:{served.port}/ws")
        await wait_for_log(served, "refused: websocket from a foreign origin")
        await browser.wait_for_closed_websockets(1)
        assert await browser.evaluate("window.__tap.opened") == 0

        # The link again, in a browser without the cookie: spent.
        await browser.send("Network.clearBrowserCookies")
        await browser.open(served.url)
        assert browser.statuses()[served.url] == 403

        urls = browser.requested_urls()

    assert urls
    violations = [text for text in browser.log_texts() if "Content Security Policy" in text]
    assert not violations
    for url in urls:
        assert urlsplit(url).hostname == "127.0.0.1", url
    assert connected_hosts(net_log) == {"127.0.0.1"}
    assert "consultation started" in served.log_text()


def connected_hosts(net_log: Path) -> set[str]:
    """Every address Chromium opened a TCP connection to, from its network log.

    Chromium's own services (time, updates, accounts) still try to reach Google despite
    the flags; the resolver rules make those fail before any connection, and this checks
    that nothing, page or browser, got as far as a socket outside the machine.
    """
    text = net_log.read_text(encoding="utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:  # a log cut short when the browser was stopped: close it
        data = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {number: name for name, number in data["constants"]["logEventTypes"].items()}
    addresses: list[str] = []
    for event in data["events"]:
        name = names.get(event["type"], "")
        # Not UDP_CONNECT: Chromium "connects" a UDP socket to a public DNS address only to
        # learn which local address routes out, and sends nothing on it.
        if not name.startswith("TCP_CONNECT"):
            continue
        params = event.get("params", {})
        addresses += params.get("address_list", [])
        addresses += [params[key] for key in ("address", "remote_address") if key in params]
    return {address.rsplit(":", 1)[0].strip("[]") for address in addresses}
