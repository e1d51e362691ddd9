"""The architecture holds: layers and a Qt-free core (import-linter, every package covered), no import
cycles (grimp's graph, function-level imports included), and the core imports without Qt at run time."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mission_control"
#: Every package and module of the layers below the desktop face, found from the folder (none forgotten).
CORE = sorted(
    f"mission_control.{p.stem}"
    for p in PACKAGE.iterdir()
    if p.stem not in ("ui", "resources", "__init__", "__main__", "__pycache__")
    and ((p.is_dir() and (p / "__init__.py").is_file()) or p.suffix == ".py")
)


def _layer_names() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return {name.strip() for layer in contract["layers"] for name in layer.replace("|", ":").split(":")}


def test_every_package_is_in_the_layers_contract():
    """A new package must be given its layer; the top level holds only packages and the entry point."""
    tops = {p.stem for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file()}
    assert tops - {"__init__", "resources"} <= _layer_names()
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == ["__init__.py", "__main__.py"]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


@pytest.mark.parametrize("depth", [2, None], ids=["packages", "modules"])
def test_no_import_cycles(depth):
    """Neither two packages nor two modules import each other, directly or round about."""
    import grimp  # import-linter's own graph builder, installed with it

    graph = grimp.build_graph("mission_control")
    modules = {m for m in graph.modules if not m.startswith("mission_control.resources")}
    edges: dict[str, set[str]] = {}
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module) & modules:
            a, b = (".".join(module.split(".")[:depth]), ".".join(imported.split(".")[:depth]))
            if a != b:
                edges.setdefault(a, set()).add(b)
    assert _cycles(edges) == []


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_import_linter_contract_holds():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed in this environment")
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_and_cli_import_without_qt():
    code = (
        "import sys, importlib\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "import mission_control.cli as cli; cli.build_parser()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("module", CORE)
def test_each_core_package_imports_on_its_own(module):
    """No import cycles: whichever package a script imports first must work."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_cli_help_works_headless():
    result = subprocess.run(
        [sys.executable, "-m", "mission_control", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    for command in ("plan", "check", "reschedule", "rollback", "test", "audit", "demo"):
        assert command in result.stdout


def test_no_test_imports_helpers_from_conftest():
    """Helpers live in tests/helpers.py; conftest holds fixtures and hooks only."""
    needle = "from conftest " + "import"  # split, so this file does not match itself
    offenders = [p.name for p in (ROOT / "tests").glob("*.py") if needle in p.read_text(encoding="utf-8")]
    assert offenders == []
