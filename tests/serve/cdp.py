"""Headless Chromium driven over the DevTools protocol, for the `sdm-tui serve` tests and
the printing tests (one browser prints every page of a test module).

Only what the tests need: open a page, read what its websocket received, press a key,
list every URL the browser asked for, take a screenshot, print to PDF. The client is
aiohttp's (it comes with textual-serve), so no extra test dependency.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--password-store=basic",
    # Any name but 127.0.0.1 fails to resolve: nothing can leave the machine by name.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-port=0",
    "--window-size=1200,800",
]

# Installed before any page script: keeps a copy of what every websocket receives.
WEBSOCKET_TAP = """
(() => {
  const Native = window.WebSocket;
  const tap = { text: "", opened: 0, closed: 0, closeCodes: [] };
  window.__tap = tap;
  const decoder = new TextDecoder();
  function Tapped(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    ws.addEventListener("open", () => { tap.opened += 1; });
    ws.addEventListener("close", (e) => { tap.closed += 1; tap.closeCodes.push(e.code); });
    ws.addEventListener("message", (e) => {
      if (typeof e.data !== "string") {
        tap.text += decoder.decode(new Uint8Array(e.data), { stream: true });
      }
    });
    return ws;
  }
  Tapped.prototype = Native.prototype;
  Object.assign(Tapped, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = Tapped;
})();
"""

ESCAPES = re.compile(
    r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, links
    r"|\x1b[()][0-9A-Za-z]|\x1b[=>]"
)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def plain(terminal_output: str) -> str:
    """Terminal output without its escape sequences."""
    return ESCAPES.sub("", terminal_output)


CURSOR_TO = re.compile(r"\x1b\[(\d*);?(\d*)H")
TOKENS = re.compile(f"(\x1b\\[\\d*;?\\d*H|{ESCAPES.pattern}|[\r\n])")  # one group: split keeps it


def screen(terminal_output: str) -> str:
    """The screen the output leaves, as lines of text.

    Textual redraws only what changed, each piece after a cursor move, so a line on the
    screen is not one run in the stream: this places every character where it lands. Only
    cursor moves, newlines and text matter here; wide characters take two cells.
    """
    cells: dict[tuple[int, int], str] = {}
    row = col = 0
    for piece in TOKENS.split(terminal_output):
        if not piece:
            continue
        if move := CURSOR_TO.fullmatch(piece):
            row = int(move.group(1) or 1) - 1
            col = int(move.group(2) or 1) - 1
        elif piece == "\n":
            row += 1
        elif piece == "\r":
            col = 0
        elif piece.startswith("\x1b"):
            if piece in ("\x1b[2J", "\x1b[H\x1b[2J"):
                cells.clear()
        else:
            for char in piece:
                cells[(row, col)] = char
                col += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    if not cells:
        return ""
    rows = max(r for r, _ in cells) + 1
    lines = [[" "] * (max(c for _, c in cells) + 1) for _ in range(rows)]
    for (r, c), char in cells.items():
        lines[r][c] = char
    return "\n".join("".join(line).rstrip() for line in lines)


class Browser:
    """One headless Chromium with one page, over the DevTools protocol."""

    def __init__(self, profile: Path, net_log: Path | None = None) -> None:
        self.profile = profile
        self.net_log = net_log
        self.process: subprocess.Popen[bytes] | None = None
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Browser:
        exe = chromium()
        assert exe is not None
        self.profile.mkdir(parents=True, exist_ok=True)
        flags = [*CHROMIUM_FLAGS, f"--user-data-dir={self.profile}"]
        if self.net_log is not None:
            flags.append(f"--log-net-log={self.net_log}")
        self.process = subprocess.Popen(
            [exe, *flags, "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = self.profile / "DevToolsActivePort"
        for _ in range(200):
            if port_file.exists() and port_file.read_text().count("\n") >= 1:
                break
            await asyncio.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        self.session = aiohttp.ClientSession()
        async with self.session.get(f"http://127.0.0.1:{port}/json/list") as response:
            targets = await response.json()
        page = next(t for t in targets if t["type"] == "page")
        self.ws = await self.session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        self.reader = asyncio.create_task(self._read())
        await self.send("Network.enable")
        await self.send("Log.enable")  # CSP violations are reported here
        await self.send("Page.enable")
        await self.send("Page.addScriptToEvaluateOnNewDocument", source=WEBSOCKET_TAP)
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await self.send("Browser.close")  # lets Chromium finish its network log
        if self.reader is not None:
            self.reader.cancel()
        if self.ws is not None:
            await self.ws.close()
        if self.session is not None:
            await self.session.close()
        if self.process is not None:
            # Chromium ends by itself after Browser.close, once its net log is written
            # whole; terminating it sooner can cut the log off mid-line.
            for _ in range(100):
                if self.process.poll() is not None:
                    break
                await asyncio.sleep(0.05)
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    async def _read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self.pending:
                self.pending.pop(data["id"]).set_result(data)
            elif "method" in data:
                self.events.append(data)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        return await self.call(method, params, timeout=10)

    async def call(self, method: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
        """`send` with its own wait for the reply (printing a page can take a while)."""
        assert self.ws is not None
        number = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[number] = future
        await self.ws.send_str(json.dumps({"id": number, "method": method, "params": params}))
        reply = await asyncio.wait_for(future, timeout=timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def print_pdf(self, url: str, pdf: Path) -> None:
        """Open `url` and print it to `pdf` as `chromium --headless --print-to-pdf
        --no-pdf-header-footer` does: the page's CSS page size, no header or footer."""
        await self.open(url)
        params = {"preferCSSPageSize": True, "displayHeaderFooter": False}
        result = await self.call("Page.printToPDF", params, timeout=120)
        pdf.write_bytes(base64.b64decode(result["data"]))

    async def evaluate(self, expression: str, gesture: bool = False) -> Any:
        """The value of a script run in the page (`gesture`: as if the user clicked)."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, userGesture=gesture
        )
        return result.get("result", {}).get("value")

    async def wait_until(self, expression: str, timeout: float = 15) -> None:
        for _ in range(int(timeout / 0.1)):
            if await self.evaluate(expression):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"never true: {expression}")

    async def reload(self) -> None:
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        await self.send("Page.reload")
        await self.wait_for_event("Page.loadEventFired")

    async def open(self, url: str) -> None:
        """Navigate and wait for the page's load event."""
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        await self.send("Page.navigate", url=url)
        await self.wait_for_event("Page.loadEventFired")

    async def wait_for_event(self, method: str, timeout: float = 10) -> dict[str, Any]:
        for _ in range(int(timeout / 0.05)):
            for event in self.events:
                if event["method"] == method:
                    return event
            await asyncio.sleep(0.05)
        raise TimeoutError(method)

    async def screen_text(self) -> str:
        """The terminal screen drawn from what the page's websockets received so far."""
        return screen(await self.evaluate("window.__tap ? window.__tap.text : ''") or "")

    async def wait_for_text(self, text: str, timeout: float = 15) -> str:
        seen = ""
        for _ in range(int(timeout / 0.1)):
            seen = await self.screen_text()
            if text in seen:
                return seen
            await asyncio.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the page received: {seen[-2000:]!r}")

    async def wait_for_closed_websockets(self, count: int, timeout: float = 10) -> None:
        for _ in range(int(timeout / 0.05)):
            if (await self.evaluate("window.__tap ? window.__tap.closed : 0") or 0) >= count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"fewer than {count} websockets closed")

    async def press(self, key: str, code: int) -> None:
        """A key press in the terminal (e.g. "F1", 112)."""
        await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        common = {"key": key, "code": key, "windowsVirtualKeyCode": code}
        await self.send("Input.dispatchKeyEvent", type="rawKeyDown", **common)
        await self.send("Input.dispatchKeyEvent", type="keyUp", **common)

    async def body_text(self) -> str:
        return await self.evaluate("document.body ? document.body.innerText : ''") or ""

    async def screenshot(self, path: Path) -> None:
        result = await self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(result["data"]))

    def requested_urls(self) -> list[str]:
        """Every URL the page asked for (documents, files, websockets)."""
        urls = [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]
        urls += [
            e["params"]["url"] for e in self.events if e["method"] == "Network.webSocketCreated"
        ]
        return urls

    def log_texts(self) -> list[str]:
        """The browser's log: errors, warnings, Content-Security-Policy violations."""
        entries = [e["params"]["entry"] for e in self.events if e["method"] == "Log.entryAdded"]
        return [entry["text"] for entry in entries]

    def statuses(self) -> dict[str, int]:
        """The last HTTP status seen per URL."""
        return {
            e["params"]["response"]["url"]: e["params"]["response"]["status"]
            for e in self.events
            if e["method"] == "Network.responseReceived"
        }
