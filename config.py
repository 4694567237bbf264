"""Configuration classes, read from environment variables (documented in README.md).

``create_app`` picks one with ``APP_ENV`` (development, testing, production); keyword
overrides passed to ``create_app`` win over everything.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'accelerator.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(BASE_DIR / "instance" / "uploads"))
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024  # 20 MB evidence + multipart overhead
    #: a page form's body is read up to this (core.requests): a file over its field's limit
    #: is then refused on the form, everything typed kept, not by a bare 413 (nginx: 64m)
    FORM_MAX_CONTENT_LENGTH = 64 * 1024 * 1024

    # Sessions: signed cookie, so workers stay stateless.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    #: a signed-in session ends on the server after this (the cookie lasts the browser session)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    #: "Stay signed in": the remember cookie and its server-side session
    REMEMBER_COOKIE_DURATION = timedelta(days=30)

    WTF_CSRF_TIME_LIMIT = 3600 * 12

    # The accessibility statement (core.accessibility): the rate and date of the last RGAA
    # audit, empty until one is made ("non conforme"), and where users report a barrier.
    RGAA_AUDIT_RATE = os.environ.get("RGAA_AUDIT_RATE") or None
    RGAA_AUDIT_DATE = os.environ.get("RGAA_AUDIT_DATE") or None
    ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
        "ACCESSIBILITY_CONTACT_EMAIL", "accessibilite@reseau-canope.fr"
    )
    ACCESSIBILITY_CONTACT_ADDRESS = os.environ.get(
        "ACCESSIBILITY_CONTACT_ADDRESS",
        "Réseau Canopé, Téléport 1 – Bâtiment @4, 1 avenue du Futuroscope, CS 80158, "
        "86961 Futuroscope Chasseneuil Cedex",
    )
    #: when the statement was last prepared (ISO date): change it with the statement
    ACCESSIBILITY_STATEMENT_DATE = os.environ.get("ACCESSIBILITY_STATEMENT_DATE", "2026-12-01")

    # Who signs the attestations and audit reports (core.pdf.signatory_block): a name, and
    # the role in French and in English.
    PDF_SIGNATORY_NAME = os.environ.get("PDF_SIGNATORY_NAME", "")
    PDF_SIGNATORY_ROLE = os.environ.get(
        "PDF_SIGNATORY_ROLE", "La direction générale de Réseau Canopé"
    )
    PDF_SIGNATORY_ROLE_EN = os.environ.get(
        "PDF_SIGNATORY_ROLE_EN", "The General Management of Réseau Canopé"
    )
    #: where attestations and reports are signed ("Fait à Chasseneuil-du-Poitou, le ...")
    PDF_SIGNATORY_PLACE = os.environ.get("PDF_SIGNATORY_PLACE", "Chasseneuil-du-Poitou")

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "accelerator" / "translations")

    # Flask-Limiter: Redis when several workers run, memory otherwise. While Redis is
    # unreachable, each worker counts in its own memory (the limits still hold per worker).
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    #: a Redis that does not answer within half a second counts as down (no request hangs)
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    # Flask-Caching: public answers shared by the workers through Redis when there is one;
    # while Redis is unreachable, no cache (core.caching.SafeRedisCache), never an error.
    CACHE_TYPE = "accelerator.core.caching.SafeRedisCache" if REDIS_URL else "SimpleCache"
    CACHE_REDIS_URL = REDIS_URL
    CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5} if REDIS_URL else {}
    CACHE_KEY_PREFIX = "accelerator:"
    CACHE_DEFAULT_TIMEOUT = 300
    RATELIMIT_HEADERS_ENABLED = True
    #: failed logins / token requests, and reset requests, per account and network address
    RATELIMIT_ACCOUNT_ADDRESS = os.environ.get("RATELIMIT_ACCOUNT_ADDRESS", "10 per 15 minutes")
    #: the same per account from every address: a higher ceiling, whose owner is told when
    #: it trips (a guess spread over many addresses)
    RATELIMIT_ACCOUNT = os.environ.get("RATELIMIT_ACCOUNT", "50 per 15 minutes")
    #: ceiling per network address, high enough for a whole school behind one NAT
    RATELIMIT_ADDRESS = os.environ.get("RATELIMIT_ADDRESS", "600 per minute")

    API_TOKEN_LIFETIME = timedelta(hours=int(os.environ.get("API_TOKEN_LIFETIME_HOURS", "24")))
    PASSWORD_RESET_MAX_AGE = 3600  # seconds
    #: lifetime of an email verification link, in seconds
    EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  the name of a hash method, not a password

    # Mail: "smtp" sends through MAIL_SERVER; "console" prints to the log; "memory" keeps
    # messages in app.extensions["mail_outbox"] (tests).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Accélérateur pédagogique <ne-pas-repondre@reseau-canope.fr>"
    )
    #: absolute base URL used in emails and QR codes when there is no request
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    #: PEM file of the Ed25519 key that signs Open Badges (created on first use when absent);
    #: None: instance/badge-signing-key.pem
    BADGE_SIGNING_KEY = os.environ.get("BADGE_SIGNING_KEY")
    #: seconds the training counter's figures are kept in each process (0: not cached)
    PROGRESS_CACHE_SECONDS = int(os.environ.get("PROGRESS_CACHE_SECONDS", "300"))

    #: search results' facet counts and totals remembered per worker (0: none)
    CATALOGUE_CACHE_SIZE = int(os.environ.get("CATALOGUE_CACHE_SIZE", "512"))
    #: searches answered by the index each process holds in memory (catalogue.memory_index;
    #: 0: by SQL only). Its snapshot lives CATALOGUE_INDEX_MAX_AGE seconds at most (300; 0
    #: when testing) and is rebuilt by a thread (CATALOGUE_INDEX_BACKGROUND; inline in tests)
    CATALOGUE_MEMORY_INDEX = os.environ.get("CATALOGUE_MEMORY_INDEX", "1") != "0"
    #: result cards kept rendered per worker, under the row they show (catalogue.cards; 0:
    #: every card rendered at every search)
    CATALOGUE_CARD_SHELF_SIZE = int(os.environ.get("CATALOGUE_CARD_SHELF_SIZE", "4000"))

    #: proxies in front of the application (nginx: 1) whose X-Forwarded-For and -Proto are
    #: believed: the client's address (rate limits per address) and scheme come from them
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))

    # Background work (Celery): Redis (or RabbitMQ) in production; without one, an embedded
    # broker in the instance's SQLite file (kombu's SQLAlchemy transport), so `make run`
    # needs no extra service and runs the same code paths.
    CELERY_BROKER_URL = (
        os.environ.get("CELERY_BROKER_URL")
        or REDIS_URL
        or f"sqla+sqlite:///{BASE_DIR / 'instance' / 'celery-broker.sqlite3'}"
    )
    #: the queue the tasks go to (workers consume it: `celery worker -Q NAME`)
    CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
    #: run tasks inside the caller (the test suite); a real worker otherwise
    CELERY_TASK_ALWAYS_EAGER = False
    #: minutes after which a queued job or a running one without news is sent again
    JOB_STALE_MINUTES = int(os.environ.get("JOB_STALE_MINUTES", "10"))
    #: attempts at sending one mail, and the delay before the second (doubled at each one)
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "6"))
    MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", "60"))
    #: lines staged per transaction by an attendance import (each one moves the progress bar)
    IMPORT_BATCH_LINES = int(os.environ.get("IMPORT_BATCH_LINES", "20000"))

    #: the chromium executable Playwright drives (core.browser): Debian's, never a download
    CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

    HSTS = False
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    # Automated checks of the solutions' sites (accelerator/checks): seconds per connection
    # or page, an extra CA bundle (PEM) besides the system's, a host → address map used
    # instead of DNS ("*" maps every host), and whether private addresses may be reached
    # (never in production: a company names the URLs the worker fetches).
    SITE_CHECK_TIMEOUT = float(os.environ.get("SITE_CHECK_TIMEOUT", "10"))
    SITE_CHECK_CA_FILE = os.environ.get("SITE_CHECK_CA_FILE") or None
    SITE_CHECK_HOST_MAP: dict = {}
    SITE_CHECK_ALLOW_PRIVATE = _bool("SITE_CHECK_ALLOW_PRIVATE", False)
    #: the checks in headless Chromium (cookies, trackers, axe-core, EcoIndex)
    SITE_CHECK_BROWSER = _bool("SITE_CHECK_BROWSER", True)


class DevelopmentConfig(Config):
    SECRET_KEY = Config.SECRET_KEY or "dev-only-secret-key-change-me"
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105  the suite's own key; production requires one
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    MAIL_BACKEND = "memory"
    REDIS_URL = None  # tests that need Redis set it (tests/core/test_dependencies.py)
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "SimpleCache"
    CACHE_OPTIONS: dict = {}
    PUBLIC_BASE_URL = "http://localhost"
    PROGRESS_CACHE_SECONDS = 0
    # Jobs run inside the request unless a test starts a real worker (tests/core/test_worker.py).
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
    CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", True)
    # A cheap hash keeps the suite fast; production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105  a hash method's name (tests)
    # Site checks never leave the machine: every host is loopback, where tests start sites.
    SITE_CHECK_HOST_MAP = {"*": "127.0.0.1"}
    SITE_CHECK_ALLOW_PRIVATE = True
    SITE_CHECK_TIMEOUT = 5.0
    # Chromium runs in the browser suite only (make test-browser: tests/browser).
    SITE_CHECK_BROWSER = _bool("SITE_CHECK_BROWSER", False)


class ProductionConfig(Config):
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True
    #: the documented deployment puts nginx in front (deploy/nginx/accelerator.conf)
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "1"))
    #: Host headers served (Flask refuses others with 400): the public host, and loopback for
    #: local probes, unless TRUSTED_HOSTS lists them (comma-separated)
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS") or [
        urlsplit(Config.PUBLIC_BASE_URL).hostname or "localhost",
        "localhost",
        "127.0.0.1",
    ]

    @staticmethod
    def check(config: dict) -> None:
        """Refuse to start without the settings a production service cannot guess."""
        required = {"SECRET_KEY": "SECRET_KEY", "DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}
        missing = [env for env, key in required.items() if not config.get(key)]
        if missing:
            raise RuntimeError(
                "Production configuration needs these environment variables: " + ", ".join(missing)
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
