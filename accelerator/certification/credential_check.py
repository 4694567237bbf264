"""Checking a credential the service signed, as a verifier would: the signature with the key
of ``/.well-known/jwks.json``, the dates (``validFrom``, ``validUntil``), and each
``BitstringStatusListEntry``: the list it names is signed, its signature checked, its bits
decoded and the credential's bit read (``status_list``). What was found is said in the
reader's language (French first).

The lists are the service's own, so they are built here rather than fetched over the
network; a list URL of another issuer leaves the status unknown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext

from accelerator.certification import badges, status_list
from accelerator.core.db import utcnow
from accelerator.core.formatting import day

#: the verdicts, the first that applies being the answer (an expired approval also has its
#: revocation bit set: "expired" says why)
VERDICTS = (
    "malformed",
    "invalid_signature",
    "expired",
    "not_yet_valid",
    "revoked",
    "suspended",
    "status_unknown",
    "valid",
)


@dataclass
class CredentialCheck:
    """What checking one credential found."""

    #: the JWS parsed and its signature verified with the service's key
    signature_valid: bool = False
    #: the credential (claims), when the signature verified
    credential: dict | None = None
    #: purpose → bit set, for each status list entry read
    statuses: dict[str, bool] = field(default_factory=dict)
    #: status entries that could not be read (another issuer, a bad index)
    unreadable_statuses: int = 0
    not_yet_valid: bool = False
    expired: bool = False
    malformed: bool = False

    @property
    def verdict(self) -> str:
        found = {
            "malformed": self.malformed,
            "invalid_signature": not self.signature_valid,
            "revoked": self.statuses.get("revocation", False),
            "suspended": self.statuses.get("suspension", False),
            "expired": self.expired,
            "not_yet_valid": self.not_yet_valid,
            "status_unknown": self.unreadable_statuses > 0 or not self.statuses,
        }
        return next((name for name in VERDICTS[:-1] if found[name]), "valid")

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"

    def findings(self) -> list[str]:
        """Every finding, one sentence each."""
        if self.malformed:
            return [gettext("This is not a credential signed as a VC-JWT (compact JWS).")]
        if not self.signature_valid:
            return [
                gettext(
                    "The signature does not verify with the service's key: the credential "
                    "was altered or was not issued by the service."
                )
            ]
        said = [gettext("The signature verifies with the service's key (EdDSA, Ed25519).")]
        credential = self.credential or {}
        if self.not_yet_valid:
            said.append(gettext("The credential is not valid yet (validFrom is in the future)."))
        elif self.expired:
            said.append(
                gettext(
                    "The credential's validity ended on %(date)s.",
                    date=day(_moment(credential.get("validUntil"))),
                )
            )
        elif credential.get("validUntil"):
            said.append(
                gettext(
                    "The credential is within its validity dates (until %(date)s).",
                    date=day(_moment(credential["validUntil"])),
                )
            )
        else:
            said.append(gettext("The credential is within its validity dates."))
        for purpose, flipped in self.statuses.items():
            if purpose == "revocation":
                said.append(
                    gettext("The status list says the credential is revoked.")
                    if flipped
                    else gettext("The status list says the credential is not revoked.")
                )
            else:
                said.append(
                    gettext("The status list says the credential is suspended.")
                    if flipped
                    else gettext("The status list says the credential is not suspended.")
                )
        if self.unreadable_statuses or not self.statuses:
            said.append(gettext("The credential's status could not be read."))
        return said

    def summary(self) -> str:
        return {
            "malformed": gettext("Not a credential."),
            "invalid_signature": gettext("Invalid credential: its signature does not verify."),
            "revoked": gettext("Genuine credential, revoked."),
            "suspended": gettext("Genuine credential, suspended."),
            "expired": gettext("Genuine credential, expired."),
            "not_yet_valid": gettext("Genuine credential, not valid yet."),
            "status_unknown": gettext("Genuine credential, whose status could not be read."),
            "valid": gettext("Genuine credential, valid."),
        }[self.verdict]


def _moment(text) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _read_bit(entry: dict, lists: dict, today) -> tuple[str, bool] | None:
    """(purpose, bit) of one status entry, or None when it cannot be read."""
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return None
    reference = status_list.parse_list_url(entry.get("statusListCredential"))
    index = entry.get("statusListIndex")
    if reference is None or not isinstance(index, str) or not index.isdigit():
        return None
    if entry.get("statusPurpose") != reference.purpose:
        return None
    key = (reference.purpose, reference.number)
    if key not in lists:
        token = status_list.signed_list(reference.purpose, reference.number, today)
        claims = badges.verify(token, badges.public_jwk())
        lists[key] = status_list.decode(claims["credentialSubject"]["encodedList"])
    try:
        return reference.purpose, status_list.bit_at(lists[key], int(index))
    except ValueError:
        return None


def check_credential(token: str, now: datetime | None = None) -> CredentialCheck:
    """Check a VC-JWT (signature, dates, status lists)."""
    today = now.date() if now else None  # the lists' day: the caller's, else the server's
    now = now or utcnow()
    check = CredentialCheck()
    token = (token or "").strip()
    if token.count(".") != 2 or len(token) > 100_000:
        check.malformed = True
        return check
    jwk = badges.public_jwk()
    try:
        header = json.loads(badges.b64url_decode(token.split(".")[0]))
        if not isinstance(header, dict) or header.get("kid") != jwk["kid"]:
            raise ValueError("unknown key")
        claims = badges.verify(token, jwk)
    except (ValueError, UnicodeDecodeError):
        return check
    if not isinstance(claims, dict) or "VerifiableCredential" not in (claims.get("type") or []):
        check.malformed = True
        return check
    check.signature_valid = True
    check.credential = claims
    valid_from, valid_until = _moment(claims.get("validFrom")), _moment(claims.get("validUntil"))
    check.not_yet_valid = valid_from is None or now < valid_from
    check.expired = valid_until is not None and now > valid_until
    entries = claims.get("credentialStatus") or []
    entries = entries if isinstance(entries, list) else [entries]
    lists: dict = {}
    for entry in entries:
        if isinstance(entry, dict) and entry.get("type") != "BitstringStatusListEntry":
            continue  # the service's own status endpoint: informative, not a list
        read = _read_bit(entry, lists, today)
        if read is None:
            check.unreadable_statuses += 1
        else:
            purpose, flipped = read
            check.statuses[purpose] = check.statuses.get(purpose, False) or flipped
    return check
