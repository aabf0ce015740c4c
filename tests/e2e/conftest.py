"""End-to-end harness: a production build of the app, a bank page on another site, Chromium.

The widget runs on http://widget.test:PORT and the demo bank page on http://bank.test:PORT2;
Chromium maps both names to 127.0.0.1, so the iframe is genuinely cross-site (third-party
storage rules apply) while everything stays on loopback. An autouse fixture records console
errors and page errors and prints them when a test fails.
"""

from __future__ import annotations

import atexit
import gzip
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Frame,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from chat_widget.devtools import demo_host
from tests.conftest import need_tool
from tests.fakes import fake_oidc
from tests.fakes.fake_graph import FakeGraph, running_fake

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
BASE_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP bank.test 127.0.0.1, MAP widget.test 127.0.0.1, MAP evil.test 127.0.0.1",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]

pytestmark = pytest.mark.e2e

# Assertions wait for the page up to 10 s (Playwright's default is 5 s): a loaded 2-core CI
# machine builds, serves and renders more slowly, and a slow pass is still a pass.
expect.set_options(timeout=10_000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WidgetServer:
    port: int
    host_port: int
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    #: the bank page's host name: bank.test (another site), or widget.test (the same site)
    host_name: str = "bank.test"
    #: what started it (and starts it again after a crash, in the chaos tests)
    command: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://widget.test:{self.port}"

    @property
    def bank_url(self) -> str:
        return f"http://{self.host_name}:{self.host_port}/"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "widget.db"

    @property
    def hours_path(self) -> Path:
        """The schedule file this server reads; rewrite it to open or close live chat."""
        return Path(self.env["CW_OPENING_HOURS_PATH"])


def _wait_http(url: str, deadline: float, proc: subprocess.Popen[bytes], log: Path) -> None:
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"widget server exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"widget server not up after timeout:\n{log.read_text()[-4000:]}")


ALWAYS_OPEN = {
    "timezone": "Europe/Brussels",
    "public_holidays": False,
    "weekly": {
        day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    },
    "closures": [],
}


def _server_env(port: int, host_port: int, data_dir: Path, host_name: str) -> dict[str, str]:
    hours_path = data_dir / "opening_hours.json"
    hours_path.write_text(json.dumps(ALWAYS_OPEN))
    env = dict(os.environ)
    env.update(
        {
            "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{ROOT / '.venv' / 'bin'}:{env['PATH']}",
            "REFLEX_USE_SYSTEM_BUN": "1",
            "CW_ENV": "test",
            "CW_PUBLIC_URL": f"http://widget.test:{port}",
            "CW_ALLOWED_ORIGINS": f"http://{host_name}:{host_port}",
            "CW_DATA_DIR": str(data_dir),
            "CW_SECRET_KEY": "e2e-secret-key-that-is-long-enough-000",
            "CW_IDENTITY_JWT_KEY": "e2e-identity-key-that-is-long-enough-00",
            "CW_OPENING_HOURS_PATH": str(hours_path),
        }
    )
    return env


_built: tuple[Path, int] | None = None  # this process's frontend build and the port baked in


def _frontend_build() -> tuple[Path, int]:
    """One production build of the frontend for every server but the shared one (which builds
    its own, as `reflex run` and the demo do). Settings other than the URL (brand, routing, sign-
    in, idle time) reach the page as state at run time, so a build serves any of them; until the
    server's state arrives the page shows the build's defaults, as in production when a setting
    changes without a rebuild."""
    global _built
    if _built is None:
        port = free_port()
        root = Path(tempfile.mkdtemp(prefix="cw-e2e-build-"))
        atexit.register(shutil.rmtree, root, True)
        env = _server_env(port, free_port(), root, "bank.test")
        env["REFLEX_WEB_WORKDIR"] = str(root / "web")
        env["REFLEX_STATES_WORKDIR"] = str(root / "states")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "reflex",
                "export",
                "--frontend-only",
                "--no-zip",
                "--env",
                "prod",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"frontend build failed:\n{done.stdout[-4000:]!r}{done.stderr[-4000:]!r}"
            )
        _built = (root / "web", port)
    return _built


