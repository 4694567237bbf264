"""The locks (requirements/*.txt) hold what pyproject.toml asks for, at versions its ranges allow.

`make run`, `make test` and CI install from the locks only, so a dependency added to
pyproject.toml without `make lock` would be missing there: this test says so first.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def _locked(name: str) -> dict[str, Version]:
    text = (ROOT / "requirements" / name).read_text()
    return {canonicalize_name(n): Version(v) for n, v in _PIN.findall(text)}


CASES = [("runtime.txt", r) for r in PROJECT["dependencies"]] + [
    ("test.txt", r) for r in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]
]


@pytest.mark.parametrize(("lock", "requirement"), CASES, ids=[f"{f}:{r}" for f, r in CASES])
def test_every_dependency_is_locked_within_its_range(lock, requirement):
    wanted = Requirement(requirement)
    locked = _locked(lock)
    name = canonicalize_name(wanted.name)
    assert name in locked, f"{wanted.name} is not in requirements/{lock}: run 'make lock'"
    assert wanted.specifier.contains(locked[name], prereleases=True), (
        f"requirements/{lock} locks {wanted.name} {locked[name]}, outside {wanted.specifier}: "
        "run 'make lock'"
    )


@pytest.mark.parametrize("lock", ["runtime.txt", "test.txt"])
def test_every_locked_package_has_its_hashes(lock):
    text = (ROOT / "requirements" / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    assert entries
    unhashed = [e.split()[0] for e in entries if "==" in e and "--hash=sha256:" not in e]
    assert unhashed == []
