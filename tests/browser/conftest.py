"""The browser tests' fixtures: the real app served over HTTP, a real Celery worker, chromium.

- ``app``: the application on the test database (PostgreSQL when ``TEST_DATABASE_URL`` names
  one, else a SQLite file: the server's threads and the worker share it), CSRF on as in
  production, tasks sent to a broker (Redis at ``TEST_REDIS_URL`` when it answers, else the
  embedded SQLite one) on a queue of its own;
- ``live_server``: that app served by werkzeug on a free loopback port, in a thread;
- ``worker``: ``celery -A wsgi:celery worker`` in a subprocess on the same database and
  queue (imports and mail run there, as in production); mail stays in the outbox table,
  which ``mailbox`` reads (the memory backend sends nothing anywhere);
- ``browser`` / ``page``: headless Debian chromium through ``accelerator.core.browser``;
- ``screenshot(page, name)`` (PNG in ``$ARTIFACTS_DIR``, default ``artifacts/browser``) and
  ``accessible(page, name)``: the screenshot, then axe-core's WCAG 2.1 A/AA rules, which
  must find nothing.

They are collected only with ``-m browser`` (``make test-browser``): see tests/conftest.py.
Without chromium they skip, saying so; in CI (``CI`` set) they fail instead.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text
from werkzeug.serving import WSGIRequestHandler, make_server

from accelerator.core import axe
from accelerator.core.browser import chromium, chromium_available, chromium_path
from accelerator.core.mail import OutgoingMail
from accelerator.extensions import db
from tests.conftest import DATABASE_URL, IS_POSTGRESQL
from tests.core.worker import Worker, default_broker

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = Path(os.environ.get("ARTIFACTS_DIR") or ROOT / "artifacts" / "browser")


@pytest.fixture(scope="session")
def _processes(tmp_path_factory):
    """The app of the server and the worker that shares its settings (not yet started)."""
    tmp = tmp_path_factory.mktemp("browser")
    database_url = DATABASE_URL if IS_POSTGRESQL else f"sqlite:///{tmp / 'browser.sqlite3'}"
    worker = Worker(tmp, database_url, default_broker(tmp), IMPORT_BATCH_LINES=2)
    worker.app.config.update(WTF_CSRF_ENABLED=True)  # real forms, real tokens
    with worker.app.app_context():
        if IS_POSTGRESQL:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def app(_processes):
    """Overrides the suite's ``app``: tests/conftest.py's ``_clean_state`` empties its tables
    after each test."""
    return _processes.app


@pytest.fixture(scope="session")
def worker(_processes):
    if _processes.process is None or _processes.process.poll() is not None:
        _processes.start()
    return _processes


class QuietHandler(WSGIRequestHandler):
    """No line per request (a page and its assets are dozens): errors still show."""

    def log_request(self, code="-", size="-") -> None:
        if str(code).startswith("5"):
            super().log_request(code, size)


class LiveServer:
    def __init__(self, app):
        self.app = app  # pytest-flask pushes its request context
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # Links in emails, QR codes and PDFs point at this server.
        app.config["PUBLIC_BASE_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(app):
    server = LiveServer(app)
    server.thread.start()
    yield server
    server.server.shutdown()
    server.thread.join(10)


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        message = f"no chromium at {chromium_path()} (`make browser` installs Debian's package)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with chromium() as launched:
        yield launched


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_failed = report.failed
    return report


@pytest.fixture
def page(request, browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    if getattr(request.node, "browser_failed", False):
        # What the page showed when the test failed, beside the steps' screenshots.
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS_DIR / f"FAILED-{_slug(request.node.name)}.png"))
    context.close()


class Mailbox:
    """The outbox table read as a mailbox: what was sent to whom (committed rows)."""

    def messages(self, to: str) -> list[OutgoingMail]:
        db.session.expire_all()
        rows = db.session.scalars(
            select(OutgoingMail).where(OutgoingMail.recipient == to).order_by(OutgoingMail.id)
        ).all()
        db.session.rollback()
        return list(rows)

    def link(self, to: str, template: str) -> str:
        """The first URL of the latest ``template`` mail sent to ``to``."""
        found = [m for m in self.messages(to) if m.template == template]
        assert found, f"no {template} mail to {to}: {[m.template for m in self.messages(to)]}"
        match = re.search(r"https?://\S+", found[-1].body)
        assert match, found[-1].body
        return match.group(0)


@pytest.fixture
def mailbox(app):
    return Mailbox()


_shots = {"count": 0}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@pytest.fixture(scope="session")
def screenshot():
    """``screenshot(page, name)``: the whole page as ``NN-name.png`` in ARTIFACTS_DIR."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS_DIR.glob("*.png"):
        old.unlink()

    def take(page, name: str) -> Path:
        _shots["count"] += 1
        path = ARTIFACTS_DIR / f"{_shots['count']:02d}-{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def accessible(screenshot):
    """``accessible(page, name)``: screenshot the page, then assert axe-core finds no
    WCAG 2.1 A or AA violation in it."""

    def check(page, name: str) -> None:
        page.wait_for_load_state("load")
        screenshot(page, name)
        found = axe.violations(page)
        assert not found, f"{name} ({page.url}):\n{axe.describe(found)}"

    return check
