"""Login server time: password (the real argon2id hasher, m=12 MiB t=3 p=2) + electronic key
(WebAuthn assertion from a software EC P-256 credential), through the Django test client.

Timed per login: POST /account/login/ (password check, axes, session), POST the key options and
POST the signed assertion (verification, sign count, django login, audit records). The software
authenticator's signing happens in between and is not counted. Target: p95 < 50 ms.

Run: python bench/bench_login.py (throwaway SQLite file)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TMP = Path(tempfile.mkdtemp(prefix="tb-bench-login-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
os.environ["TONGBAN_TESTING"] = "1"
os.environ["TONGBAN_FAST_HASHER"] = "0"  # the production argon2 hasher, not the tests' MD5
os.environ["TONGBAN_VAR_DIR"] = str(TMP)
# BENCH_DATABASE_URL=postgres://… (and TONGBAN_REDIS_URL) measures the county deployment shape.
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["TONGBAN_TEST_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ["TONGBAN_TEST_DB_NAME"] = "test_tb_bench_login"
else:
    os.environ["TONGBAN_TEST_DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
    os.environ["TONGBAN_TEST_DB_NAME"] = str(TMP / "bench-test.sqlite3")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ITERATIONS = 200
PASSWORD = "Bench-Passw0rd!"


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(label: str, samples: list[float]) -> None:
    print(
        f"{label}: n={len(samples)} p50={pct(samples, 50):.1f} ms p95={pct(samples, 95):.1f} ms "
        f"mean={statistics.fmean(samples):.1f} ms"
    )


def settings_engine() -> str:
    from django.conf import settings

    return settings.SESSION_ENGINE.rsplit(".", 1)[-1]


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"database: {connection.vendor}; sessions: {settings_engine()}")

    from django.conf import settings
    from django.contrib.auth.hashers import check_password
    from django.test import Client

    from tongban.identity import services
    from tongban.identity.testing import SoftAuthenticator

    assert settings.PASSWORD_HASHERS[0] == "tongban.identity.hashers.TongbanArgon2PasswordHasher"
    user = services.user_create(actor=None, username="bench", full_name="测试用户", password=PASSWORD)
    assert user.password.startswith("argon2$argon2id$v=19$m=12288,t=3,p=2$"), user.password[:40]

    client = Client(HTTP_HOST="localhost")
    authenticator = SoftAuthenticator()
    client.force_login(user)
    options = client.post("/account/keys/options/", content_type="application/json").json()["options"]
    verified = client.post(
        "/account/keys/verify/",
        {"name": "bench", "credential": authenticator.register(options)},
        content_type="application/json",
    ).json()
    assert verified["ok"], verified
    client.logout()

    password_only: list[float] = []
    for _ in range(ITERATIONS):
        started = time.perf_counter()
        ok = check_password(PASSWORD, user.password)
        password_only.append((time.perf_counter() - started) * 1000)
        assert ok

    total: list[float] = []
    key_part: list[float] = []
    steps: dict[str, list[float]] = {"password": [], "options": [], "verify": []}
    for _ in range(ITERATIONS):
        t0 = time.perf_counter()
        response = client.post("/account/login/", {"username": "bench", "password": PASSWORD})
        t1 = time.perf_counter()
        assert response.status_code == 302 and response["Location"] == "/account/login/key/", response
        options = client.post(
            "/account/login/key/options/", content_type="application/json", HTTP_ACCEPT="application/json"
        ).json()["options"]
        t2 = time.perf_counter()
        assertion = authenticator.assert_(options)  # the key's work, not the server's
        t3 = time.perf_counter()
        result = client.post(
            "/account/login/key/verify/",
            {"credential": assertion},
            content_type="application/json",
            HTTP_ACCEPT="application/json",
        ).json()
        t4 = time.perf_counter()
        assert result["ok"], result
        total.append(((t1 - t0) + (t2 - t1) + (t4 - t3)) * 1000)
        key_part.append(((t2 - t1) + (t4 - t3)) * 1000)
        steps["password"].append((t1 - t0) * 1000)
        steps["options"].append((t2 - t1) * 1000)
        steps["verify"].append((t4 - t3) * 1000)
        client.logout()

    report("argon2 password check", password_only)
    report("  POST /account/login/ (password)", steps["password"])
    report("  POST /account/login/key/options/", steps["options"])
    report("  POST /account/login/key/verify/", steps["verify"])
    report("key options + assertion verify (HTTP)", key_part)
    report("login server time, password + key (HTTP)", total)
    print(f"target p95 < 50 ms: {'met' if pct(total, 95) < 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
