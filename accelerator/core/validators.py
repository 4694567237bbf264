"""Validators for French identifiers: SIREN (companies) and UAI (schools)."""

from __future__ import annotations

import re

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
