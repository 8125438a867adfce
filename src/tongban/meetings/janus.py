"""A small synchronous client of Janus's HTTP API (core API + the VideoRoom plugin) and the signing
of Janus tokens.

Only the server talks to Janus with this client: it creates a meeting's room (with the plugin's
``admin_key``), keeps the room's ``allowed`` list (the attendees' join tokens) in step, and carries
out the chair's actions (moderate, kick, recording). The room's ``secret`` never leaves the
server; browsers get a signed core token and their own join token (see ``video.ticket``).

Janus core API (plain HTTP transport): ``POST <url>`` {"janus": "create"} opens a session,
``POST <url>/<session>`` {"janus": "attach", "plugin": ...} a handle, ``POST
<url>/<session>/<handle>`` {"janus": "message", "body": {...}} sends a plugin request — the
VideoRoom's room requests (create, destroy, edit, exists, allowed, kick, moderate,
listparticipants, enable_recording) answer synchronously (``"janus": "success"`` with
``plugindata``); participant requests (join, ...) answer ``ack`` and their result comes as an
event on ``GET <url>/<session>`` (long poll). Errors: ``"janus": "error"`` with
``error.code``/``error.reason`` (core), or ``plugindata.data.error_code``/``error`` (plugin)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from types import TracebackType
from typing import Any

VIDEOROOM = "janus.plugin.videoroom"

# VideoRoom error codes (janus_videoroom.c) the services tell apart.
NO_SUCH_ROOM = 426
ROOM_EXISTS = 427
NO_SUCH_FEED = 428
UNAUTHORIZED = 433

# A token for the server's own requests lives this long (seconds).
SERVER_TOKEN_SECONDS = 300


class JanusError(Exception):
    """Janus refused a request: ``code`` is Janus's numeric error code, ``reason`` its text."""

    def __init__(self, code: int, reason: str):
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusUnavailable(Exception):
    """Janus could not be reached (connection refused, timeout, an answer that is not Janus's)."""


def sign_token(secret: str, expiry_unix: int, plugins: Iterable[str] = (VIDEOROOM,)) -> str:
    """A Janus signed token (``token_auth_secret``): ``"<expiry>,janus,<plugin>[,<plugin>...]"``,
    then ``":"`` and base64(HMAC-SHA1(secret, that string)). Janus refuses it after ``expiry_unix``
    and lets it attach only the listed plugins."""
    data = ",".join([str(int(expiry_unix)), "janus", *plugins])
    digest = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return f"{data}:{base64.b64encode(digest).decode()}"


def _transaction() -> str:
    return secrets.token_hex(8)


