"""Pages every visitor reaches: home, language switch, health check, API description."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l

from accelerator.core.health import health_report
from accelerator.core.navigation import NavItem, add_nav_item
from accelerator.core.openapi import build_spec
from accelerator.core.redirects import safe_next

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    return render_template("core/home.html")


@bp.route("/langue/<code>")
def set_language(code: str):
    """Remember the reader's language in their session (a GET writes nothing), then go back
    to the page they were on. An account's stored language changes on "Mon compte"."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("core.home")))


@bp.route("/healthz")
def healthz():
    """Each dependency's state (``core.health``): 503 when the database is down."""
    body, status = health_report()
    return jsonify(body), status


@bp.route("/api/v1/openapi.json")
def openapi():
    spec = current_app.extensions.get("openapi_spec")
    if spec is None:
        spec = current_app.extensions["openapi_spec"] = build_spec(current_app)
    return jsonify(spec)


@bp.route("/api/docs")
def api_docs():
    spec = current_app.extensions.get("openapi_spec") or build_spec(current_app)
    return render_template("core/api_docs.html", spec=spec)


@bp.route("/accessibilite")
def accessibility():
    return render_template("core/accessibility.html")


@bp.route("/mentions-legales")
def legal():
    return render_template("core/legal.html")


add_nav_item(NavItem(0, "core.home", _l("Home")))
