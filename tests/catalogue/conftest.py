"""Catalogue fixtures: the index's side structures are emptied with the tables."""

from __future__ import annotations

import pytest

from accelerator.catalogue import queries


@pytest.fixture(autouse=True)
def _clean_catalogue(app):
    queries.cache.clear()
    yield
    queries.cache.clear()
