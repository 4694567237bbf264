"""Reaching a solution's site: name resolution with a guard, TLS connections, HTTP requests.

A company names the URLs, so the worker must not become a way into the service's own
network: every host is resolved once, refused when an address is not public (loopback,
private, link-local...) unless ``SITE_CHECK_ALLOW_PRIVATE``, and the connection goes to that
very address (no second lookup that could answer differently). ``SITE_CHECK_HOST_MAP``
replaces the lookup (``{"*": "127.0.0.1"}`` in the tests, so nothing leaves the machine;
the browser gets the same map as ``--host-resolver-rules``).

HTTP is the standard library's ``http.client`` over sockets opened here, so that the TLS
context (versions, verification, the CA bundle) is the one the checks chose.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from flask import current_app
from flask_babel import gettext

#: bytes of a page body read at most (the weight of a page is measured by the browser)
MAX_BODY = 2 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "AccelerateurPedagogique-SiteCheck/1.0 (+https://www.reseau-canope.fr)"


class Unreachable(Exception):
    """The site could not be reached; ``reason`` says why, in the reader's words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Settings:
    timeout: float = 10.0
    ca_file: str | None = None
    host_map: dict = field(default_factory=dict)
    allow_private: bool = False
    #: whether the browser's checks run (the suite outside ``make test-browser`` skips them)
    browser: bool = True

    @classmethod
    def from_app(cls) -> Settings:
        config = current_app.config
        return cls(
            timeout=float(config.get("SITE_CHECK_TIMEOUT", 10.0)),
            ca_file=config.get("SITE_CHECK_CA_FILE") or None,
            host_map=dict(config.get("SITE_CHECK_HOST_MAP") or {}),
            allow_private=bool(config.get("SITE_CHECK_ALLOW_PRIVATE")),
            browser=bool(config.get("SITE_CHECK_BROWSER", True)),
        )


def resolve(host: str, port: int, settings: Settings) -> str:
    """The one address the checks connect to for ``host``; Unreachable if none may be used."""
    mapped = settings.host_map.get(host.lower()) or settings.host_map.get("*")
    if mapped:
        candidates = [mapped]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise Unreachable(gettext("The name %(host)s does not resolve.", host=host)) from error
        candidates = [info[4][0] for info in infos]
    for address in candidates:
        if settings.allow_private or ipaddress.ip_address(address).is_global:
            return address
    raise Unreachable(gettext("%(host)s is not a public address.", host=host))


def open_socket(host: str, port: int, settings: Settings) -> socket.socket:
    address = resolve(host, port, settings)
    try:
        return socket.create_connection((address, port), timeout=settings.timeout)
    except OSError as error:
        raise Unreachable(
            gettext("No answer from %(host)s:%(port)s.", host=host, port=port)
        ) from error


def verifying_context(settings: Settings) -> ssl.SSLContext:
    """What a browser does: the system's CAs (and ``ca_file``), the chain and the name."""
    context = ssl.create_default_context(cafile=settings.ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def lenient_context() -> ssl.SSLContext:
    """Reads a site whose certificate is wrong (its headers are still evidence)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # noqa: S323  the certificate is judged separately
    return context


@dataclass
class Page:
    """One page as fetched: the final URL after redirects, its status, headers, body."""

    url: str
    status: int
    #: header names in lower case; a repeated header keeps every value
    headers: dict[str, list[str]]
    body: bytes
    #: every URL visited, the first one given, the last one ``url``
    chain: list[str]

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return ", ".join(values) if values else None


def _request(url: str, settings: Settings, context: ssl.SSLContext | None):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Unreachable(gettext("%(url)s is not an http(s) address.", url=url))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    sock = open_socket(parts.hostname, port, settings)
    try:
        if parts.scheme == "https":
            sock = (context or verifying_context(settings)).wrap_socket(
                sock, server_hostname=parts.hostname
            )
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname, port, timeout=settings.timeout)
        connection.sock = sock  # the guarded socket: http.client does not resolve again
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection.request(
            "GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*"}
        )
        response = connection.getresponse()
        headers: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            headers.setdefault(name.lower(), []).append(value)
        body = response.read(MAX_BODY)
        return response.status, headers, body
    except ssl.SSLError:
        raise
    except (OSError, http.client.HTTPException) as error:
        raise Unreachable(
            gettext("%(url)s did not answer properly (%(error)s).", url=url, error=error)
        ) from error
    finally:
        sock.close()


def fetch(url: str, settings: Settings, context: ssl.SSLContext | None = None) -> Page:
    """GET ``url``, following up to ``MAX_REDIRECTS`` redirects (each hop guarded)."""
    chain = [url]
    for _ in range(MAX_REDIRECTS + 1):
        status, headers, body = _request(url, settings, context)
        location = (headers.get("location") or [None])[0]
        if status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            chain.append(url)
            continue
        return Page(url=url, status=status, headers=headers, body=body, chain=chain)
    raise Unreachable(gettext("Too many redirects from %(url)s.", url=chain[0]))
