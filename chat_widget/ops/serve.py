"""``scripts/serve``: the production setup on one machine, and its rolling restart.

``start`` (the default) runs in the foreground, as a systemd service would run it:

1. checks the settings (``CW_ENV`` production refuses SQLite, missing Redis, made-up TLS);
2. installs nginx when missing (Debian's package, as root);
3. migrates the database **once** (workers only check the schema, see ``ops.worker``);
4. builds the frontend once per code/URL change (``reflex export``);
5. starts ``CW_WORKERS`` workers on 127.0.0.1 (ports ``CW_WORKER_BASE_PORT``…), waits for each
   ``/readyz``;
6. starts nginx (TLS, websockets, static files, client address) in front of them;
7. supervises: a worker that exits is started again (with back-off), ``SIGHUP`` runs a rolling
   restart, ``SIGTERM``/``SIGINT`` stop everything gracefully.

Every line written, ours and the children's, is one JSON object on stdout (lines a child
prints as plain text are wrapped and masked).

``restart [N …]`` asks the running supervisor for a rolling restart (all workers, or the
numbered ones), one worker at a time: marked down in nginx and nginx reloaded (no new
connection reaches it), stopped with ``SIGTERM`` (it finishes its running events for up to
``CW_DRAIN_SECONDS``; its websockets close and the browsers reconnect through nginx to another
worker, where the state is waiting in Redis), started again, back in nginx once its
``/readyz`` answers 200. A replacement that does not get ready stops the rolling restart with
the others untouched.

``status`` prints the workers and their readiness; ``nginx-config`` prints the nginx site.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from chat_widget.observability import logs, metrics
from chat_widget.ops import nginx, tls
from chat_widget.ops.worker import EX_CONFIG
from chat_widget.settings import (
    PROJECT_ROOT,
    Settings,
    SettingsError,
    environ,
    environment_name,
    load_settings,
)

STATE_FILE = "serve.json"
RESTART_REQUEST = "restart-request.json"


class ServeError(RuntimeError):
    """The setup cannot start as configured; the message says what to change."""


def default_workers() -> int:
    """2 × cores + 1, Gunicorn's and Reflex's rule for mostly-waiting (I/O) workers."""
    return 2 * (os.cpu_count() or 1) + 1


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError as exc:
        raise ServeError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class ServeConfig:
    """``scripts/serve``'s own settings (the app's are ``chat_widget.settings``)."""

    workers: int
    base_port: int
    https_port: int
    http_port: int | None
    listen: str
    run_dir: Path
    tls_cert: Path | None
    tls_key: Path | None
    server_name: str
    nginx_user: str | None
    ready_timeout: float
    trusted_proxy_hops: str

    @classmethod
    def from_env(cls, env: Mapping[str, str], settings: Settings) -> ServeConfig:
        production = settings.is_production
        host = settings.own_origin.split("://", 1)[1].rsplit(":", 1)[0].strip("[]")
        workers = _int(env, "CW_WORKERS", default_workers())
        if workers < 1:
            raise ServeError("CW_WORKERS must be at least 1")
        http_port = _int(env, "CW_HTTP_PORT", 80 if production else 0)
        cert, key = env.get("CW_TLS_CERT"), env.get("CW_TLS_KEY")
        if bool(cert) != bool(key):
            raise ServeError("set both CW_TLS_CERT and CW_TLS_KEY, or neither")
        user = env.get("CW_NGINX_USER") or ("www-data" if os.geteuid() == 0 else None)
        return cls(
            workers=workers,
            base_port=_int(env, "CW_WORKER_BASE_PORT", 8101),
            https_port=_int(env, "CW_HTTPS_PORT", 443 if production else 8443),
            http_port=http_port or None,
            listen=env.get("CW_LISTEN") or ("0.0.0.0" if production else "127.0.0.1"),
            run_dir=Path(env.get("CW_RUN_DIR") or PROJECT_ROOT / ".run").resolve(),
            tls_cert=Path(cert) if cert else None,
            tls_key=Path(key) if key else None,
            server_name=env.get("CW_SERVER_NAME") or host,
            nginx_user=user if os.geteuid() == 0 else None,
            ready_timeout=float(env.get("CW_READY_TIMEOUT") or 180),
            trusted_proxy_hops=env.get("CW_TRUSTED_PROXY_HOPS") or "1",
        )

    @property
    def ports(self) -> list[int]:
        return [self.base_port + i for i in range(self.workers)]

    def port(self, worker: int) -> int:
        return self.base_port + worker - 1


def check_setup(settings: Settings, config: ServeConfig) -> None:
    """What production needs before anything starts (development may cut corners, said)."""
    problems = []
    if not settings.public_url.startswith("https://"):
        problems.append("CW_PUBLIC_URL must be https:// (nginx terminates TLS)")
    if config.workers > 1 and not settings.redis_url:
        problems.append(
            "REDIS_URL is required with several workers (state and cross-worker delivery)"
        )
    if settings.is_production:
        if not settings.database_url.startswith("postgresql"):
            problems.append("CW_DATABASE_URL must be PostgreSQL in production")
        if config.tls_cert is None:
            problems.append("CW_TLS_CERT and CW_TLS_KEY (the bank's certificate) are required")
    if problems:
        raise ServeError("; ".join(problems))


# --- output ----------------------------------------------------------------------------------

_out_lock = threading.Lock()


def emit(line: str) -> None:
    with _out_lock:
        sys.stdout.write(line.rstrip("\n") + "\n")
        sys.stdout.flush()


def as_json_line(raw: str, source: str) -> str:
    """A child's output line as a JSON log line: JSON objects pass, anything else is wrapped
    (and masked: a library may print what our logging would have masked)."""
    text = raw.rstrip("\n")
    if text.startswith("{") and text.endswith("}"):
        try:
            if isinstance(json.loads(text), dict):
                return text
        except ValueError:
            pass
    level = "INFO"
    for word, name in (("[emerg]", "CRITICAL"), ("[crit]", "CRITICAL"), ("[alert]", "CRITICAL")):
        if word in text:
            level = name
    for word, name in (("[error]", "ERROR"), ("[warn]", "WARNING"), ("Traceback", "ERROR")):
        if word in text:
            level = name
    return json.dumps(
        {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": level,
            "logger": source,
            "msg": logs.scrub(text),
        },
        ensure_ascii=False,
    )


def pump(stream: IO[bytes], source: str) -> threading.Thread:
    def run() -> None:
        for raw in iter(stream.readline, b""):
            text = raw.decode("utf-8", "replace")
            if text.strip():
                emit(as_json_line(text, source))

    thread = threading.Thread(target=run, name=f"pump-{source}", daemon=True)
    thread.start()
    return thread


def say(level: str, msg: str, **fields: Any) -> None:
    emit(
        json.dumps(
            {
                "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "level": level,
                "logger": "serve",
                "msg": msg,
                **fields,
            },
            ensure_ascii=False,
        )
    )


# --- children ----------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Children get SIGTERM if the supervisor dies (Linux), instead of serving orphaned."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(cmd: list[str], env: Mapping[str, str], source: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        cmd,
        cwd=PROJECT_ROOT,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    assert proc.stdout is not None
    pump(proc.stdout, source)
    return proc


def stop_process(proc: subprocess.Popen[bytes], timeout: float, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    reap_group(proc.pid)


def reap_group(pgid: int, timeout: float = 10.0) -> None:
    """End what is left of a child's process group. A Granian parent that died abruptly leaves
    its worker process running, still holding the port: the replacement could not bind it."""

    def alive() -> bool:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    if not alive():
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    if alive():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def readyz(port: int, timeout: float = 3.0) -> tuple[int, dict[str, Any]]:
    """A worker's own /readyz, asked directly on loopback (internal: full report)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}
    except (OSError, ValueError):
        return 0, {}


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- the build ---------------------------------------------------------------------------------


