"""The shape of the code, checked on every run (shared/ARCHITECTURE.md, docs/adr/0006): no import cycle between
modules, each app imports only the layers below it, no private name imported from another app, and no file over
500 lines outside migrations and tests. Imports are read from the source (every `import`, at the top or inside a
function: a cycle hidden inside a function is still a cycle)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["mash", "audit", "agencies", "referrals", "decisions", "reports"]
# Each app may import the apps before it in this list, never one after it.
LAYERS = {app: set(APPS[:i]) for i, app in enumerate(APPS)}
LAYERS["mash"] = set()
MAX_LINES = 500
# The root URLconf composes every app's pages: the one module of mash/ that names the apps above it.
COMPOSITION_ROOTS = {"mash.urls"}


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import statement in the file, absolute names."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, [alias.name for alias in node.names]))
    return found


MODULES = {_module(path): path for path in _sources()}


def _resolve(name: str, names: list[str]) -> list[str]:
    """The project modules an import statement depends on: `from a.b import c` is a.b.c when that is a module."""
    targets = []
    for candidate in [f"{name}.{n}" for n in names] or [name]:
        if candidate in MODULES:
            targets.append(candidate)
        elif name in MODULES:
            targets.append(name)
    if not names and name in MODULES:
        targets.append(name)
    return sorted(set(targets))


def _graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        edges = set()
        for name, names in _imports(path):
            edges.update(t for t in _resolve(name, names) if t != module)
        graph[module] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _package(module: str) -> str:
    """A module's package: the module itself for a package's __init__, else its parent."""
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def test_no_module_imports_itself_through_others():
    graph = _graph()
    # A package's __init__ that re-exports its own modules is not a cycle of the code's shape.
    for module in graph:
        graph[module] = {
            t for t in graph[module] if not (MODULES[module].name == "__init__.py" and t.startswith(module + "."))
        }
    assert _cycles(graph) == []


@pytest.mark.parametrize("app", APPS)
def test_each_app_imports_only_the_layers_below_it(app):
    upward = []
    for module, path in MODULES.items():
        if module.split(".")[0] != app or module in COMPOSITION_ROOTS:
            continue
        for name, _ in _imports(path):
            top = name.split(".")[0]
            if top in APPS and top != app and top not in LAYERS[app]:
                upward.append(f"{module} imports {name}")
    assert upward == []


def test_no_private_name_is_imported_from_another_app():
    private = []
    for module, path in MODULES.items():
        for name, names in _imports(path):
            if name.split(".")[0] in APPS and name.split(".")[0] != module.split(".")[0]:
                private += [f"{module} imports {name}.{n}" for n in names if n.startswith("_")]
    assert private == []


def test_no_file_is_over_500_lines():
    roots = [*APPS, "bench", "templates"]
    long = []
    for root in roots:
        for path in sorted((ROOT / root).rglob("*")):
            if path.suffix not in (".py", ".html", ".txt") or "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert long == []


def test_only_the_models_change_a_status():
    """Lifecycles live on the models (mash/lifecycle.py `move`): no `.update(status=…)` or `.status = …` elsewhere,
    and likewise for `state` (deadlines move through their queryset's transitions, referrals/models/triage.py)."""
    import re

    writes = re.compile(r"\.update\([^)]*\b(status|state)\s*=|\.(status|state)\s*=[^=]")
    found = []
    for module, path in MODULES.items():
        if ".models" in module or module == "mash.lifecycle":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if writes.search(line) and "status_code" not in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
