"""Rules a framework version obeys, shared by the YAML loader, the admin forms and operations."""

from __future__ import annotations

import math
import re

from flask_babel import lazy_gettext as _l

MAX_LEVEL = 3
LEVEL_VALUES = (0, 1, 2, 3)

#: Solution attributes a criterion may depend on (``applies_if``): booleans of
#: ``Solution.attributes()`` (audits), named here because criteria sit below audits.
ATTRIBUTES = {
    "processes_personal_data": _l("The solution processes personal data"),
    "gar_compatible": _l("The solution is accessible through the GAR"),
    "paid": _l("The solution is paid for (entirely or in part)"),
    "uses_ai": _l("The solution uses artificial intelligence"),
}

#: Default level labels, offered when an administrator adds a criterion.
DEFAULT_LEVEL_LABELS = ("Non satisfait", "Partiellement satisfait", "Satisfait", "Exemplaire")

FRAMEWORK_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")
DOMAIN_CODE = re.compile(r"^[A-Z]{2,10}$")
VERSION_LABEL = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$")


def criterion_code_pattern(domain_code: str) -> re.Pattern:
    """A criterion's code is its domain's code, a hyphen and two or three digits: RGPD-03."""
    return re.compile(rf"^{re.escape(domain_code)}-[0-9]{{2,3}}$")


def is_weight(value: object) -> bool:
    """A weight is a finite number above zero (a boolean is not a number here)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def thresholds_error(approve: object, with_conditions: object) -> str | None:
    """Why a pair of thresholds is wrong, or None."""
    for value in (approve, with_conditions):
        if not isinstance(value, int | float) or isinstance(value, bool):
            return str(_l("Thresholds are numbers between 0 and 100."))
        if not (0 <= value <= 100):
            return str(_l("Thresholds are numbers between 0 and 100."))
    if with_conditions > approve:
        return str(
            _l("The threshold for approval with conditions cannot exceed the approval threshold.")
        )
    return None


def floor_error(floor: object) -> str | None:
    """A domain's floor is a minimum domain score between 0 and 100 (or no floor at all)."""
    if floor is None:
        return None
    if not isinstance(floor, int | float) or isinstance(floor, bool) or not math.isfinite(floor):
        return str(_l("A floor is a minimum domain score between 0 and 100."))
    if not (0 <= floor <= 100):
        return str(_l("A floor is a minimum domain score between 0 and 100."))
    return None


def min_level_error(eliminatory: bool, min_level: object) -> str | None:
    """An eliminatory criterion needs a minimum level of 1 to 3; another has none (0)."""
    if not isinstance(min_level, int) or isinstance(min_level, bool):
        return str(_l("The minimum level is a whole number from 0 to 3."))
    if eliminatory and not (1 <= min_level <= MAX_LEVEL):
        return str(_l("An eliminatory criterion needs a minimum level from 1 to 3."))
    if not eliminatory and min_level != 0:
        return str(_l("Only an eliminatory criterion has a minimum level: leave it at 0."))
    return None
