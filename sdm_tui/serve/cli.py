"""`sdm-tui serve`: check the folders, bind the port, print the link, serve.

Imported by every command line (for its options), so it imports nothing heavy at the top.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The serve command's own options (the folder options come from the common parser)."""
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this computer only); anything else "
        "belongs behind TLS",
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port (default: 8000; 0: any free port)"
    )
    parser.add_argument(
        "--font-size", type=int, default=16, metavar="PX", help="text size on the page"
    )
    parser.add_argument(
        "--origin",
        metavar="URL",
        help="the page's public origin when an HTTPS proxy sits in front, "
        "e.g. https://sdm.clinic.example",
    )


def child_command(records: Path, grids: Path | None, scenarios: Path | None) -> str:
    """The app as each consultation's child process runs it, with the same folders."""
    argv = [sys.executable, "-m", "sdm_tui", "--records", str(records)]
    if grids is not None:
        argv += ["--grids", str(Path(grids).resolve())]
    if scenarios is not None:
        argv += ["--scenarios", str(Path(scenarios).resolve())]
    # textual-serve runs it through the shell; `exec` makes the app that process itself, so
    # stopping it stops the app, not just a shell around it.
    return ("exec " if os.name == "posix" else "") + shlex.join(argv)


def run_serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sdm_tui.core.catalog import grid_paths
    from sdm_tui.core.fsutil import StoreError
    from sdm_tui.core.store import RecordStore, resolve_root

    store = RecordStore(resolve_root(args.records))
    try:
        store.ensure()
    except StoreError as exc:
        if not store.root.is_dir():
            err.write(f"{exc}\nUse --records DIR to choose a folder you can write to.\n")
            return 1
    if not grid_paths(args.grids):
        where = args.grids or "the shipped option_grids folder"
        err.write(f"No usable option grid in {where}. Run 'sdm-tui grids validate'.\n")
        return 1
    origin = args.origin
    if origin is not None:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            err.write(f"--origin must look like https://name[:port], not {origin!r}\n")
            return 2
        origin = f"{parts.scheme}://{parts.netloc}"

    from sdm_tui.serve.security import Access
    from sdm_tui.serve.server import ConsultationServer, bind

    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        err.write(f"Cannot listen on {args.host} port {args.port}: {exc.strerror or exc}\n")
        return 1
    access = Access(host=args.host, port=sock.getsockname()[1], public_origin=origin)
    command = child_command(store.root.resolve(), args.grids, args.scenarios)
    server = ConsultationServer(command, access, font_size=args.font_size, out=out)
    server.run(sock)
    return 0
