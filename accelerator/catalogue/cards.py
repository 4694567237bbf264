"""The search results' cards, each rendered once per content, language and mount point.

A card (the ``card`` macro of ``catalogue/_macros.html``) shows its entry's row and nothing
else of the request but the language (its words, dates and numbers) and the mount point
(its links). Twenty cards are most of a results page's rendering, and the same solutions
come back search after search: the shelf keeps each card's HTML under exactly what it was
made from, ``CARD_COLUMNS`` of the row, the locale and ``request.script_root``, so an entry
that changed (a new name, a new rating) is another key and is rendered anew, whatever cache
or snapshot said the catalogue was. What a search finds, counts and ranks is not kept here.

The macro is given the row's ``CARD_COLUMNS`` only: a field it reads that is not in the
key would render empty, which a test catches (``tests/catalogue/test_cards.py`` compares
that card with the macro's given the whole row). ``CATALOGUE_CARD_SHELF_SIZE`` = 0 turns
the shelf off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, namedtuple
from collections.abc import Callable
from operator import attrgetter
from types import SimpleNamespace

from flask import Flask, current_app, get_template_attribute, request
from flask_babel import get_locale
from markupsafe import Markup

#: The row's fields the card shows, the whole of its key with the language and mount point.
CARD_COLUMNS = (
    "solution_id", "slug", "name", "summary", "logo_name", "outcome", "overall_score",
    "organization_name", "domains", "review_count", "review_rating", "valid_until",
)  # fmt: skip
#: Cards a process keeps, the least recently shown dropped: about 4.5 KB each with its key
#: (measured: 18 MB for 4,000 French cards).
DEFAULT_SIZE = 4000


#: What one card is made from: the macro is given these fields and no others.
CardFields = namedtuple("CardFields", CARD_COLUMNS)
_read_fields = attrgetter(*CARD_COLUMNS)
_DOMAINS = CARD_COLUMNS.index("domains")


def card_key(row) -> tuple:
    """The values of ``CARD_COLUMNS`` in ``row``, its domains (a JSON list of objects, as
    decoded: keys in stored order) frozen into tuples so that they can be a key."""
    values = _read_fields(row)
    domains = tuple(tuple(domain.items()) for domain in values[_DOMAINS])
    return (*values[:_DOMAINS], domains, *values[_DOMAINS + 1 :])


def card_fields(row) -> CardFields:
    return CardFields(*_read_fields(row))


class CardShelf:
    """The least recently shown ``size`` cards of one application (thread-safe)."""

    def __init__(self, size: int):
        self.size = size
        self._cards: OrderedDict[tuple, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._cards)

    def get(self, key: tuple, render: Callable[[], Markup]) -> Markup:
        with self._lock:
            html = self._cards.get(key)
            if html is not None:
                self._cards.move_to_end(key)
                return html
        html = render()  # outside the lock: two threads may both render one card
        with self._lock:
            self._cards[key] = html
            while len(self._cards) > self.size:
                self._cards.popitem(last=False)
        return html


def shelf_of(app: Flask) -> CardShelf:
    """The application's shelf, made at its first search (``CATALOGUE_CARD_SHELF_SIZE``
    cards; 0 keeps none)."""
    shelf = app.extensions.get("catalogue_cards")
    if shelf is None:
        size = int(app.config.get("CATALOGUE_CARD_SHELF_SIZE", DEFAULT_SIZE))
        shelf = app.extensions.setdefault("catalogue_cards", CardShelf(size))
    return shelf


def card_renderer(texts: SimpleNamespace, href: Callable[[str], str]) -> Callable[[object], Markup]:
    """``card(row)`` for this request: the shelf's card, or the macro's rendered and kept.
    ``texts`` and ``href`` are the page's words and link builder, which the locale and the
    mount point in the key determine."""
    macro = get_template_attribute("catalogue/_macros.html", "card")
    shelf = shelf_of(current_app)
    if not shelf.size or current_app.jinja_env.auto_reload:
        # off, or templates reloading (development): an edited macro shows at once
        return lambda row: macro(card_fields(row), texts, href)
    place = (str(get_locale()), request.script_root)

    def card(row) -> Markup:
        return shelf.get((place, card_key(row)), lambda: macro(card_fields(row), texts, href))

    return card
