"""Domains import from core and from the domains below them, never upward (DESIGN.md):
core ← accounts ← criteria ← audits ← checks ← training ← certification ← catalogue ←
reporting. A domain above listens to a signal of the one below instead of being called."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import accelerator

#: the order of DESIGN.md; domains not written yet are simply absent from the tree
ORDER = (
    "core",
    "accounts",
    "criteria",
    "audits",
    "checks",
    "training",
    "certification",
    "catalogue",
    "reporting",
)
PACKAGE = Path(accelerator.__file__).parent


def _imported_domains(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {
        name.split(".")[1]
        for name in names
        if name.startswith("accelerator.") and name.split(".")[1] in ORDER
    }


@pytest.mark.parametrize("domain", [d for d in ORDER if (PACKAGE / d).is_dir()])
def test_a_domain_imports_no_domain_above_it(domain):
    above = set(ORDER[ORDER.index(domain) + 1 :])
    upward = {
        str(path.relative_to(PACKAGE)): sorted(_imported_domains(path) & above)
        for path in (PACKAGE / domain).rglob("*.py")
        if _imported_domains(path) & above
    }
    assert upward == {}
