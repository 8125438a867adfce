"""Prepare the load-test database (bench/load/run.sh calls it): migrate, the demo county, bulk
documents and cases, then give every generated staff member and every public account the load
test's password (one argon2 hash computed once and copied: the logins still verify argon2 at full
cost), and write the account lists locust reads (bench/load/accounts.json, not committed).

Environment: the platform's own (TONGBAN_DATABASE_URL …); LOAD_DOCUMENTS, LOAD_CASES (default
20000 each). Idempotent: a second run only resets the passwords and rewrites the lists."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402

from tongban.identity.models import PublicAccount, User  # noqa: E402
from tongban.orgs import demo  # noqa: E402

PASSWORD = "Load@2026test"


def main() -> None:
    call_command("migrate", "--no-input", verbosity=0)
    if not User.objects.filter(username="clerk").exists():
        call_command("seed_demo")
    call_command("seed_documents", int(os.environ.get("LOAD_DOCUMENTS", "20000")))
    call_command("seed_cases", int(os.environ.get("LOAD_CASES", "20000")))
    hashed = make_password(PASSWORD)
    demo_names = {a[1] for a in demo.DEMO_ACCOUNTS}
    staff = User.objects.filter(is_active=True, admin_role="").exclude(username__in=demo_names).order_by("pk")
    n_staff = staff.update(password=hashed)
    accounts = PublicAccount.objects.filter(is_active=True)
    n_public = accounts.update(password=make_password(PASSWORD))
    data = {
        "password": PASSWORD,
        "demo_password": demo.DEMO_PASSWORD,
        "staff": list(staff.values_list("username", flat=True)),
        "public": [a.credit_code or a.phone for a in accounts.only("credit_code", "phone").order_by("pk")],
    }
    (HERE / "accounts.json").write_text(json.dumps(data, ensure_ascii=False))
    print(f"staff with the load password: {n_staff}; public accounts: {n_public}")


if __name__ == "__main__":
    main()
