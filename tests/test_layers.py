"""The code's shape, checked: the layers and the absence of import circles (import-linter's
contracts in pyproject.toml), no dead code (vulture), and a provider named only inside its own
package: the rest of the product reads the registry."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRODUCT = ("core", "webapp", "jobs", "workouts")  # everything but providers/ (and the sandbox, tests, docs)
NAMES = re.compile(r"garmin|wahoo|suunto", re.IGNORECASE)


def run(tool: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / tool)], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_layers_hold_and_no_package_has_an_import_circle():
    result = run("lint-imports")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_there_is_no_dead_code():
    result = run("vulture")
    assert result.returncode == 0, result.stdout


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def provider_names_in(path: Path) -> list[str]:
    """Where a Python file names a provider in code: string constants (not docstrings),
    names, attributes and imports.  Comments are not code."""
    tree = ast.parse(path.read_text())
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        text = (node.value if isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docstrings else
                node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else
                node.name if isinstance(node, ast.alias) else None)
        if text and NAMES.search(text):
            found.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}: {text[:60]}")
    return found


def template_names_in(path: Path) -> list[str]:
    text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)
    return [f"{path.relative_to(ROOT)}:{n}: {line.strip()[:60]}" for n, line in enumerate(text.splitlines(), 1)
            if NAMES.search(line)]


def test_at_most_two_files_outside_providers_and_the_sandbox_name_a_provider():
    assert provider_names_in(ROOT / "providers" / "garmin" / "__init__.py")  # the check sees a name where one is
    by_file: dict[str, list[str]] = {}
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            if found := provider_names_in(path):
                by_file[str(path)] = found
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if found := template_names_in(path):
            by_file[str(path)] = found
    assert len(by_file) <= 2, "\n".join(line for lines in by_file.values() for line in lines)