def source_stamp(public_url: str) -> str:
    """Changes when anything that goes into the built frontend changes."""
    digest = hashlib.sha256(public_url.encode())
    roots = [PROJECT_ROOT / "chat_widget", PROJECT_ROOT / "assets"]
    files = [PROJECT_ROOT / "rxconfig.py", PROJECT_ROOT / "pyproject.toml"]
    for root in roots:
        files += [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted(files):
        stat = path.stat()
        digest.update(
            f"{path.relative_to(PROJECT_ROOT)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
        )
    return digest.hexdigest()[:20]


def build_frontend(env: Mapping[str, str], web_dir: Path, public_url: str) -> Path:
    static = web_dir / "build" / "client"
    stamp_file = web_dir / ".cw-build-stamp"
    stamp = source_stamp(public_url)
    if static.is_dir() and stamp_file.exists() and stamp_file.read_text() == stamp:
        say("INFO", "frontend up to date", path=str(static))
        return static
    say("INFO", "building the frontend (reflex export)", path=str(static))
    started = time.monotonic()
    proc = spawn(
        [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod"],
        env,
        "build",
    )
    if proc.wait() != 0 or not static.is_dir():
        raise ServeError("the frontend build failed (see the build lines above)")
    stamp_file.write_text(stamp)
    say("INFO", "frontend built", seconds=round(time.monotonic() - started, 1))
    return static


def make_readable(path: Path) -> None:
    """nginx's workers run as www-data: they must be able to reach and read the build."""
    for parent in [path, *path.parents]:
        if parent == Path("/"):
            break
        with contextlib.suppress(OSError):
            mode = parent.stat().st_mode
            parent.chmod(mode | 0o111)
    for root, dirs, files in os.walk(path):
        for name in dirs:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(root, name), 0o644)


# --- the supervisor ----------------------------------------------------------------------------


@dataclass
class Worker:
    number: int
    port: int
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    given_up: bool = False


@dataclass
class Supervisor:
    settings: Settings
    config: ServeConfig
    env: dict[str, str]
    workers: dict[int, Worker] = field(default_factory=dict)
    nginx_proc: subprocess.Popen[bytes] | None = None
    nginx_bin: str = "nginx"
    down: set[int] = field(default_factory=set)
    stopping: bool = False
    hup: bool = False
    restarts: dict[str, dict[str, Any]] = field(default_factory=dict)

    # paths
    @property
    def run_dir(self) -> Path:
        return self.config.run_dir

    @property
    def nginx_dir(self) -> Path:
        return self.run_dir / "nginx"

    @property
    def metrics_dir(self) -> Path:
        return self.run_dir / "metrics"

    @property
    def web_dir(self) -> Path:
        return self.run_dir / "web"

    def worker_env(self, worker: Worker) -> dict[str, str]:
        return {
            **self.env,
            "CW_WORKER_ID": str(worker.number),
            # Deploys migrate (step 3); a worker only checks.
            "CW_MIGRATE_ON_START": "check",
            "CW_TRUSTED_PROXY_HOPS": self.config.trusted_proxy_hops,
            # One stream of JSON lines, also in development (where the app's default is text).
            "CW_LOG_FORMAT": self.env.get("CW_LOG_FORMAT") or "json",
            metrics.MULTIPROC_ENV: str(self.metrics_dir),
            "PYTHONUNBUFFERED": "1",
        }

    # --- lifecycle ---------------------------------------------------------------------------

    def prepare(self) -> Path:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.nginx_bin = nginx.ensure_installed()
        self.migrate()
        static = build_frontend(self.env, self.web_dir, self.settings.public_url)
        shutil.rmtree(self.metrics_dir, ignore_errors=True)
        self.metrics_dir.mkdir(parents=True)
        return static

    def migrate(self) -> None:
        from chat_widget.adapters.db import make_engine
        from chat_widget.adapters.migrate import current_revisions, head_revisions, upgrade

        engine = make_engine(self.settings.database_url)
        try:
            before = sorted(current_revisions(engine))
            upgrade(engine)
            say("INFO", "database migrated", before=before, head=sorted(head_revisions()))
        finally:
            engine.dispose()

    def start_worker(self, worker: Worker) -> None:
        worker.proc = spawn(
            [sys.executable, "-m", "chat_widget.ops.worker", "--port", str(worker.port)],
            self.worker_env(worker),
            f"worker-{worker.number}",
        )
        worker.started_at = time.monotonic()
        self.save_state()

    def wait_ready(self, worker: Worker) -> bool:
        deadline = time.monotonic() + self.config.ready_timeout
        last: dict[str, Any] = {}
        while time.monotonic() < deadline and not self.stopping:
            if worker.proc is None or worker.proc.poll() is not None:
                code = worker.proc.returncode if worker.proc else None
                say("ERROR", f"worker {worker.number} exited while starting", exit_code=code)
                return False
            status, last = readyz(worker.port)
            if status == 200:
                say("INFO", f"worker {worker.number} ready", port=worker.port, pid=worker.proc.pid)
                return True
            time.sleep(0.5)
        say("ERROR", f"worker {worker.number} not ready in time", readyz=last)
        return False

    def write_nginx(self, static: Path) -> Path:
        cert, key = self.config.tls_cert, self.config.tls_key
        if cert is None or key is None:
            cert, key = self.run_dir / "tls" / "cert.pem", self.run_dir / "tls" / "key.pem"
            names = [self.config.server_name, "localhost", "127.0.0.1"]
            tls.self_signed(cert, key, names)
            say("WARNING", "TLS: self-signed development certificate", cert=str(cert))
        temp = self.nginx_dir / "temp"
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (temp / sub).mkdir(parents=True, exist_ok=True)
            if self.config.nginx_user:
                with contextlib.suppress(KeyError, OSError):
                    shutil.chown(temp / sub, user=self.config.nginx_user)
        if self.config.nginx_user:  # nginx's workers run as another user: they must read it
            make_readable(static)
        site = nginx.Site(
            server_name=self.config.server_name,
            listen=self.config.listen,
            https_port=self.config.https_port,
            http_port=self.config.http_port,
            public_origin=self.settings.own_origin,
            tls_cert=cert,
            tls_key=key,
            static_root=static,
            upstreams_file=self.nginx_dir / "upstreams.conf",
            access_log="/dev/stdout",
            max_body_bytes=max(
                self.settings.upload_max_bytes * self.settings.upload_max_files,
                self.settings.chat_upload_max_bytes,
            )
            + 1024 * 1024,
            nginx_version=nginx.version(self.nginx_bin),
        )
        self.write_upstreams()
        (self.nginx_dir / "site.conf").write_text(nginx.site_conf(site))
        conf = self.nginx_dir / "nginx.conf"
        conf.write_text(
            nginx.main_conf(
                site_file=self.nginx_dir / "site.conf",
                pid_file=self.nginx_dir / "nginx.pid",
                temp_dir=temp,
                user=self.config.nginx_user,
            )
        )
        nginx.test_config(self.nginx_bin, conf, self.nginx_dir)
        return conf

    def write_upstreams(self) -> None:
        down = frozenset(self.config.port(n) for n in self.down)
        text = nginx.upstreams(self.config.ports, down)
        path = self.nginx_dir / "upstreams.conf"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(path)

    def start_nginx(self, conf: Path) -> None:
        self.nginx_proc = spawn(
            # -e stderr: not even the start-up errors go to /var/log/nginx (root-only).
            [self.nginx_bin, "-e", "stderr", "-p", str(self.nginx_dir), "-c", str(conf)],
            self.env,
            "nginx",
        )
        self.save_state()

    def reload_nginx(self) -> None:
        if self.nginx_proc is not None and self.nginx_proc.poll() is None:
            os.kill(self.nginx_proc.pid, signal.SIGHUP)
            # New nginx workers take over within a moment; old ones keep their open sockets.
            time.sleep(1.0)

    def save_state(self) -> None:
        state = {
            "pid": os.getpid(),
            "public_url": self.settings.public_url,
            "https_port": self.config.https_port,
            "nginx_pid": self.nginx_proc.pid if self.nginx_proc else None,
            "workers": {
                str(n): {
                    "port": w.port,
                    "pid": w.proc.pid if w.proc and w.proc.poll() is None else None,
                    "down": n in self.down,
                }
                for n, w in self.workers.items()
            },
            "restarts": self.restarts,
        }
        tmp = self.run_dir / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(self.run_dir / STATE_FILE)

    # --- rolling restart -----------------------------------------------------------------------

    def drain(self, worker: Worker) -> None:
        """Ask the worker to close its websockets (browsers reconnect to the others) and wait
        until the events it is running are done, at most ``CW_DRAIN_SECONDS``."""
        status, report = readyz(worker.port)
        pid = report.get("pid")
        if not isinstance(pid, int) or not pid_alive(pid):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGUSR1)
        deadline = time.monotonic() + self.settings.drain_seconds
        while time.monotonic() < deadline:
            time.sleep(0.2)
            status, report = readyz(worker.port)
            if status == 0 or (report.get("draining") and report.get("running_events") == 0):
                break
        say("INFO", f"worker {worker.number} drained", running_events=report.get("running_events"))

    def restart_worker(self, worker: Worker) -> bool:
        worker.given_up = False
        say("INFO", f"restarting worker {worker.number}: out of nginx, draining", port=worker.port)
        self.down.add(worker.number)
        self.write_upstreams()
        self.reload_nginx()
        self.save_state()
        self.drain(worker)
        if worker.proc is not None:
            stop_process(worker.proc, self.settings.drain_seconds + 15)
        metrics.forget_dead_processes(str(self.metrics_dir), pid_alive)
        self.start_worker(worker)
        if not self.wait_ready(worker):
            return False
        self.down.discard(worker.number)
        self.write_upstreams()
        self.reload_nginx()
        self.save_state()
        say("INFO", f"worker {worker.number} back in nginx", port=worker.port)
        return True

    def rolling_restart(self) -> None:
        request_path = self.run_dir / RESTART_REQUEST
        try:
            request = json.loads(request_path.read_text())
        except (OSError, ValueError):
            request = {"id": uuid.uuid4().hex, "workers": []}
        rid = str(request.get("id") or uuid.uuid4().hex)
        numbers = [int(n) for n in request.get("workers") or []] or sorted(self.workers)
        self.restarts[rid] = {"status": "running", "workers": numbers}
        self.save_state()
        for number in numbers:
            worker = self.workers.get(number)
            if worker is None or self.stopping:
                continue
            if not self.restart_worker(worker):
                self.restarts[rid] = {"status": "failed", "workers": numbers, "at": number}
                self.save_state()
                say("ERROR", "rolling restart stopped: a worker did not come back", worker=number)
                return
        self.restarts[rid] = {"status": "done", "workers": numbers}
        self.save_state()
        say("INFO", "rolling restart done", workers=numbers)

    # --- supervision -------------------------------------------------------------------------

    def respawn_if_dead(self, worker: Worker) -> None:
        if worker.proc is None or worker.proc.poll() is None or worker.given_up:
            return
        code = worker.proc.returncode
        if code == EX_CONFIG:
            worker.given_up = True
            self.down.add(worker.number)
            self.write_upstreams()
            self.reload_nginx()
            say("ERROR", f"worker {worker.number} refuses to serve (configuration or schema)")
            return
        quick = time.monotonic() - worker.started_at < 30
        worker.failures = worker.failures + 1 if quick else 1
        delay = min(30.0, 2.0 ** (worker.failures - 1))
        say("ERROR", f"worker {worker.number} exited; starting it again", exit_code=code)
        # Out of nginx until its /readyz says it is back (readmit_ready_workers).
        self.down.add(worker.number)
        self.write_upstreams()
        self.reload_nginx()
        reap_group(worker.proc.pid)
        time.sleep(delay)
        metrics.forget_dead_processes(str(self.metrics_dir), pid_alive)
        self.start_worker(worker)

    def readmit_ready_workers(self) -> None:
        """A worker left out of nginx (not ready at start-up, or started again after a
        crash) goes back in once its /readyz says so."""
        back = [
            n
            for n in sorted(self.down)
            if (proc := self.workers[n].proc) is not None
            and proc.poll() is None
            and readyz(self.workers[n].port)[0] == 200
        ]
        if back:
            self.down.difference_update(back)
            self.write_upstreams()
            self.reload_nginx()
            self.save_state()
            say("INFO", "workers back in nginx", workers=back)

    def run(self) -> int:
        try:
            return self._run()
        except BaseException:
            self.stop()
            raise

    def _run(self) -> int:
        static = self.prepare()
        for number, port in enumerate(self.config.ports, start=1):
            self.workers[number] = Worker(number, port)
        # nginx's configuration is checked before any worker starts: a mistake fails fast.
        self.down = set(self.workers)
        conf = self.write_nginx(static)
        for worker in self.workers.values():
            self.start_worker(worker)
        ready = [w.number for w in self.workers.values() if self.wait_ready(w)]
        if not ready:
            raise ServeError("no worker got ready (see the lines above)")
        self.down = set(self.workers) - set(ready)
        self.write_upstreams()
        self.start_nginx(conf)
        say(
            "INFO",
            "serving",
            url=self.settings.public_url,
            listen=f"{self.config.listen}:{self.config.https_port}",
            workers=len(ready),
        )
        last_sweep = time.monotonic()
        while not self.stopping:
            if self.hup:
                self.hup = False
                self.rolling_restart()
            for worker in self.workers.values():
                self.respawn_if_dead(worker)
            if self.nginx_proc is not None and self.nginx_proc.poll() is not None:
                say(
                    "ERROR", "nginx exited; starting it again", exit_code=self.nginx_proc.returncode
                )
                self.start_nginx(self.nginx_dir / "nginx.conf")
            if time.monotonic() - last_sweep > 5:
                self.readmit_ready_workers()
                metrics.forget_dead_processes(str(self.metrics_dir), pid_alive)
                last_sweep = time.monotonic()
            time.sleep(0.3)
        self.stop()
        return 0

    def stop(self) -> None:
        say("INFO", "stopping: workers drain, then nginx")
        threads = [
            threading.Thread(
                target=stop_process, args=(w.proc, self.settings.drain_seconds + 15), daemon=True
            )
            for w in self.workers.values()
            if w.proc is not None
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self.nginx_proc is not None:
            stop_process(self.nginx_proc, 10)
        say("INFO", "stopped")


# --- the commands ------------------------------------------------------------------------------


def _default_public_url(env: dict[str, str]) -> None:
    """Without ``CW_PUBLIC_URL`` the widget is where nginx listens: https://localhost:PORT."""
    if env.get("CW_PUBLIC_URL"):
        return
    production = environment_name(env) == "production"
    port = _int(env, "CW_HTTPS_PORT", 443 if production else 8443)
    env["CW_PUBLIC_URL"] = "https://localhost" + ("" if port == 443 else f":{port}")


def _launch_environment() -> dict[str, str]:
    """The environment the launcher reads and its workers inherit (with the default public URL)."""
    env = dict(environ())
    _default_public_url(env)
    return env


def _settings_and_config() -> tuple[Settings, ServeConfig]:
    env = _launch_environment()
    try:
        settings = load_settings(env)
    except SettingsError as exc:
        raise ServeError(str(exc)) from exc
    return settings, ServeConfig.from_env(env, settings)


def start() -> int:
    settings, config = _settings_and_config()
    check_setup(settings, config)
    env = {
        **_launch_environment(),
        "REFLEX_WEB_WORKDIR": str(config.run_dir / "web"),
        "REFLEX_STATES_WORKDIR": str(config.run_dir / "states"),
    }
    supervisor = Supervisor(settings, config, env)

    def on_stop(signum: int, _frame: Any) -> None:
        supervisor.stopping = True

    def on_hup(signum: int, _frame: Any) -> None:
        supervisor.hup = True

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, on_hup)
    return supervisor.run()