class JanusClient:
    """``with JanusClient(url, token_secret, admin_key) as jc: jc.create_room(...)``: entering
    opens a session and attaches a VideoRoom handle; leaving always destroys the session.

    ``url`` is the HTTP API base (".../janus"); ``token_secret`` Janus's ``token_auth_secret``
    (empty when token auth is off); ``admin_key`` the VideoRoom plugin's ``admin_key`` (needed to
    create rooms when it is configured); ``token`` a fixed core token to use instead of signing one
    (to act as a browser would)."""

    def __init__(
        self, url: str, token_secret: str = "", admin_key: str = "", timeout: float = 5.0, *, token: str = ""
    ):
        self.url = url.rstrip("/")
        self.fixed_token = token
        self.token_secret = token_secret
        self.admin_key = admin_key
        self.timeout = timeout
        self.session_id: int | None = None
        self.handle_id: int | None = None
        self._events: list[dict[str, Any]] = []

    # --- transport --------------------------------------------------------------------------
    def _token(self) -> str | None:
        if self.fixed_token:
            return self.fixed_token  # a browser's token (the tests use it to act as a participant)
        if not self.token_secret:
            return None
        return sign_token(self.token_secret, int(time.time()) + SERVER_TOKEN_SECONDS)

    def _http(self, path: str, payload: dict[str, Any] | None, timeout: float | None = None) -> Any:
        url = self.url + path
        data = None if payload is None else json.dumps(payload).encode()
        if not url.startswith(("http://", "https://")):
            raise JanusUnavailable(f"{url}: not an http(s) URL")
        req = urllib.request.Request(url, data=data, method="GET" if payload is None else "POST")  # noqa: S310
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as resp:  # noqa: S310 — configured URL
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            if not raw:
                raise JanusUnavailable(f"{url}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise JanusUnavailable(f"{url}: {exc}") from exc
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise JanusUnavailable(f"{url}: not a Janus answer") from exc

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        payload = {**payload, "transaction": payload.get("transaction") or _transaction()}
        token = self._token()
        if token:
            payload["token"] = token
        answer = self._http(path, payload)
        if not isinstance(answer, dict):
            raise JanusUnavailable(f"{self.url}{path}: not a Janus answer")
        if answer.get("janus") == "error":
            err = answer.get("error") or {}
            raise JanusError(int(err.get("code") or 0), str(err.get("reason") or ""))
        return answer

    def info(self) -> dict[str, Any]:
        """``GET <url>/info``: the server's name, version and plugins (no session, no token)."""
        answer = self._http("/info", None)
        if not isinstance(answer, dict) or answer.get("janus") != "server_info":
            raise JanusUnavailable(f"{self.url}/info: not a Janus answer")
        return answer

    # --- session ----------------------------------------------------------------------------
    def __enter__(self) -> JanusClient:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        """Create a session and attach a VideoRoom handle."""
        created = self._post("", {"janus": "create"})
        self.session_id = int(created["data"]["id"])
        try:
            attached = self._post(f"/{self.session_id}", {"janus": "attach", "plugin": VIDEOROOM})
            self.handle_id = int(attached["data"]["id"])
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Destroy the session (and with it the handle and any participant it joined as)."""
        if self.session_id is None:
            return
        session_id, self.session_id, self.handle_id = self.session_id, None, None
        with contextlib.suppress(JanusError, JanusUnavailable):  # else it times out on its own
            self._post(f"/{session_id}", {"janus": "destroy"})

    def keepalive(self) -> None:
        self._post(f"/{self._session()}", {"janus": "keepalive"})

    def _session(self) -> int:
        if self.session_id is None:
            raise RuntimeError("JanusClient used outside its session (use it as a context manager)")
        return self.session_id

    def _handle_path(self) -> str:
        self._session()
        return f"/{self.session_id}/{self.handle_id}"

    @staticmethod
    def _plugin_data(answer: dict[str, Any]) -> dict[str, Any]:
        data = (answer.get("plugindata") or {}).get("data") or {}
        if "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error") or ""))
        return dict(data)

    def message(self, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous plugin request: the plugin's answer (``plugindata.data``)."""
        answer = self._post(self._handle_path(), {"janus": "message", "body": body})
        if answer.get("janus") != "success":
            raise JanusUnavailable(f"unexpected answer to a synchronous request: {answer.get('janus')}")
        return self._plugin_data(answer)

    def request(self, body: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """An asynchronous plugin request (join, leave, ...): waits for its event on the session's
        long poll and answers the plugin's data (JanusError when the event carries an error)."""
        transaction = _transaction()
        answer = self._post(
            self._handle_path(), {"janus": "message", "body": body, "transaction": transaction}
        )
        if answer.get("janus") == "success":
            return self._plugin_data(answer)
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            for i, event in enumerate(self._events):
                if event.get("transaction") == transaction:
                    del self._events[i]
                    return self._plugin_data(event)
            self._poll(max(0.5, deadline - time.monotonic()))
        raise JanusUnavailable("no answer from Janus in time")

    def _poll(self, timeout: float) -> None:
        token = self._token()
        params = {"maxev": "10", "rid": str(int(time.time() * 1000))}
        if token:
            params["token"] = token
        query = "?" + urllib.parse.urlencode(params)
        answer = self._http(f"/{self._session()}{query}", None, timeout=min(timeout, 30) + 1)
        events = answer if isinstance(answer, list) else [answer]
        for event in events:
            if isinstance(event, dict) and event.get("janus") not in ("keepalive", None):
                if event.get("janus") == "error" and not event.get("transaction"):
                    err = event.get("error") or {}
                    raise JanusError(int(err.get("code") or 0), str(err.get("reason") or ""))
                self._events.append(event)

    # --- VideoRoom: rooms -------------------------------------------------------------------
    def create_room(
        self,
        *,
        room_id: int,
        description: str,
        secret: str,
        pin: str,
        publishers: int,
        allowed: list[str],
        bitrate: int = 512_000,
        record: bool = False,
        rec_dir: str = "",
        audiolevel_event: bool = False,
    ) -> dict[str, Any]:
        """A private room that only holders of a token in ``allowed`` (and the ``pin``) may join;
        subscriptions need a publisher's private id; joins are notified to everyone; recording
        can only be switched with the secret (``lock_record``)."""
        body: dict[str, Any] = {
            "request": "create",
            "room": int(room_id),
            "permanent": False,
            "description": description[:100],
            "secret": secret,
            "pin": pin,
            "is_private": True,
            "require_pvtid": True,
            "notify_joining": True,
            "publishers": int(publishers),
            "bitrate": int(bitrate),
            "allowed": list(allowed),
            "record": bool(record),
            "lock_record": True,
            "audiolevel_event": bool(audiolevel_event),
        }
        if rec_dir:
            body["rec_dir"] = rec_dir
        if self.admin_key:
            body["admin_key"] = self.admin_key
        return self.message(body)

    def destroy_room(self, *, room: int, secret: str) -> None:
        self.message({"request": "destroy", "room": int(room), "secret": secret, "permanent": False})

    def exists(self, *, room: int) -> bool:
        return bool(self.message({"request": "exists", "room": int(room)}).get("exists"))

    def allowed(self, *, room: int, secret: str, action: str, tokens: list[str] | None = None) -> list[str]:
        """Change the room's ACL: ``action`` add/remove (``tokens``) or enable/disable the check.
        Answers the complete list of allowed tokens."""
        if action not in ("add", "remove", "enable", "disable"):
            raise ValueError(f"unknown allowed action {action!r}")
        body: dict[str, Any] = {"request": "allowed", "room": int(room), "secret": secret, "action": action}
        if action in ("add", "remove"):
            body["allowed"] = list(tokens or [])
        return [str(t) for t in self.message(body).get("allowed") or []]

    def edit_rec_dir(self, *, room: int, secret: str, rec_dir: str) -> None:
        """Where the next recordings of the room are written."""
        self.message({"request": "edit", "room": int(room), "secret": secret, "new_rec_dir": rec_dir})

    def enable_recording(self, *, room: int, secret: str, on: bool) -> None:
        self.message({"request": "enable_recording", "room": int(room), "secret": secret, "record": bool(on)})

    def room_info(self, *, room: int) -> dict[str, Any] | None:
        """The room's entry of the ``list`` request (private rooms need the admin_key)."""
        body: dict[str, Any] = {"request": "list"}
        if self.admin_key:
            body["admin_key"] = self.admin_key
        for entry in self.message(body).get("list") or []:
            if int(entry.get("room", 0)) == int(room):
                return dict(entry)
        return None

    # --- VideoRoom: participants ------------------------------------------------------------
    def list_participants(self, *, room: int) -> list[dict[str, Any]]:
        """Everyone in the room: ``id`` (feed), ``display``, ``publisher`` (bool), ``talking``."""
        data = self.message({"request": "listparticipants", "room": int(room)})
        return [dict(p) for p in data.get("participants") or []]

    def moderate(self, *, room: int, secret: str, feed: int, mid: str, mute: bool) -> None:
        """Block (or unblock) the stream ``mid`` of participant ``feed`` for everyone."""
        self.message(
            {
                "request": "moderate",
                "room": int(room),
                "secret": secret,
                "id": int(feed),
                "mid": str(mid),
                "mute": bool(mute),
            }
        )

    def kick(self, *, room: int, secret: str, feed: int) -> None:
        self.message({"request": "kick", "room": int(room), "secret": secret, "id": int(feed)})

    def join_publisher(
        self, *, room: int, display: str, token: str = "", pin: str = "", timeout: float | None = None
    ) -> dict[str, Any]:
        """Join the room as a publisher without media (``joined``: ``id``, ``private_id``,
        ``publishers``, ``attendees``). Used by the tests and the operators' checks; browsers
        join through janus.js with their own session."""
        body: dict[str, Any] = {
            "request": "join",
            "ptype": "publisher",
            "room": int(room),
            "display": display,
        }
        if token:
            body["token"] = token
        if pin:
            body["pin"] = pin
        return self.request(body, timeout=timeout)
