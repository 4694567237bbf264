"""The Accélérateur pédagogique: a Flask application, built by ``create_app``."""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, g, has_request_context, render_template, request, session
from flask.globals import request_ctx
from flask_babel import gettext
from flask_login import current_user
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from accelerator.core.api import BadRequestBody
from accelerator.core.jobs import beat_schedule
from accelerator.core.problems import http_problem, is_api_request, problem
from accelerator.extensions import babel, cache, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent

#: Domain packages, in dependency order; each may have views (bp), api, cli and demo modules.
DOMAINS = (
    "core",
    "accounts",
    "criteria",
    "audits",
    "checks",
    "training",
    "certification",
    "catalogue",
    "reporting",
)

#: The standard rooms looked for in each domain, in this order (a room may be a package). A
#: module defining ``bp`` is registered as a blueprint, one defining ``COMMANDS`` adds its CLI
#: commands.
DOMAIN_MODULES = (
    "models",
    "operations",  # imported early: some connect signal listeners (certification, catalogue)
    "views",
    "api",
    "tasks",  # background tasks and their beat schedule
    "cli",
    "demo",
)


def create_app(config: str | type | None = None, **overrides) -> Flask:
    """Build the application.

    ``config`` is a name (development, testing, production) or a class; by default
    ``APP_ENV`` chooses, and development is assumed. ``overrides`` win over everything.
    """
    import config as config_module

    if config is None or isinstance(config, str):
        name = config or os.environ.get("APP_ENV", "development")
        config = config_module.CONFIGS[name]
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    from accelerator.core.requests import FormRequest

    app.request_class = FormRequest
    app.config.from_object(config)
    app.config.update(overrides)
    if hasattr(config, "check"):
        config.check(app.config)

    from accelerator.core.inputs import init_inputs
    from accelerator.core.security import configure_logging, init_security
    from accelerator.core.unit_of_work import init_unit_of_work

    if app.config.get("PROXY_HOPS"):
        # Behind nginx every connection comes from nginx: the client is in X-Forwarded-For.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    configure_logging(app)
    init_security(app)
    init_inputs(app)
    _init_extensions(app)
    init_unit_of_work(app)
    app.url_map.converters["int"] = IdConverter
    _register_domains(app)
    # The domains' tasks modules are loaded now: beat learns their schedules.
    app.extensions["celery"].conf.beat_schedule = beat_schedule()
    _register_error_handlers(app)
    _register_template_helpers(app)
    return app


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: a number larger than any id a column can hold matches nothing
    (404), instead of overflowing the database driver (PostgreSQL's ``integer`` is 32-bit)."""

    def __init__(self, url_map, *args, **kwargs):
        from accelerator.core.schemas import MAX_ID

        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and emails sent outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    # Pages are French first whatever the browser says; English is one click away.
    # Machines may ask for English messages with Accept-Language.
    if is_api_request():
        return request.accept_languages.best_match(languages) or "fr"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _init_extensions(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    from accelerator.core import template_gettext

    template_gettext.install(app)
    limiter.init_app(app)
    cache.init_app(app)

    from accelerator.core.jobs import celery_init_app

    celery_init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    import accelerator.core.mail  # noqa: F401  (the outbox's table and its session hooks)
    from accelerator.accounts.operations import user_for_session, user_for_token

    @login_manager.user_loader
    def load_user(user_id: str):
        # The API authenticates with tokens only, so a cookie cannot drive it (no CSRF there).
        if is_api_request():
            return None
        # "<id>:<session key>": signed in only while that session lives on the server.
        return user_for_session(user_id)

    @login_manager.request_loader
    def load_user_from_token(req):
        scheme, _, token = req.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or not is_api_request():
            return None
        return user_for_token(token.strip())

    @login_manager.unauthorized_handler
    def unauthorized():
        if is_api_request():
            return problem(
                401,
                headers={"WWW-Authenticate": "Bearer"},
                detail=gettext(
                    "Authentication is required: send a valid token as "
                    "'Authorization: Bearer <token>'."
                ),
            )
        from flask import flash, redirect, url_for

        flash(gettext("Please sign in to reach this page."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _register_domains(app: Flask) -> None:
    from accelerator.core.api import api
    from accelerator.core.demo import seed_demo_command

    for domain in DOMAINS:
        for module in DOMAIN_MODULES:
            try:
                loaded = import_module(f"accelerator.{domain}.{module}")
            except ModuleNotFoundError as error:
                if error.name != f"accelerator.{domain}.{module}":
                    raise
                continue
            blueprint = getattr(loaded, "bp", None)
            if isinstance(blueprint, Blueprint):
                app.register_blueprint(blueprint)
            for command in getattr(loaded, "COMMANDS", ()):
                app.cli.add_command(command)
    app.register_blueprint(api)
    app.cli.add_command(seed_demo_command)


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        if request_ctx.url_adapter is None:
            # A Host outside TRUSTED_HOSTS: no URL can be built, so no page can be rendered.
            return app.response_class(
                f"{status} {error.name}\n", status=status, mimetype="text/plain"
            )
        if status == 413:
            return _too_large(app)
        if is_api_request():
            return http_problem(error)
        template = f"errors/{status}.html" if status in (403, 404, 429) else "errors/generic.html"
        return render_template(template, error=error, status=status), status

    @app.errorhandler(BadRequestBody)
    def handle_bad_body(error: BadRequestBody):
        return problem(400, detail=str(error))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        if is_api_request():
            return problem(500, detail=gettext("An unexpected error occurred; it has been logged."))
        return render_template("errors/generic.html", error=InternalServerError(), status=500), 500


def _too_large(app: Flask):
    """A body over MAX_CONTENT_LENGTH: the limit in the answer, and a way back to the form
    (the browser's own check, static/js/file-limit.js, stops most such files before)."""
    from accelerator.core.redirects import safe_next

    # The limit this request met: a page form's (core.requests) or the API's.
    limit = request.max_content_length or app.config["MAX_CONTENT_LENGTH"]
    limit_mb = f"{limit / 1024 / 1024:.0f}"
    if is_api_request():
        return problem(
            413,
            detail=gettext(
                "The request body exceeds %(size)s MB, the most this service accepts.",
                size=limit_mb,
            ),
        )
    referrer = urlsplit(request.referrer or "")
    back = safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""), "/")
    if referrer.netloc and referrer.netloc != request.host:
        back = "/"
    page = render_template("errors/413.html", status=413, limit_mb=limit_mb, back=back)
    return page, 413


def _register_template_helpers(app: Flask) -> None:
    from accelerator.core import layout_fragments, reference, static_urls
    from accelerator.core.accessibility import compliance
    from accelerator.core.formatting import init_formatting
    from accelerator.core.navigation import nav_items
    from accelerator.core.urls import public_url

    app.jinja_env.globals["public_url"] = public_url
    static_urls.install(app)
    layout_fragments.install(app)

    init_formatting(app)

    @app.context_processor
    def inject_globals():
        return {
            "reference": reference,
            "nav_items": lambda: nav_items(current_user),
            "accessibility": compliance,
            "current_locale": _current_locale_code(),
            "request_id": g.get("request_id"),
        }


def _current_locale_code() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else "fr"
