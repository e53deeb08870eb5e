"""The layers stay layers: data flows fetch -> extract -> normalise -> archive <- command line.

Each top-level package may import only the packages below it (``ALLOWED``, as README.md's
layout table and each package's ``__init__`` docstring say). Two checks, so that neither a
lazy import inside a function nor an import done by a dependency slips through:

- statically: every ``import`` / ``from … import`` in every module of a package (read with
  ``ast``, function bodies included) names only allowed packages;
- dynamically: importing each module of a package in a fresh interpreter loads no module of a
  package it may not import (``sys.modules`` afterwards).

And the package graph that the imports draw has no cycle.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Package -> the packages of ours it may import (besides itself), bottom to top.
ALLOWED: dict[str, set[str]] = {
    "normalize": set(),
    "extract": {"normalize"},
    "archive": {"normalize", "extract"},
    "crawler": {"normalize", "extract", "archive"},
    "cli": {"normalize", "extract", "archive", "crawler"},
}
PACKAGES = tuple(ALLOWED)


def modules_of(package: str, root: Path = ROOT) -> list[Path]:
    return sorted(path for path in (root / package).rglob("*.py") if "__pycache__" not in path.parts)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_packages(path: Path, root: Path = ROOT) -> set[str]:
    """The top-level packages of ours that the module at ``path`` imports (anywhere in it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the module's own package
                base = package[: len(package) - node.level + 1]
                names = [".".join([*base, node.module])] if node.module else [".".join([*base, alias.name]) for alias in node.names]
            else:
                names = [node.module or ""]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in ALLOWED)
    return found


def package_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Package -> the other packages its modules import."""
    return {
        package: set().union(*(imported_packages(path, root) for path in modules_of(package, root))) - {package}
        for package in PACKAGES
        if (root / package).is_dir()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` as a path (first node repeated at the end), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def forbidden_imports(root: Path = ROOT) -> list[str]:
    """Every import of a package the importing package may not use: ``module -> package``."""
    return [
        f"{module_name(path, root)} -> {target}"
        for package in PACKAGES
        if (root / package).is_dir()
        for path in modules_of(package, root)
        for target in sorted(imported_packages(path, root) - ALLOWED[package] - {package})
    ]


def test_every_package_imports_only_the_layers_below_it():
    assert forbidden_imports() == []


def test_no_cycle_between_top_level_packages():
    graph = package_graph()
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph))}"
    assert set(graph) == set(PACKAGES)


# Imports every module of the packages named in argv[1] (JSON list of module names) in this
# fresh interpreter and prints which of our top-level packages got loaded.
LOADED = """
import importlib, json, sys
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))))
"""
# Modules that only run as programs, or need an optional extra to import.
NOT_IMPORTED = {"archive.datasette", "crawler.replay.__main__", "cli.__main__", "normalize.data.build_adcodes"}


@pytest.mark.parametrize("package", ["normalize", "extract", "archive", "crawler"])
def test_importing_a_package_loads_no_package_above_it(package):
    names = [name for name in map(module_name, modules_of(package)) if name not in NOT_IMPORTED]
    result = subprocess.run([sys.executable, "-c", LOADED, json.dumps(names), json.dumps(PACKAGES)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert loaded <= ALLOWED[package] | {package}, f"importing {package} loaded {sorted(loaded - ALLOWED[package] - {package})}"


def test_the_check_sees_a_forbidden_import_and_a_cycle(tmp_path):
    """The checks above can fail: an archive module importing crawler (even inside a function)
    is reported, and so is the cycle it makes."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "crawler" / "pipelines.py").write_text("from archive.store import ArchiveWriter\n")
    (tmp_path / "archive" / "migrate.py").write_text("def fill():\n    from crawler.settings import X\n")
    (tmp_path / "archive" / "relative.py").write_text("from . import store\nfrom .. import cli\n")
    assert forbidden_imports(tmp_path) == ["archive.migrate -> crawler", "archive.relative -> cli"]
    assert find_cycle(package_graph(tmp_path)) == ["archive", "crawler", "archive"]


def _named_packages(text: str) -> set[str]:
    return {name for name in re.findall(r"`+([a-z]+)/?`+", text) if name in ALLOWED}


def test_readme_and_package_docstrings_say_the_same_layers():
    """README.md's package table and each ``__init__`` docstring's "May import:" name exactly
    the packages ``ALLOWED`` lets each import, so the documents stay true with the check."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| package | owns | may import |") :].split("\n\n")[0]
    said = {}
    for row in table.splitlines()[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        package = cells[0].strip("`/")
        said[package] = set(PACKAGES[: PACKAGES.index(package)]) if cells[-1] == "all of the above" else _named_packages(cells[-1])
    assert said == ALLOWED
    for package in PACKAGES:
        doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8"))) or ""
        assert "May import:" in doc, f"{package}/__init__.py does not say what it may import"
        sentence = re.split(r"\.\s", doc[doc.index("May import:") :], maxsplit=1)[0]
        assert _named_packages(re.sub(r"\([^)]*\)", "", sentence)) == ALLOWED[package], package
