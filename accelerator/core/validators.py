"""Validators for French identifiers: SIREN (companies) and UAI (schools); sane dates."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

#: Years a date of the service may fall in. Outside is a typing error, and far years overflow
#: date arithmetic (time zones, durations) instead of being refused.
FIRST_YEAR, LAST_YEAR = 2000, 2100
YEAR_OUT_OF_RANGE = _l("Enter a date between 2000 and 2100.")


def is_sane_date(value: date) -> bool:
    """Whether a date (or a date and time) falls within FIRST_YEAR..LAST_YEAR."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


_SIREN = re.compile(r"^\d{9}$")
_UAI = re.compile(r"^(\d{7})([A-Z])$")
#: The UAI key letter alphabet: 23 letters, I, O and Q left out.
_UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def normalize_siren(value: str) -> str:
    return re.sub(r"[\s.]", "", value or "")


def is_valid_siren(value: str) -> bool:
    """Nine digits passing the Luhn check (INSEE's rule for SIREN numbers)."""
    if not _SIREN.match(value or ""):
        return False
    total = 0
    for position, char in enumerate(reversed(value)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def normalize_uai(value: str) -> str:
    return (value or "").strip().upper()


def is_valid_uai(value: str) -> bool:
    """Seven digits then the key letter: the letter at (number mod 23) in A..Z without I, O, Q."""
    match = _UAI.match(value or "")
    if not match:
        return False
    return _UAI_LETTERS[int(match.group(1)) % 23] == match.group(2)
