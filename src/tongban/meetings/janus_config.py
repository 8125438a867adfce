"""A private Janus configuration folder rendered from ``deploy/janus/*.jcfg.in``.

Only the VideoRoom plugin and the HTTP transport are enabled (every other plugin, transport,
logger and event handler the package installed is listed under ``disable``, computed when the
folder is rendered), browsers authenticate with signed tokens, the Admin API needs its secret,
and the VideoRoom plugin has no static rooms: rooms are created by the platform with admin_key.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from string import Template

JANUS_LIB_DIR = Path("/usr/lib/x86_64-linux-gnu/janus")
TEMPLATE_DIR = Path(__file__).resolve().parents[3] / "deploy" / "janus"
ENABLED = {"plugins": "libjanus_videoroom.so", "transports": "libjanus_http.so"}
TEMPLATES = ("janus.jcfg", "janus.transport.http.jcfg", "janus.plugin.videoroom.jcfg")


def janus_binary() -> str | None:
    """The path of the ``janus`` executable, or None when Janus is not installed."""
    return shutil.which("janus")


def lib_dir() -> Path:
    """Janus's module folder (Debian's multiarch path; JANUS_LIB_DIR can be overridden)."""
    override = os.environ.get("TONGBAN_JANUS_LIB_DIR")
    return Path(override) if override else JANUS_LIB_DIR


def modules_to_disable(kind: str, folder: Path | None = None) -> list[str]:
    """Every ``*.so`` of one module kind (plugins, transports, loggers, events) except the one we use."""
    folder = folder or lib_dir() / kind
    keep = ENABLED.get(kind, "")
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".so") and p.name != keep)


def _quote(value: str) -> str:
    """A value for a libconfig string: no quotes, backslashes or newlines can break out of it."""
    if any(c in value for c in '"\\\n\r'):
        raise ValueError(f"invalid character in Janus config value: {value!r}")
    return value


def render_config(
    dest: Path,
    *,
    ip: str,
    http_port: int,
    admin_port: int,
    token_secret: str,
    admin_secret: str,
    room_admin_key: str,
    log_path: Path,
    recordings_dir: Path,
    admin_ip: str | None = None,
    rtp_port_range: str = "20000-40000",
    nat_1_1_mapping: str = "",
    debug_level: int = 4,
    cors_origin: str = "",
) -> Path:
    """Write janus.jcfg, the HTTP transport and the VideoRoom configs into ``dest``; return ``dest``.

    ``recordings_dir`` is created (the platform sets each room's rec_dir below it); the secrets
    must be non-empty. Files are written 0600 because they hold the secrets."""
    for name, secret in (
        ("token_secret", token_secret),
        ("admin_secret", admin_secret),
        ("room_admin_key", room_admin_key),
    ):
        if not secret:
            raise ValueError(f"Janus config: {name} must not be empty")
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    Path(recordings_dir).mkdir(parents=True, exist_ok=True)
    lib = lib_dir()
    nat_extra = f'\tnat_1_1_mapping = "{_quote(nat_1_1_mapping)}"\n' if nat_1_1_mapping else ""
    cors_extra = f'\tallow_origin = "{_quote(cors_origin)}"\n' if cors_origin else ""
    values = {
        "configs_folder": _quote(str(dest.resolve())),
        "plugins_folder": _quote(str(lib / "plugins")),
        "transports_folder": _quote(str(lib / "transports")),
        "events_folder": _quote(str(lib / "events")),
        "loggers_folder": _quote(str(lib / "loggers")),
        "log_path": _quote(str(log_path)),
        "debug_level": str(int(debug_level)),
        "token_secret": _quote(token_secret),
        "admin_secret": _quote(admin_secret),
        "room_admin_key": _quote(room_admin_key),
        "rtp_port_range": _quote(rtp_port_range),
        "nat_extra": nat_extra,
        "plugins_disable": ",".join(modules_to_disable("plugins")),
        "transports_disable": ",".join(modules_to_disable("transports")),
        "loggers_disable": ",".join(modules_to_disable("loggers")),
        "events_disable": ",".join(modules_to_disable("events")),
        "ip": _quote(ip),
        "http_port": str(int(http_port)),
        "admin_ip": _quote(admin_ip or ip),
        "admin_port": str(int(admin_port)),
        "cors_extra": cors_extra,
    }
    for name in TEMPLATES:
        text = Template((TEMPLATE_DIR / f"{name}.in").read_text(encoding="utf-8")).substitute(values)
        target = dest / name
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(target, 0o600)
    return dest


def janus_command(conf: Path, log_path: Path) -> list[str]:
    """The argv that runs Janus in the foreground on a rendered folder (no stdout logging)."""
    binary = janus_binary() or "janus"
    return [binary, "-F", str(conf), "-C", str(conf / "janus.jcfg"), "-L", str(log_path), "-N"]
