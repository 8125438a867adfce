"""Production configuration (docs/deploy.md): ``manage.py check --deploy`` is clean under the
environment of deploy/tongban.env.example — run for real in a subprocess, so the settings module
reads that environment — and the cache-control middleware never lets a shared cache (nginx's
portal micro-cache) keep a personal response."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from tongban.core import cache_headers
from tongban.identity.models import User

ROOT = Path(settings.BASE_DIR)
ENV_EXAMPLE = ROOT / "deploy" / "tongban.env.example"


def _env_file() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        values[key] = value.strip('"')
    return values


def _check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TONGBAN_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    base.update(env)
    base.update(
        TONGBAN_DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}",
        TONGBAN_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(ROOT / "src"),
    )
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=base,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_env_example_lists_the_production_settings() -> None:
    env = _env_file()
    for name in (
        "TONGBAN_SECRET_KEY",
        "TONGBAN_AUDIT_KEY",
        "TONGBAN_SEAL_KEY",
        "TONGBAN_DATABASE_URL",
        "TONGBAN_REDIS_URL",
        "TONGBAN_ALLOWED_HOSTS",
        "TONGBAN_CSRF_TRUSTED_ORIGINS",
        "TONGBAN_TLS_PROXY",
        "TONGBAN_PROXY_COUNT",
        "TONGBAN_SECURE_COOKIES",
        "TONGBAN_HSTS_SECONDS",
        "TONGBAN_SSL_REDIRECT",
        "TONGBAN_WEBAUTHN_RP_ID",
        "TONGBAN_JANUS_URL",
        "TONGBAN_JANUS_PUBLIC_URL",
        "TONGBAN_TURN_SECRET",
        "TONGBAN_VAR_DIR",
    ):
        assert env.get(name), name
    assert env["TONGBAN_DEBUG"] == "0"


def test_check_deploy_is_clean_with_the_production_environment(tmp_path: Path) -> None:
    done = _check(_env_file(), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_fails_without_https_settings(tmp_path: Path) -> None:
    """The same check is real: without the HTTPS settings it reports them (and exits non-zero)."""
    env = _env_file()
    for name in ("TONGBAN_SECURE_COOKIES", "TONGBAN_HSTS_SECONDS", "TONGBAN_SSL_REDIRECT"):
        env.pop(name)
    done = _check(env, tmp_path)
    assert done.returncode != 0
    out = done.stdout + done.stderr
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in out, code


# --- Cache-Control (tongban.core.cache_headers) -------------------------------------------------


def _view(**headers: str) -> Any:
    def view(request: Any) -> HttpResponse:
        response = HttpResponse("x")
        for k, v in headers.items():
            response[k.replace("_", "-")] = v
        return response

    return view


def _through(request: Any, response: HttpResponse) -> HttpResponse:
    middleware = cache_headers.CacheHeadersMiddleware(lambda r: response)
    return middleware(request)  # type: ignore[return-value]


def test_response_without_cache_control_is_private() -> None:
    request = RequestFactory().get("/")
    response = _through(request, HttpResponse("x"))
    assert response["Cache-Control"] == "private, no-store"


def test_explicit_public_answer_to_an_anonymous_request_is_kept() -> None:
    request = RequestFactory().get("/portal/")
    response = HttpResponse("x")
    response["Cache-Control"] = "public, max-age=60"
    assert _through(request, response)["Cache-Control"] == "public, max-age=60"


def test_public_answer_that_sets_a_cookie_becomes_private() -> None:
    request = RequestFactory().get("/portal/")
    response = HttpResponse("x")
    response["Cache-Control"] = "public, max-age=60"
    response.set_cookie("tb_large_text", "1")
    assert _through(request, response)["Cache-Control"] == "private, no-store"


def test_public_answer_with_a_csrf_token_becomes_private() -> None:
    request = RequestFactory().get("/portal/")
    request.META["CSRF_COOKIE_USED"] = True
    response = HttpResponse("x")
    response["Cache-Control"] = "public, max-age=60"
    assert _through(request, response)["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_public_answer_to_a_logged_in_user_becomes_private() -> None:
    user = User.objects.create_user(username="p_cache", password="x", full_name="缓存")
    request = RequestFactory().get("/portal/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abc")
    request.user = user
    response = HttpResponse("x")
    response["Cache-Control"] = "public, max-age=60"
    assert _through(request, response)["Cache-Control"] == "private, no-store"


def test_other_explicit_choices_are_kept() -> None:
    request = RequestFactory().get("/")
    response = HttpResponse("x")
    response["Cache-Control"] = "no-cache"
    assert _through(request, response)["Cache-Control"] == "no-cache"


@pytest.mark.django_db
def test_pages_through_the_whole_stack() -> None:
    """The middleware is registered: a form page (CSRF token) and a staff page are private."""
    assert "tongban.core.cache_headers.CacheHeadersMiddleware" in settings.MIDDLEWARE
    client = Client()
    login = client.get("/account/login/")
    assert login.status_code == 200
    assert login["Cache-Control"] == "private, no-store"
    User.objects.create_user(username="p_cache2", password="x", full_name="缓存")
    client.force_login(User.objects.get(username="p_cache2"))
    page = client.get("/")
    assert page["Cache-Control"] == "private, no-store"
