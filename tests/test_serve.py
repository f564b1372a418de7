"""`sdm-tui serve`: the checks, driven through aiohttp's test client against the real server.

The child process is a stand-in (tests/serve/fake_app.py) that speaks textual-serve's
protocol, so these tests need no browser and no Textual; test_serve_browser.py runs the
real app in headless Chromium.
"""

from __future__ import annotations

import asyncio
import io
import re
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import WSMsgType, WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer

from sdm_tui.__main__ import main
from sdm_tui.serve.cli import child_command
from sdm_tui.serve.security import Access, content_security_policy, is_loopback
from sdm_tui.serve.server import STATIC_FILES, ConsultationServer, bind

FAKE_APP = Path(__file__).parent / "serve" / "fake_app.py"
EVIL = "http://evil.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A running server, its secrets and a client."""

    def __init__(self, server: ConsultationServer, client: TestClient) -> None:
        self.server = server
        self.client = client
        self.access = server.access
        self.origin = f"http://127.0.0.1:{self.access.port}"

    @property
    def cookie(self) -> dict[str, str]:
        return {"Cookie": f"{self.access.cookie_name}={self.access.session}"}


async def start(host: str = "127.0.0.1", public_origin: str | None = None) -> Served:
    access = Access(host=host, port=free_port(), public_origin=public_origin)
    server = ConsultationServer(f"{sys.executable} {FAKE_APP}", access, out=io.StringIO())
    test_server = TestServer(server.make_app(), host="127.0.0.1", port=access.port)
    client = TestClient(test_server)
    await client.start_server()
    return Served(server, client)


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    s = await start()
    yield s
    await s.client.close()


# -- the page ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?token=", "?token=wrong", "?token=x" * 3])
async def test_page_without_the_token_is_refused_with_a_plain_page(
    served: Served, query: str
) -> None:
    response = await served.client.get(f"/{query}", allow_redirects=False)
    body = await response.text()
    assert response.status == 403
    assert "link printed when the server started" in body
    assert "/ws" not in body and "<script" not in body
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


async def test_the_token_works_once_and_is_swapped_for_a_strict_cookie(served: Served) -> None:
    first = await served.client.get(f"/?token={served.access.token}", allow_redirects=False)
    assert first.status == 303
    assert first.headers["Location"] == "/"
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith(f"{served.access.cookie_name}={served.access.session};")
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/" in cookie
    assert served.access.token not in cookie

    # The same link again, from a browser without the cookie: refused.
    served.client.session.cookie_jar.clear()
    again = await served.client.get(f"/?token={served.access.token}", allow_redirects=False)
    assert again.status == 403


async def test_the_cookie_opens_the_page_and_a_token_in_the_address_is_dropped(
    served: Served,
) -> None:
    page = await served.client.get("/", headers=served.cookie)
    body = await page.text()
    assert page.status == 200
    assert f'data-session-websocket-url="ws://127.0.0.1:{served.access.port}/ws"' in body
    assert served.access.token not in body and served.access.session not in body

    stale = await served.client.get(
        "/?token=anything", headers=served.cookie, allow_redirects=False
    )
    assert stale.status == 303 and stale.headers["Location"] == "/"


async def test_the_page_headers_are_strict(served: Served) -> None:
    page = await served.client.get("/", headers=served.cookie)
    headers = page.headers
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self';" in csp  # no 'unsafe-inline', no 'unsafe-eval' for scripts
    assert f"connect-src 'self' ws://127.0.0.1:{served.access.port}" in csp
    assert "frame-ancestors 'none'" in csp


async def test_the_page_loads_only_its_own_files_and_no_inline_script(served: Served) -> None:
    body = await (await served.client.get("/", headers=served.cookie)).text()
    links = re.findall(r'(?:src|href)="([^"]*)"', body)
    assert links, body
    for link in links:
        assert link.startswith("/static/") or link.startswith("data:"), link
        if link.startswith("/static/"):
            assert link.removeprefix("/static/") in STATIC_FILES
    assert re.search(r"<script(?![^>]*\bsrc=)", body) is None  # every script is a file
    assert "onclick" not in body.lower() and "style=" not in body
    assert "googleapis" not in body and "http://" not in body and "https://" not in body
    for name in ("page.css", "css/xterm.css"):
        css = (await (await served.client.get(f"/static/{name}")).text()).lower()
        assert "@import" not in css
        for target in re.findall(r"url\(([^)]*)\)", css):
            assert target.strip("'\" ").startswith("/static/"), target


async def test_static_files_are_served_and_folders_are_not(served: Served) -> None:
    for name in STATIC_FILES:
        response = await served.client.get(f"/static/{name}")
        assert response.status == 200, name
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for path in (
        "/static/",
        "/static/js",
        "/static/js/",
        "/static/fonts/",
        "/static/images/background.png",
        "/static/../server.py",
        "/static/%2e%2e/server.py",
        "/templates/page.html",
    ):
        response = await served.client.get(path)
        assert response.status == 404, path
        assert "Index of" not in await response.text()


