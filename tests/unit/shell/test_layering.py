"""The dependency direction of the whole package, checked from the source: ui → channels →
adapters/guard → domain.

A newcomer can trust the map in docs/architecture.md because this test fails on the first import
that points the other way (or closes a cycle between packages), and on any module other than
``settings.py`` that reads the environment: configuration has one door.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import chat_widget

ROOT = Path(chat_widget.__file__).parent

#: Top-level packages and modules by layer; a module may import its own layer or a lower one.
LAYERS: dict[str, int] = {
    # 0: plain types and rules shared by everything; no I/O.
    "domain": 0,
    # 1: infrastructure: database, file store, Graph, OIDC, LLM clients, the privacy guard,
    # file checks, translations, logs and metrics, settings.
    "adapters": 1,
    "guard": 1,
    "files": 1,
    "i18n": 1,
    "observability": 1,
    "settings": 1,
    # 2: the channels and their use cases (plain Python, unit-tested).
    "agents": 2,
    "assistant": 2,
    "audit": 2,
    "claims": 2,
    "conversations": 2,
    "customers": 2,
    "identity": 2,
    "live_chat": 2,
    "meetings": 2,
    "privacy": 2,
    "supervision": 2,
    "tables": 2,
    # 3: what a browser, an HTTP client or an operator talks to.
    "ui": 3,
    "web": 3,
    "routes": 3,
    "chat_widget": 3,
    "ops": 3,
    "devtools": 3,
    "migrations": 3,
}

#: Libraries that only the UI layer (and the process launcher) may import.
UI_LIBRARIES = ("reflex", "reflex_base")
#: Network clients of outside services: channels reach Graph, the identity provider and the LLM
#: only through adapters (the domain reaches nothing at all).
HTTP_CLIENTS = ("httpx", "msgraph", "kiota", "azure", "authlib", "uvicorn", "starlette")
#: Stores the domain never talks to (table declarations with SQLModel are fine; channels may, e.g.
#: the live chat bus on Redis).
STORES = ("redis", "psycopg", "psycopg2")


@dataclass(frozen=True)
class Import:
    source: str  # path relative to the package, e.g. "ui/widget_state.py"
    target: str  # dotted module name as written
    line: int


def _package_of(rel: Path) -> str:
    return rel.parts[0].removesuffix(".py")


@cache
def _imports() -> tuple[Import, ...]:
    found: list[Import] = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [Import(str(rel), alias.name, node.lineno) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append(Import(str(rel), node.module, node.lineno))
                if node.module == "chat_widget":
                    found += [
                        Import(str(rel), f"chat_widget.{alias.name}", node.lineno)
                        for alias in node.names
                    ]
    return tuple(found)


def _internal(imp: Import) -> tuple[str, str] | None:
    """(importing package, imported package) for an import inside chat_widget."""
    parts = imp.target.split(".")
    if parts[0] != "chat_widget" or len(parts) < 2:
        return None
    return _package_of(Path(imp.source)), parts[1]


def _edges() -> Iterator[tuple[str, str, Import]]:
    for imp in _imports():
        pair = _internal(imp)
        if pair and pair[0] != pair[1]:
            yield pair[0], pair[1], imp


def test_every_package_has_a_layer() -> None:
    packages = {_package_of(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")} - {"__init__"}
    assert packages - set(LAYERS) == set()


def test_no_import_points_upward() -> None:
    upward = [
        f"{imp.source}:{imp.line} imports {imp.target} ({src} is layer {LAYERS[src]}, "
        f"{dst} is layer {LAYERS[dst]})"
        for src, dst, imp in _edges()
        if dst in LAYERS and LAYERS[dst] > LAYERS[src]
    ]
    assert upward == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_graph() -> dict[str, set[str]]:
    """Module → modules it imports (``from pkg import sub`` counts as importing ``pkg.sub``)."""
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for path in modules.values():
        source = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = [f"{node.module}.{alias.name}" for alias in node.names]
                targets = [t for t in subs if t in modules] or [node.module]
            graph[source].update(t for t in targets if t in modules and t != source)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


#: Debt, listed so that it cannot grow: ``WidgetState`` dispatches to its channel substates by
#: importing them inside its handlers (open_view, set_locale). Remove when the views call their
#: substate's events directly; the test then fails until this list is emptied.
KNOWN_CYCLES = [
    [
        "chat_widget.ui.assistant_state",
        "chat_widget.ui.claim_state",
        "chat_widget.ui.privacy_state",
        "chat_widget.ui.video_state",
        "chat_widget.ui.widget_state",
    ]
]


def test_modules_import_each_other_in_no_cycle() -> None:
    """A cycle (even through a function-level import) means two modules are one in disguise."""
    assert _cycles(_module_graph()) == KNOWN_CYCLES


def test_the_cycle_check_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_only_the_ui_layer_imports_reflex() -> None:
    offenders = [
        f"{imp.source}:{imp.line} {imp.target}"
        for imp in _imports()
        if imp.target.split(".")[0] in UI_LIBRARIES and LAYERS[_package_of(Path(imp.source))] < 3
    ]
    assert offenders == []


def test_channels_use_no_http_client_and_the_domain_no_io() -> None:
    offenders = []
    for imp in _imports():
        library = imp.target.split(".")[0]
        layer = LAYERS[_package_of(Path(imp.source))]
        if (layer == 2 and library in HTTP_CLIENTS) or (
            layer == 0 and library in HTTP_CLIENTS + STORES
        ):
            offenders.append(f"{imp.source}:{imp.line} {imp.target}")
    assert offenders == []


def _reads_environment(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}:
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(alias.name in {"environ", "getenv"} for alias in node.names):
                lines.append(node.lineno)
    return lines


def test_only_settings_reads_the_environment() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(ROOT.rglob("*.py"))
        if path.name != "settings.py"
        for line in _reads_environment(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == []


def test_meetings_reach_the_calendar_only_through_its_port() -> None:
    """The booking rules are tested against ``domain.calendar.MeetingGateway`` alone; only the
    check command (an entry point, like privacy's CLI) wires the Graph adapter itself."""
    offenders = [
        f"{imp.source}:{imp.line} {imp.target}"
        for imp in _imports()
        if imp.source.startswith("meetings/")
        and imp.source != "meetings/check.py"
        and imp.target.startswith("chat_widget.adapters")
    ]
    assert offenders == []
