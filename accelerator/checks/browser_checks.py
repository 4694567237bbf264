"""The checks that need a browser: what a pupil's first visit loads, before any consent.

Each application page (landing, login) opens in a fresh headless Chromium context
(``core.browser``: Debian's chromium, never a downloaded one), so nobody has consented to
anything; the page loads, then the network settles. Then:

- cookies: those set during that visit. A third party's (another registrable domain,
  ``checks.domains``) fails: an eliminatory point (SOUV-05); the site's own are to improve
  (only strictly necessary cookies may be set without consent);
- third parties: the other sites the page requests; known trackers (``data/trackers.txt``)
  among them fail;
- accessibility: axe-core's WCAG 2.1 A/AA rules (``core.axe``); a serious or critical
  violation fails;
- eco-design: requests, transferred bytes and DOM elements, and their EcoIndex
  (``checks.ecoindex``): grades A-C pass, D-E are to improve, F-G fail.

The certificate is judged by the TLS check: the browser reads the page whatever it is
(``ignore_https_errors``). Every request the page makes goes through the same address
guard as the HTTP checks (``network.resolve``), and ``SITE_CHECK_HOST_MAP`` becomes
Chromium's ``--host-resolver-rules``.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError

from accelerator.checks.domains import registrable_domain, tracker_of
from accelerator.checks.ecoindex import ecoindex
from accelerator.checks.findings import CheckKind, Finding, Outcome
from accelerator.checks.network import Settings, Unreachable, resolve
from accelerator.core import axe
from accelerator.core.browser import ChromiumMissing, chromium, chromium_available

#: the pages pupils and teachers meet, judged in the browser
BROWSER_PAGES = ("landing_url", "login_url")
BROWSER_KINDS = (
    CheckKind.cookies,
    CheckKind.third_parties,
    CheckKind.trackers,
    CheckKind.accessibility,
    CheckKind.ecoindex,
)
#: how long the network may keep busy after the load event (late trackers count)
SETTLE_MS = 3000
#: axe-core impacts that fail the check (others are to improve)
SERIOUS = ("serious", "critical")


def resolver_rules(settings: Settings) -> tuple[str, ...]:
    """Chromium's switch for ``SITE_CHECK_HOST_MAP`` (none when DNS is used)."""
    if not settings.host_map:
        return ()
    rules = [f"MAP {host} {address}" for host, address in settings.host_map.items()]
    return (f"--host-resolver-rules={', '.join(rules)}",)


