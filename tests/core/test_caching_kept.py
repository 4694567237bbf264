"""``core.caching.kept``: the one way computed values are kept in the application's cache."""

from __future__ import annotations

import pytest

from accelerator.core.caching import kept


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"value": self.calls}


@pytest.mark.parametrize(
    ("keys", "enabled", "timeout", "computed"),
    [
        (["a", "a", "a"], True, 60, 1),  # kept: computed once
        (["a", "b", "a"], True, 60, 2),  # a new key (a new state) computes again
        (["a", "a"], False, 60, 2),  # caching off (the benchmark's cold case)
        (["a", "a"], True, 0, 2),  # no lifetime: never kept
    ],
)
def test_values_are_computed_once_per_key(keys, enabled, timeout, computed):
    compute = Counter()
    answers = [kept(f"test:{key}", compute, timeout=timeout, enabled=enabled) for key in keys]
    assert compute.calls == computed
    if computed == 1:
        assert answers == [{"value": 1}] * len(keys)
