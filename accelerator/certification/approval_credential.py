"""The approval of a solution as an Open Badges 3.0 ``OpenBadgeCredential`` (W3C VC 2.0).

The achievement is the cadre de confiance label (``QualityAssuranceCredential``), the
subject the solution (its catalogue page), ``validFrom`` the decision and ``validUntil``
the end of the approval's last day (UTC). It is signed with the attestations' key and
signer (``badges.sign``: a VC-JWT, EdDSA, ``kid`` in ``/.well-known/jwks.json``) and carries
two ``credentialStatus`` entries of the Bitstring Status List (``status_list``): its
revocation bit is set once the approval expired, its suspension bit while it is suspended.

Only an audit decided as an approval has one (its ``verification_code`` is set then, and
never unset: an approval's audit goes only to suspended and back). The credential is the
same at every download (the claims are French, its ``id`` derives from the code).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

from flask_babel import force_locale, gettext

from accelerator.audits.models import Audit
from accelerator.audits.states import AuditStatus
from accelerator.certification import badges, status_list
from accelerator.core.schemas import iso


def has_credential(audit: Audit) -> bool:
    return audit.verification_code is not None and audit.decided_at is not None


def verification_url(audit: Audit) -> str:
    return f"{badges.base_url()}/verify/{audit.verification_code}"


def credential(audit: Audit) -> dict:
    """The approval's OpenBadgeCredential (unsigned JSON), always in French."""
    with force_locale("fr"):
        return _credential(audit)


def _credential(audit: Audit) -> dict:
    base = badges.base_url()
    solution = audit.solution
    version = audit.framework_version
    decision = audit.latest_decision
    with_conditions = (decision.outcome if decision else audit.status) == (
        AuditStatus.approved_with_conditions
    )
    label = (
        gettext("Approved with conditions under the cadre de confiance")
        if with_conditions
        else gettext("Approved under the cadre de confiance")
    )
    name = gettext("%(label)s: %(solution)s", label=label, solution=solution.name)
    valid_until = datetime.combine(audit.valid_until, time(23, 59, 59), UTC)
    return {
        "@context": badges.CONTEXTS,
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, verification_url(audit))}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": badges.issuer_profile(base),
        "validFrom": iso(audit.decided_at, seconds_utc=True),
        "validUntil": iso(valid_until, seconds_utc=True),
        "credentialSubject": {
            "id": f"{base}/catalogue/{solution.slug}",
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": f"{solution.name} ({solution.organization.name})",
                }
            ],
            "achievement": {
                "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}/cadre-de-confiance')}",
                "type": ["Achievement"],
                "achievementType": "QualityAssuranceCredential",
                "name": label,
                "description": gettext(
                    "EdTech solution audited by the experts of Réseau Canopé against the "
                    "cadre de confiance and approved by its committee."
                ),
                "criteria": {
                    "narrative": gettext(
                        "Audit against the cadre de confiance, version %(version)s: "
                        "overall score %(score)s/100, decided on %(day)s.",
                        version=version.version,
                        score=f"{decision.overall_score:.0f}" if decision else "—",
                        day=audit.decided_at.date().isoformat(),
                    )
                },
                "creator": badges.issuer_profile(base, with_url=False),
            },
        },
        "evidence": [
            {
                "id": verification_url(audit),
                "type": ["Evidence"],
                "name": gettext("Verification of the approval"),
                "narrative": gettext(
                    "Approval %(code)s, verifiable online.", code=audit.verification_code
                ),
            }
        ],
        "credentialStatus": status_list.status_entries(audit),
    }


def signed_credential(audit: Audit) -> str:
    return badges.sign(credential(audit))
