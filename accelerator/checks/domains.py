"""Registrable domains (the "site" of a host) and the list of known trackers.

Third party means another registrable domain: ``cdn.exemple.fr`` and ``www.exemple.fr``
are one site, ``exemple.gouv.fr`` and ``autre.gouv.fr`` two. The rules are those of the
Public Suffix List (https://publicsuffix.org/list/), read from Debian's ``publicsuffix``
package when it is installed; without it, a short built-in list of the multi-label
suffixes met most often in France and Europe stands in (a host under any other suffix is
taken as ``name.tld``).
"""

from __future__ import annotations

import ipaddress
from functools import cache
from pathlib import Path

PUBLIC_SUFFIX_FILE = Path("/usr/share/publicsuffix/public_suffix_list.dat")
TRACKERS_FILE = Path(__file__).resolve().parent / "data" / "trackers.txt"
#: used only without the Public Suffix List
FALLBACK_SUFFIXES = frozenset(
    {"gouv.fr", "asso.fr", "nom.fr", "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "co.jp"}
)


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [
        line.split()[0].lower()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "//"))
    ]


@cache
def _suffix_rules() -> tuple[frozenset, frozenset, frozenset] | None:
    if not PUBLIC_SUFFIX_FILE.is_file():
        return None
    rules, wildcards, exceptions = set(), set(), set()
    for rule in _lines(PUBLIC_SUFFIX_FILE):
        if rule.startswith("!"):
            exceptions.add(rule[1:])
        elif rule.startswith("*."):
            wildcards.add(rule[2:])
        else:
            rules.add(rule)
    return frozenset(rules), frozenset(wildcards), frozenset(exceptions)


def _public_suffix_length(labels: list[str]) -> int:
    """How many labels at the end of ``labels`` form the public suffix."""
    rules = _suffix_rules()
    if rules is None:
        return 2 if ".".join(labels[-2:]) in FALLBACK_SUFFIXES else 1
    exact, wildcards, exceptions = rules
    longest = 1  # the default rule "*": the last label
    for start in range(len(labels)):
        candidate = ".".join(labels[start:])
        if candidate in exceptions:
            return len(labels) - start - 1
        if candidate in exact:
            longest = max(longest, len(labels) - start)
        if start > 0 and candidate in wildcards:
            longest = max(longest, len(labels) - start + 1)
    return longest


def registrable_domain(host: str) -> str:
    """The site a host belongs to (an address or a single label is its own site)."""
    host = (host or "").strip(".").lower()
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2:
        return host
    length = _public_suffix_length(labels)
    return ".".join(labels[-(length + 1) :]) if len(labels) > length else host


@cache
def trackers() -> frozenset[str]:
    return frozenset(_lines(TRACKERS_FILE))


def tracker_of(host: str) -> str | None:
    """The tracker list's entry that ``host`` is (or is a subdomain of), if any."""
    labels = (host or "").strip(".").lower().split(".")
    known = trackers()
    for start in range(len(labels)):
        candidate = ".".join(labels[start:])
        if candidate in known:
            return candidate
    return None
