"""The offline anti-spam of the public forms: the rate limit per client address and the signed
sum challenge (right answer once, wrong answer, tampered or expired token, the form mixin)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core import signing
from django.core.cache import cache
from django.test import RequestFactory

from tongban.core.errors import TongbanError
from tongban.interaction import antispam


@pytest.fixture(autouse=True)
def _clear() -> Any:
    cache.clear()
    yield
    cache.clear()


def _req(ip: str) -> Any:
    return RequestFactory().post("/", REMOTE_ADDR=ip)


def test_rate_limit_counts_per_scope_and_address() -> None:
    for _i in range(3):
        antispam.rate_limit(_req("10.0.0.1"), "letter", limit=3, window=60)
    with pytest.raises(TongbanError) as e:
        antispam.rate_limit(_req("10.0.0.1"), "letter", limit=3, window=60)
    assert e.value.code == "interaction.rate_limited"
    antispam.rate_limit(_req("10.0.0.2"), "letter", limit=3, window=60)  # another address
    antispam.rate_limit(_req("10.0.0.1"), "survey", limit=3, window=60)  # another scope


def test_client_key_does_not_store_the_address() -> None:
    key = antispam.client_key(_req("192.168.1.20"))
    assert "192.168" not in key and len(key) == 32
    assert key == antispam.client_key(_req("192.168.1.20")) != antispam.client_key(_req("192.168.1.21"))


def test_challenge_right_answer_works_once() -> None:
    ch = antispam.new_challenge()
    a, b = (int(x) for x in ch.question.replace("= ?", "").split("+"))
    antispam.check_challenge(ch.token, f" {a + b} ")
    with pytest.raises(TongbanError) as e:
        antispam.check_challenge(ch.token, a + b)
    assert e.value.code == "interaction.challenge" and "已使用" in str(e.value)


def test_challenge_wrong_answer_tampered_and_expired() -> None:
    ch = antispam.new_challenge()
    answer = signing.loads(ch.token, salt=antispam.CHALLENGE_SALT)["a"]
    for wrong in (answer + 1, "abc", None, ""):
        with pytest.raises(TongbanError):
            antispam.check_challenge(ch.token, wrong)
    with pytest.raises(TongbanError) as e:
        antispam.check_challenge(ch.token[:-2] + "xx", answer)
    assert "过期" in str(e.value)
    forged = signing.dumps({"a": 1, "n": "x"}, salt="another")
    with pytest.raises(TongbanError):
        antispam.check_challenge(forged, 1)
    # a token older than 30 minutes is refused
    import time

    real = time.time
    try:
        time.time = lambda: real() + antispam.CHALLENGE_MAX_AGE + 5  # type: ignore[assignment]
        with pytest.raises(TongbanError):
            antispam.check_challenge(ch.token, answer)
    finally:
        time.time = real  # type: ignore[assignment]


class _Form(antispam.ChallengeFormMixin, forms.Form):
    text = forms.CharField()


def test_form_mixin_checks_and_renews_the_question() -> None:
    blank = _Form()
    token = blank.initial["challenge_token"]
    answer = signing.loads(token, salt=antispam.CHALLENGE_SALT)["a"]
    bad = _Form({"text": "hi", "challenge": str(answer + 1), "challenge_token": token})
    assert not bad.is_valid() and "challenge" in bad.errors
    assert bad.data["challenge_token"] != token and bad.data["challenge"] == ""
    good = _Form({"text": "hi", "challenge": str(answer), "challenge_token": token})
    assert good.is_valid()
    again = _Form({"text": "hi", "challenge": str(answer), "challenge_token": token})
    assert not again.is_valid()  # spent
