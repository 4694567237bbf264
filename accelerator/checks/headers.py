"""Security headers of a page, judged one by one (pure: a page's headers in, findings out).

References: MDN's and OWASP's Secure Headers Project recommendations, as the ANSSI's
recommendations for web sites (2013, updated 2021) repeat them:
- ``Content-Security-Policy`` enforced (report-only protects nothing), without
  ``'unsafe-inline'`` scripts unless a nonce or a hash limits them;
- ``X-Content-Type-Options: nosniff``;
- framing refused by CSP ``frame-ancestors`` or ``X-Frame-Options: DENY | SAMEORIGIN``;
- a ``Referrer-Policy`` that does not send full addresses to other sites.
"""

from __future__ import annotations

from accelerator.checks.findings import CheckKind, Finding, Outcome
from accelerator.checks.network import Page

#: policies that never send a path or a query to another site
STRICT_REFERRERS = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "origin",
}


def _directives(policy: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.strip().split()
        if words:
            directives.setdefault(words[0].lower(), [w.lower() for w in words[1:]])
    return directives


def csp_finding(page: Page) -> Finding:
    policy = page.header("content-security-policy")
    if not policy:
        reason = "csp_report_only" if page.header("content-security-policy-report-only") else None
        return Finding(CheckKind.csp, Outcome.failed, page.url, reason or "csp_missing", {})
    directives = _directives(policy)
    scripts = directives.get("script-src", directives.get("default-src", []))
    limited = any(s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in scripts)
    if "'unsafe-inline'" in scripts and not limited:
        return Finding(CheckKind.csp, Outcome.warning, page.url, "csp_unsafe", {"policy": policy})
    return Finding(CheckKind.csp, Outcome.passed, page.url, "csp_ok", {"policy": policy})


def nosniff_finding(page: Page) -> Finding:
    value = (page.header("x-content-type-options") or "").strip().lower()
    if value == "nosniff":
        return Finding(CheckKind.content_type_options, Outcome.passed, page.url, "nosniff_ok")
    return Finding(CheckKind.content_type_options, Outcome.failed, page.url, "nosniff_missing")


def framing_finding(page: Page) -> Finding:
    policy = page.header("content-security-policy") or ""
    ancestors = _directives(policy).get("frame-ancestors")
    if ancestors is not None and "*" not in ancestors:
        how = "frame-ancestors " + (" ".join(ancestors) or "'none'")
        return Finding(CheckKind.framing, Outcome.passed, page.url, "framing_ok", {"how": how})
    frame_options = (page.header("x-frame-options") or "").strip().upper()
    if frame_options in ("DENY", "SAMEORIGIN"):
        how = f"X-Frame-Options {frame_options}"
        return Finding(CheckKind.framing, Outcome.passed, page.url, "framing_ok", {"how": how})
    return Finding(CheckKind.framing, Outcome.failed, page.url, "framing_missing")


def referrer_finding(page: Page) -> Finding:
    header = page.header("referrer-policy")
    if not header:
        return Finding(CheckKind.referrer_policy, Outcome.warning, page.url, "referrer_missing")
    # Several values: the last one the browser understands applies.
    value = header.split(",")[-1].strip().lower()
    outcome, reason = (
        (Outcome.passed, "referrer_ok")
        if value in STRICT_REFERRERS
        else (Outcome.warning, "referrer_weak")
    )
    return Finding(CheckKind.referrer_policy, outcome, page.url, reason, {"value": value})


def header_findings(page: Page) -> list[Finding]:
    return [
        csp_finding(page),
        nosniff_finding(page),
        framing_finding(page),
        referrer_finding(page),
    ]
