"""Orders and fulfilment sit below the features that plug into checkout.

``orders`` and ``fulfillment`` must not import credit notes (``statements``),
``payments``, ``renewals``, ``approvals`` or ``quotes``: those register pipeline
steps instead. Every import counts, at module level, inside a function, under
``TYPE_CHECKING`` or through ``importlib.import_module`` with a literal name.

Run as a script (``python tests/test_import_direction.py``) to print the cycles
between the top-level packages of ``channelfront``; the test prints them too (``-s``).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

PLATFORM = Path(__file__).resolve().parents[1] / "platform"
ROOT = "channelfront"
GUARDED = ("orders", "fulfillment")
FORBIDDEN = ("statements", "payments", "renewals", "approvals", "quotes")
DYNAMIC = ("import_module", "__import__")


@dataclass(frozen=True)
class Import:
    line: int
    name: str  # dotted; for ``from a import b`` it is ``a.b`` (b may be an attribute)
    kind: str  # "module", "function" or "type-checking"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PLATFORM).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _names(node: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        source = _absolute(node, module, is_package)
        yield source
        yield from (f"{source}.{alias.name}" for alias in node.names if alias.name != "*")
    elif isinstance(node, ast.Call):
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0] if node.args else None
        if called in DYNAMIC and isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield first.value


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(source: str, module: str, is_package: bool = False) -> list[Import]:
    """Every import in ``source``, wherever it is written, with where and how."""
    found: list[Import] = []

    def visit(node: ast.AST, kind: str) -> None:
        for name in _names(node, module, is_package):
            found.append(Import(getattr(node, "lineno", 0), name, kind))
        for child in ast.iter_child_nodes(node):
            if isinstance(node, ast.If) and _is_type_checking(node.test) and child in node.body:
                visit(child, "type-checking")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, "function")
            else:
                visit(child, kind)

    visit(ast.parse(source), "module")
    return found


def package_of(name: str) -> str | None:
    """The top-level package of ``channelfront`` a dotted name lies in, if any."""
    parts = name.split(".")
    if parts[0] != ROOT or len(parts) < 2:
        return None
    return parts[1]


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """``module:line imports name (kind)`` once per import of a forbidden package."""
    named: dict[tuple[int, str], Import] = {}
    for found in imports(source, module, is_package):
        package = package_of(found.name)
        if package not in FORBIDDEN:
            continue
        known = named.get((found.line, package))
        if known is None or len(found.name) > len(known.name):
            named[(found.line, package)] = found  # the most specific name of the import
    return sorted(f"{module}:{f.line} imports {f.name} ({f.kind})" for f in named.values())


def modules_under(*packages: str) -> Iterator[tuple[Path, str]]:
    for package in packages:
        for path in sorted((PLATFORM / ROOT / package).rglob("*.py")):
            yield path, module_name(path)


def test_orders_and_fulfillment_import_no_feature_that_plugs_into_checkout():
    found: list[str] = []
    for path, module in modules_under(*GUARDED):
        source = path.read_text(encoding="utf-8")
        found += violations(source, module, path.name == "__init__.py")
    assert found == [], "Forbidden imports (register a pipeline step instead):\n" + "\n".join(found)


def test_the_guarded_packages_exist():
    modules = [module for _path, module in modules_under(*GUARDED)]
    assert "channelfront.orders.checkout" in modules
    assert "channelfront.fulfillment.services" in modules


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from channelfront.payments import card\n", "channelfront.payments"),
        ("import channelfront.quotes.models\n", "channelfront.quotes.models"),
        ("from channelfront import renewals\n", "channelfront.renewals"),
        ("from ..statements.credit_notes import spend\n", "channelfront.statements.credit_notes"),
        (
            "def f():\n    from channelfront.approvals import chain\n",
            "channelfront.approvals",
        ),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from channelfront.payments.models import Charge\n",
            "channelfront.payments.models",
        ),
        (
            "import importlib\nmod = importlib.import_module('channelfront.renewals.terms')\n",
            "channelfront.renewals.terms",
        ),
    ],
)
def test_the_checker_names_a_forbidden_import(source, expected):
    found = violations(source, "channelfront.orders.example")
    assert found
    assert any("channelfront.orders.example:" in item and expected in item for item in found)


def test_the_checker_tells_where_an_import_is_written():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from channelfront.payments import card\n"
        "if TYPE_CHECKING:\n"
        "    from channelfront.renewals import terms\n"
        "def f():\n"
        "    from channelfront.approvals import chain\n"
    )
    kinds = {
        package_of(found.name): found.kind
        for found in imports(source, "channelfront.orders.example")
        if package_of(found.name)
    }
    assert kinds == {"payments": "module", "renewals": "type-checking", "approvals": "function"}


@pytest.mark.parametrize(
    "source",
    [
        "from channelfront.orders import pipeline\n",
        "from channelfront.subscriptions import services\n",
        "import channelfront.paymentsplus\n",  # a prefix is not the package
        "from . import events\n",
        "x = 'channelfront.payments'\n",
    ],
)
def test_the_checker_lets_allowed_imports_pass(source):
    assert violations(source, "channelfront.orders.example") == []


# The import graph between the top-level packages, printed for the closing note.


def package_graph() -> dict[str, dict[str, list[str]]]:
    """package -> imported package -> examples (``module:line (kind)``)."""
    nodes = {
        path.stem if path.is_file() else path.name
        for path in (PLATFORM / ROOT).iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    graph: dict[str, dict[str, list[str]]] = {node: {} for node in sorted(nodes)}
    for path in sorted((PLATFORM / ROOT).rglob("*.py")):
        module = module_name(path)
        here = package_of(module)
        if here is None:
            continue
        source = path.read_text(encoding="utf-8")
        for found in imports(source, module, path.name == "__init__.py"):
            there = package_of(found.name)
            if there in nodes and there != here:
                where = f"{module}:{found.line} ({found.kind})"
                examples = graph[here].setdefault(there, [])
                if where not in examples:
                    examples.append(where)
    return graph


def strongly_connected(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Tarjan's components of more than one package: each is a knot of cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
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
                components.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return sorted(components)


def shortest_cycle(graph: dict[str, dict[str, list[str]]], start: str) -> list[str] | None:
    """The shortest cycle through ``start`` (breadth first), or None."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node]):
                if target not in graph:
                    continue  # outside the graph searched
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    return None