async def test_another_host_name_is_refused_even_with_the_cookie(served: Served) -> None:
    # DNS rebinding: a page on evil.example whose name now points at 127.0.0.1.
    headers = {**served.cookie, "Host": f"evil.example:{served.access.port}"}
    response = await served.client.get("/", headers=headers)
    assert response.status == 403
    assert "/ws" not in await response.text()


async def test_localhost_names_this_server_too(served: Served) -> None:
    headers = {**served.cookie, "Host": f"localhost:{served.access.port}"}
    response = await served.client.get("/", headers=headers)
    assert response.status == 200
    assert f"ws://localhost:{served.access.port}/ws" in await response.text()


# -- the websocket -------------------------------------------------------------------------


async def handshake_status(served: Served, headers: dict[str, str]) -> int:
    with pytest.raises(WSServerHandshakeError) as refused:
        await served.client.ws_connect("/ws", headers=headers)
    return refused.value.status


async def test_websocket_without_the_cookie_is_refused(served: Served) -> None:
    assert await handshake_status(served, {"Origin": served.origin}) == 403
    wrong = {"Origin": served.origin, "Cookie": f"{served.access.cookie_name}=guess"}
    assert await handshake_status(served, wrong) == 403
    assert served.server.live is None  # no app was started


@pytest.mark.parametrize(
    "origin",
    [
        EVIL,
        "http://evil.example:80",
        "null",
        "http://127.0.0.1",  # another port is another origin
        "http://127.0.0.1:1",
        "https://127.0.0.1:{port}",
    ],
)
async def test_websocket_from_a_foreign_origin_is_refused(served: Served, origin: str) -> None:
    headers = {**served.cookie, "Origin": origin.format(port=served.access.port)}
    assert await handshake_status(served, headers) == 403
    assert served.server.live is None


async def test_websocket_without_an_origin_is_refused(served: Served) -> None:
    assert await handshake_status(served, served.cookie) == 403


async def test_websocket_under_a_rebound_name_is_refused(served: Served) -> None:
    evil = f"evil.example:{served.access.port}"
    headers = {**served.cookie, "Host": evil, "Origin": f"http://{evil}"}
    assert await handshake_status(served, headers) == 403


async def test_one_consultation_at_a_time(served: Served) -> None:
    served.server.let_go = 0.3
    headers = {**served.cookie, "Origin": served.origin}
    ws = await served.client.ws_connect("/ws", headers=headers)
    first = await ws.receive(timeout=10)
    assert first.data == b"hello from the app 80x24"
    await ws.send_json(["stdin", "q"])
    assert (await ws.receive(timeout=10)).data == b"got q"  # a key reaches the app

    # A second tab while the first is live: its page loads (a reload looks the same), but
    # its websocket is closed at once with the "already open" code, no app started.
    page = await served.client.get("/", headers=served.cookie)
    assert page.status == 200
    assert "already open in another tab" in await page.text()  # the page's busy dialog
    second = await served.client.ws_connect("/ws", headers=headers)
    closing = await second.receive(timeout=10)
    assert closing.type == WSMsgType.CLOSE
    assert closing.data == 4409
    assert closing.extra == "already open"
    await second.close()

    # The first is still live and still answers.
    await ws.send_json(["stdin", "w"])
    assert (await ws.receive(timeout=10)).data == b"got w"

    # Once the first has closed, a new consultation may start.
    await ws.close()
    ws = await served.client.ws_connect("/ws", headers=headers)
    assert (await ws.receive(timeout=10)).data.startswith(b"hello from the app")
    await ws.close()


async def test_a_reloaded_page_takes_over_as_the_old_one_closes(served: Served) -> None:
    headers = {**served.cookie, "Origin": served.origin}
    old = await served.client.ws_connect("/ws", headers=headers)
    await old.receive(timeout=10)

    async def close_soon() -> None:
        await asyncio.sleep(0.3)  # the old page unloads just after the new one asked
        await old.close()

    closer = asyncio.create_task(close_soon())
    new = await served.client.ws_connect("/ws", headers=headers)
    assert (await new.receive(timeout=10)).data.startswith(b"hello from the app")
    await closer
    await new.close()


async def test_a_link_the_app_opens_is_not_passed_to_the_browser(served: Served) -> None:
    ws = await served.client.ws_connect("/ws", headers={**served.cookie, "Origin": served.origin})
    await ws.receive(timeout=10)
    await ws.send_json(["stdin", "link"])
    # The app sent an open_url meta packet, then its echo: only the echo arrives.
    assert (await ws.receive(timeout=10)).data == b"got link"
    await ws.close()