def copy_build(web_dir: Path, port: int) -> None:
    """The shared build with this server's URL: Reflex bakes its event, upload and ping URLs
    into one chunk (`reflex-env-*.js`, from .web/env.json); nothing else holds the port."""
    source, built_port = _frontend_build()
    shutil.copytree(source, web_dir, ignore=shutil.ignore_patterns("node_modules"), symlinks=True)
    chunks = list((web_dir / "build" / "client" / "assets").glob("reflex-env-*.js"))
    assert len(chunks) == 1, chunks
    text = chunks[0].read_text()
    old, new = f"//widget.test:{built_port}/", f"//widget.test:{port}/"
    assert text.count(old) >= 3 and str(built_port) not in text.replace(old, ""), text
    text = text.replace(old, new)
    chunks[0].write_text(text)
    # Served instead of the file when the browser accepts it (Reflex's precompressed files).
    for compressed in chunks[0].parent.glob(chunks[0].name + ".*"):
        compressed.unlink()
    with gzip.open(f"{chunks[0]}.gz", "wt") as gz:
        gz.write(text)


def start_widget_server(
    extra_env: dict[str, str] | None = None,
    *,
    own_build: bool = True,
    host_name: str = "bank.test",
) -> WidgetServer:
    """A production build on free ports. Live chat is open around the clock unless the caller
    passes its own CW_OPENING_HOURS_PATH, so tests do not depend on the time of day.

    ``host_name`` is where the bank page is served: ``bank.test`` embeds the widget cross-site
    (third-party storage rules apply); ``widget.test`` (another port) embeds it same-site.

    Each extra server serves a copy of one build with its own URL in its own web folder (the
    build bakes the server's URL into the frontend, so two servers sharing `.web` would send
    one's customers to the other); the shared server (``own_build=False``) builds `.web` with
    `reflex run --env prod`, as the demo does."""
    port, host_port = free_port(), free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="cw-e2e-"))
    log_path = data_dir / "server.log"
    env = _server_env(port, host_port, data_dir, host_name)
    if own_build:
        env["REFLEX_WEB_WORKDIR"] = str(data_dir / "web")
        env["REFLEX_STATES_WORKDIR"] = str(data_dir / "states")
        copy_build(data_dir / "web", port)
        command = [sys.executable, "-m", "tests.e2e.serve_built", str(port)]
    else:
        command = [
            sys.executable,
            "-m",
            "reflex",
            "run",
            "--env",
            "prod",
            "--single-port",
            "--backend-port",
            str(port),
            "--loglevel",
            "warning",
        ]
    env.update(extra_env or {})
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _wait_http(f"http://127.0.0.1:{port}/ping", time.time() + 300, proc, log_path)
    _wait_http(f"http://127.0.0.1:{port}/widget/", time.time() + 60, proc, log_path)
    return WidgetServer(port, host_port, data_dir, proc, log_path, env, host_name, command)


