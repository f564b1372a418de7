"""A stand-in for the app in textual-serve's child process: says hello (with its size),
echoes what it is sent, asks the browser to open a link when sent "link", quits.

It speaks textual-serve's packet protocol: after the line __GANGLION__, packets of one type
byte (D data, M meta), four length bytes and the payload.
"""

import json
import os
import sys


def packet(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


def main() -> None:
    out = sys.stdout.buffer
    out.write(b"__GANGLION__\n")
    size = f" {os.environ.get('COLUMNS')}x{os.environ.get('ROWS')}".encode()
    out.write(packet(b"D", b"hello from the app" + size))
    out.flush()
    data = sys.stdin.buffer
    while True:
        head = data.read(5)
        if len(head) < 5:
            break
        body = data.read(int.from_bytes(head[1:], "big"))
        if head[:1] == b"M" and json.loads(body).get("type") == "quit":
            break
        if head[:1] == b"D" and body == b"link":
            link = {"type": "open_url", "url": "https://example.org/", "new_tab": True}
            out.write(packet(b"M", json.dumps(link).encode()))
        if head[:1] == b"D":
            out.write(packet(b"D", b"got " + body))
            out.flush()


if __name__ == "__main__":
    main()
