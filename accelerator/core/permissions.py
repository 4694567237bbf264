"""Coarse role gates for pages and API routes; fine rules live on the models (``can_*``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from accelerator.extensions import login_manager


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

        return wrapper

    return decorator


login_required = roles_required()
