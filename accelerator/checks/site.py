"""The checks made over HTTP and TLS (no browser): reachability, legal pages, TLS, headers.

``http_checks`` takes the solution's addresses and returns the findings, each page read
once. The TLS checks run once per host and port; the security headers and HSTS are judged
on the application's own pages (landing and login), the legal pages must answer 200.
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

from accelerator.checks import tls
from accelerator.checks.findings import CheckKind, Finding, Outcome
from accelerator.checks.headers import header_findings
from accelerator.checks.network import (
    Page,
    Settings,
    Unreachable,
    fetch,
    lenient_context,
)

#: the addresses a company gives, and the kind of finding that says each page exists
PAGES = (
    ("landing_url", CheckKind.page_reachable),
    ("login_url", CheckKind.page_reachable),
    ("privacy_url", CheckKind.privacy_policy),
    ("legal_notice_url", CheckKind.legal_notice),
    ("accessibility_url", CheckKind.accessibility_statement),
)
#: the pages of the application itself, whose headers are judged
APPLICATION_PAGES = ("landing_url", "login_url")
#: pages a solution must publish: an address left empty fails
REQUIRED_PAGES = ("landing_url", "privacy_url", "legal_notice_url", "accessibility_url")


def _day(moment) -> str | None:
    return moment.date().isoformat() if moment else None


def tls_findings(url: str, settings: Settings) -> list[Finding]:
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    findings = []
    try:
        accepted = tls.accepted_versions(host, port, settings)
        certificate = tls.certificate_of(host, port, settings)
    except Unreachable as error:
        return [
            Finding(
                CheckKind.tls_certificate,
                Outcome.unknown,
                url,
                "unreachable",
                {"error": error.reason},
            )
        ]
    offered = [name for name, yes in accepted.items() if yes]
    deprecated = [name for name in tls.DEPRECATED if accepted.get(name)]
    untested = [name for name, yes in accepted.items() if yes is None]
    facts = {"accepted": offered, "deprecated": deprecated, "untested": untested}
    if deprecated:
        findings.append(
            Finding(CheckKind.tls_versions, Outcome.failed, url, "tls_deprecated", facts)
        )
    elif not ({"TLSv1.2", "TLSv1.3"} & set(offered)):
        findings.append(
            Finding(CheckKind.tls_versions, Outcome.failed, url, "tls_none_modern", facts)
        )
    elif untested:
        findings.append(Finding(CheckKind.tls_versions, Outcome.passed, url, "tls_untested", facts))
    else:
        findings.append(Finding(CheckKind.tls_versions, Outcome.passed, url, "tls_modern", facts))
    facts = {
        "subject": certificate.subject,
        "issuer": certificate.issuer,
        "names": certificate.names,
        "not_before": _day(certificate.not_before),
        "not_after": _day(certificate.not_after),
        "days_left": certificate.days_left(),
        "reason": certificate.reason,
        "problem": certificate.problem,
    }
    if not certificate.valid:
        outcome, reason = Outcome.failed, "certificate_invalid"
    elif (certificate.days_left() or 0) < tls.EXPIRY_WARNING_DAYS:
        outcome, reason = Outcome.warning, "certificate_expiring"
    else:
        outcome, reason = Outcome.passed, "certificate_ok"
    findings.append(Finding(CheckKind.tls_certificate, outcome, url, reason, facts))
    return findings


def _read(url: str, settings: Settings) -> tuple[Page | None, str | None]:
    """The page (read leniently when its certificate is wrong: its headers still count)."""
    try:
        return fetch(url, settings), None
    except ssl.SSLError:
        try:
            return fetch(url, settings, context=lenient_context()), None
        except (Unreachable, ssl.SSLError, OSError) as error:
            return None, getattr(error, "reason", None) or str(error)
    except Unreachable as error:
        return None, error.reason


def hsts_finding(page: Page) -> Finding:
    max_age = tls.hsts_max_age(page.header("strict-transport-security"))
    if max_age is None:
        return Finding(CheckKind.hsts, Outcome.failed, page.url, "hsts_missing")
    facts = {"max_age": max_age, "days": max_age // 86400}
    if max_age < tls.HSTS_MIN_SECONDS:
        return Finding(CheckKind.hsts, Outcome.warning, page.url, "hsts_short", facts)
    return Finding(CheckKind.hsts, Outcome.passed, page.url, "hsts_ok", facts)


def http_checks(addresses: dict[str, str | None], settings: Settings) -> list[Finding]:
    """Every finding that needs no browser, for the addresses given (``PAGES`` keys)."""
    findings: list[Finding] = []
    tls_done: set[tuple[str, int]] = set()
    for name, kind in PAGES:
        url = (addresses.get(name) or "").strip()
        if not url:
            if name in REQUIRED_PAGES:
                findings.append(Finding(kind, Outcome.failed, "", "not_given", {"page": name}))
            continue
        parts = urlsplit(url)
        if parts.scheme == "https":
            key = (parts.hostname or "", parts.port or 443)
            if key not in tls_done:
                tls_done.add(key)
                findings.extend(tls_findings(url, settings))
        page, error = _read(url, settings)
        # HTTPS is judged where the visitor lands: a redirect to http:// drops it.
        landed = page.url if page is not None else url
        if urlsplit(landed).scheme != "https":
            findings.append(
                Finding(
                    CheckKind.https,
                    Outcome.failed,
                    url,
                    "https_missing",
                    {"url": landed, "page": name},
                )
            )
        elif page is not None:  # an unreachable page proves nothing either way
            findings.append(
                Finding(CheckKind.https, Outcome.passed, url, "https_ok", {"page": name})
            )
        if page is None:
            findings.append(
                Finding(kind, Outcome.failed, url, "unreachable", {"error": error, "page": name})
            )
            continue
        facts = {"status": page.status, "page": name, "final_url": page.url}
        outcome, reason = (
            (Outcome.passed, "status_ok") if page.status == 200 else (Outcome.failed, "status_bad")
        )
        findings.append(Finding(kind, outcome, url, reason, facts))
        if name in APPLICATION_PAGES and page.status < 400:
            if urlsplit(page.url).scheme == "https":
                findings.append(hsts_finding(page))
            findings.extend(header_findings(page))
    return findings
