"""What a site check finds: kinds of checks, their outcome, and each finding in words.

Each kind names the criteria of the cadre de confiance it informs (the codes of
``criteria/data/cadre-de-confiance-2026.2.yaml``), so the experts read a finding beside
those criteria; ``eliminatory`` kinds are those whose regression on an approved solution
alerts (TLS gone or invalid, trackers or third-party cookies appearing on pupils' pages).

A finding stores a ``reason`` code and its ``facts`` (JSON); its sentence is written when
it is read, in the reader's language (``Finding.message``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from accelerator.core.enums import TitledEnum


class Outcome(TitledEnum):
    passed = "pass", _l("Passed")
    warning = "warn", _l("To improve")
    failed = "fail", _l("Failed")
    #: the check could not conclude (the page did not answer, a tool was missing)
    unknown = "unknown", _l("Not determined")

    @property
    def badge(self) -> str:
        """The DSFR badge class of the outcome."""
        return {
            "pass": "fr-badge--success",
            "warn": "fr-badge--warning",
            "fail": "fr-badge--error",
        }.get(self.value, "fr-badge--info")


class CheckKind(TitledEnum):
    criteria: tuple[str, ...]
    eliminatory: bool

    def __new__(cls, value: str, label, criteria: tuple[str, ...], eliminatory: bool = False):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.criteria = criteria
        member.eliminatory = eliminatory
        return member

    https = "https", _l("Served over HTTPS"), ("SEC-01",), True
    tls_versions = "tls_versions", _l("TLS protocol versions"), ("SEC-01",)
    tls_certificate = "tls_certificate", _l("TLS certificate"), ("SEC-01",), True
    hsts = "hsts", _l("HSTS (Strict-Transport-Security)"), ("SEC-01",)
    csp = "csp", _l("Content-Security-Policy"), ("SEC-05",)
    content_type_options = (
        "content_type_options",
        _l("X-Content-Type-Options"),
        ("SEC-05",),
    )
    framing = "framing", _l("Protection against framing"), ("SEC-05",)
    referrer_policy = "referrer_policy", _l("Referrer-Policy"), ("SEC-05", "RGPD-03")
    privacy_policy = "privacy_policy", _l("Privacy policy"), ("RGPD-05",)
    legal_notice = "legal_notice", _l("Legal notice"), ("RGPD-05",)
    accessibility_statement = (
        "accessibility_statement",
        _l("Accessibility statement"),
        ("ACC-02",),
    )
    page_reachable = "page_reachable", _l("Page reachable"), ("SEC-06",)
    cookies = "cookies", _l("Cookies set before any consent"), ("RGPD-03", "SOUV-05"), True
    third_parties = "third_parties", _l("Third-party requests"), ("SOUV-03", "SOUV-05")
    trackers = "trackers", _l("Known trackers"), ("SOUV-05", "ETHIQUE-01"), True
    accessibility = (
        "accessibility",
        _l("Automated accessibility findings (axe-core)"),
        ("ACC-01", "ACC-03", "ACC-04"),
    )
    ecoindex = "ecoindex", _l("EcoIndex (page weight, requests, DOM)"), ("SOBRIETE-04",)


def kinds_for(criterion_code: str) -> list[CheckKind]:
    return [kind for kind in CheckKind if criterion_code in kind.criteria]


#: reason → its sentence, with the facts as ``%(name)s`` placeholders
MESSAGES = {
    "unreachable": _l("The page could not be read: %(error)s"),
    "not_given": _l("No address given for this page."),
    "status_ok": _l("The page answers %(status)s."),
    "status_bad": _l("The page answers %(status)s instead of 200."),
    "https_ok": _l("The page is served over HTTPS."),
    "https_missing": _l("The page is served without HTTPS (%(url)s)."),
    "tls_modern": _l("Accepted versions: %(accepted)s; TLS 1.0 and 1.1 are refused."),
    "tls_deprecated": _l(
        "Deprecated versions accepted: %(deprecated)s (accepted: %(accepted)s); "
        "TLS 1.0 and 1.1 must be refused (RFC 8996)."
    ),
    "tls_none_modern": _l("Neither TLS 1.2 nor TLS 1.3 is accepted."),
    "tls_untested": _l("Accepted versions: %(accepted)s; %(untested)s could not be tested."),
    "certificate_ok": _l(
        "Valid certificate for %(subject)s issued by %(issuer)s, until %(not_after)s "
        "(%(days_left)s days left)."
    ),
    "certificate_expiring": _l(
        "The certificate expires on %(not_after)s: %(days_left)s days left."
    ),
    "certificate_invalid": _l(
        "Invalid certificate (%(reason)s): subject %(subject)s, issued by %(issuer)s, "
        "valid from %(not_before)s to %(not_after)s."
    ),
    "hsts_ok": _l("HSTS max-age of %(days)s days."),
    "hsts_short": _l("HSTS max-age of %(days)s days only (180 days at least)."),
    "hsts_missing": _l("No Strict-Transport-Security header."),
    "csp_ok": _l("Content-Security-Policy sent."),
    "csp_unsafe": _l("The Content-Security-Policy allows inline scripts ('unsafe-inline')."),
    "csp_report_only": _l("Only Content-Security-Policy-Report-Only is sent: nothing is enforced."),
    "csp_missing": _l("No Content-Security-Policy header."),
    "nosniff_ok": _l("X-Content-Type-Options: nosniff."),
    "nosniff_missing": _l("No X-Content-Type-Options: nosniff header."),
    "framing_ok": _l("Framing restricted (%(how)s)."),
    "framing_missing": _l("Neither frame-ancestors nor X-Frame-Options: the page can be framed."),
    "referrer_ok": _l("Referrer-Policy: %(value)s."),
    "referrer_weak": _l("Referrer-Policy %(value)s sends full addresses to other sites."),
    "referrer_missing": _l("No Referrer-Policy header (the browser's default applies)."),
    "cookies_none": _l("No cookie is set before consent."),
    "cookies_first_party": _l(
        "First-party cookies set before any consent: %(names)s (only strictly necessary "
        "cookies are allowed without consent)."
    ),
    "cookies_third_party": _l("Third-party cookies set before any consent: %(names)s."),
    "third_parties_none": _l("No request to another site."),
    "third_parties_some": _l("Requests to %(count)s other sites: %(domains)s."),
    "trackers_none": _l("No known tracker is loaded."),
    "trackers_found": _l("Known trackers loaded: %(domains)s."),
    "axe_none": _l("axe-core finds no violation."),
    "axe_found": _l(
        "axe-core finds %(count)s violations (%(serious)s serious or critical): %(rules)s."
    ),
    "ecoindex": _l(
        "EcoIndex %(score)s/100, grade %(grade)s: %(requests)s requests, %(size_kb)s KB, "
        "%(dom)s DOM elements."
    ),
    "browser_missing": _l("The browser checks could not run: %(error)s"),
}


@dataclass
class Finding:
    """One outcome of one kind of check on one page (an immutable row once recorded)."""

    kind: CheckKind
    outcome: Outcome
    url: str
    reason: str
    facts: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind.value,
            "outcome": self.outcome.value,
            "url": self.url,
            "reason": self.reason,
            "facts": self.facts,
        }


def message(reason: str, facts: dict) -> str:
    """The finding's sentence in the current language (facts missing read as "?")."""
    template = MESSAGES.get(reason)
    if template is None:
        return reason

    class _Facts(dict):
        def __missing__(self, key):
            return "?"

    values = _Facts(
        {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in facts.items()}
    )
    return str(template) % values
