"""TLS of a site: the protocol versions it accepts, its certificate, its HSTS header.

- Versions: one handshake per version, from TLS 1.0 to 1.3, each limited to that version
  (the client's own security level lowered so that it can *offer* the old versions: a
  server that accepts TLS 1.0 or 1.1 is what the check must see). TLS 1.0 and 1.1 are
  deprecated (RFC 8996) and fail the check; without TLS 1.2 or 1.3 nothing secure is left.
- Certificate: a handshake verified as a browser does (chain to a trusted root, validity
  dates, host name). When it fails, the certificate is read without verification so that
  its dates and names are reported beside the reason. One that expires within
  ``EXPIRY_WARNING_DAYS`` is a warning.
- HSTS (RFC 6797): ``Strict-Transport-Security`` with a ``max-age`` of at least 180 days
  (ANSSI's recommendations for TLS, R48, and the HSTS preload list's floor is one year).
"""

from __future__ import annotations

import re
import ssl
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from accelerator.checks.network import Settings, Unreachable, open_socket, verifying_context

EXPIRY_WARNING_DAYS = 21
HSTS_MIN_SECONDS = 180 * 86400

with warnings.catch_warnings():  # naming the old versions is the point of the probe
    warnings.simplefilter("ignore", DeprecationWarning)
    VERSIONS = (
        ("TLSv1.0", ssl.TLSVersion.TLSv1),
        ("TLSv1.1", ssl.TLSVersion.TLSv1_1),
        ("TLSv1.2", ssl.TLSVersion.TLSv1_2),
        ("TLSv1.3", ssl.TLSVersion.TLSv1_3),
    )
DEPRECATED = ("TLSv1.0", "TLSv1.1")


@dataclass
class Certificate:
    valid: bool
    #: OpenSSL's reason when the verification failed (expired, hostname mismatch, ...)
    reason: str | None = None
    #: expired | not_yet_valid | hostname | untrusted | other
    problem: str | None = None
    subject: str | None = None
    issuer: str | None = None
    names: list[str] = field(default_factory=list)
    not_before: datetime | None = None
    not_after: datetime | None = None

    def days_left(self, now: datetime | None = None) -> int | None:
        if self.not_after is None:
            return None
        return (self.not_after - (now or datetime.now(UTC))).days


def _probe_context(version: ssl.TLSVersion) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # noqa: S323  only the version is probed here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = version
        context.maximum_version = version
    if version < ssl.TLSVersion.TLSv1_2:
        # OpenSSL 3 refuses to offer TLS < 1.2 at its default security level.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def accepted_versions(host: str, port: int, settings: Settings) -> dict[str, bool | None]:
    """Each version → accepted (True), refused (False), or None when this machine's OpenSSL
    cannot offer it (then nothing is known of the server)."""
    accepted: dict[str, bool | None] = {}
    for name, version in VERSIONS:
        try:
            context = _probe_context(version)
        except (ValueError, ssl.SSLError):
            accepted[name] = None
            continue
        sock = open_socket(host, port, settings)
        try:
            with context.wrap_socket(sock, server_hostname=host) as tls:
                accepted[name] = tls.version() == name
        except ssl.SSLError as error:
            unsupported = "NO_PROTOCOLS_AVAILABLE" in str(error) or "NO_CIPHERS" in str(error)
            accepted[name] = None if unsupported else False
        except OSError:
            accepted[name] = False
        finally:
            sock.close()
    return accepted


def _name(name: x509.Name) -> str:
    common = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(common[0].value) if common else name.rfc4514_string()


def _describe(der: bytes, certificate: Certificate) -> Certificate:
    parsed = x509.load_der_x509_certificate(der)
    certificate.subject = _name(parsed.subject)
    certificate.issuer = _name(parsed.issuer)
    certificate.not_before = parsed.not_valid_before_utc
    certificate.not_after = parsed.not_valid_after_utc
    try:
        alternative = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        certificate.names = [str(n) for n in alternative.value.get_values_for_type(x509.DNSName)]
        certificate.names += [str(a) for a in alternative.value.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        certificate.names = []
    return certificate


def _problem(error: ssl.SSLCertVerificationError) -> str:
    message = (error.verify_message or str(error)).lower()
    if "expired" in message:
        return "expired"
    if "not yet valid" in message:
        return "not_yet_valid"
    if "hostname" in message or "ip address mismatch" in message:
        return "hostname"
    if any(word in message for word in ("self-signed", "self signed", "issuer", "signature")):
        return "untrusted"
    return "other"


def certificate_of(host: str, port: int, settings: Settings) -> Certificate:
    """The site's certificate, verified as a browser would."""
    sock = open_socket(host, port, settings)
    try:
        with verifying_context(settings).wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
            return _describe(der, Certificate(valid=True))
    except ssl.SSLCertVerificationError as error:
        failed = Certificate(
            valid=False, reason=error.verify_message or str(error), problem=_problem(error)
        )
    except ssl.SSLError as error:
        failed = Certificate(valid=False, reason=str(error.reason or error), problem="other")
    finally:
        sock.close()
    # Read it anyway: its dates and names explain the failure.
    sock = open_socket(host, port, settings)
    try:
        context = _probe_context(ssl.TLSVersion.TLSv1_2)
        context.maximum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED
        with context.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
        if der:
            _describe(der, failed)
    except (ssl.SSLError, OSError, ValueError):
        pass  # the reason of the failure is what matters; the details stay unknown
    finally:
        sock.close()
    return failed


_MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)


def hsts_max_age(header: str | None) -> int | None:
    """``max-age`` of a Strict-Transport-Security header (None: absent or unreadable)."""
    if not header:
        return None
    match = _MAX_AGE.search(header)
    return int(match.group(1)) if match else None


__all__ = [
    "DEPRECATED",
    "EXPIRY_WARNING_DAYS",
    "HSTS_MIN_SECONDS",
    "Certificate",
    "Unreachable",
    "accepted_versions",
    "certificate_of",
    "hsts_max_age",
]
