"""Coarse role gates for pages and API routes; fine rules live on the models (``can_*``).

Every route says who may reach it, as the ``access`` attribute of its view function, which
``tests/core/test_route_gates.py`` reads for the whole URL map: ``roles_required`` marks
the roles (``login_required`` any signed-in user), ``public`` marks a route open to
everyone on purpose, and ``guarded_by`` names the model predicate a handler asks (for a
route that is public in shape but answers 404 to whoever the predicate refuses).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from accelerator.extensions import login_manager

#: the ``access`` of a route anyone may reach
PUBLIC = "public"
#: the ``access`` of a route any signed-in user may reach
SIGNED_IN = "signed-in"


def _marks(view: Callable) -> tuple:
    access = getattr(view, "access", ())
    return (access,) if isinstance(access, str) else tuple(access)


def roles_required(*roles) -> Callable:
    """Let only signed-in users with one of ``roles`` through.

    Anonymous: a page redirects to the login page, the API answers 401.
    Signed in with another role: 403 (the route itself is public knowledge).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        gate = tuple(str(role) for role in roles) or (SIGNED_IN,)
        wrapper.access = gate + _marks(view)  # type: ignore[attr-defined]
        return wrapper

    return decorator


login_required = roles_required()


def public(view: Callable) -> Callable:
    """Mark a route as open to everyone, signed in or not (a decision, not an oversight)."""
    view.access = (PUBLIC,)  # type: ignore[attr-defined]
    return view


def guarded_by(*predicates: str) -> Callable:
    """Mark a route whose handler decides with these model predicates (e.g.
    ``"Audit.can_download_report"``), anyone else getting 404."""

    def mark(view: Callable) -> Callable:
        marks = tuple(f"predicate:{name}" for name in predicates)
        view.access = _marks(view) + marks  # type: ignore[attr-defined]
        return view

    return mark
