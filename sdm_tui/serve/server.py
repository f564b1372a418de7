"""textual-serve's server with the doors shut: token, cookie, Host and Origin checks, one
live consultation, a page of our own that loads nothing from outside this server.

The app itself runs in a child process per consultation (textual-serve's AppService); the
browser talks to it over one websocket.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from textual_serve.app_service import AppService
from textual_serve.server import Server

from sdm_tui.serve.security import (
    BASE_HEADERS,
    Access,
    content_security_policy,
    host_port,
    is_loopback,
)

log = logging.getLogger("sdm_tui.serve")

HERE = Path(__file__).parent
TEXTUAL_STATIC = Path(sys.modules[Server.__module__].__file__ or ".").parent / "static"

# Every file the page may load, by URL name. Nothing else is served: no folder listings.
STATIC_FILES: dict[str, Path] = {
    "page.css": HERE / "static" / "page.css",
    "page.js": HERE / "static" / "page.js",
    "css/xterm.css": TEXTUAL_STATIC / "css" / "xterm.css",
    "js/textual.js": TEXTUAL_STATIC / "js" / "textual.js",
    "fonts/RobotoMono-VariableFont_wght.ttf": TEXTUAL_STATIC
    / "fonts"
    / "RobotoMono-VariableFont_wght.ttf",
    "fonts/RobotoMono-Italic-VariableFont_wght.ttf": TEXTUAL_STATIC
    / "fonts"
    / "RobotoMono-Italic-VariableFont_wght.ttf",
}

NOT_LOOPBACK_WARNING = (
    "Served beyond this computer on {where}: anyone on the network who has the link can "
    "reach it, and the traffic is not encrypted. Put it behind TLS (an HTTPS reverse "
    "proxy) or serve on 127.0.0.1."
)

BANNER = "Served beyond this computer ({where}), unencrypted: put it behind TLS (HTTPS)."

BUSY_CLOSE_CODE = 4409  # page.js shows "already open" for it
LET_GO = 2.0  # seconds a live consultation has to start closing before a new one is refused

REFUSED_TOKEN = (
    "This address needs the link printed when the server started. The link works once: "
    "after the first page load, only that browser can come back. Start the server again "
    "for a new link."
)
REFUSED_BUSY = (
    "A consultation is already open in another tab or window. Close it there first; "
    "only one consultation runs at a time."
)


@dataclass
class _Live:
    """The one consultation running now."""

    websocket: web.WebSocketResponse | None = None
    app_service: Any = None
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)


class ConsultationService(AppService):
    """textual-serve's app service, except that a link the app asks the browser to open
    is dropped: every request the page makes stays on this machine."""

    async def on_meta(self, data: bytes) -> None:
        try:
            kind = json.loads(data).get("type")
        except (ValueError, AttributeError):
            kind = None
        if kind == "open_url":
            log.info("the app asked the browser to open a link: not passed on")
            return
        await super().on_meta(data)


def _clamp(value: str, default: int, low: int, high: int) -> int:
    """A terminal size from the page, within sane bounds."""
    try:
        number = int(value)
    except ValueError:
        return default
    return max(low, min(high, number))


class PathAccessLogger(AbstractAccessLogger):
    """One line per request: method, path (never the query: it may hold the token), status."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %s", request.remote, request.method, request.path, response.status
        )


