"""Open Badges 3.0 credentials for completed trainings, signed by the service.

Each attestation de formation yields an ``OpenBadgeCredential`` (a W3C Verifiable Credential,
data model 2.0) whose achievement names the training and its solutions. It is secured as a
VC-JWT (VC-JOSE: a compact JWS, ``alg`` EdDSA, the credential as payload) with the service's
Ed25519 key, whose public half is published as a JWKS at ``/.well-known/jwks.json``; the
header's ``kid`` is the key's RFC 7638 thumbprint.

The key is read from ``BADGE_SIGNING_KEY`` (a PEM file path), by default
``instance/badge-signing-key.pem``, created on first use (atomically, so concurrent workers
agree on one key).

The teacher's email appears only hashed, as an OB 3.0 IdentityObject: ``sha256$`` + SHA-256
of the email and a salt derived from the certificate code with the app's secret (the same
credential is produced at every download).

``credentialStatus`` lists the credential's entry of the W3C Bitstring Status List
(``status_list``: its suspension bit is set while the certificate is withdrawn) and
``/api/v1/training/badges/<code>/status``, which also says whether the approval of the
training's solutions has lapsed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import tempfile
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from flask_babel import force_locale, gettext

from accelerator.audits.queries import approval_lapsed
from accelerator.certification import status_list  # signs with this module: attributes only
from accelerator.certification.models import Certificate, PathCertificate
from accelerator.core.schemas import iso

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISSUER_NAME = "Réseau Canopé — Accélérateur pédagogique"
STATUS_TYPE = "AccelerateurBadgeStatus"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- The key -------------------------------------------------------------------------------


def key_path() -> Path:
    configured = current_app.config.get("BADGE_SIGNING_KEY")
    return (
        Path(configured)
        if configured
        else Path(current_app.instance_path) / ("badge-signing-key.pem")
    )


def _create_key(path: Path) -> None:
    """Write a new key to ``path`` unless one appeared meanwhile (first writer wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".badge-key-")
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, pem)
        os.close(descriptor)
        os.link(temporary, path)  # fails if another worker created the key first
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


def signing_key() -> Ed25519PrivateKey:
    path = key_path()
    cache = current_app.extensions.setdefault("badge_keys", {})
    if str(path) not in cache:
        if not path.exists():
            _create_key(path)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise RuntimeError(f"{path} does not hold an Ed25519 private key")
        cache[str(path)] = key
    return cache[str(path)]


def public_jwk(public_key: Ed25519PublicKey | None = None) -> dict:
    public_key = public_key or signing_key().public_key()
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw)}
    # RFC 7638 thumbprint: SHA-256 of the required members, sorted, without spaces.
    thumbprint = b64url(hashlib.sha256(json.dumps(jwk, separators=(",", ":")).encode()).digest())
    return {**jwk, "kid": thumbprint, "use": "sig", "alg": "EdDSA"}


def jwks() -> dict:
    return {"keys": [public_jwk()]}


# --- The credential ------------------------------------------------------------------------


def base_url() -> str:
    """The issuer's identity: the service's public URL (PUBLIC_BASE_URL), stable across
    requests so that every credential names the same issuer."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def _salt(certificate: Certificate) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"badge-salt:{certificate.code}".encode(), "sha256").hexdigest()[:16]


def identity_hash(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def credential(certificate: Certificate | PathCertificate) -> dict:
    """The OpenBadgeCredential of ``certificate`` (an attestation or a path certificate;
    unsigned JSON), always in French so that every download carries the same claims."""
    with force_locale("fr"):
        if isinstance(certificate, PathCertificate):
            return _path_credential(certificate)
        return _credential(certificate)


def issuer_profile(base: str, with_url: bool = True) -> dict:
    """The service's OB 3.0 Profile, the issuer (and creator) of every credential it signs."""
    profile = {"id": base + "/", "type": ["Profile"], "name": ISSUER_NAME}
    return {**profile, "url": base + "/"} if with_url else profile


def _status(certificate: Certificate | PathCertificate) -> list[dict]:
    """The credential's status: its entry of the Bitstring Status List (suspension: set
    while the certificate is withdrawn) and the service's own status endpoint."""
    return [
        *status_list.status_entries(certificate),
        {
            "id": f"{base_url()}/api/v1/training/badges/{certificate.code}/status",
            "type": STATUS_TYPE,
        },
    ]


def _subject_identifier(certificate, email: str) -> list[dict]:
    salt = _salt(certificate)
    return [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": identity_hash(email, salt),
            "salt": salt,
        }
    ]


