"""Pagination of pages (HTML lists): one page number parser, and no page past the end.

A page number that is not a whole number from 1, or that lies past the last page, names a
page that does not exist: 404 with a French message, never an OFFSET overflowing the
database (the API's lists keep their own contract: ``core.api.page_args``).
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select
from werkzeug.exceptions import NotFound

from accelerator.extensions import db

#: beyond this a page is necessarily empty; refusing it keeps OFFSET within integer range
MAX_PAGE = 1_000_000


class PageOutOfRange(NotFound):
    """A list page that does not exist; ``message`` is shown on the 404 page."""

    def __init__(self, message: str):
        super().__init__(description=message)
        self.message = message


def requested_page(raw: str | None = None) -> int:
    """The ``page`` of the query string (1 when absent); ``PageOutOfRange`` when it cannot be."""
    raw = request.args.get("page", "") if raw is None else raw
    raw = raw.strip()
    if raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        raise PageOutOfRange(gettext("The page number must be a whole number from 1."))
    return int(raw)


def check_last_page(page: int, pages: int) -> None:
    """Refuse a page past the last one (an empty list has one page, empty)."""
    if page > max(pages, 1):
        raise PageOutOfRange(
            gettext(
                "There is no page %(page)s: this list has %(pages)s page(s).",
                page=page,
                pages=max(pages, 1),
            )
        )


def paginate_page(statement: Select, per_page: int, page: int | None = None) -> Pagination:
    """One page of ``statement`` for an HTML list; 404 past the last page."""
    page = requested_page() if page is None else page
    result = db.paginate(
        statement, page=page, per_page=per_page, max_per_page=per_page, error_out=False
    )
    check_last_page(page, result.pages)
    return result
