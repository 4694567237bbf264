"""Headless Chromium driven by Playwright: the one place the service launches a browser.

The browser is the machine's own (Debian's ``chromium`` package, ``CHROMIUM_PATH``), never
one that Playwright downloads: the browser tests (``tests/browser``) and the worker's checks
of the solutions' sites both open it here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, has_app_context

DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium"


def chromium_path() -> str:
    """The chromium executable: the app's ``CHROMIUM_PATH``, else the environment's."""
    if has_app_context():
        return current_app.config.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM_PATH
    return os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM_PATH


def chromium_available(path: str | None = None) -> bool:
    """Whether an executable chromium is where the configuration says."""
    path = path or chromium_path()
    return os.path.isfile(path) and os.access(path, os.X_OK)


def launch_arguments() -> list[str]:
    """Command-line switches for a headless chromium on a server or in CI."""
    # /dev/shm is small in containers: chromium then crashes on large pages.
    arguments = ["--disable-dev-shm-usage", "--disable-gpu", "--no-first-run"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium refuses to start its sandbox as root (CI runs as root); as any other user
        # the sandbox stays on.
        arguments.append("--no-sandbox")
    return arguments


class ChromiumMissing(RuntimeError):
    """No chromium executable at ``CHROMIUM_PATH``."""


#: the Playwright driver running in this thread, if any: its sync API runs one event loop
#: per thread, so a browser opened inside another one's block (a site check run while the
#: browser tests hold their own) is launched by the same driver
_driver = threading.local()


@contextmanager
def _playwright() -> Iterator:
    from playwright.sync_api import sync_playwright  # the worker and tests only need it here

    running = getattr(_driver, "playwright", None)
    if running is not None:
        yield running
        return
    with sync_playwright() as playwright:
        _driver.playwright = playwright
        try:
            yield playwright
        finally:
            _driver.playwright = None


@contextmanager
def chromium(path: str | None = None, arguments: tuple[str, ...] = (), **options) -> Iterator:
    """A headless chromium (a Playwright ``Browser``), closed on leaving the block.

    ``arguments`` are command-line switches added to ``launch_arguments`` (the site checks'
    ``--host-resolver-rules``); ``options`` go to Playwright's ``launch`` (``slow_mo``,
    ``timeout``...).
    """
    path = path or chromium_path()
    if not chromium_available(path):
        raise ChromiumMissing(
            f"No chromium at {path}: install Debian's package (apt-get install chromium, "
            "or `make browser`) or set CHROMIUM_PATH."
        )
    with _playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=[*launch_arguments(), *arguments], **options
        )
        try:
            yield browser
        finally:
            browser.close()