def _state(run_dir: Path) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads((run_dir / STATE_FILE).read_text())
    except (OSError, ValueError) as exc:
        raise ServeError(f"no running scripts/serve found in {run_dir}") from exc
    if not pid_alive(int(state["pid"])):
        raise ServeError(f"scripts/serve (pid {state['pid']}) is not running")
    return state


def restart(numbers: list[int], timeout: float | None = None) -> int:
    """Ask the running supervisor for a rolling restart and wait for its outcome."""
    settings, config = _settings_and_config()
    state = _state(config.run_dir)
    rid = uuid.uuid4().hex
    request = {"id": rid, "workers": numbers}
    (config.run_dir / RESTART_REQUEST).write_text(json.dumps(request))
    os.kill(int(state["pid"]), signal.SIGHUP)
    count = len(numbers) or len(state["workers"])
    deadline = time.monotonic() + (timeout or count * (config.ready_timeout + 60))
    while time.monotonic() < deadline:
        outcome = _state(config.run_dir).get("restarts", {}).get(rid, {})
        if outcome.get("status") in {"done", "failed"}:
            sys.stdout.write(json.dumps(outcome) + "\n")
            return 0 if outcome["status"] == "done" else 1
        time.sleep(0.5)
    sys.stdout.write(json.dumps({"status": "timeout", "workers": numbers}) + "\n")
    return 1


