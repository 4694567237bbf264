"""Criteria fixtures: each test starts with an empty PDF cache (ids restart between tests)."""

from __future__ import annotations

import pytest

from accelerator.criteria import views


@pytest.fixture(autouse=True)
def _empty_pdf_cache():
    views._PDF_CACHE.clear()
    yield
    views._PDF_CACHE.clear()
