"""Password hashing: argon2id with the OWASP minimum parameters (GB/T 22239-2019 8.1.4.8 b:
authentication data stored protected). m=19 MiB, t=2, p=1 keeps one check near 20 ms, so a login
stays well under the 50 ms target while each guess costs an attacker 19 MiB of memory."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class TongbanArgon2PasswordHasher(Argon2PasswordHasher):
    # Same algorithm name as Django's hasher: existing argon2 hashes verify, and hashes made with
    # other parameters are upgraded on the next successful login (must_update).
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
