"""SMS backends: one interface, a file and a console backend for the demo, and SMPP 3.4.

A backend has one method, ``send(phone, text) -> provider message id``, and raises
:class:`SmsError` when the message was not accepted. ``settings.TONGBAN_SMS_BACKEND`` names the
class; :func:`get_backend` builds it."""

from __future__ import annotations

import contextlib
import json
import re
import sys
import threading
import uuid
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

_PHONE_RE = re.compile(r"^\+?[0-9]{5,20}$")


class SmsError(Exception):
    """The message was not accepted. ``status`` is the SMPP command status when there is one."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> str:
        """Send ``text`` to ``phone``; return the provider's message id or raise :class:`SmsError`."""
        ...


def normalize_phone(phone: str) -> str:
    cleaned = re.sub(r"[\s-]", "", phone or "")
    if not _PHONE_RE.match(cleaned):
        raise SmsError(f"手机号码格式不正确：{phone!r}")
    return cleaned


def get_backend() -> SmsBackend:
    backend_cls = import_string(settings.TONGBAN_SMS_BACKEND)
    backend: SmsBackend = backend_cls()
    return backend


class FileSmsBackend:
    """Demo backend: appends one JSON line per message to ``settings.TONGBAN_SMS_FILE``."""

    _lock = threading.Lock()

    def __init__(self, path: Any = None):
        self.path = path or settings.TONGBAN_SMS_FILE

    def send(self, phone: str, text: str) -> str:
        phone = normalize_phone(phone)
        message_id = uuid.uuid4().hex
        line = json.dumps(
            {"at": timezone.now().isoformat(), "id": message_id, "to": phone, "text": text},
            ensure_ascii=False,
        )
        path = Path(self.path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise SmsError(f"无法写入短信文件 {path}：{exc}") from exc
        return message_id


class ConsoleSmsBackend:
    """Development backend: prints each message to standard output."""

    def __init__(self, stream: Any = None):
        self.stream = stream

    def send(self, phone: str, text: str) -> str:
        phone = normalize_phone(phone)
        message_id = uuid.uuid4().hex
        stream = self.stream or sys.stdout
        stream.write(f"[SMS {message_id}] → {phone}: {text}\n")
        stream.flush()
        return message_id


class SmppSmsBackend:
    """SMPP 3.4 through smpplib: one session per message (bind_transmitter, submit_sm per part,
    unbind). Chinese text goes as UCS2 (data_coding 0x08); a message longer than one SMS (70
    characters) is split into concatenated parts with a user data header, which phones join."""

    def __init__(self, **overrides: Any):
        cfg: dict[str, Any] = {**settings.TONGBAN_SMPP, **overrides}
        self.host: str = cfg["HOST"]
        self.port = int(cfg["PORT"])
        self.system_id: str = cfg["SYSTEM_ID"]
        self.password: str = cfg["PASSWORD"]
        self.source_addr: str = cfg["SOURCE_ADDR"]
        self.timeout = float(cfg["TIMEOUT"])

    def send(self, phone: str, text: str) -> str:
        import smpplib.client
        import smpplib.consts
        import smpplib.exceptions
        import smpplib.gsm

        phone = normalize_phone(phone)
        if not text:
            raise SmsError("短信内容为空")
        try:
            parts, data_coding, esm_class = smpplib.gsm.make_parts(
                text, encoding=smpplib.consts.SMPP_ENCODING_ISO10646
            )
        except smpplib.exceptions.MessageTooLong as exc:
            raise SmsError("短信过长（超过 255 条）") from exc

        client = smpplib.client.Client(
            self.host,
            self.port,
            timeout=self.timeout,
            logger_name="tongban.notify.smpp",
            allow_unknown_opt_params=True,
        )
        message_ids: list[str] = []
        bound = False
        try:
            client.connect()
            client.bind_transmitter(system_id=self.system_id, password=self.password)
            bound = True
            for part in parts:
                pdu = client.send_message(
                    source_addr_ton=smpplib.consts.SMPP_TON_UNK,
                    source_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
                    source_addr=self.source_addr,
                    dest_addr_ton=(
                        smpplib.consts.SMPP_TON_INTL if phone.startswith("+") else smpplib.consts.SMPP_TON_UNK
                    ),
                    dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
                    destination_addr=phone.lstrip("+"),
                    short_message=part,
                    data_coding=data_coding,
                    esm_class=esm_class,
                    registered_delivery=0,
                )
                resp = self._await_response(client, pdu.sequence)
                message_ids.append(_text(resp.message_id))
        except smpplib.exceptions.PDUError as exc:
            status = exc.args[1] if len(exc.args) > 1 else None
            raise SmsError(f"短信中心拒绝：{exc.args[0]}", status=status) from exc
        except smpplib.exceptions.ConnectionError as exc:
            raise SmsError(f"无法连接短信中心 {self.host}:{self.port}（{exc or '连接中断'}）") from exc
        except TimeoutError as exc:
            raise SmsError(f"短信中心 {self.host}:{self.port} 响应超时") from exc
        except OSError as exc:
            raise SmsError(f"短信中心通信错误：{exc}") from exc
        finally:
            self._close(client, bound)
        return ",".join(message_ids)[:100]

    def _await_response(self, client: Any, sequence: int) -> Any:
        """Read PDUs until the submit_sm_resp for ``sequence``; answer enquire_link meanwhile."""
        import smpplib.consts
        import smpplib.smpp

        while True:
            resp = client.read_pdu()
            if resp.command == "enquire_link":
                reply = smpplib.smpp.make_pdu("enquire_link_resp", client=client, sequence=resp.sequence)
                client.send_pdu(reply)
                continue
            if resp.command == "generic_nack" or (
                resp.command == "submit_sm_resp" and resp.sequence == sequence
            ):
                if resp.is_error():
                    desc = smpplib.consts.DESCRIPTIONS.get(resp.status, "未知错误")
                    raise SmsError(
                        f"短信中心拒绝：{resp.command} 状态 0x{resp.status:08X} {desc}",
                        status=int(resp.status),
                    )
                return resp

    @staticmethod
    def _close(client: Any, bound: bool) -> None:
        import smpplib.exceptions

        if client._socket is None:
            return
        if bound:
            with contextlib.suppress(
                smpplib.exceptions.PDUError, smpplib.exceptions.ConnectionError, OSError
            ):
                client.unbind()
        client.disconnect()


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", errors="replace")
    return str(value or "")