def run_cli(env: dict[str, str], *args: str) -> None:
    """One of the project's commands (``python -m ARGS``) with a test server's settings, as an
    operator runs it beside the server (migrations, seeding the demo's employees)."""
    subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def stop_widget_server(server: WidgetServer) -> None:
    # Shown by pytest only when something failed: the server's own account of it.
    sys.stderr.write(f"--- widget server log (tail) ---\n{server.log_path.read_text()[-6000:]}\n")
    try:
        # A server with browsers still connected may wait 20 s and more for them (seen in the
        # chaos tests' teardown): its graceful stop is tested in test_production.py, not here.
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(server.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    shutil.rmtree(server.data_dir, ignore_errors=True)


GRAPH_TOKEN = "e2e-graph-token"
GRAPH_BUSINESS = "bank@contoso.onmicrosoft.com"
GRAPH_SERVICES = {
    "daily_banking": "svc-daily",
    "loans_mortgage": "svc-loans",
    "insurance": "svc-insurance",
    "investments": "svc-invest",
}


@pytest.fixture(scope="session")
def fake_graph() -> Iterator[FakeGraph]:
    """Microsoft Graph (Bookings) as a local fake; the widget server talks to it with msgraph-sdk."""
    yield from running_fake(
        token=GRAPH_TOKEN,
        business_id=GRAPH_BUSINESS,
        services={sid: topic for topic, sid in GRAPH_SERVICES.items()},
        staff={
            "staff-claire": "Claire Dubois",
            "staff-joris": "Joris Peeters",
            "staff-jonas": "Jonas Schmitz",
            "staff-ines": "Inès Lambert",
            "staff-pieter": "Pieter Janssens",
        },
    )


def graph_env(fake: FakeGraph) -> dict[str, str]:
    return {
        "CW_GRAPH_BASE_URL": fake.base_url,
        "CW_GRAPH_BOOKING_BUSINESS_ID": GRAPH_BUSINESS,
        "CW_GRAPH_SERVICE_IDS": ",".join(f"{k}={v}" for k, v in GRAPH_SERVICES.items()),
        "CW_GRAPH_STATIC_TOKEN": GRAPH_TOKEN,
        "CW_GRAPH_TIMEOUT_SECONDS": "3",
        "CW_GRAPH_MEETING_ORGANIZER": "staff",
    }


@pytest.fixture(scope="session")
def fake_idp() -> Iterator[fake_oidc.FakeOidc]:
    """The bank's identity provider as a local fake (tests/fakes/fake_oidc.py): the console
    offers single sign-on beside the test accounts' local passwords."""
    yield from fake_oidc.running_fake(fake_oidc.demo_users())


@pytest.fixture(scope="session")
def widget_server(fake_graph: FakeGraph, fake_idp: fake_oidc.FakeOidc) -> Iterator[WidgetServer]:
    need_tool(
        Path(CHROMIUM).exists() or bool(os.environ.get("CW_PLAYWRIGHT_BUNDLED")),
        "no Chromium: run scripts/bootstrap --browser",
    )
    # Manual routing: these journeys show the queue and an agent accepting from it. Automatic
    # routing (the default) is exercised across two workers in test_two_workers.py.
    env = {**graph_env(fake_graph), **fake_idp.env(), "CW_CHAT_ROUTING": "manual"}
    server = start_widget_server(env, own_build=False)
    fake_idp.allow_redirect(f"{server.origin}/api/agent/oidc/callback")
    host = demo_host.serve(server.host_port, server.origin)
    yield server
    host.shutdown()
    stop_widget_server(server)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


def launch_args(extra: list[str] | None = None) -> dict[str, object]:
    options: dict[str, object] = {"args": BASE_ARGS + (extra or []), "headless": True}
    if Path(CHROMIUM).exists():
        options["executable_path"] = CHROMIUM
    return options


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright, widget_server: WidgetServer) -> Iterator[Browser]:
    # The test sites are plain http; production is https. Treat the widget origin as secure so
    # camera/microphone APIs exist there, as they do in production.
    # (A frame is a secure context only when its ancestors are too: the bank page as well.)
    origins = f"{widget_server.origin},http://bank.test:{widget_server.host_port}"
    secure = f"--unsafely-treat-insecure-origin-as-secure={origins}"
    b = playwright_instance.chromium.launch(**launch_args([secure]))  # type: ignore[arg-type]
    yield b
    b.close()


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    ctx.on("weberror", lambda e: errors.append(f"pageerror: {e.error}"))
    ctx.on(
        "console",
        lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None,
    )
    yield ctx
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed and errors:
        sys.stderr.write("browser errors:\n" + "\n".join(errors) + "\n")
    ctx.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def widget_frame(page: Page, timeout: float = 15.0) -> Frame:
    """The widget iframe. It lives in the loader's closed shadow root, so locate it by URL."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in page.frames:
            # By path: the host page itself may be served from the widget's host name.
            if urlsplit(frame.url).path.startswith("/widget"):
                return frame
        page.wait_for_timeout(100)
    raise AssertionError("widget iframe never appeared")


def wait_booted(frame: Frame) -> None:
    frame.wait_for_selector(".cw-app[data-booted='true']", timeout=20000)


def open_widget(page: Page, server: WidgetServer) -> Frame:
    page.goto(server.bank_url)
    page.wait_for_function(
        "document.documentElement.dataset.cwReady !== undefined || !!window.cw.open", timeout=15000
    )
    page.evaluate("cw('open')")
    frame = widget_frame(page)
    wait_booted(frame)
    return frame


def focus_launcher(page: Page) -> None:
    """Tab to the launcher (inside a closed shadow root: the host element takes the focus)."""
    page.locator("h1").first.click()
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-contact-widget')"):
            return
    raise AssertionError("launcher never took the focus")


def axe_violations(target: Page | Frame) -> list[dict[str, object]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(target)
    violations: list[dict[str, object]] = results.response["violations"]
    return violations


def describe(violations: list[dict[str, object]]) -> str:
    return json.dumps(
        [
            {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}  # type: ignore[index,union-attr]
            for v in violations
        ],
        indent=1,
    )
