"""A small receiver of pushed batches on loopback: the reference for the provincial side (what
to check) and the test double. It verifies the HMAC signature, de-duplicates by batch id and can
be told to fail the first N requests (to exercise retries)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool
    status: int

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class ReceiverState:
    secret: str
    fail_first: int = 0
    fail_status: int = 503
    requests: list[Received] = field(default_factory=list)
    batch_ids: set[str] = field(default_factory=set)
    duplicates: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def verify(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


class _Handler(BaseHTTPRequestHandler):
    state: ReceiverState  # set on the subclass made per server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        ok = verify(self.state.secret, body, self.headers.get("X-Tongban-Signature", ""))
        with self.state.lock:
            seen = len(self.state.requests)
            if not ok:
                status, answer = 401, {"ok": False, "error": "bad signature"}
            elif seen < self.state.fail_first:
                status, answer = self.state.fail_status, {"ok": False, "error": "temporarily unavailable"}
            else:
                batch = self.headers.get("X-Tongban-Batch-Id", "")
                duplicate = batch in self.state.batch_ids
                self.state.duplicates += int(duplicate)
                self.state.batch_ids.add(batch)
                status, answer = 200, {"ok": True, "batch_id": batch, "duplicate": duplicate}
            self.state.requests.append(
                Received(self.path, {k: v for k, v in self.headers.items()}, body, ok, status)
            )
        data = json.dumps(answer).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


class Receiver:
    """``with Receiver(secret) as r: r.url …`` — serves on 127.0.0.1 in a thread."""

    def __init__(self, secret: str, *, port: int = 0, fail_first: int = 0, fail_status: int = 503) -> None:
        self.state = ReceiverState(secret=secret, fail_first=fail_first, fail_status=fail_status)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/tongban/push"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
