"""nginx in front of the workers: install it, render its configuration, run and reload it.

The templates live in ``deploy/nginx/`` (``{{NAME}}`` fields, since ``$`` is nginx's own).
Why nginx: it terminates TLS, upgrades websockets, serves the built files with the right cache
lifetimes without waking a Python worker, spreads customers over the workers and skips one
that is restarting. It is Debian's ``nginx`` package, installed here when missing (as root).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from chat_widget.settings import PROJECT_ROOT, environ

TEMPLATES = PROJECT_ROOT / "deploy" / "nginx"
_FIELD = re.compile(r"\{\{([A-Z_]+)\}\}")


class NginxError(RuntimeError):
    """nginx is missing and cannot be installed, or refuses its configuration."""


def binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def ensure_installed() -> str:
    """The nginx binary; installs Debian's package first when it is missing and we are root."""
    found = binary()
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise NginxError(
            "nginx is not installed: run `apt-get install nginx` as root (or start scripts/serve "
            "as root once: it installs it)"
        )
    env = {**environ(), "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, capture_output=True)
        subprocess.run(install, env=env, check=True, capture_output=True)
    found = binary()
    if not found:
        raise NginxError("apt-get installed nginx but no nginx binary was found")
    return found


def version(nginx: str) -> tuple[int, int, int]:
    out = subprocess.run([nginx, "-v"], capture_output=True, text=True)
    match = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out.stderr + out.stdout)
    if not match:
        raise NginxError(f"cannot read nginx's version from {out.stderr!r}")
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


def render(template: str, fields: dict[str, str]) -> str:
    """Fill ``{{NAME}}`` fields; a field without a value is an error, never an empty line."""
    missing = sorted(set(_FIELD.findall(template)) - fields.keys())
    if missing:
        raise NginxError(f"no value for template fields {missing}")
    return _FIELD.sub(lambda m: fields[m.group(1)], template)


@dataclass(frozen=True)
class Site:
    """What the site configuration needs to know."""

    server_name: str
    listen: str
    https_port: int
    http_port: int | None
    public_origin: str
    tls_cert: Path
    tls_key: Path
    static_root: Path
    upstreams_file: Path
    access_log: str
    max_body_bytes: int
    nginx_version: tuple[int, int, int] = (1, 22, 0)


def _listen(site: Site) -> str:
    address = f"[{site.listen}]" if ":" in site.listen else site.listen
    # `http2 on` replaced the listen parameter in 1.25.1.
    if site.nginx_version >= (1, 25, 1):
        return f"listen {address}:{site.https_port} ssl;\n    http2 on;"
    return f"listen {address}:{site.https_port} ssl http2;"


def _redirect(site: Site) -> str:
    if not site.http_port:
        return ""
    address = f"[{site.listen}]" if ":" in site.listen else site.listen
    return (
        "\n# Plain http only redirects to https.\n"
        "server {\n"
        f"    listen {address}:{site.http_port};\n"
        f"    server_name {site.server_name};\n"
        "    server_tokens off;\n"
        f"    return 301 {site.public_origin}$request_uri;\n"
        "}\n"
    )


def short_cache_files(static_root: Path) -> list[str]:
    """Top-level built files with fixed names (the loader, the bridge, CSS, icons): every file
    beside the pages that is not a page or a precompressed copy."""
    names = [
        p.name
        for p in sorted(static_root.iterdir())
        if p.is_file() and p.suffix not in {".html", ".gz", ".br"}
    ]
    return names or ["embed.js"]


def site_conf(site: Site) -> str:
    files = "|".join(re.escape(name) for name in short_cache_files(site.static_root))
    return render(
        (TEMPLATES / "site.conf.template").read_text(encoding="utf-8"),
        {
            "UPSTREAMS_FILE": str(site.upstreams_file),
            "HTTP_REDIRECT_SERVER": _redirect(site),
            "LISTEN_DIRECTIVES": _listen(site),
            "SERVER_NAME": site.server_name,
            "TLS_CERT": str(site.tls_cert),
            "TLS_KEY": str(site.tls_key),
            "ACCESS_LOG": site.access_log,
            "MAX_BODY": f"{max(1, -(-site.max_body_bytes // (1024 * 1024)))}m",
            "STATIC_ROOT": str(site.static_root),
            "SHORT_CACHE_FILES": files,
        },
    )


def main_conf(*, site_file: Path, pid_file: Path, temp_dir: Path, user: str | None) -> str:
    return render(
        (TEMPLATES / "nginx.conf.template").read_text(encoding="utf-8"),
        {
            "USER_DIRECTIVE": f"user {user};" if user else "# (not root: no user directive)",
            "PID_FILE": str(pid_file),
            "TEMP_DIR": str(temp_dir),
            "SITE_FILE": str(site_file),
        },
    )


def upstreams(ports: list[int], down: frozenset[int] = frozenset()) -> str:
    """The upstream's server lines; ``down`` ports get no new connection. A worker that
    refuses a connection is skipped for 5 s (passive check: open-source nginx has no active
    one; the supervisor's own /readyz polling decides when a restarted worker is back)."""
    lines = []
    for port in ports:
        flag = " down" if port in down else ""
        lines.append(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s{flag};")
    return "\n".join(lines) + "\n"


def test_config(nginx: str, conf: Path, prefix: Path) -> None:
    result = subprocess.run(
        [nginx, "-t", "-q", "-e", "stderr", "-p", str(prefix), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise NginxError(f"nginx refuses its configuration: {result.stderr.strip()}")