class ConsultationServer(Server):
    """Serve one `sdm-tui` app at a time to one browser."""

    def __init__(
        self,
        command: str,
        access: Access,
        *,
        title: str = "sdm-tui",
        font_size: int = 16,
        out: Any = None,
    ) -> None:
        super().__init__(command, host=access.host, port=access.port, title=title)
        self.access = access
        self.font_size = font_size
        self.out = out or sys.stdout
        self.live: _Live | None = None
        self.let_go = LET_GO
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True
        )
        where = host_port(access.host, access.port)
        self.warning = (
            None if is_loopback(access.host) else NOT_LOOPBACK_WARNING.format(where=where)
        )

    # -- the aiohttp application -------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application()
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.get("/static/{name:.+}", self.handle_static, name="static"),
            ]
        )
        app.middlewares.append(self._host_guard)
        app.on_response_prepare.append(self._add_headers)
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def _make_app(self) -> web.Application:
        return self.make_app()

    @web.middleware
    async def _host_guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not self.access.host_ok(request.headers.get("Host")):
            log.warning("refused: request for another host name")
            return self.refused(403, "This server does not answer to that name.")
        return await handler(request)

    async def _add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        host = request.headers.get("Host", "")
        if not self.access.host_ok(host):
            host = host_port(self.access.host, self.access.port)
        response.headers.update(BASE_HEADERS)
        response.headers["Content-Security-Policy"] = content_security_policy(
            self.access.ws_origin(host.lower())
        )

    def refused(self, status: int, message: str) -> web.Response:
        """A plain page that says why; nothing of the app."""
        html = self.templates.get_template("refused.html").render(title=self.title, message=message)
        return web.Response(status=status, text=html, content_type="text/html")

    # -- handlers ----------------------------------------------------------------------

    def _has_session(self, request: web.Request) -> bool:
        return self.access.session_ok(request.cookies.get(self.access.cookie_name))

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if not self._has_session(request):
            if not self.access.spend_token(request.query.get("token")):
                log.warning("refused: page without a valid token")
                return self.refused(403, REFUSED_TOKEN)
            log.info("token used: session cookie given, the token no longer works")
            redirect = _see_other("/")
            redirect.set_cookie(
                self.access.cookie_name,
                self.access.session,
                path="/",
                httponly=True,
                samesite="Strict",
                secure=request.secure or (self.access.public_origin or "").startswith("https:"),
            )
            return redirect
        if request.query_string:
            return _see_other("/")  # keep the address bar and history free of the token
        # A page while a consultation is live is served all the same: a reload asks for the
        # new page before the old one lets go. Its websocket decides (see `_claim`).
        host = request.headers.get("Host", "").lower()
        html = self.templates.get_template("page.html").render(
            title=self.title,
            ws_url=f"{self.access.ws_origin(host)}/ws",
            font_size=self.font_size,
            busy=REFUSED_BUSY,
            banner=BANNER.format(where=host_port(self.access.host, self.access.port))
            if self.warning
            else None,
        )
        return web.Response(text=html, content_type="text/html")

    async def handle_static(self, request: web.Request) -> web.StreamResponse:
        path = STATIC_FILES.get(request.match_info["name"])
        if path is None:
            raise web.HTTPNotFound(text="Not found")
        return web.FileResponse(path)

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        if not self._has_session(request):
            return self.refused(403, REFUSED_TOKEN)
        return await super().handle_download(request)

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        if not self._has_session(request):
            log.warning("refused: websocket without the session cookie")
            return self.refused(403, REFUSED_TOKEN)
        if not self.access.origin_ok(request.headers.get("Origin"), request.headers.get("Host")):
            log.warning("refused: websocket from a foreign origin")
            return self.refused(403, "Connections are accepted only from this server's own page.")
        live = await self._claim()
        if live is None:
            log.warning("refused: a second consultation while one is live")
            # Accepted only to be closed with a code the page shows as "already open".
            refusal = web.WebSocketResponse()
            await refusal.prepare(request)
            await refusal.close(code=BUSY_CLOSE_CODE, message=b"already open")
            return refusal
        log.info("consultation started")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _clamp(request.query.get("width", ""), 80, 20, 500)
        height = _clamp(request.query.get("height", ""), 24, 8, 200)
        service: ConsultationService | None = None

        async def close() -> None:
            await websocket.close()

        try:
            await websocket.prepare(request)
            live.websocket = websocket
            service = live.app_service = ConsultationService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:
            log.exception("the consultation stopped on an error")
        finally:
            live.closing.set()
            if service is not None:
                await service.stop()  # asks the app to quit (it saves the draft)
            await self._reap(live)
            live.ended.set()
            self.live = None
            log.info("consultation ended")
        return websocket

    async def _claim(self) -> _Live | None:
        """The slot for a new consultation, or None while another one is live.

        A reloaded page's old websocket closes just after the new page loads: a live one
        that starts closing within `let_go` seconds is waited for (the app saves as it
        quits); one that does not is another tab, and keeps the slot.
        """
        current = self.live
        if current is not None:
            try:
                await asyncio.wait_for(current.closing.wait(), timeout=self.let_go)
                await asyncio.wait_for(current.ended.wait(), timeout=15)
            except TimeoutError:
                return None
            if self.live is not None:
                return None
        self.live = _Live()
        return self.live

    @staticmethod
    async def _reap(live: _Live) -> None:
        """Wait for the app's process to end (it saves the draft as it quits), so the next
        consultation never runs beside it; one that hangs is killed after 10 s."""
        process = getattr(live.app_service, "_process", None)
        if process is None or process.returncode is not None:
            if process is not None:
                await process.wait()
            return
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            log.warning("the app did not quit within 10 s: stopped")
            process.kill()
            await process.wait()

    # -- start and stop ------------------------------------------------------------------

    def initialize_logging(self) -> None:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )

    async def on_startup(self, app: web.Application) -> None:
        self.out.write("sdm-tui serve: open this link in the browser (it works once):\n")
        self.out.write(f"  {self.access.url}\n")
        if self.warning:
            self.out.write(f"WARNING: {self.warning}\n")
            log.warning(self.warning)
        self.out.write("Press Ctrl+C to stop.\n")
        self.out.flush()

    async def on_shutdown(self, app: web.Application) -> None:
        live = self.live
        if live is not None and live.websocket is not None:
            await live.websocket.close()

    def run(self, sock: socket.socket) -> None:
        """Serve on a bound socket until Ctrl+C or SIGTERM."""
        self.initialize_logging()
        web.run_app(
            self.make_app(),
            sock=sock,
            print=None,
            access_log_class=PathAccessLogger,
            handle_signals=True,
        )


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(16)
    sock.setblocking(False)
    return sock


__all__ = ["STATIC_FILES", "ConsultationServer", "bind"]
