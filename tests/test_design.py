"""The package's shape: imports run one way, no import circle, no private name crosses a module
boundary, and docs/DESIGN.md's tree is the package's files (ls -R runlog)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "runlog"

#: The layers, lowest first: a module imports only from its own layer or lower ones.  What the tree
#: shows: io (one file) -> history (many files) -> journal -> features -> analysis (decisions and
#: numbers) -> render (what a runner reads) -> report (analyze -> Report) -> experiment, simulate
#: -> the command and the package's public face.
LAYERS = [
    ("runlog._version", "runlog._program", "runlog._threads", "runlog.errors", "runlog.units", "runlog.geo"),
    ("runlog.schema",),
    ("runlog.io",),
    ("runlog.history",),
    ("runlog.journal",),
    ("runlog.features",),
    ("runlog.analysis",),
    ("runlog.render",),
    ("runlog.report",),
    ("runlog.experiment", "runlog.simulate"),
    ("runlog.cli", "runlog"),
]


def _modules() -> dict[str, tuple[Path, bool]]:
    out = {}
    for f in sorted(PKG.rglob("*.py")):
        parts = list(f.relative_to(ROOT).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_pkg else parts)] = (f, is_pkg)
    return out


MODULES = _modules()


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Line numbers of the imports inside ``if TYPE_CHECKING:`` blocks (never run)."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            lines |= {n.lineno for b in node.body for n in ast.walk(b) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return lines


def _imports(name: str, *, run: bool = False) -> list[tuple[str, str | None, int]]:
    """(module imported, name imported from it or None, line) for every runlog import of *name*,
    top-level and inside functions ('lazy') alike; *run*: only those that run (not the ones for a
    type checker under ``if TYPE_CHECKING:``)."""
    f, is_pkg = MODULES[name]
    pkg = name.split(".") if is_pkg else name.split(".")[:-1]
    out = []
    tree = ast.parse(f.read_text(encoding="utf-8"))
    skip = _type_checking_only(tree) if run else set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            base = pkg[:len(pkg) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module or ""
            if target.split(".")[0] != "runlog":
                continue
            for a in node.names:
                full = f"{target}.{a.name}"
                out.append((full, None, node.lineno) if full in MODULES else (target, a.name, node.lineno))
        elif isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names if a.name.split(".")[0] == "runlog"]
    return out


def _layer(module: str) -> int:
    found = [i for i, layer in enumerate(LAYERS) for p in layer
             if module == p or (p != "runlog" and module.startswith(p + "."))]
    assert found, f"{module} is in no layer of tests/test_design.py: add it where it belongs"
    return max(found)


def test_every_module_has_a_layer():
    for m in MODULES:
        _layer(m)


def test_imports_run_one_way():
    up = [f"{m}:{line} imports {t}" for m in MODULES for t, _, line in _imports(m) if _layer(t) > _layer(m)]
    assert up == []


def test_analysis_never_imports_rendering():
    bad = [f"{m}:{line} imports {t}" for m in MODULES if m.startswith("runlog.analysis")
           for t, _, line in _imports(m) if t.startswith(("runlog.render", "runlog.report"))]
    assert bad == []


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return [*stack[stack.index(m):], m]
            if m not in state and (c := visit(m)):
                return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (c := visit(n)):
            return c
    return None


def _owner(module: str) -> str:
    """The package or top-level module a module belongs to ('runlog.history._cache' -> 'runlog.history')."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def test_no_import_circle():
    # between the packages and top-level modules, and between the modules themselves (the imports that
    # run, lazy ones included; a type checker's imports under TYPE_CHECKING never run)
    packages: dict[str, set[str]] = {}
    modules: dict[str, set[str]] = {}
    for m in MODULES:
        for t, _, _ in _imports(m, run=True):
            if t == "runlog" or m == "runlog":
                continue
            modules.setdefault(m, set()).add(t)
            if _owner(t) != _owner(m):
                packages.setdefault(_owner(m), set()).add(_owner(t))
    assert _cycle(packages) is None, _cycle(packages)
    assert _cycle(modules) is None, _cycle(modules)


def test_no_private_name_crosses_a_module_boundary():
    bad = []
    for m in MODULES:
        for t, name, line in _imports(m):
            if name is not None and name.startswith("_") and not name.startswith("__"):
                bad.append(f"{m}:{line} takes {t}.{name}")
            parts = t.split(".")
            for i, p in enumerate(parts[1:], start=1):
                owner = ".".join(parts[:i])
                if p.startswith("_") and not (m == owner or m.startswith(owner + ".")):
                    bad.append(f"{m}:{line} imports {t}, internal to {owner}")
                    break
    assert bad == []


def _design_tree() -> list[str]:
    text = (ROOT / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    block = re.search(r"```\nrunlog/\n(.*?)```", text, re.S).group(1)
    paths, dirs = [], []
    for line in block.splitlines():
        m = re.match(r"^( +)(\S+)", line)
        if not m or not re.match(r"^[\w.-]+/?$", m.group(2)) or m.group(2).startswith("("):
            continue
        depth = (len(m.group(1)) - 2) // 2
        name = m.group(2)
        if depth > len(dirs):      # a continuation line indented deeper than any entry
            continue
        dirs = dirs[:depth]
        if name.endswith("/"):
            dirs.append(name)
        paths.append("".join(dirs[:depth]) + name)
    return paths


def test_design_tree_is_the_package():
    listed = set(_design_tree())
    files = {str(p.relative_to(PKG)) + ("/" if p.is_dir() else "") for p in PKG.rglob("*")
             if "__pycache__" not in p.parts and not p.name.endswith(".pyc")}
    assert sorted(files - listed) == [], "in runlog/ but not in docs/DESIGN.md"
    assert sorted(listed - files) == [], "in docs/DESIGN.md but not in runlog/"


@pytest.mark.parametrize("folder", sorted(p.name for p in (ROOT / "tests").iterdir()
                                          if p.is_dir() and p.name not in ("data", "__pycache__")))
def test_test_folders_mirror_the_package(folder):
    assert (PKG / folder).is_dir() or (ROOT / folder).is_dir() or folder == "typecheck", folder
