"""W3C Bitstring Status List v1.0 for every credential the service signs: the approvals'
(``approval_credential``), the attestations' and the path certificates' (``badges``).

Where a credential's bit is
    Its index is derived from the primary key of the row it attests, ``STRIDE * id + slot``
    (a slot per kind, ``SLOTS``): allocated once, by the database that hands out the key (a
    sequence on PostgreSQL, the rowid on SQLite), so two credentials issued at the same
    instant never share an index, whatever the concurrency, and no table of indexes has to
    be kept. Those rows are never deleted (audits, attestations and path certificates are
    kept; a path with certificates cannot be deleted), so an index is never reused. Index
    ``i`` is bit ``i % LIST_SIZE`` of list number ``i // LIST_SIZE``; every list has
    ``LIST_SIZE`` = 131,072 bits, the spec's minimum (herd privacy), and a stable URL
    (``/credentials/status/<purpose>/<number>``).

What a bit says (read from the rows at each request, so a state change and its bit are one
write, in one unit of work)
    - ``revocation`` (never reversed): an approval past its validity, expired;
    - ``suspension`` (reversible): a suspended approval (a reinstatement clears it); an
      attestation or a path certificate withdrawn (its completion withdrawn: it comes back,
      with the same code, when the completion is recorded again, hence suspension rather
      than revocation).

The list is a ``BitstringStatusListCredential`` (VC 2.0), signed as a VC-JWT with the key
of ``badges.sign``. ``encodedList`` is the Multibase base64url (``u`` prefix, no padding)
of the GZIP-compressed bitstring, index 0 being the most significant bit of the first byte.
"""

from __future__ import annotations

import base64
import gzip
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from accelerator.audits.models import Audit
from accelerator.audits.states import AuditStatus
from accelerator.certification import badges
from accelerator.certification.models import Certificate, PathCertificate
from accelerator.core.schemas import iso
from accelerator.extensions import db

#: bits per list: the spec's minimum (16 KB uncompressed)
LIST_SIZE = 131_072
PURPOSES = ("revocation", "suspension")
#: each kind's slot in the index (APPEND ONLY: an index, once in a credential, never moves)
SLOTS = {"approval": 0, "attestation": 1, "path_certificate": 2}
STRIDE = 4
#: how long a verifier may keep a list before fetching it again (the spec's ``ttl``, in ms)
TTL_SECONDS = 300


def kind_of(row: Audit | Certificate | PathCertificate) -> str:
    if isinstance(row, Audit):
        return "approval"
    return "path_certificate" if isinstance(row, PathCertificate) else "attestation"


def status_index(row: Audit | Certificate | PathCertificate) -> int:
    return STRIDE * row.id + SLOTS[kind_of(row)]


def purposes_of(kind: str) -> tuple[str, ...]:
    """The lists a kind of credential has a bit in."""
    return PURPOSES if kind == "approval" else ("suspension",)


def list_url(purpose: str, number: int) -> str:
    return f"{badges.base_url()}/credentials/status/{purpose}/{number}"


def status_entries(row: Audit | Certificate | PathCertificate) -> list[dict]:
    """The credential's ``credentialStatus`` entries (BitstringStatusListEntry)."""
    index = status_index(row)
    number, position = divmod(index, LIST_SIZE)
    entries = []
    for purpose in purposes_of(kind_of(row)):
        url = list_url(purpose, number)
        entries.append(
            {
                "id": f"{url}#{position}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(position),
                "statusListCredential": url,
            }
        )
    return entries


# --- The bits, from the rows ------------------------------------------------------------------


def _ids_in(number: int, slot: int) -> tuple[int, int]:
    """The primary keys whose index of ``slot`` falls in list ``number`` (bounds included)."""
    first, last = number * LIST_SIZE, (number + 1) * LIST_SIZE - 1
    return -((slot - first) // STRIDE), (last - slot) // STRIDE


def set_positions(purpose: str, number: int, today: date | None = None) -> set[int]:
    """The positions set in list ``number`` of ``purpose``."""
    today = today or date.today()
    low, high = _ids_in(number, SLOTS["approval"])
    approvals = select(Audit.id).where(
        Audit.id.between(low, high), Audit.verification_code.is_not(None)
    )
    if purpose == "revocation":
        set_rows = {"approval": approvals.where(Audit.valid_until < today)}
    else:
        set_rows = {"approval": approvals.where(Audit.status == AuditStatus.suspended)}
        for kind, model in (("attestation", Certificate), ("path_certificate", PathCertificate)):
            low, high = _ids_in(number, SLOTS[kind])
            set_rows[kind] = select(model.id).where(
                model.id.between(low, high), model.revoked_at.is_not(None)
            )
    return {
        (STRIDE * row_id + SLOTS[kind]) % LIST_SIZE
        for kind, statement in set_rows.items()
        for row_id in db.session.scalars(statement)
    }


# --- Encoding -----------------------------------------------------------------------------------


def encode(positions: set[int], size: int = LIST_SIZE) -> str:
    """The ``encodedList`` of a bitstring of ``size`` bits with ``positions`` set."""
    bits = bytearray(size // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)  # mtime 0: the same bits, the same text
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``; ValueError when it is not one."""
    if not encoded.startswith("u"):
        raise ValueError("not a Multibase base64url string")
    text = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (OSError, EOFError, ValueError) as error:
        raise ValueError("not a GZIP-compressed bitstring") from error


def bit_at(bitstring: bytes, position: int) -> bool:
    if not 0 <= position < len(bitstring) * 8:
        raise ValueError("index outside the list")
    return bool(bitstring[position // 8] & (0x80 >> (position % 8)))


# --- The list credential ------------------------------------------------------------------------


def list_credential(purpose: str, number: int, today: date | None = None) -> dict:
    """The ``BitstringStatusListCredential`` of list ``number`` (unsigned), valid from
    midnight of ``today`` (UTC): an approval's expiry sets its bit at the day's turn."""
    today = today or date.today()
    url = list_url(purpose, number)
    return {
        "@context": badges.CONTEXTS[:1],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": badges.base_url() + "/",
        "validFrom": iso(datetime.combine(today, time(), UTC), seconds_utc=True),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "ttl": TTL_SECONDS * 1000,
            "encodedList": encode(set_positions(purpose, number, today)),
        },
    }


def signed_list(purpose: str, number: int, today: date | None = None) -> str:
    return badges.sign(list_credential(purpose, number, today))


@dataclass(frozen=True)
class ListReference:
    purpose: str
    number: int


def parse_list_url(url: str) -> ListReference | None:
    """The list a ``statusListCredential`` URL names, if it is one of the service's."""
    prefix = f"{badges.base_url()}/credentials/status/"
    if not isinstance(url, str) or not url.startswith(prefix):
        return None
    purpose, _, number = url[len(prefix) :].partition("/")
    if purpose not in PURPOSES or not number.isdigit() or len(number) > 9:
        return None
    return ListReference(purpose, int(number))