def status() -> int:
    _settings, config = _settings_and_config()
    state = _state(config.run_dir)
    for worker in state["workers"].values():
        code, report = readyz(int(worker["port"]))
        worker["readyz"] = {"http": code, **report}
    sys.stdout.write(json.dumps(state, indent=1) + "\n")
    return 0 if all(w["readyz"]["http"] == 200 for w in state["workers"].values()) else 1


def print_nginx_config() -> int:
    settings, config = _settings_and_config()
    static = config.run_dir / "web" / "build" / "client"
    site = nginx.Site(
        server_name=config.server_name,
        listen=config.listen,
        https_port=config.https_port,
        http_port=config.http_port,
        public_origin=settings.own_origin,
        tls_cert=config.tls_cert or Path("/etc/ssl/certs/widget.pem"),
        tls_key=config.tls_key or Path("/etc/ssl/private/widget.key"),
        static_root=static if static.is_dir() else Path("/srv/contact-widget/web/build/client"),
        upstreams_file=config.run_dir / "nginx" / "upstreams.conf",
        access_log="/var/log/nginx/contact-widget.access.log",
        max_body_bytes=settings.upload_max_bytes * settings.upload_max_files + 1024 * 1024,
    )
    text = nginx.site_conf(site) if static.is_dir() else _site_without_build(site)
    sys.stdout.write(text)
    sys.stdout.write("\n# " + config.run_dir.joinpath("nginx", "upstreams.conf").name + ":\n# ")
    sys.stdout.write(nginx.upstreams(config.ports).replace("\n", "\n# ").rstrip("# ") + "\n")
    return 0


def _site_without_build(site: nginx.Site) -> str:
    """Before the first build the fixed-name files are the repo's assets/ folder."""
    from dataclasses import replace

    assets = PROJECT_ROOT / "assets"
    text = nginx.site_conf(replace(site, static_root=assets))
    return text.replace(str(assets), str(site.static_root))


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except (ServeError, nginx.NginxError) as exc:
        say("CRITICAL", str(exc))
        raise SystemExit(EX_CONFIG) from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/serve", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("start", help="run the setup in the foreground (default)")
    restart_cmd = sub.add_parser("restart", help="rolling restart of the running setup")
    restart_cmd.add_argument("workers", nargs="*", type=int, help="worker numbers (default all)")
    sub.add_parser("status", help="workers and their /readyz")
    sub.add_parser("nginx-config", help="print the nginx site configuration")
    args = parser.parse_args(argv)
    commands: dict[str | None, Callable[[], int]] = {
        None: start,
        "start": start,
        "restart": lambda: restart(args.workers),
        "status": status,
        "nginx-config": print_nginx_config,
    }
    with _errors():
        return commands[args.command]()


if __name__ == "__main__":
    raise SystemExit(main())