async def test_the_terminal_size_from_the_page_is_kept_within_bounds(served: Served) -> None:
    headers = {**served.cookie, "Origin": served.origin}
    ws = await served.client.ws_connect("/ws?width=100000&height=-3", headers=headers)
    assert (await ws.receive(timeout=10)).data == b"hello from the app 500x8"
    await ws.close()


# -- beyond loopback -----------------------------------------------------------------------


async def test_beyond_loopback_the_page_carries_a_tls_warning() -> None:
    s = await start(host="192.0.2.10")
    try:
        name = f"192.0.2.10:{s.access.port}"
        page = await s.client.get("/", headers={**s.cookie, "Host": name})
        body = await page.text()
        assert page.status == 200
        assert 'class="banner"' in body and "TLS" in body
        # 127.0.0.1 is not this server's name any more.
        assert (await s.client.get("/", headers=s.cookie)).status == 403
        await s.server.on_startup(s.client.app)  # type: ignore[arg-type]
        printed = s.server.out.getvalue()
        assert "WARNING" in printed and "TLS" in printed
        assert f"http://{name}/?token={s.access.token}" in printed
    finally:
        await s.client.close()


async def test_on_loopback_there_is_no_banner(served: Served) -> None:
    body = await (await served.client.get("/", headers=served.cookie)).text()
    assert 'class="banner"' not in body
    await served.server.on_startup(served.client.app)  # type: ignore[arg-type]
    assert "WARNING" not in served.server.out.getvalue()


async def test_behind_an_https_proxy_the_public_origin_is_accepted() -> None:
    s = await start(public_origin="https://sdm.clinic.example")
    try:
        headers = {**s.cookie, "Host": "sdm.clinic.example"}
        page = await s.client.get("/", headers=headers)
        assert page.status == 200
        assert 'data-session-websocket-url="wss://sdm.clinic.example/ws"' in await page.text()
        assert "wss://sdm.clinic.example" in page.headers["Content-Security-Policy"]
        wrong = {**headers, "Origin": "http://sdm.clinic.example"}
        assert await handshake_status(s, wrong) == 403
        ws = await s.client.ws_connect(
            "/ws", headers={**headers, "Origin": "https://sdm.clinic.example"}
        )
        assert (await ws.receive(timeout=10)).data.startswith(b"hello from the app")
        await ws.close()
    finally:
        await s.client.close()


# -- the pieces ----------------------------------------------------------------------------


def test_loopback_names() -> None:
    for host in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.org", ""):
        assert not is_loopback(host), host


def test_tokens_are_new_each_run_and_long() -> None:
    a, b = Access("127.0.0.1", 8000), Access("127.0.0.1", 8000)
    assert a.token != b.token and a.session != b.session
    assert len(a.token) >= 32 and a.token != a.session
    assert a.spend_token(a.token) and not a.spend_token(a.token)
    assert not b.spend_token("") and not b.spend_token(None) and b.spend_token(b.token)


def test_csp_names_only_this_websocket() -> None:
    csp = content_security_policy("ws://127.0.0.1:8000")
    assert "connect-src 'self' ws://127.0.0.1:8000;" in csp
    assert "unsafe-eval" not in csp


def test_the_child_runs_the_app_on_the_same_folders(tmp_path: Path) -> None:
    command = child_command(tmp_path / "records", tmp_path / "grids", None)
    assert command.removeprefix("exec ").startswith(sys.executable)
    assert "-m sdm_tui --records" in command and str(tmp_path / "records") in command
    assert "--grids" in command and "--scenarios" not in command


def test_serve_reports_a_port_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sock = bind("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        code = main(["serve", "--records", str(tmp_path), "--port", str(port)])
    finally:
        sock.close()
    assert code == 1
    assert "Cannot listen on 127.0.0.1 port" in capsys.readouterr().err


def test_serve_rejects_an_origin_that_is_not_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--records", str(tmp_path), "--origin", "sdm.example/path"]) == 2
    assert "--origin must look like" in capsys.readouterr().err


def test_on_every_address_the_page_answers_to_this_machines_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sdm_tui.serve import security

    monkeypatch.setattr(security, "machine_names", lambda: ["192.0.2.7", "clinic-pc"])
    access = Access("0.0.0.0", 8000)
    assert access.url.startswith("http://192.0.2.7:8000/?token=")
    assert {"192.0.2.7:8000", "clinic-pc:8000", "127.0.0.1:8000"} <= access.allowed_hosts()
    assert "0.0.0.0:8000" not in access.allowed_hosts()
    assert access.origin_ok("http://clinic-pc:8000", "clinic-pc:8000")
    assert not access.origin_ok("http://clinic-pc:8000", "192.0.2.7:8000")
