"""The checks made without a browser, against local sites the tests start: TLS versions,
certificate, HSTS, security headers, legal pages; and the address guard."""

from __future__ import annotations

import ssl
import warnings

import pytest

from accelerator.checks.findings import CheckKind, Outcome
from accelerator.checks.network import Settings, Unreachable, resolve
from accelerator.checks.site import http_checks
from tests.checks.sites import PAGE, Authority, Site, addresses, legal_pages


@pytest.fixture
def authority(tmp_path):
    return Authority(tmp_path)


def _settings(authority) -> Settings:
    return Settings(
        timeout=5, ca_file=str(authority.ca_file), host_map={"*": "127.0.0.1"}, allow_private=True
    )


def _by_kind(findings, page_url=None) -> dict:
    return {f.kind: f for f in findings if page_url is None or f.url in (page_url, "")}


def test_a_well_configured_site_passes_every_check(authority):
    with Site(legal_pages(), authority.valid("localhost")) as site:
        findings = http_checks(addresses(site), _settings(authority))
    failing = [(f.kind.value, f.reason, f.facts) for f in findings if f.outcome != Outcome.passed]
    assert failing == []
    kinds = {f.kind for f in findings}
    assert {
        CheckKind.https,
        CheckKind.tls_versions,
        CheckKind.tls_certificate,
        CheckKind.hsts,
        CheckKind.csp,
        CheckKind.content_type_options,
        CheckKind.framing,
        CheckKind.referrer_policy,
        CheckKind.privacy_policy,
        CheckKind.legal_notice,
        CheckKind.accessibility_statement,
    } <= kinds
    versions = _by_kind(findings)[CheckKind.tls_versions].facts
    assert "TLSv1.2" in versions["accepted"] and versions["deprecated"] == []
    certificate = _by_kind(findings)[CheckKind.tls_certificate].facts
    assert certificate["subject"] == "localhost" and certificate["days_left"] >= 360


def test_a_site_without_security_headers_fails_each_of_them(authority):
    pages = legal_pages(headers={})
    del pages["/accessibilite"]  # the statement answers 404
    with Site(pages, authority.valid("localhost")) as site:
        urls = addresses(site)
        findings = http_checks(urls, _settings(authority))
    landing = _by_kind(findings, urls["landing_url"])
    expected = {
        CheckKind.hsts: (Outcome.failed, "hsts_missing"),
        CheckKind.csp: (Outcome.failed, "csp_missing"),
        CheckKind.content_type_options: (Outcome.failed, "nosniff_missing"),
        CheckKind.framing: (Outcome.failed, "framing_missing"),
        # browsers default to strict-origin-when-cross-origin: to improve, not a failure
        CheckKind.referrer_policy: (Outcome.warning, "referrer_missing"),
    }
    assert {k: (landing[k].outcome, landing[k].reason) for k in expected} == expected
    statement = _by_kind(findings)[CheckKind.accessibility_statement]
    assert (statement.outcome, statement.facts["status"]) == (Outcome.failed, 404)


@pytest.mark.parametrize(
    ("headers", "kind", "outcome"),
    [
        # the rule: report-only enforces nothing
        (
            {"Content-Security-Policy-Report-Only": "default-src 'self'"},
            CheckKind.csp,
            Outcome.failed,
        ),
        # inline scripts allowed without a nonce or a hash: to improve
        (
            {"Content-Security-Policy": "script-src 'self' 'unsafe-inline'"},
            CheckKind.csp,
            Outcome.warning,
        ),
        # a nonce limits 'unsafe-inline' (browsers then ignore it)
        (
            {"Content-Security-Policy": "script-src 'nonce-abc' 'unsafe-inline'"},
            CheckKind.csp,
            Outcome.passed,
        ),
        ({"X-Frame-Options": "SAMEORIGIN"}, CheckKind.framing, Outcome.passed),
        ({"Content-Security-Policy": "frame-ancestors *"}, CheckKind.framing, Outcome.failed),
        ({"Referrer-Policy": "unsafe-url"}, CheckKind.referrer_policy, Outcome.warning),
        ({"Referrer-Policy": "no-referrer"}, CheckKind.referrer_policy, Outcome.passed),
        ({"Strict-Transport-Security": "max-age=86400"}, CheckKind.hsts, Outcome.warning),
    ],
)
def test_each_header_is_judged_by_its_rule(authority, headers, kind, outcome):
    with Site({"/": (200, headers, PAGE)}, authority.valid("localhost")) as site:
        findings = http_checks({"landing_url": site.url("/")}, _settings(authority))
    assert _by_kind(findings)[kind].outcome == outcome


