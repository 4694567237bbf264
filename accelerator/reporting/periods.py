"""The period and académie an indicator is computed for, read from a query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext

from accelerator.core.errors import Invalid
from accelerator.core.reference import ACADEMIES

#: Longest period accepted: its trend has one point a month.
MAX_DAYS = 366 * 12


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    #: one académie's code, or None for all of them
    academy: str | None = None

    def months(self) -> list[str]:
        """``YYYY-MM`` of every month the period touches, in order."""
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def month_ends(self) -> list[tuple[str, date]]:
        """Each month of the period with its last day within the period."""
        result = []
        for key in self.months():
            year, month = int(key[:4]), int(key[5:])
            following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            result.append((key, min(following - timedelta(days=1), self.end)))
        return result

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def query_args(self) -> dict[str, str]:
        args = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.academy:
            args["academy"] = self.academy
        return args


def school_year_of(day: date) -> int:
    """The school year (its first calendar year) a day belongs to: it starts on 1 September."""
    return day.year if day.month >= 9 else day.year - 1


def default_period(today: date | None = None) -> Period:
    """The current school year so far (1 September to today)."""
    today = today or date.today()
    return Period(date(school_year_of(today), 9, 1), today)


def parse_period(args, today: date | None = None) -> Period:
    """``from``, ``to`` (ISO dates) and ``academy`` from ``args``; each may be left out
    (defaults: the current school year so far, every académie). Wrong values raise Invalid."""
    fallback = default_period(today)
    errors: dict[str, list[str]] = {}

    def day(name: str, default: date) -> date:
        raw = (args.get(name) or "").strip()
        if not raw:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = [gettext("Not a valid date: use YYYY-MM-DD.")]
            return default

    start, end = day("from", fallback.start), day("to", fallback.end)
    academy = (args.get("academy") or "").strip() or None
    if academy is not None and academy not in ACADEMIES:
        errors["academy"] = [gettext("Unknown académie.")]
    if not errors and end < start:
        errors["to"] = [gettext("The end of the period comes before its start.")]
    if not errors and (end - start).days >= MAX_DAYS:
        errors["to"] = [gettext("The period is longer than twelve years.")]
    if errors:
        raise Invalid(gettext("The period or the académie is invalid."), errors)
    return Period(start, end, academy)
