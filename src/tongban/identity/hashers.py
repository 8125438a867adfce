"""Password hashing: argon2id (GB/T 22239-2019 8.1.4.8 b: authentication data stored protected).

Parameters: m = 12 MiB, t = 3 — one of the OWASP Password Storage Cheat Sheet's equivalent minimum
configurations (alongside m = 19 MiB, t = 2) — computed in 2 lanes (p = 2) so both cores of the
county server work on one check. Measured on the 2-core reference machine (``make bench``):
m=19 MiB t=2 p=1 → p50 45 ms; m=12 MiB t=3 p=2 → p50 20 ms, p95 24 ms; Django's default
(m=100 MiB t=2 p=8) → p50 217 ms. The whole login (password + electronic key) must stay under
50 ms at p95."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class TongbanArgon2PasswordHasher(Argon2PasswordHasher):
    # Same algorithm name as Django's hasher: existing argon2 hashes verify, and hashes made with
    # other parameters are upgraded on the next successful login (must_update).
    time_cost = 3
    memory_cost = 12288  # KiB
    parallelism = 2
