"""The nginx configuration scripts/serve writes, its certificate, and its own checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chat_widget.ops import nginx, serve, tls
from chat_widget.settings import load_settings
from tests.conftest import need_tool


def site(tmp_path: Path, **changes: object) -> nginx.Site:
    static = tmp_path / "client"
    (static / "assets").mkdir(parents=True, exist_ok=True)
    for name in ("embed.js", "embed.js.gz", "widget.css", "index.html", "favicon.ico"):
        (static / name).write_text("x")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    tls.self_signed(cert, key, ["widget.test", "127.0.0.1"])
    values: dict[str, object] = {
        "server_name": "widget.test",
        "listen": "127.0.0.1",
        "https_port": 8443,
        "http_port": None,
        "public_origin": "https://widget.test:8443",
        "tls_cert": cert,
        "tls_key": key,
        "static_root": static,
        "upstreams_file": tmp_path / "upstreams.conf",
        "access_log": "/dev/stdout",
        "max_body_bytes": 101 * 1024 * 1024,
        **changes,
    }
    return nginx.Site(**values)  # type: ignore[arg-type]


def test_site_has_tls12_plus_websockets_forwarding_and_cache_lifetimes(tmp_path: Path) -> None:
    conf = nginx.site_conf(site(tmp_path))
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert conf.count("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;") == 2
    assert conf.count("proxy_set_header X-Forwarded-Proto $scheme;") == 2
    assert 'Cache-Control "public, max-age=31536000, immutable"' in conf
    # The fixed-name files beside the pages get the short lifetime; pages are proxied.
    assert r"location ~ ^/(embed\.js|favicon\.ico|widget\.css)$" in conf
    assert "client_max_body_size 101m;" in conf
    assert "{{" not in conf
    log_format = conf[conf.index("log_format") : conf.index("upstream cw_workers")]
    assert '"path":"$uri"' in log_format and "$request_uri" not in log_format  # no ?token=


def test_listen_follows_the_nginx_version_and_plain_http_only_redirects(tmp_path: Path) -> None:
    old = nginx.site_conf(site(tmp_path, nginx_version=(1, 22, 1)))
    new = nginx.site_conf(site(tmp_path, nginx_version=(1, 26, 0), http_port=8080))
    assert "listen 127.0.0.1:8443 ssl http2;" in old
    assert "listen 127.0.0.1:8443 ssl;\n    http2 on;" in new
    assert "return 301 https://widget.test:8443$request_uri;" in new


def test_a_template_field_without_value_is_an_error() -> None:
    with pytest.raises(nginx.NginxError, match="PORT"):
        nginx.render("listen {{PORT}};", {})


def test_upstreams_mark_a_draining_worker_down() -> None:
    assert nginx.upstreams([8101, 8102], frozenset({8102})).splitlines() == [
        "server 127.0.0.1:8101 max_fails=1 fail_timeout=5s;",
        "server 127.0.0.1:8102 max_fails=1 fail_timeout=5s down;",
    ]


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    binary = nginx.binary()
    need_tool(binary is not None, "nginx not installed (scripts/serve installs it as root)")
    assert binary is not None
    the_site = site(tmp_path, nginx_version=nginx.version(binary))
    (tmp_path / "upstreams.conf").write_text(nginx.upstreams([8101, 8102]))
    (tmp_path / "site.conf").write_text(nginx.site_conf(the_site))
    (tmp_path / "temp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        nginx.main_conf(
            site_file=tmp_path / "site.conf",
            pid_file=tmp_path / "nginx.pid",
            temp_dir=tmp_path / "temp",
            user=None,
        )
    )
    nginx.test_config(binary, conf, tmp_path)


def test_the_development_certificate_is_kept_while_it_covers_the_names(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    tls.self_signed(cert, key, ["widget.test"])
    first = cert.read_bytes()
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    tls.self_signed(cert, key, ["widget.test"])
    assert cert.read_bytes() == first
    tls.self_signed(cert, key, ["widget.test", "other.test"])
    assert cert.read_bytes() != first


STRONG = {"CW_SECRET_KEY": "s" * 40, "CW_IDENTITY_JWT_KEY": "j" * 40}


def test_production_needs_postgresql_redis_https_and_the_banks_certificate() -> None:
    settings = load_settings({**STRONG, "CW_PUBLIC_URL": "https://widget.bank.be"})
    config = serve.ServeConfig.from_env({"CW_WORKERS": "3"}, settings)
    with pytest.raises(serve.ServeError) as refused:
        serve.check_setup(settings, config)
    for needed in ("REDIS_URL", "PostgreSQL", "CW_TLS_CERT"):
        assert needed in str(refused.value)
    assert (config.https_port, config.http_port, config.listen) == (443, 80, "0.0.0.0")
    assert config.ports == [8101, 8102, 8103]


def test_development_defaults_stay_on_this_machine() -> None:
    settings = load_settings({"CW_ENV": "development", "CW_PUBLIC_URL": "https://localhost:8443"})
    config = serve.ServeConfig.from_env({}, settings)
    assert (config.https_port, config.http_port, config.listen) == (8443, None, "127.0.0.1")
    assert config.workers == 2 * (os.cpu_count() or 1) + 1
    assert config.trusted_proxy_hops == "1"


def test_default_public_url_is_where_nginx_listens() -> None:
    env = {"CW_ENV": "development", "CW_HTTPS_PORT": "9443"}
    serve._default_public_url(env)
    assert env["CW_PUBLIC_URL"] == "https://localhost:9443"
    env = {"CW_ENV": "production"}
    serve._default_public_url(env)
    assert env["CW_PUBLIC_URL"] == "https://localhost"


def test_child_output_becomes_masked_json_lines() -> None:
    passed = '{"level": "INFO", "msg": "ok"}'
    assert serve.as_json_line(passed + "\n", "worker-1") == passed
    wrapped = json.loads(
        serve.as_json_line("2026/12/05 [error] 12#12: code PIN est 0427 ?token=abc", "nginx")
    )
    assert wrapped["level"] == "ERROR" and wrapped["logger"] == "nginx"
    assert "0427" not in wrapped["msg"] and "abc" not in wrapped["msg"]


def test_serve_refuses_plain_http_before_starting_anything(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CW_ENV": "development",
        "CW_PUBLIC_URL": "http://localhost:3000",
        "CW_RUN_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "chat_widget.ops.serve", "start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 78
    assert "CW_PUBLIC_URL must be https://" in json.loads(result.stdout.splitlines()[-1])["msg"]
    assert list(tmp_path.iterdir()) == []  # nothing built, nothing started
