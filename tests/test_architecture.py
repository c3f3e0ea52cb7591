"""The layout as rules: layers import only layers below them, and nothing imports in circles.

    core (0) → index_mappings, crawler, pipeline, demo (1) → search (2) → flows (3) → bma_news (4)

Every import counts, also one inside a function: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LAYERS = {"core": 0, "index_mappings": 1, "crawler": 1, "pipeline": 1, "demo": 1,
          "search": 2, "flows": 3, "bma_news": 4}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in LAYERS:
        for path in sorted((REPO / package).rglob("*.py")):
            modules[_module_name(path)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an import names (`a.b.c` may be module a.b with attribute c)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names] or [base]
            for target in targets:
                found = _resolve(target, modules)
                if found and found != name:
                    graph[name].add(found)
        graph.setdefault(name, set())
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (as a path that returns to its start), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def folder_of(module: str, modules: dict[str, Path]) -> str:
    return module if modules[module].name == "__init__.py" else module.rpartition(".")[0]


def test_layers_import_only_layers_below():
    wrong = []
    for importer, imported in sorted((a, b) for a, bs in import_graph().items() for b in bs):
        top_a, top_b = importer.split(".")[0], imported.split(".")[0]
        if top_a != top_b and LAYERS[top_b] >= LAYERS[top_a]:
            wrong.append(f"{importer} -> {imported}")
    assert wrong == []


def test_core_imports_nothing_of_the_project_but_core():
    outside = [f"{a} -> {b}" for a, bs in import_graph().items() if a.split(".")[0] == "core"
               for b in bs if b.split(".")[0] != "core"]
    assert outside == []


def test_no_import_cycle_between_modules():
    assert find_cycle(import_graph()) is None


def test_no_import_cycle_between_folders():
    modules = project_modules()
    folders: dict[str, set[str]] = defaultdict(set)
    for importer, imported in import_graph().items():
        for target in imported:
            a, b = folder_of(importer, modules), folder_of(target, modules)
            if a != b:
                folders[a].add(b)
    assert find_cycle(folders) is None


@pytest.mark.parametrize("graph,cyclic", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True),
    ({"a": {"b", "c"}, "b": {"c"}, "c": set()}, False),
])
def test_the_cycle_finder_finds_cycles(graph, cyclic):
    assert (find_cycle(graph) is not None) is cyclic


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    # bma_news.commands.flows imports flows.nightly inside its commands only
    assert "flows.nightly" in graph["bma_news.commands.flows"]
