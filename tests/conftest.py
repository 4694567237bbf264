"""Fixtures: an app on a clean database for every test, clients, and signing in.

The database is SQLite in memory by default, or ``TEST_DATABASE_URL`` (PostgreSQL in CI).
Tables are created once per session from the migrations and emptied after each test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.pool import StaticPool

from accelerator import create_app
from accelerator.extensions import cache, db, limiter
from tests import factories

DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "accelerator" / "translations"


def compile_catalogues(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older (as ``make
    translations`` does, fuzzy entries included), so ``pytest`` works on a fresh clone."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=True)
        compiled.append(mo_path)
    return compiled


def pytest_sessionstart(session) -> None:
    try:
        compile_catalogues()
    except Exception as error:  # unreadable catalogue, read-only tree...
        pytest.exit(
            f"The translation catalogues could not be compiled ({error}); run `make install-test`.",
            returncode=4,
        )


IS_POSTGRESQL = DATABASE_URL.startswith("postgresql")


def _engine_options() -> dict:
    if DATABASE_URL == "sqlite://":
        # One shared in-memory database across threads and connections.
        return {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    return {"pool_pre_ping": True}


class IsolatedClient(FlaskClient):
    """Each request gets its own application context, as in production.

    The test itself holds an app context (for factories and queries); without this, requests
    would reuse it and share ``g`` (the signed-in user) and the database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
            self._context_stack.close()  # the request's contexts end with it
        return response


def pytest_ignore_collect(collection_path, config):
    """The API walk is collected only when asked for (``-m api_walk``, ``make test-api``):
    building its cases costs a minute that the rest of the suite need not pay."""
    if collection_path.name == "test_api_fuzz.py":
        return config.getoption("markexpr") != "api_walk"
    # The browser journey likewise (``-m browser``, ``make test-browser``): it needs chromium
    # and a live server, and runs once after the suites.
    if collection_path.name == "browser" and collection_path.parent == Path(__file__).parent:
        return config.getoption("markexpr") != "browser"
    return None


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=DATABASE_URL,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(),
        UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads")),
        WTF_CSRF_ENABLED=False,
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        if IS_POSTGRESQL:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            db.drop_all()
        upgrade()  # the migrations, not create_all: they are what production runs
    yield app


@pytest.fixture(autouse=True)
def _clean_state(app):
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()
    limiter.reset()
    cache.clear()
    app.extensions["mail_outbox"] = []


def _empty_tables() -> None:
    from accelerator.catalogue import search

    search.clear_index()  # the full-text structures live outside the metadata
    db.session.commit()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if IS_POSTGRESQL:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection on, for the tests that prove it."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def outbox(app):
    return app.extensions.setdefault("mail_outbox", [])


@pytest.fixture
def login_as(client):
    """Sign ``user`` in on the test client (pages)."""

    def sign_in(user, password: str = factories.PASSWORD):
        response = client.post("/connexion", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.data[:500]
        return user

    return sign_in


@pytest.fixture
def api(client):
    """A JSON API client: ``api.as_user(user)`` returns headers with a fresh token."""
    return factories.ApiClient(client)
