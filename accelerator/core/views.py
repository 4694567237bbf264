"""Pages every visitor reaches: home, language switch, health check, API description."""

from __future__ import annotations

from datetime import date

from babel.numbers import format_decimal
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
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accelerator.core.accessibility import compliance
from accelerator.core.health import health_report
from accelerator.core.jobs import TITLES, visible_job
from accelerator.core.navigation import NavItem, add_nav_item
from accelerator.core.openapi import build_spec
from accelerator.core.permissions import login_required, public
from accelerator.core.redirects import safe_next

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def home():
    return render_template("core/home.html")


@bp.route("/langue/<code>")
@public
def set_language(code: str):
    """Remember the reader's language in their session (a GET writes nothing), then go back
    to the page they were on. An account's stored language changes on "Mon compte"."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("core.home")))


@bp.route("/healthz")
@public
def healthz():
    """Each dependency's state (``core.health``): 503 when the database is down."""
    body, status = health_report()
    return jsonify(body), status


@bp.route("/taches/<int:job_id>")
@login_required
def job_page(job_id: int):
    """A job's progress (static/js/job.js polls its JSON), then its result."""
    job = visible_job(current_user, job_id)
    title = TITLES.get(job.kind, job.kind)
    return render_template("core/job.html", job=job, title=title)


@bp.route("/taches/<int:job_id>.json")
@login_required
def job_json(job_id: int):
    """The page's view of the job: the API's JSON, read with the session cookie."""
    return jsonify(visible_job(current_user, job_id).as_dict())


@bp.route("/api/v1/openapi.json")
@public
def openapi():
    spec = current_app.extensions.get("openapi_spec")
    if spec is None:
        spec = current_app.extensions["openapi_spec"] = build_spec(current_app)
    return jsonify(spec)


@bp.route("/api/docs")
@public
def api_docs():
    spec = current_app.extensions.get("openapi_spec") or build_spec(current_app)
    return render_template("core/api_docs.html", spec=spec)


@bp.route("/accessibilite")
@public
def accessibility():
    measured = compliance()
    rate_text = None
    if measured.rate is not None:  # "87,5 %" in French (narrow no-break space), "87.5%"
        locale = get_locale()
        sign = "\u202f%" if locale.language == "fr" else "%"
        rate_text = format_decimal(measured.rate, "#,##0.#", locale=locale) + sign
    return render_template(
        "core/accessibility.html",
        compliance=measured,
        rate_text=rate_text,
        contact=current_app.config["ACCESSIBILITY_CONTACT_EMAIL"],
        address=current_app.config["ACCESSIBILITY_CONTACT_ADDRESS"],
        statement_date=date.fromisoformat(current_app.config["ACCESSIBILITY_STATEMENT_DATE"]),
    )


@bp.route("/mentions-legales")
@public
def legal():
    return render_template("core/legal.html")


@bp.route("/donnees-personnelles")
@public
def personal_data():
    return render_template("core/personal_data.html")


@bp.route("/plan-du-site")
@public
def sitemap():
    """Every page a visitor can reach from here: the menu (it depends on the role) and the
    public pages."""
    return render_template("core/sitemap.html")


add_nav_item(NavItem(0, "core.home", _l("Home")))
