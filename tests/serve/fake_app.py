"""A stand-in for the app in textual-serve's child process: says hello, echoes, quits.

It speaks textual-serve's packet protocol: after the line __GANGLION__, packets of one type
byte (D data, M meta), four length bytes and the payload.
"""

import json
import sys


def packet(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


def main() -> None:
    out = sys.stdout.buffer
    out.write(b"__GANGLION__\n")
    out.write(packet(b"D", b"hello from the app"))
    out.flush()
    data = sys.stdin.buffer
    while True:
        head = data.read(5)
        if len(head) < 5:
            break
        body = data.read(int.from_bytes(head[1:], "big"))
        if head[:1] == b"M" and json.loads(body).get("type") == "quit":
            break
        if head[:1] == b"D":
            out.write(packet(b"D", b"got " + body))
            out.flush()


if __name__ == "__main__":
    main()
