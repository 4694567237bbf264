"""The main menu: each domain adds its entries; the header shows those the reader may use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app, request, url_for


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


class NavLink(NamedTuple):
    """An entry of the menu as the header shows it."""

    href: str
    label: str
    current: bool


def _links_for(role) -> tuple[tuple[str, str, object], ...]:
    """(href, prefix, label) of the entries ``role`` sees, in order: built once per role and
    mount point for each application, not with ``url_for`` for each entry of every page.
    The entries' count is in the key: one added later is seen."""
    key = (role, request.script_root, len(_ITEMS))
    kept = current_app.extensions.setdefault("nav_links", {})
    links = kept.get(key)
    if links is None:
        links = []
        for item in sorted(_ITEMS, key=lambda i: i.order):
            if item.roles is not None and role not in item.roles:
                continue
            href = url_for(item.endpoint)
            links.append((href, item.prefix or href, item.label))
        links = kept[key] = tuple(links)
    return links


def nav_items(user) -> list[NavLink]:
    """The menu for ``user`` on this page: the entries of their role, the one whose
    address starts this page's marked current, labels in the request's language."""
    role = user.role if user is not None and user.is_authenticated else None
    path = request.path
    return [
        NavLink(href, str(label), path == href or (prefix != "/" and path.startswith(prefix)))
        for href, prefix, label in _links_for(role)
    ]
