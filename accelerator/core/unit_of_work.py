"""One unit of work per request.

Views and API handlers call operations and never commit. At the end of every request this
module commits once when the answer is a success (status below 400) and rolls back
otherwise; then the mail the operations queued leaves (``core.mail``, after commit only).

Refusals and conflicts are translated here, the same way for every entry point:

- a domain error (``core.errors``) answers problem+json in the API; on a page, "not found"
  and "forbidden" show their page and any other refusal is flashed (in French) on the page
  the reader came from;
- a concurrent change caught by the database (a stale version column, a unique or check
  constraint, a serialization failure), at a flush or at the final commit, answers
  409 problem+json in the API and flashes "someone else changed this meanwhile" on pages.

Pages that want the refusal on their form use ``attempt`` (a context manager) around their
operations: it flushes, so conflicts show up there, and keeps the form on screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import InternalServerError

from accelerator.core.errors import DomainError, Forbidden, NotFound
from accelerator.core.problems import is_api_request, problem
from accelerator.core.redirects import back
from accelerator.extensions import db

#: SQLSTATEs of PostgreSQL's serialization failure and deadlock: retrying would succeed
_RETRYABLE_SQLSTATES = {"40001", "40P01"}


def is_conflict(error: BaseException) -> bool:
    """Whether a database error means that a concurrent change won (answered 409)."""
    if isinstance(error, StaleDataError | IntegrityError):
        return True
    if isinstance(error, DBAPIError):
        return getattr(error.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES
    return False


def conflict_message() -> str:
    return gettext("Someone else changed this meanwhile; reload the page and try again.")


@dataclass
class Outcome:
    ok: bool = False
    #: the reason of a refusal
    message: str = ""


@contextmanager
def attempt(form=None, quiet: bool = False, aliases: dict | None = None) -> Iterator[Outcome]:
    """Run a page's operations; a refusal is shown instead of leaving the page.

    A refusal (a domain error, or a concurrent change caught at the flush) rolls everything
    back and is shown on ``form``'s fields when it names them, else flashed, unless
    ``quiet`` (the caller answers it). ``outcome.ok`` says whether the operations went
    through (the request's end commits them), ``outcome.message`` why not. ``aliases`` as
    for ``core.forms.apply_errors``.
    """
    from accelerator.core.forms import apply_errors

    outcome = Outcome()
    try:
        yield outcome
        db.session.flush()
        outcome.ok = True
    except DomainError as error:
        db.session.rollback()
        outcome.message = error.message
        if form is not None:
            apply_errors(form, error, aliases)
        elif not quiet:
            flash(error.message, "error")
    except DBAPIError as error:
        if not is_conflict(error):
            raise
        db.session.rollback()
        outcome.message = conflict_message()
        if not quiet:
            flash(outcome.message, "error")
    except StaleDataError:
        db.session.rollback()
        outcome.message = conflict_message()
        if not quiet:
            flash(outcome.message, "error")


def _refused_page(message: str):
    """Flash ``message`` instead of what the request flashed, and go back where it came from."""
    flashes = session.get("_flashes")
    if flashes:
        session["_flashes"] = flashes[: g.get("flashes_before", 0)]
    flash(message, "error")
    return redirect(back(url_for("core.home")))


def keep_despite_refusal() -> None:
    """Keep what this request wrote although it answers an error: a refused sign-in (429)
    still tells the account's owner that its ceiling tripped."""
    g.keep_despite_refusal = True


def conflict_response():
    if is_api_request():
        return problem(409, detail=conflict_message())
    return _refused_page(conflict_message())


def init_unit_of_work(app: Flask) -> None:
    @app.before_request
    def count_flashes() -> None:
        # What the request flashes is dropped when its unit of work fails.
        if not is_api_request():
            g.flashes_before = len(session.get("_flashes", ()))

    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code >= 400 and not g.get("keep_despite_refusal"):
            db.session.rollback()
            return response
        try:
            db.session.commit()  # the queued mail leaves after this (core.mail)
        except (DBAPIError, StaleDataError) as error:
            db.session.rollback()
            if not is_conflict(error):
                raise
            app.logger.info("Conflict at commit: %s", type(error).__name__)
            return conflict_response()
        return response

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()
        if is_api_request():
            return problem(error.status, detail=error.message, errors=error.errors or None)
        if isinstance(error, NotFound):
            return render_template("errors/404.html", error=error, status=404), 404
        if isinstance(error, Forbidden):
            return render_template("errors/403.html", error=error, status=403), 403
        return _refused_page(error.message)

    def handle_database_error(error: DBAPIError | StaleDataError):
        db.session.rollback()
        if is_conflict(error):
            return conflict_response()
        app.logger.exception("Database error")
        if is_api_request():
            return problem(500, detail=gettext("An unexpected error occurred; it has been logged."))
        return render_template("errors/generic.html", error=InternalServerError(), status=500), 500

    app.register_error_handler(StaleDataError, handle_database_error)
    app.register_error_handler(DBAPIError, handle_database_error)
