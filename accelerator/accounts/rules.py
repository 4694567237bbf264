"""Field rules shared by the registration forms (pages) and schemas (API), with their messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from accelerator.core.validators import (
    is_valid_siren,
    is_valid_uai,
    normalize_siren,
    normalize_uai,
)

PASSWORD_TOO_SHORT = _l("The password must be at least 12 characters long.")
PASSWORD_TOO_LONG = _l("The password must be at most 256 characters long.")
PASSWORDS_DIFFER = _l("The two passwords differ.")
SIREN_INVALID = _l("Invalid SIREN: 9 digits whose Luhn check is correct (see your Kbis extract).")
SIREN_REQUIRED = _l("The SIREN is required for a company based in France.")
UAI_INVALID = _l("Invalid UAI: 7 digits followed by the check letter (for example 0750655E).")
ACADEMY_UNKNOWN = _l("Unknown académie: choose one of the 30 académies.")
DISCIPLINE_UNKNOWN = _l("Unknown discipline.")
CAREER_STAGE_UNKNOWN = _l("Unknown career stage.")
ROLE_NOT_SELF_REGISTERED = _l("Only the company and teacher roles can register themselves.")


def password_error(password: str) -> str | None:
    if len(password or "") < 12:
        return str(PASSWORD_TOO_SHORT)
    if len(password) > 256:
        return str(PASSWORD_TOO_LONG)
    return None


def clean_siren(value: str | None) -> tuple[str | None, str | None]:
    """(normalized SIREN or None, error message or None)."""
    siren = normalize_siren(value or "")
    if not siren:
        return None, None
    return (siren, None) if is_valid_siren(siren) else (siren, str(SIREN_INVALID))


def clean_uai(value: str | None) -> tuple[str, str | None]:
    uai = normalize_uai(value or "")
    return (uai, None) if is_valid_uai(uai) else (uai, str(UAI_INVALID))


SETTLEMENT_UNKNOWN = _l("Choose grant, transfer or dismiss.")
