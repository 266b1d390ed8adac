"""The import rules of flows/, tasks/ and warehouse/, checked on their source (no import is run):
no import cycle, no module importing another's private (_underscore) names, and no DuckDB
work (duckdb.connect/sql, .execute, .register) outside warehouse/.

    python tests/import_graph.py      # prints what it found
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("flows", "tasks", "warehouse")
_DUCKDB_CALLS = {"execute", "executemany", "register", "connect", "sql"}


def modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for file in sorted((root / package).rglob("*.py")):
            name = ".".join(file.relative_to(root).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = file
    return found


def _runtime_nodes(tree: ast.Module) -> list[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:` (imports for annotations only)."""
    typing_only = {
        id(n)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and getattr(block.test, "id", None) == "TYPE_CHECKING"
        for stmt in block.body
        for n in ast.walk(stmt)
    }
    return [n for n in ast.walk(tree) if id(n) not in typing_only]


def analyse(root: Path = ROOT) -> tuple[dict[str, set[str]], list[str], list[str]]:
    """(module -> modules it imports, private names imported, DuckDB calls outside warehouse/)."""
    mods = modules(root)
    edges: dict[str, set[str]] = {}
    private: list[str] = []
    duckdb_calls: list[str] = []
    for name, file in mods.items():
        aliases: dict[str, str] = {}
        deps = edges.setdefault(name, set())
        for node in _runtime_nodes(ast.parse(file.read_text())):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in mods:
                        deps.add(a.name)
                        aliases[a.asname or a.name] = a.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    if f"{node.module}.{a.name}" in mods:
                        deps.add(f"{node.module}.{a.name}")
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
                    elif node.module in mods:
                        deps.add(node.module)
                        if a.name.startswith("_"):
                            private.append(f"{name}: from {node.module} import {a.name}")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                target = aliases.get(node.value.id)
                if target and target != name and _private(node.attr):
                    private.append(f"{name}: {node.value.id}.{node.attr}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _DUCKDB_CALLS
                and not name.startswith("warehouse")
                # store.connect() and the like: a warehouse function, not DuckDB's
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id in aliases)
            ):
                duckdb_calls.append(f"{name}: line {node.lineno} .{node.func.attr}(")
        deps.discard(name)
    return edges, private, duckdb_calls


def _private(attr: str) -> bool:
    return attr.startswith("_") and not attr.startswith("__")


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def main() -> int:
    edges, private, duckdb_calls = analyse()
    loops = cycles(edges)
    print(f"{len(edges)} modules, {sum(len(d) for d in edges.values())} import edges")
    print("import cycles:", loops or "none")
    print("private names imported from another module:", private or "none")
    print("DuckDB calls outside warehouse/:", duckdb_calls or "none")
    return 1 if loops or private or duckdb_calls else 0


if __name__ == "__main__":
    sys.exit(main())