def describe_cycles(graph: dict[str, dict[str, list[str]]]) -> list[str]:
    """Each knot of packages, then its shortest cycles once each, with example imports."""
    lines: list[str] = []
    for component in strongly_connected(graph):
        lines.append(f"knot: {', '.join(component)}")
        members = set(component)
        seen: set[tuple[str, ...]] = set()
        for node in component:
            cycle = shortest_cycle({n: graph[n] for n in members}, node)
            if cycle is None:
                continue
            ring = cycle[:-1]
            first = ring.index(min(ring))
            canonical = tuple(ring[first:] + ring[:first])
            if canonical in seen:
                continue
            seen.add(canonical)
            lines.append(f"  cycle: {' -> '.join([*canonical, canonical[0]])}")
            for here, there in pairwise([*canonical, canonical[0]]):
                lines.append(f"    {here} -> {there}: {', '.join(graph[here][there][:3])}")
    return lines


def test_the_cycles_between_packages_are_printed(capsys):
    graph = package_graph()
    assert graph["fulfillment"].get("orders")  # the graph sees real imports
    lines = describe_cycles(graph)
    with capsys.disabled():
        print("\nImport cycles between channelfront packages:")
        print("\n".join(lines) if lines else "  none")


def test_cycles_are_found_in_a_small_graph():
    graph = {"a": {"b": ["x"]}, "b": {"c": ["x"]}, "c": {"a": ["x"]}, "d": {"a": ["x"]}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert shortest_cycle(graph, "a") == ["a", "b", "c", "a"]
    assert shortest_cycle(graph, "d") is None


if __name__ == "__main__":
    cycles = describe_cycles(package_graph())
    sys.stdout.write("\n".join(cycles or ["no cycles"]) + "\n")
