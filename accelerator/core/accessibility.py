"""The service's own RGAA compliance, as its accessibility statement must state it.

RGAA 4.1 (the legal reference of article 47 of law 2005-102): a service is "totalement
conforme" when every applicable criterion is met, "partiellement conforme" from 50 %, and
"non conforme" below 50 % or as long as no audit has measured it. The rate and the date
of the last audit are settings (``RGAA_AUDIT_RATE``, ``RGAA_AUDIT_DATE``), filled in when
an audit is made: the statement never claims more than was measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l

LEVELS = {
    "full": _l("fully compliant"),
    "partial": _l("partially compliant"),
    "none": _l("non-compliant"),
}


@dataclass(frozen=True)
class Compliance:
    level: str
    #: share of the applicable RGAA criteria met, when an audit measured it
    rate: float | None
    audited_on: date | None

    @property
    def label(self) -> str:
        return str(LEVELS[self.level])


def level_for(rate: float | None) -> str:
    """The RGAA wording for an audited rate (None: never audited)."""
    if rate is None:
        return "none"
    if rate >= 100:
        return "full"
    return "partial" if rate >= 50 else "none"


def compliance() -> Compliance:
    config = current_app.config
    rate = config.get("RGAA_AUDIT_RATE")
    rate = float(rate) if rate not in (None, "") else None
    audited = config.get("RGAA_AUDIT_DATE") or None
    if isinstance(audited, str):
        audited = date.fromisoformat(audited)
    if rate is None or audited is None:  # a rate without its audit's date is no measure
        rate, audited = None, None
    return Compliance(level_for(rate), rate, audited)
