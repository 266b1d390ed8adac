"""The layout's rules hold: no import cycle, no private name imported from another module, no
DuckDB work outside warehouse/ (checked on the source by tests/import_graph.py)."""

from __future__ import annotations

from pathlib import Path

from tests import import_graph


def test_no_import_cycle() -> None:
    edges, _, _ = import_graph.analyse()
    assert "tasks.land" in edges  # the walk found the tree
    assert import_graph.cycles(edges) == []


def test_the_checker_finds_a_cycle_and_a_private_import(tmp_path: Path) -> None:
    for package in import_graph.PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "tasks" / "a.py").write_text("from tasks.b import _secret\n")
    (tmp_path / "tasks" / "b.py").write_text("from tasks import a\n_secret = 1\n")
    (tmp_path / "flows" / "c.py").write_text("import duckdb\nduckdb.connect('x').execute('x')\n")
    edges, private, duckdb_calls = import_graph.analyse(tmp_path)
    assert import_graph.cycles(edges) == [["tasks.a", "tasks.b"]]
    assert private == ["tasks.a: from tasks.b import _secret"]
    assert [c.split(":")[0] for c in duckdb_calls] == ["flows.c", "flows.c"]


def test_no_private_names_across_modules() -> None:
    assert import_graph.analyse()[1] == []


def test_no_duckdb_work_outside_the_warehouse() -> None:
    assert import_graph.analyse()[2] == []
