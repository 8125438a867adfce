"""Tongban settings: one module, configured by environment variables (see docs/configuration.md).

Embedded default: SQLite under var/, local-memory cache, database sessions, the database task
backend. Set TONGBAN_DATABASE_URL / TONGBAN_REDIS_URL to move to PostgreSQL / Redis.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the checkout
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("TONGBAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


TESTING = env_bool("TONGBAN_TESTING")
DEBUG = env_bool("TONGBAN_DEBUG", default=False)

SECRET_KEY = os.environ.get("TONGBAN_SECRET_KEY", "")
if not SECRET_KEY:
    # Embedded/demo and tests: a per-checkout key kept under var/ so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

# The audit chain's HMAC key (tongban.core.audit.chain_hash). Keep it out of the database and
# back it up with the database: without it the chain cannot be verified.
TONGBAN_AUDIT_KEY = os.environ.get("TONGBAN_AUDIT_KEY", "")
if not TONGBAN_AUDIT_KEY:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    audit_key_file = VAR_DIR / "audit_key"
    if not audit_key_file.exists():
        import secrets

        audit_key_file.write_text(secrets.token_urlsafe(48))
        audit_key_file.chmod(0o600)
    TONGBAN_AUDIT_KEY = audit_key_file.read_text().strip()

ALLOWED_HOSTS = [
    h for h in os.environ.get("TONGBAN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TONGBAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "ninja",
    "tongban.core",
    "tongban.identity",
    "tongban.orgs",
    "tongban.notify",
    "tongban.workflow",
    "tongban.search",
    "tongban.archive",
    "tongban.seals",
    "tongban.documents",
    "tongban.receiving",
    "tongban.notices",
    "tongban.approvals",
    "tongban.supervision",
    "tongban.interaction",
    "tongban.meetings",
    "tongban.portal",
    "tongban.stats",
    "tongban.library",
    "tongban.netmon",
    "tongban.exchange",
    # Wagtail (the portal CMS) and what it needs
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tongban.core.cache_headers.CacheHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tongban.identity.api_auth.ApiRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tongban.identity.middleware.SecurityPolicyMiddleware",
    "tongban.identity.public.PublicAccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongban.core.context_processors.shell",
                "tongban.identity.public.context",
                "tongban.portal.context.portal",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
_default_db_url = f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}"
if TESTING:
    _db_url = os.environ.get("TONGBAN_TEST_DATABASE_URL") or "sqlite:///:memory:"
else:
    _db_url = os.environ.get("TONGBAN_DATABASE_URL") or _default_db_url
DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=0 if TESTING else 60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server, the worker and the scheduler read while one writes;
        # IMMEDIATE transactions take the write lock up front instead of failing mid-way.
        # recursive_triggers: INSERT OR REPLACE fires the audit log's delete trigger too.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
            "PRAGMA recursive_triggers=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if os.environ.get("TONGBAN_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TONGBAN_TEST_DB_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and sessions ---------------------------------------------------------------------
REDIS_URL = os.environ.get("TONGBAN_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "tongban.core.sessions.cache"  # Django's, minus a redundant round trip
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "tongban.core.sessions.db"  # Django's, minus redundant queries
# Idle timeout (GB/T 22239-2019 8.1.4.1 d): identity.middleware.SecurityPolicyMiddleware keeps an
# idle deadline in the session from the security policy (SecurityPolicy.idle_minutes), checks it on
# every request and rewrites the session only when the deadline moves by a minute or more — so
# Django need not save every session on every request. The cookie is a browser-session cookie;
# SESSION_COOKIE_AGE is only the longest a stored session row can live (a working day).
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Behind nginx terminating TLS: trust its X-Forwarded-Proto so request.is_secure() is true (the
# WebAuthn origin is https://…, redirects stay on https), and send HSTS.
if env_bool("TONGBAN_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("TONGBAN_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TONGBAN_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("TONGBAN_HSTS_PRELOAD", default=False)
# nginx already redirects http → https; this is the application's own guard behind it. /healthz
# stays reachable over plain http on loopback for monitoring.
SECURE_SSL_REDIRECT = env_bool("TONGBAN_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("TONGBAN_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- identity -------------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "identity:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    # argon2id with OWASP parameters (m=19 MiB, t=2, p=1); same "argon2" algorithm name as Django's.
    "tongban.identity.hashers.TongbanArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING and env_bool("TONGBAN_FAST_HASHER", default=True):
    # Tests create thousands of users; the argon2 path is tested explicitly in identity tests.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "tongban.identity.passwords.PolicyPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes: 5 failures lock the account (GB/T 22239-2019 8.1.4.1 b); the cool-off is set by
# the security administrator in the security policy (identity.SecurityPolicy.lockout_minutes).
AXES_FAILURE_LIMIT = env_int("TONGBAN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = "tongban.identity.lockout.cooloff_time"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_CALLABLE = "tongban.identity.lockout.lockout_response"
# The database handler, minus the reset queries at a login with no failures to reset.
AXES_HANDLER = "tongban.identity.lockout.AxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Successful logins are recorded in the hash-chained audit log; axes need not keep a second copy.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"
# Trusted reverse proxies in front (nginx = 1): the audit log and the lockout take the client's
# address from X-Forwarded-For accordingly (tongban.core.audit.client_ip).
TONGBAN_PROXY_COUNT = env_int("TONGBAN_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "tongban.core.audit.client_ip"
# Lockout is per account by design (8.1.4.1 b locks the account, not the address); axes.W006 asks for IPs.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# WebAuthn (the county's 电子钥匙). RP ID is the host name staff type; origins are checked.
WEBAUTHN_RP_ID = os.environ.get("TONGBAN_WEBAUTHN_RP_ID", "localhost")
WEBAUTHN_RP_NAME = os.environ.get("TONGBAN_WEBAUTHN_RP_NAME", "通办 Tongban")
WEBAUTHN_ORIGINS = [o for o in os.environ.get("TONGBAN_WEBAUTHN_ORIGINS", "").split(",") if o]

# --- background work ------------------------------------------------------------------------
if TESTING and not env_bool("TONGBAN_TEST_DB_TASKS"):
    TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "notify"],
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notify"]}}

# --- notifications --------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "TONGBAN_EMAIL_BACKEND",
    "django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("TONGBAN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TONGBAN_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("TONGBAN_FROM_EMAIL", "tongban@localhost")
# The county approval office (its short name): its 事项管理员 publish the service catalogue.
TONGBAN_APPROVAL_OFFICE = os.environ.get("TONGBAN_APPROVAL_OFFICE", "行政审批局")
TONGBAN_SMS_BACKEND = os.environ.get("TONGBAN_SMS_BACKEND", "tongban.notify.sms.FileSmsBackend")
TONGBAN_SMS_FILE = VAR_DIR / "sms.log"
TONGBAN_SMS_SIGNATURE = os.environ.get("TONGBAN_SMS_SIGNATURE", "通办")  # 【签名】 carriers require
# Links in e-mails are made absolute with this (the address staff type in the browser).
TONGBAN_BASE_URL = os.environ.get("TONGBAN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
TONGBAN_SMPP = {
    "HOST": os.environ.get("TONGBAN_SMPP_HOST", "127.0.0.1"),
    "PORT": env_int("TONGBAN_SMPP_PORT", 2775),
    "SYSTEM_ID": os.environ.get("TONGBAN_SMPP_SYSTEM_ID", "tongban"),
    "PASSWORD": os.environ.get("TONGBAN_SMPP_PASSWORD", ""),
    "SOURCE_ADDR": os.environ.get("TONGBAN_SMPP_SOURCE_ADDR", "106900000000"),
    "TIMEOUT": env_int("TONGBAN_SMPP_TIMEOUT", 10),
}

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Folders under MEDIA_ROOT that anyone may fetch at /media/<folder>/… (see tongban/urls.py).
TONGBAN_PUBLIC_MEDIA_DIRS = ("images", "original_images", "interviews", "surveys")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- the county -----------------------------------------------------------------------------
TONGBAN_SITE_NAME = os.environ.get("TONGBAN_SITE_NAME", _("通办 · 县电子政务平台"))
# /healthz reports the worker / scheduler as down when their heartbeat is older than this.
TONGBAN_HEARTBEAT_STALE_SECONDS = env_int("TONGBAN_HEARTBEAT_STALE_SECONDS", 180)
# The scheduler leader renews its database lease every RENEW seconds; a standby takes over once
# the lease (LEASE seconds) runs out.
TONGBAN_SCHEDULER_RENEW_SECONDS = env_int("TONGBAN_SCHEDULER_RENEW_SECONDS", 15)
TONGBAN_SCHEDULER_LEASE_SECONDS = env_int("TONGBAN_SCHEDULER_LEASE_SECONDS", 45)
# Each process re-reads the working-day calendar's version stamp at most this often (seconds).
TONGBAN_CALENDAR_RECHECK_SECONDS = env_int("TONGBAN_CALENDAR_RECHECK_SECONDS", 5)
# Audit log retention (GB/T 22239-2019 8.1.4.3 d: kept at least six months, protected against
# deletion and alteration). The application never deletes audit records: database triggers
# (core migration 0003) refuse UPDATE and DELETE on core_auditrecord, so every record is kept at
# least this long — in practice for ever; archiving older records is a DBA task done with
# `manage.py audit_verify` first. The floor of 180 days cannot be lowered by configuration.
TONGBAN_AUDIT_RETENTION_DAYS = max(180, env_int("TONGBAN_AUDIT_RETENTION_DAYS", 365))

# --- the portal (Wagtail) ------------------------------------------------------------------
# The public site is served under /portal/ (nginx maps the portal's own host name to it); the
# Wagtail editing interface is at /cms/ and uses the platform's staff login.
WAGTAIL_SITE_NAME = os.environ.get("TONGBAN_PORTAL_NAME", "县人民政府门户网站")
WAGTAILADMIN_BASE_URL = TONGBAN_BASE_URL
WAGTAILADMIN_LOGIN_URL = "identity:login"
WAGTAIL_FRONTEND_LOGIN_URL = "identity:login"
WAGTAIL_ENABLE_UPDATE_CHECK = False  # offline: never phone home
# Accounts, passwords and e-mail addresses are the platform's (identity, 三员): never changed in Wagtail.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_I18N_ENABLED = False
WAGTAIL_ALLOW_UNICODE_SLUGS = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ofd", "wps", "zip", "txt", "csv"]
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILEMBEDS_FINDERS: list[dict[str, str]] = []  # no oEmbed lookups over the internet
# Published portal pages are cached for anonymous visitors; a publish bumps the generation.
TONGBAN_PORTAL_CACHE_SECONDS = env_int("TONGBAN_PORTAL_CACHE_SECONDS", 600)
# Leader mailbox answer limits in working days by letter type (rules.md §7, local rule).
TONGBAN_LETTER_LIMITS = {"consult": 3, "complaint": 13, "suggestion": 13, "help": 5}
# The unit whose staff run the leader mailbox (routing, review, publication).
TONGBAN_MAILBOX_OFFICE = os.environ.get("TONGBAN_MAILBOX_OFFICE", "政府办")
# The unit whose disclosure officers see and act on every disclosure request of the county.
TONGBAN_DISCLOSURE_OFFICE = os.environ.get("TONGBAN_DISCLOSURE_OFFICE", TONGBAN_MAILBOX_OFFICE)


# --- video meetings (Janus VideoRoom + coturn; docs/meetings.md) --------------------------------
# TONGBAN_JANUS_URL is Janus's HTTP API as the server reaches it; empty means video is not
# configured (meetings still work, the page says why). The embedded shape (`make demo`) starts
# Janus on 127.0.0.1:8088 from deploy/janus/ when the `janus` binary is installed.
def _default_janus_url() -> str:
    import shutil

    if TESTING or not shutil.which("janus"):
        return ""
    return "http://127.0.0.1:8088/janus"


TONGBAN_JANUS_URL = os.environ.get("TONGBAN_JANUS_URL", _default_janus_url()).rstrip("/")
# The address browsers use for the same API (behind nginx in production: https://<host>/janus).
TONGBAN_JANUS_PUBLIC_URL = os.environ.get("TONGBAN_JANUS_PUBLIC_URL", TONGBAN_JANUS_URL).rstrip("/")
TONGBAN_JANUS_ADMIN_URL = os.environ.get(
    "TONGBAN_JANUS_ADMIN_URL",
    "http://127.0.0.1:7088/admin" if TONGBAN_JANUS_URL == "http://127.0.0.1:8088/janus" else "",
).rstrip("/")
TONGBAN_JANUS_ADMIN_SECRET = os.environ.get("TONGBAN_JANUS_ADMIN_SECRET", "")
# Janus's token_auth_secret: tokens signed with it are bound to the videoroom plugin and expire
# when the meeting ends. Generated under var/ for the embedded shape, like the audit key.
TONGBAN_JANUS_TOKEN_SECRET = os.environ.get("TONGBAN_JANUS_TOKEN_SECRET", "")


def _var_secret(name: str) -> str:
    """A secret generated once under var/janus/ (the embedded shape; production sets the variable)."""
    import secrets

    folder = VAR_DIR / "janus"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


if not TONGBAN_JANUS_TOKEN_SECRET and TONGBAN_JANUS_URL:
    TONGBAN_JANUS_TOKEN_SECRET = _var_secret("token_secret")
# The VideoRoom plugin's admin_key: only the server may create rooms.
TONGBAN_JANUS_ROOM_ADMIN_KEY = os.environ.get("TONGBAN_JANUS_ROOM_ADMIN_KEY", "")
if not TONGBAN_JANUS_ROOM_ADMIN_KEY and TONGBAN_JANUS_URL:
    TONGBAN_JANUS_ROOM_ADMIN_KEY = _var_secret("room_admin_key")
if not TONGBAN_JANUS_ADMIN_SECRET and TONGBAN_JANUS_URL:
    TONGBAN_JANUS_ADMIN_SECRET = _var_secret("admin_secret")
# Where Janus writes recordings (.mjr); the converter reads them from here (same host or shared).
TONGBAN_JANUS_RECORDINGS_DIR = Path(
    os.environ.get("TONGBAN_JANUS_RECORDINGS_DIR", VAR_DIR / "janus" / "recordings")
)
# TURN (coturn, REST-API credentials from a shared secret): "turn:host:3478" entries, comma-separated.
TONGBAN_TURN_URLS = [u for u in os.environ.get("TONGBAN_TURN_URLS", "").split(",") if u]
TONGBAN_TURN_SECRET = os.environ.get("TONGBAN_TURN_SECRET", "")
if not TONGBAN_TURN_SECRET and TONGBAN_JANUS_URL and not os.environ.get("TONGBAN_TURN_URLS"):
    import shutil as _shutil

    if _shutil.which("turnserver"):  # the embedded shape runs coturn on loopback beside Janus
        TONGBAN_TURN_URLS = ["turn:127.0.0.1:3478?transport=udp"]
        TONGBAN_TURN_SECRET = _var_secret("turn_secret")
# Sites on screen at once in the participants' grid (the county hall and 10 townships).
TONGBAN_VIDEO_GRID_SITES = env_int("TONGBAN_VIDEO_GRID_SITES", 11)
# A room is created this many minutes before the start; tokens expire this long after the end.
TONGBAN_MEETING_ROOM_LEAD_MINUTES = env_int("TONGBAN_MEETING_ROOM_LEAD_MINUTES", 30)
TONGBAN_MEETING_TOKEN_GRACE_MINUTES = env_int("TONGBAN_MEETING_TOKEN_GRACE_MINUTES", 30)
TONGBAN_MEETING_MATERIAL_MAX_MB = env_int("TONGBAN_MEETING_MATERIAL_MAX_MB", 50)

# --- open API and data exchange (docs/exchange.md) ---------------------------------------------
# Rate limits, requests per minute (0 = no limit). A token's own ApiToken.rate_per_minute overrides
# the token default. The test suite runs unlimited (the exchange tests set their own limits).
TONGBAN_API_RATE_PER_MINUTE = env_int("TONGBAN_API_RATE_PER_MINUTE", 0 if TESTING else 120)  # per token
TONGBAN_API_SESSION_RATE_PER_MINUTE = env_int(
    "TONGBAN_API_SESSION_RATE_PER_MINUTE", 0 if TESTING else 1200
)  # per logged-in user
TONGBAN_API_ANON_RATE_PER_MINUTE = env_int(
    "TONGBAN_API_ANON_RATE_PER_MINUTE", 0 if TESTING else 300
)  # per address
# Data exchange: wait after the n-th failed push = base × 2^(n−1) seconds (capped at 1 h).
TONGBAN_EXCHANGE_RETRY_SECONDS = env_int("TONGBAN_EXCHANGE_RETRY_SECONDS", 60)

# --- site monitoring (docs/netmon.md) -----------------------------------------------------------
# Networks probes may target, comma-separated CIDRs ("10.0.0.0/8,172.16.0.0/12"); empty = any host.
# Tests pin it to loopback so nothing a test (or Schemathesis) submits can make the server probe a
# host outside this machine.
TONGBAN_NETMON_ALLOWED_NETWORKS = [
    n.strip()
    for n in os.environ.get(
        "TONGBAN_NETMON_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128" if TESTING else ""
    ).split(",")
    if n.strip()
]
TONGBAN_NETMON_RAW_DAYS = env_int("TONGBAN_NETMON_RAW_DAYS", 14)  # raw probe results kept; roll-ups longer

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TONGBAN_LOG_LEVEL", "INFO")},
    "loggers": {
        # Routine scheduler ticks and task state changes stay out of the console; failures still show.
        "axes": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        # SpiffWorkflow logs every task state change at INFO ("spiff.task …", "spiff.workflow …")
        "spiff": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
