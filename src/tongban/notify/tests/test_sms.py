"""SMS backends: real SMPP 3.4 sessions against the test SMS centre; file and console backends."""

from __future__ import annotations

import io
import json
import socket

import pytest

from tongban.notify import sms
from tongban.notify.tests.smsc import ESME_RBINDFAIL, ESME_RSYSERR, TestSmsc

SHORT = "【通办】您有一件公文待签发：县政府办公室关于国庆值班安排的通知。"
LONG = (
    "【通办】"
    + "县政府办公室关于做好2025年国庆节、中秋节期间值班工作的通知，请各单位认真落实，确保政令畅通。" * 3
)


def test_short_chinese_sms_goes_as_one_ucs2_part(smsc):
    message_id = sms.SmppSmsBackend().send("13800138000", SHORT)
    assert len(SHORT) <= 70
    (received,) = smsc.messages
    assert received.text == SHORT
    assert received.destination == "13800138000"
    assert received.source == "106900001234"
    assert received.data_coding == 0x08
    assert received.parts == 1
    assert message_id == received.message_ids[0]
    assert smsc.binds == [("tongban", True)]


def test_long_chinese_sms_is_split_with_udh_and_reassembled(smsc):
    assert len(LONG) > 70
    message_id = sms.SmppSmsBackend().send("+8613800138000", LONG)
    (received,) = smsc.messages
    assert received.text == LONG
    assert received.parts == (len(LONG) * 2 + 133) // 134  # 67 UCS2 characters per part
    assert received.parts >= 2
    assert message_id.split(",") == received.message_ids
    assert all(s["esm_class"] & 0x40 for s in smsc.submissions)  # UDHI set on every part
    assert received.destination == "8613800138000"


def test_wrong_password_is_a_bind_failure(smsc, settings):
    settings.TONGBAN_SMPP = {**smsc.settings(), "PASSWORD": "wrong"}
    with pytest.raises(sms.SmsError) as exc:
        sms.SmppSmsBackend().send("13800138000", SHORT)
    assert exc.value.status == ESME_RBINDFAIL
    assert smsc.messages == []
    assert smsc.binds == [("tongban", False)]


def test_smsc_system_error_is_reported_with_its_status(smsc):
    smsc.fail_next(1)
    with pytest.raises(sms.SmsError) as exc:
        sms.SmppSmsBackend().send("13800138000", SHORT)
    assert exc.value.status == ESME_RSYSERR
    assert "0x00000008" in str(exc.value)
    assert smsc.messages == []
    # The next one goes through.
    sms.SmppSmsBackend().send("13800138000", SHORT)
    assert len(smsc.messages) == 1


def test_unreachable_smsc_is_an_sms_error(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = sms.SmppSmsBackend(
        HOST="127.0.0.1", PORT=port, SYSTEM_ID="x", PASSWORD="y", SOURCE_ADDR="1", TIMEOUT=2
    )
    with pytest.raises(sms.SmsError) as exc:
        backend.send("13800138000", SHORT)
    assert "无法连接" in str(exc.value)


def test_bad_phone_number_is_refused_before_connecting(smsc):
    with pytest.raises(sms.SmsError):
        sms.SmppSmsBackend().send("not-a-phone", SHORT)
    assert smsc.binds == []


def test_bind_transceiver_is_accepted_by_the_test_centre():
    import smpplib.client

    with TestSmsc(system_id="esme", password="pw") as centre:
        client = smpplib.client.Client(centre.host, centre.port, timeout=5, allow_unknown_opt_params=True)
        client.connect()
        try:
            client.bind_transceiver(system_id="esme", password="pw")
            client.send_pdu(smpplib.smpp.make_pdu("enquire_link", client=client))
            assert client.read_pdu().command == "enquire_link_resp"
            client.unbind()
        finally:
            client.disconnect()
    assert centre.binds == [("esme", True)]


def test_file_backend_appends_json_lines(tmp_path, settings):
    settings.TONGBAN_SMS_FILE = tmp_path / "sub" / "sms.log"
    backend = sms.FileSmsBackend()
    first = backend.send("138 0013 8000", "第一条")
    second = backend.send("13800138001", "第二条")
    lines = [json.loads(x) for x in settings.TONGBAN_SMS_FILE.read_text(encoding="utf-8").splitlines()]
    assert [(x["id"], x["to"], x["text"]) for x in lines] == [
        (first, "13800138000", "第一条"),
        (second, "13800138001", "第二条"),
    ]


def test_console_backend_prints(settings):
    out = io.StringIO()
    message_id = sms.ConsoleSmsBackend(stream=out).send("13800138000", "你好")
    assert f"[SMS {message_id}] → 13800138000: 你好" in out.getvalue()


def test_get_backend_follows_the_setting(settings):
    settings.TONGBAN_SMS_BACKEND = "tongban.notify.sms.ConsoleSmsBackend"
    assert isinstance(sms.get_backend(), sms.ConsoleSmsBackend)