def _guard(settings: Settings):
    def route(route, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.hostname:
            try:
                resolve(parts.hostname, parts.port or 443, settings)
            except Unreachable:
                route.abort("addressunreachable")
                return
        route.continue_()

    return route


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _transferred(request) -> int:
    try:
        sizes = request.sizes()
    except Exception:  # a request that failed or never finished transferred nothing known
        return 0
    return max(0, sizes.get("responseBodySize", 0)) + max(0, sizes.get("responseHeadersSize", 0))


def page_findings(browser, url: str, settings: Settings) -> list[Finding]:
    context = browser.new_context(ignore_https_errors=True, java_script_enabled=True)
    try:
        if not settings.allow_private:
            context.route("**/*", _guard(settings))
        page = context.new_page()
        requests: list = []
        responses: list = []
        page.on("request", lambda request: requests.append(request))
        page.on("response", lambda response: responses.append(response))
        try:
            page.goto(url, wait_until="load", timeout=settings.timeout * 1000)
        except PlaywrightError as error:  # the page did not load
            facts = {"error": str(error).splitlines()[0][:300]}
            return [
                Finding(kind, Outcome.unknown, url, "unreachable", facts) for kind in BROWSER_KINDS
            ]
        # A page that never settles is measured as it stands.
        with suppress(PlaywrightError):
            page.wait_for_load_state("networkidle", timeout=SETTLE_MS)
        site = registrable_domain(_host(page.url))
        hosts = sorted({_host(r.url) for r in requests if _host(r.url)})
        others = sorted({registrable_domain(h) for h in hosts} - {site})
        found_trackers = sorted({t for t in (tracker_of(h) for h in hosts) if t})
        cookies = context.cookies() + _set_cookies(responses)
        violations = axe.violations(page)
        dom = page.evaluate("() => document.getElementsByTagName('*').length")
        size_kb = sum(_transferred(r) for r in requests) / 1024
        return [
            _cookies_finding(url, site, cookies),
            _third_parties_finding(url, others),
            _trackers_finding(url, found_trackers),
            _accessibility_finding(url, violations),
            _ecoindex_finding(url, dom, len(requests), size_kb),
        ]
    finally:
        context.close()


def _set_cookies(responses: list) -> list[dict]:
    """The cookies the responses asked to set (``Set-Cookie``), stored or not: a browser
    that blocks third-party cookies (Chromium's private contexts do) still saw them sent,
    and a pupil's browser may keep them."""
    cookies = []
    for response in responses:
        try:
            headers = response.headers_array()
        except PlaywrightError:
            continue
        for header in headers:
            if header["name"].lower() != "set-cookie":
                continue
            for line in header["value"].split("\n"):
                name, _, rest = line.partition("=")
                domain = _host(response.url)
                for attribute in rest.split(";")[1:]:
                    key, _, value = attribute.strip().partition("=")
                    if key.lower() == "domain" and value:
                        domain = value
                if name.strip():
                    cookies.append({"name": name.strip(), "domain": domain})
    return cookies


def _cookies_finding(url: str, site: str, cookies: list[dict]) -> Finding:
    third = sorted(
        {
            f"{c['name']} ({c['domain'].lstrip('.')})"
            for c in cookies
            if registrable_domain(c["domain"]) != site
        }
    )
    own = sorted({c["name"] for c in cookies if registrable_domain(c["domain"]) == site})
    facts = {"third_party": third, "first_party": own}
    if third:
        return Finding(
            CheckKind.cookies, Outcome.failed, url, "cookies_third_party", facts | {"names": third}
        )
    if own:
        return Finding(
            CheckKind.cookies, Outcome.warning, url, "cookies_first_party", facts | {"names": own}
        )
    return Finding(CheckKind.cookies, Outcome.passed, url, "cookies_none", facts)


def _third_parties_finding(url: str, others: list[str]) -> Finding:
    if not others:
        return Finding(
            CheckKind.third_parties, Outcome.passed, url, "third_parties_none", {"domains": []}
        )
    return Finding(
        CheckKind.third_parties,
        Outcome.warning,
        url,
        "third_parties_some",
        {"domains": others, "count": len(others)},
    )


def _trackers_finding(url: str, found: list[str]) -> Finding:
    if found:
        return Finding(
            CheckKind.trackers, Outcome.failed, url, "trackers_found", {"domains": found}
        )
    return Finding(CheckKind.trackers, Outcome.passed, url, "trackers_none", {"domains": []})


def _accessibility_finding(url: str, violations: list[dict]) -> Finding:
    serious = [v for v in violations if v.get("impact") in SERIOUS]
    facts = {
        "count": len(violations),
        "serious": len(serious),
        "rules": [v["id"] for v in violations][:20],
        "violations": [
            {
                "id": v["id"],
                "impact": v.get("impact"),
                "help": v.get("help"),
                "nodes": len(v.get("nodes", [])),
            }
            for v in violations[:20]
        ],
    }
    if not violations:
        return Finding(CheckKind.accessibility, Outcome.passed, url, "axe_none", facts)
    outcome = Outcome.failed if serious else Outcome.warning
    return Finding(CheckKind.accessibility, outcome, url, "axe_found", facts)


def _ecoindex_finding(url: str, dom: int, requests: int, size_kb: float) -> Finding:
    facts = ecoindex(dom, requests, size_kb)
    grade = facts["grade"]
    outcome = (
        Outcome.passed if grade in "ABC" else Outcome.warning if grade in "DE" else Outcome.failed
    )
    return Finding(CheckKind.ecoindex, outcome, url, "ecoindex", facts)


def run(addresses: dict, settings: Settings) -> list[Finding]:
    """The browser's findings on the application pages given (none given: none)."""
    urls = [addresses[name] for name in BROWSER_PAGES if addresses.get(name)]
    if not urls or not settings.browser:
        return []
    if not chromium_available():
        return _missing(urls[0], "chromium")
    findings: list[Finding] = []
    try:
        with chromium(arguments=resolver_rules(settings)) as browser:
            for url in urls:
                findings.extend(page_findings(browser, url, settings))
    except (ChromiumMissing, axe.AxeMissing) as error:
        return _missing(urls[0], str(error))
    return findings


def _missing(url: str, error: str) -> list[Finding]:
    return [
        Finding(kind, Outcome.unknown, url, "browser_missing", {"error": error})
        for kind in BROWSER_KINDS
    ]
