"""The main menu: each domain adds its entries; the header shows those the reader may use."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for


@dataclass(frozen=True)
class NavItem:
    order: int
    endpoint: str
    label: str
    #: roles that see the entry; None: everyone (signed in or not)
    roles: tuple | None = None
    #: URL prefix that marks the entry as the current page
    prefix: str | None = None


_ITEMS: list[NavItem] = []


def add_nav_item(item: NavItem) -> None:
    if item.endpoint not in {existing.endpoint for existing in _ITEMS}:
        _ITEMS.append(item)


#: role -> endpoint of the page where that role's work starts (its workspace)
_WORKSPACES: dict = {}


def add_workspace(role, endpoint: str) -> None:
    """The page ``role`` lands on after signing in (each domain names its own)."""
    _WORKSPACES.setdefault(role, endpoint)


def workspace_url(user, fallback: str) -> str:
    """The workspace of ``user``'s role, else ``fallback`` (roles without one)."""
    endpoint = _WORKSPACES.get(getattr(user, "role", None))
    return url_for(endpoint) if endpoint else fallback


def nav_items(user) -> list[dict]:
    role = user.role if user is not None and user.is_authenticated else None
    items = []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if item.roles is not None and role not in item.roles:
            continue
        href = url_for(item.endpoint)
        prefix = item.prefix or href
        current = request.path == href or (prefix != "/" and request.path.startswith(prefix))
        items.append({"href": href, "label": item.label, "current": current})
    return items
