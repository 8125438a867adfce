"""tongban.core.sessions: Django's session engines without the redundant existence check and the
read before a delete — still never sharing a key, still deleting."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.sessions.models import Session

from tongban.core.sessions import cache as cache_sessions
from tongban.core.sessions import db as db_sessions

pytestmark = pytest.mark.django_db


def test_db_create_draws_again_when_the_key_is_taken():
    first = db_sessions.SessionStore()
    first["who"] = "first"
    first.save()
    keys = iter([first.session_key, "k" * 32])
    with mock.patch.object(db_sessions, "get_random_string", lambda *a: next(keys)):
        second = db_sessions.SessionStore()
        second["who"] = "second"
        second.save()
    assert second.session_key == "k" * 32
    assert db_sessions.SessionStore(first.session_key).load() == {"who": "first"}
    assert db_sessions.SessionStore("k" * 32).load() == {"who": "second"}


def test_db_delete_and_cycle_key():
    store = db_sessions.SessionStore()
    store["x"] = 1
    store.save()
    old = store.session_key
    store.cycle_key()
    assert store.session_key != old
    assert not Session.objects.filter(session_key=old).exists()
    assert db_sessions.SessionStore(store.session_key).load() == {"x": 1}
    store.delete()
    store.delete("no-such-session-key")
    assert not Session.objects.exists()


def test_cache_create_draws_again_when_the_key_is_taken():
    first = cache_sessions.SessionStore()
    first["who"] = "first"
    first.save()
    keys = iter([first.session_key, "c" * 32])
    with mock.patch.object(cache_sessions, "get_random_string", lambda *a: next(keys)):
        second = cache_sessions.SessionStore()
        second["who"] = "second"
        second.save()
    assert second.session_key == "c" * 32
    assert cache_sessions.SessionStore(first.session_key).load() == {"who": "first"}