def _teacher_credential(
    certificate: Certificate | PathCertificate,
    *,
    badge_url: str,
    email: str,
    achievement: dict,
    evidence_name: str,
    evidence_narrative: str,
) -> dict:
    """The OpenBadgeCredential both kinds of certificate share: the service as issuer (and
    the achievement's creator), the teacher's hashed email as subject, the public
    verification page as evidence, the status list entry and endpoint as status."""
    base = base_url()
    return {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, badge_url)}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "issuer": issuer_profile(base),
        "validFrom": iso(certificate.issued_at, seconds_utc=True),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": _subject_identifier(certificate, email),
            "achievement": {
                "id": achievement["id"],
                "type": ["Achievement"],
                "achievementType": achievement["achievementType"],
                "name": achievement["name"],
                "description": achievement["description"],
                "criteria": {"narrative": achievement["narrative"]},
                "creator": issuer_profile(base, with_url=False),
            },
        },
        "evidence": [
            {
                "id": f"{base}/attestations/{certificate.code}",
                "type": ["Evidence"],
                "name": evidence_name,
                "narrative": evidence_narrative,
            }
        ],
        "credentialStatus": _status(certificate),
    }


def _path_credential(certificate: PathCertificate) -> dict:
    """A path certificate's credential: its achievement is the path (a learning programme),
    its criteria the modules."""
    base = base_url()
    path = certificate.path
    modules = "; ".join(module.label for module in path.modules)
    return _teacher_credential(
        certificate,
        badge_url=f"{base}/path-badges/{certificate.code}",
        email=certificate.teacher.email,
        achievement={
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}/parcours/{path.id}')}",
            "achievementType": "LearningProgram",
            "name": gettext("Training path: %(title)s", title=path.title),
            "description": path.description
            or gettext("Training path of Réseau Canopé on approved EdTech solutions."),
            "narrative": gettext(
                "Completed every module of the training path “%(title)s”: %(modules)s.",
                title=path.title,
                modules=modules,
            ),
        },
        evidence_name=gettext("Path certificate"),
        evidence_narrative=gettext(
            "Path certificate %(code)s, verifiable online.", code=certificate.code
        ),
    )


def _credential(certificate: Certificate) -> dict:
    """An attestation's credential: its achievement is the session (a course)."""
    base = base_url()
    enrollment = certificate.enrollment
    session, teacher = enrollment.session, enrollment.teacher
    solutions = ", ".join(solution.name for solution in session.solutions)
    return _teacher_credential(
        certificate,
        badge_url=f"{base}/badges/{certificate.code}",
        email=teacher.email,
        achievement={
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}/sessions/{session.id}')}",
            "achievementType": "Course",
            "name": gettext(
                "Training: %(title)s — %(solutions)s", title=session.title, solutions=solutions
            ),
            "description": gettext(
                "Training session run by Réseau Canopé on the use of %(solutions)s, "
                "EdTech solution(s) approved against the cadre de confiance.",
                solutions=solutions,
            ),
            "narrative": gettext(
                "Attended and completed the training session “%(title)s” "
                "(%(hours)s hours, %(day)s).",
                title=session.title,
                hours=f"{session.duration_hours:g}",
                day=session.starts_at.date().isoformat(),
            ),
        },
        evidence_name=gettext("Certificate of training"),
        evidence_narrative=gettext(
            "Certificate of training %(code)s, verifiable online.", code=certificate.code
        ),
    )


def sign(payload: dict) -> str:
    """A compact JWS (VC-JWT) of ``payload``, signed with the service's key."""
    header = {"alg": "EdDSA", "kid": public_jwk()["kid"], "typ": "vc+jwt", "cty": "vc"}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    )
    signature = signing_key().sign(signing_input.encode("ascii"))
    return signing_input + "." + b64url(signature)


def verify(token: str, jwk: dict) -> dict:
    """The payload of ``token`` if its signature verifies with ``jwk``; ValueError if not."""
    try:
        header_part, payload_part, signature_part = token.split(".")
        header = json.loads(b64url_decode(header_part))
        if header.get("alg") != "EdDSA" or jwk.get("crv") != "Ed25519":
            raise ValueError("not an EdDSA/Ed25519 token")
        public_key = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
        public_key.verify(
            b64url_decode(signature_part), f"{header_part}.{payload_part}".encode("ascii")
        )
        return json.loads(b64url_decode(payload_part))
    except (InvalidSignature, KeyError, TypeError, json.JSONDecodeError) as error:
        raise ValueError("invalid signature") from error
    except ValueError as error:
        raise ValueError(str(error) or "malformed token") from error


def signed_credential(certificate: Certificate | PathCertificate) -> str:
    return sign(credential(certificate))


def solution_ids_of(certificate: Certificate | PathCertificate) -> set[int]:
    if isinstance(certificate, PathCertificate):
        return {module.solution_id for module in certificate.path.modules}
    return {s.id for s in certificate.enrollment.session.solutions}


def status(certificate: Certificate | PathCertificate) -> dict:
    """What the credentialStatus endpoint answers."""
    lapsed = approval_lapsed(solution_ids_of(certificate))
    revoked = certificate.revoked_at is not None
    state = "revoked" if revoked else ("approval_lapsed" if lapsed else "active")
    messages = {
        "revoked": gettext("This credential has been revoked."),
        "approval_lapsed": gettext(
            "The training took place, but the approval of its solution(s) has lapsed since."
        ),
        "active": gettext("This credential is valid."),
    }
    return {
        "id": credential(certificate)["id"],
        "status": state,
        "revoked": revoked,
        "approval_lapsed": lapsed,
        "message": messages[state],
    }
