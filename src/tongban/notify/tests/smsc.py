"""A small SMS centre for tests: a threaded SMPP 3.4 server on 127.0.0.1 (random port).

It is written from the protocol specification with ``struct`` — not with smpplib — so the client
under test is checked against an independent implementation. It handles bind_transmitter and
bind_transceiver (system_id/password checked, ESME_RBINDFAIL otherwise), submit_sm (UCS2 or
Latin-1 text, concatenated parts with a UDH are reassembled), enquire_link and unbind; anything
else gets a generic_nack. ``fail_next(n)`` makes the next n submissions fail with ESME_RSYSERR.

    with TestSmsc(system_id="tongban", password="secret") as smsc:
        ...  # send to smsc.host:smsc.port
        smsc.messages[0].text
"""

from __future__ import annotations

import itertools
import socket
import socketserver
import struct
import threading
from dataclasses import dataclass, field
from typing import Any

BIND_RECEIVER = 0x00000001
BIND_TRANSMITTER = 0x00000002
SUBMIT_SM = 0x00000004
UNBIND = 0x00000006
BIND_TRANSCEIVER = 0x00000009
ENQUIRE_LINK = 0x00000015
GENERIC_NACK = 0x80000000
RESP = 0x80000000

ESME_ROK = 0x00
ESME_RINVCMDID = 0x03
ESME_RINVBNDSTS = 0x04
ESME_RSYSERR = 0x08
ESME_RBINDFAIL = 0x0D


@dataclass
class ReceivedSms:
    source: str
    destination: str
    text: str
    data_coding: int
    parts: int
    message_ids: list[str] = field(default_factory=list)


@dataclass
class _Partial:
    total: int
    chunks: dict[int, bytes] = field(default_factory=dict)
    message_ids: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def cstring(self) -> bytes:
        end = self.data.index(b"\x00", self.pos)
        value = self.data[self.pos : end]
        self.pos = end + 1
        return value

    def byte(self) -> int:
        value = self.data[self.pos]
        self.pos += 1
        return value

    def octets(self, n: int) -> bytes:
        value = self.data[self.pos : self.pos + n]
        self.pos += n
        return value


def _pdu(command_id: int, status: int, sequence: int, body: bytes = b"") -> bytes:
    return struct.pack(">LLLL", 16 + len(body), command_id, status, sequence) + body


def _decode(payload: bytes, data_coding: int) -> str:
    if data_coding == 0x08:
        return payload.decode("utf-16-be")
    return payload.decode("latin-1")


