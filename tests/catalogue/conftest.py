"""Catalogue fixtures: the index's side structures are emptied with the tables."""

from __future__ import annotations

import pytest

from accelerator.catalogue import queries, search
from accelerator.extensions import db


@pytest.fixture(autouse=True)
def _clean_catalogue(app):
    queries.cache.clear()
    yield
    queries.cache.clear()
    # The FTS5 table is not in the metadata, so the shared fixture does not empty it.
    search.clear_index()
    db.session.commit()
