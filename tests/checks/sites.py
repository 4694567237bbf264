"""Local web sites the check tests start: HTTP(S) servers on loopback with the headers,
pages and certificates each test wants; certificates made with ``cryptography``."""

from __future__ import annotations

import ipaddress
import ssl
import threading
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

GOOD_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}
PAGE = (
    b"<!doctype html><html lang='fr'><head><title>Site</title></head>"
    b"<body><main><h1>Bonjour</h1></main></body></html>"
)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


@dataclass
class Authority:
    """A test certificate authority; ``issue`` signs a server certificate."""

    directory: Path
    name: str = "Autorité de test"
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    def __post_init__(self):
        now = datetime.now(UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(self.name))
            .issuer_name(_name(self.name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.ca_file = self.directory / f"ca-{self.certificate.serial_number}.pem"
        self.ca_file.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def issue(self, host: str, not_before: datetime, not_after: datetime) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.DNSName(host), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(host))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        stem = f"{host}-{certificate.serial_number}"
        cert_path, key_path = self.directory / f"{stem}.pem", self.directory / f"{stem}.key"
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cert_path, key_path

    def valid(self, host: str) -> tuple[Path, Path]:
        now = datetime.now(UTC)
        return self.issue(host, now - timedelta(days=1), now + timedelta(days=365))

    def expired(self, host: str) -> tuple[Path, Path]:
        now = datetime.now(UTC)
        return self.issue(host, now - timedelta(days=400), now - timedelta(days=30))


class Site:
    """A web site on 127.0.0.1: ``pages`` maps a path to (status, headers, body)."""

    def __init__(
        self,
        pages: dict,
        certificate: tuple[Path, Path] | None = None,
        oldest_tls: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
    ):
        self.pages = pages
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, headers, body = site.pages.get(
                    self.path, (404, {}, b"<!doctype html><title>404</title>")
                )
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if certificate is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = oldest_tls
            if oldest_tls < ssl.TLSVersion.TLSv1_2:
                context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.load_cert_chain(*certificate)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/", host: str = "localhost") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"


def legal_pages(headers: dict | None = None) -> dict:
    """A landing page, a login page and the three legal pages, all answering 200."""
    headers = GOOD_HEADERS if headers is None else headers
    return {
        path: (200, headers, PAGE)
        for path in ("/", "/connexion", "/confidentialite", "/mentions-legales", "/accessibilite")
    }


def addresses(site: Site, host: str = "localhost") -> dict:
    return {
        "landing_url": site.url("/", host),
        "login_url": site.url("/connexion", host),
        "privacy_url": site.url("/confidentialite", host),
        "legal_notice_url": site.url("/mentions-legales", host),
        "accessibility_url": site.url("/accessibilite", host),
    }