class TestSmsc:
    __test__ = False  # not a pytest test class

    def __init__(self, *, system_id: str = "tongban", password: str = "secret"):
        self.system_id = system_id
        self.password = password
        self.messages: list[ReceivedSms] = []
        self.submissions: list[dict[str, Any]] = []
        self.binds: list[tuple[str, bool]] = []
        self._fail_next = 0
        self._fail_status = ESME_RSYSERR
        self._partials: dict[tuple[str, str, int], _Partial] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        smsc = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                smsc._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------------
    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def settings(self) -> dict[str, Any]:
        """A TONGBAN_SMPP dict pointing at this SMS centre."""
        return {
            "HOST": self.host,
            "PORT": self.port,
            "SYSTEM_ID": self.system_id,
            "PASSWORD": self.password,
            "SOURCE_ADDR": "106900001234",
            "TIMEOUT": 5,
        }

    def fail_next(self, n: int, status: int = ESME_RSYSERR) -> None:
        with self._lock:
            self._fail_next = n
            self._fail_status = status

    def start(self) -> TestSmsc:
        self._thread = threading.Thread(target=self._server.serve_forever, name="test-smsc", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> TestSmsc:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- protocol --------------------------------------------------------------------------
    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        bound = False
        try:
            while True:
                header = self._recv(sock, 16)
                if header is None:
                    return
                length, command_id, _status, sequence = struct.unpack(">LLLL", header)
                body = self._recv(sock, length - 16) if length > 16 else b""
                if body is None:
                    return
                if command_id in (BIND_TRANSMITTER, BIND_TRANSCEIVER, BIND_RECEIVER):
                    r = _Reader(body)
                    system_id = r.cstring().decode("latin-1")
                    password = r.cstring().decode("latin-1")
                    ok = command_id != BIND_RECEIVER and (system_id, password) == (
                        self.system_id,
                        self.password,
                    )
                    with self._lock:
                        self.binds.append((system_id, ok))
                    if ok:
                        bound = True
                        sock.sendall(_pdu(command_id | RESP, ESME_ROK, sequence, b"TESTSMSC\x00"))
                    else:
                        sock.sendall(_pdu(command_id | RESP, ESME_RBINDFAIL, sequence))
                elif command_id == SUBMIT_SM:
                    if not bound:
                        sock.sendall(_pdu(SUBMIT_SM | RESP, ESME_RINVBNDSTS, sequence))
                        continue
                    status, message_id = self._submit(body)
                    reply = (message_id.encode("ascii") + b"\x00") if status == ESME_ROK else b""
                    sock.sendall(_pdu(SUBMIT_SM | RESP, status, sequence, reply))
                elif command_id == ENQUIRE_LINK:
                    sock.sendall(_pdu(ENQUIRE_LINK | RESP, ESME_ROK, sequence))
                elif command_id == UNBIND:
                    sock.sendall(_pdu(UNBIND | RESP, ESME_ROK, sequence))
                    return
                else:
                    sock.sendall(_pdu(GENERIC_NACK, ESME_RINVCMDID, sequence))
        except (OSError, ValueError, IndexError, struct.error):
            return

    @staticmethod
    def _recv(sock: socket.socket, n: int) -> bytes | None:
        chunks = b""
        while len(chunks) < n:
            part = sock.recv(n - len(chunks))
            if not part:
                return None
            chunks += part
        return chunks

    def _submit(self, body: bytes) -> tuple[int, str]:
        r = _Reader(body)
        r.cstring()  # service_type
        r.byte()
        r.byte()
        source = r.cstring().decode("latin-1")
        r.byte()
        r.byte()
        destination = r.cstring().decode("latin-1")
        esm_class = r.byte()
        r.byte()  # protocol_id
        r.byte()  # priority_flag
        r.cstring()  # schedule_delivery_time
        r.cstring()  # validity_period
        r.byte()  # registered_delivery
        r.byte()  # replace_if_present_flag
        data_coding = r.byte()
        r.byte()  # sm_default_msg_id
        sm_length = r.byte()
        short_message = r.octets(sm_length)
        with self._lock:
            self.submissions.append(
                {
                    "source": source,
                    "destination": destination,
                    "esm_class": esm_class,
                    "data_coding": data_coding,
                }
            )
            if self._fail_next > 0:
                self._fail_next -= 1
                return self._fail_status, ""
            message_id = f"M{next(self._ids):07d}"
            if esm_class & 0x40:  # UDHI: a user data header precedes the text
                udhl = short_message[0]
                udh, payload = short_message[1 : 1 + udhl], short_message[1 + udhl :]
                ref, total, seq = self._concat_info(udh)
                key = (source, destination, ref)
                partial = self._partials.setdefault(key, _Partial(total=total))
                partial.chunks[seq] = payload
                partial.message_ids.append(message_id)
                if len(partial.chunks) == partial.total:
                    del self._partials[key]
                    joined = b"".join(partial.chunks[i] for i in range(1, partial.total + 1))
                    self.messages.append(
                        ReceivedSms(
                            source,
                            destination,
                            _decode(joined, data_coding),
                            data_coding,
                            total,
                            partial.message_ids,
                        )
                    )
            else:
                self.messages.append(
                    ReceivedSms(
                        source, destination, _decode(short_message, data_coding), data_coding, 1, [message_id]
                    )
                )
            return ESME_ROK, message_id

    @staticmethod
    def _concat_info(udh: bytes) -> tuple[int, int, int]:
        pos = 0
        while pos < len(udh):
            iei, iel = udh[pos], udh[pos + 1]
            data = udh[pos + 2 : pos + 2 + iel]
            if iei == 0x00 and iel == 3:  # concatenated SMS, 8-bit reference
                return data[0], data[1], data[2]
            if iei == 0x08 and iel == 4:  # concatenated SMS, 16-bit reference
                return (data[0] << 8) | data[1], data[2], data[3]
            pos += 2 + iel
        raise ValueError("UDH without a concatenation element")