def test_an_expired_certificate_fails_with_its_dates(authority):
    with Site(legal_pages(), authority.expired("localhost")) as site:
        findings = http_checks(addresses(site), _settings(authority))
    certificate = _by_kind(findings)[CheckKind.tls_certificate]
    assert certificate.outcome == Outcome.failed
    assert certificate.facts["problem"] == "expired"
    assert certificate.facts["days_left"] < 0 and certificate.facts["not_after"]
    # the pages are still read: their headers are evidence too
    assert _by_kind(findings)[CheckKind.csp].outcome == Outcome.passed


def test_a_certificate_for_another_name_fails(authority):
    with Site(legal_pages(), authority.valid("autre.example")) as site:
        findings = http_checks(addresses(site, host="localhost"), _settings(authority))
    certificate = _by_kind(findings)[CheckKind.tls_certificate]
    assert (certificate.outcome, certificate.facts["problem"]) == (Outcome.failed, "hostname")


def test_an_unknown_authority_is_not_trusted(tmp_path, authority):
    stranger = Authority(tmp_path, name="Autorité inconnue")
    with Site(legal_pages(), stranger.valid("localhost")) as site:
        findings = http_checks(addresses(site), _settings(authority))
    certificate = _by_kind(findings)[CheckKind.tls_certificate]
    assert (certificate.outcome, certificate.facts["problem"]) == (Outcome.failed, "untrusted")


def _client_offers_tls10() -> bool:
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        return False
    return True


def test_a_server_accepting_tls_1_0_fails_the_versions_check(authority):
    if not _client_offers_tls10():
        pytest.skip("this machine's OpenSSL cannot offer TLS 1.0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        oldest = ssl.TLSVersion.TLSv1
    with Site(legal_pages(), authority.valid("localhost"), oldest_tls=oldest) as site:
        findings = http_checks({"landing_url": site.url("/")}, _settings(authority))
    versions = _by_kind(findings)[CheckKind.tls_versions]
    if versions.facts["untested"]:
        pytest.skip(f"not testable here: {versions.facts['untested']}")
    assert versions.outcome == Outcome.failed
    # the server accepts TLS 1.0 and 1.1 (which of them this client reaches depends on OpenSSL)
    assert set(versions.facts["deprecated"]) <= {"TLSv1.0", "TLSv1.1"}
    assert versions.facts["deprecated"]


def test_a_page_over_plain_http_fails_https_and_missing_legal_pages_fail():
    with Site(legal_pages()) as site:
        findings = http_checks(
            {"landing_url": site.url("/")},
            Settings(host_map={"*": "127.0.0.1"}, allow_private=True),
        )
    by_kind = _by_kind(findings)
    assert by_kind[CheckKind.https].outcome == Outcome.failed
    assert CheckKind.tls_certificate not in by_kind
    for kind in (
        CheckKind.privacy_policy,
        CheckKind.legal_notice,
        CheckKind.accessibility_statement,
    ):
        assert (by_kind[kind].outcome, by_kind[kind].reason) == (Outcome.failed, "not_given")


def test_a_page_that_does_not_answer_fails_as_unreachable():
    findings = http_checks(
        {"landing_url": "http://localhost:9/"},
        Settings(timeout=2, host_map={"*": "127.0.0.1"}, allow_private=True),
    )
    reachable = _by_kind(findings)[CheckKind.page_reachable]
    assert (reachable.outcome, reachable.reason) == (Outcome.failed, "unreachable")


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fd00::1"]
)
def test_the_worker_refuses_to_reach_a_private_address(address):
    """A company names the URLs: without leave, no check reaches the service's own network."""
    with pytest.raises(Unreachable):
        resolve("interne.example", 443, Settings(host_map={"*": address}))


def test_a_public_address_is_reached():
    # resolving only: nothing is connected to
    assert resolve("site.example", 443, Settings(host_map={"*": "8.8.8.8"})) == "8.8.8.8"


def test_an_https_page_that_redirects_to_plain_http_fails_https(authority):
    with Site(legal_pages()) as plain:
        redirect = {"/": (301, {"Location": plain.url("/")}, b"")}
        with Site(redirect, authority.valid("localhost")) as site:
            findings = http_checks({"landing_url": site.url("/")}, _settings(authority))
    https = _by_kind(findings)[CheckKind.https]
    assert (https.outcome, https.facts["url"]) == (Outcome.failed, plain.url("/"))
