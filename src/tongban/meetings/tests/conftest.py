"""Fixtures for the meetings tests: a real Janus (signalling only, or with media in a network
namespace), a Chromium with a fake camera and microphone, and ``use_janus`` to point settings at
a running Janus.

The Janus fixtures are session-scoped (one Janus per test run each). They skip when the `janus`
binary is missing (`apt install janus`; .ci/run installs it) and, for media, when the tests do not
run as root (network namespaces)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tongban.meetings.janus_testing import (
    CHROMIUM_MEDIA_ARGS,
    JanusInstance,
    janus_available,
    netns_available,
    running_janus,
)

CHROMIUM = os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium")  # as in tongban/conftest.py
JANUS_MISSING = "Janus is not installed: run `apt-get install janus` (or .ci/run, which installs it)"


def _need_janus() -> None:
    if not janus_available():
        pytest.skip(JANUS_MISSING)


@pytest.fixture(scope="session")
def janus_signalling(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JanusInstance]:
    """Janus on 127.0.0.1 (HTTP API, rooms, tokens; no ICE)."""
    _need_janus()
    with running_janus(media=False, workdir=tmp_path_factory.mktemp("janus-sig")) as inst:
        yield inst


@pytest.fixture(scope="session")
def janus_media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JanusInstance]:
    """Janus in its own network namespace, reachable from host browsers at ``inst.host``."""
    _need_janus()
    if not netns_available():
        pytest.skip("Janus with media needs root and iproute2 (a network namespace and a veth pair)")
    with running_janus(media=True, workdir=tmp_path_factory.mktemp("janus-media")) as inst:
        yield inst


def use_janus(settings: Any, inst: JanusInstance) -> None:
    """Point Django settings (pytest-django's ``settings`` fixture) at a running Janus."""
    settings.TONGBAN_JANUS_URL = inst.url
    settings.TONGBAN_JANUS_PUBLIC_URL = inst.public_url
    settings.TONGBAN_JANUS_ADMIN_URL = inst.admin_url
    settings.TONGBAN_JANUS_ADMIN_SECRET = inst.admin_secret
    settings.TONGBAN_JANUS_TOKEN_SECRET = inst.token_secret
    settings.TONGBAN_JANUS_ROOM_ADMIN_KEY = inst.room_admin_key
    settings.TONGBAN_JANUS_RECORDINGS_DIR = inst.recordings_dir
    settings.TONGBAN_TURN_URLS = []


@pytest.fixture(scope="session")
def media_browser(browser: Any) -> Iterator[Any]:
    """A headless Chromium with a fake camera and microphone (give each page its own context:
    janus.js long-polls, and Chromium allows 6 connections per host per context).

    Launched from the session's Playwright (the root ``browser`` fixture's): a second sync
    Playwright in the same process fails every later browser test ("Sync API inside the asyncio
    loop")."""
    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_MEDIA_ARGS)
    yield b
    b.close()
