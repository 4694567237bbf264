"""Operations on organizations: members, invitations, requests to join, verification.

Rules
-----
- An organization has one owner (a unique index) and any number of members. The owner
  invites colleagues by email (a signed link, valid ``INVITATION_MAX_AGE``), hands over the
  ownership to a member, and decides on requests to join. A member leaves when they wish; the
  owner leaves only after handing over (an organization always has an owner).
- Registering with a SIREN already registered never gives that organization away: it files
  a request to join that the owner accepts or refuses. A refused requester may take the
  refusal to a manager (a disputed SIREN), who adds them as a member, gives them the
  ownership (the real company reclaiming its SIREN) or dismisses the dispute.
- A manager verifies an organization (SIRENE register extract, Kbis or another proof), once;
  the verification records who and when. An audit is admitted only for a verified
  organization, and only a verified French organization counts as a French company.
- Every step is a row of ``OrganizationEvent`` and, where someone must know, an email.
  Refusals are ``Conflict`` (409) with the reason; others' objects are ``NotFound`` (404).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import (
    Invitation,
    JoinRequest,
    JoinStatus,
    Organization,
    OrganizationAction,
    OrganizationEvent,
    OrganizationRole,
    OrganizationVerification,
    Role,
    User,
    VerificationMethod,
)
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Forbidden, Invalid, NotFound
from accelerator.core.mail import queue_mail
from accelerator.core.urls import public_url
from accelerator.extensions import db

#: an invitation link is valid this many seconds (14 days)
INVITATION_MAX_AGE = 14 * 24 * 3600
_INVITATION_SALT = "organization-invitation"

#: what a manager may decide on a disputed request
SETTLEMENTS = ("grant", "transfer", "dismiss")


def record(
    organization: Organization,
    action: OrganizationAction,
    actor: User | None,
    subject: User | None = None,
    comment: str = "",
) -> OrganizationEvent:
    """One history row (the history is append-only)."""
    event = OrganizationEvent(
        organization_id=organization.id,
        action=action,
        actor_id=actor.id if actor is not None else None,
        subject_id=subject.id if subject is not None else None,
        comment=comment or "",
    )
    db.session.add(event)
    return event


def history(organization: Organization) -> list[OrganizationEvent]:
    return list(
        db.session.scalars(
            select(OrganizationEvent)
            .where(OrganizationEvent.organization_id == organization.id)
            .order_by(OrganizationEvent.id)
        )
    )


def _emails(users) -> list[str]:
    return [u.email for u in users if u is not None and u.active]


def _managers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.manager)))


def _require_owner(actor: User, organization: Organization) -> None:
    if actor.organization_id != organization.id:
        raise NotFound(gettext("Unknown organization."))
    if not organization.can_manage_members(actor):
        owner = organization.owner
        raise Forbidden(
            gettext(
                "Only the owner of the organization, %(name)s, does this: ask them.",
                name=owner.full_name,
            )
            if owner is not None
            else gettext("Only the owner of the organization does this.")
        )


def _flush(message: str) -> None:
    """Flush; a unique index refusing the change (two requests at once) is a conflict."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(message) from None


# --- Registration ----------------------------------------------------------------------------


def create_owned_organization(user: User, data: dict) -> Organization:
    """A new organization (name, siren, country) owned by ``user``."""
    organization = Organization(name=data["name"], siren=data.get("siren"), country=data["country"])
    db.session.add(organization)
    user.organization = organization
    user.organization_role = OrganizationRole.owner
    db.session.flush()
    record(organization, OrganizationAction.created, user)
    return organization


def organization_with_siren(siren: str | None) -> Organization | None:
    if not siren:
        return None
    return db.session.scalar(select(Organization).where(Organization.siren == siren))


def request_to_join(user: User, organization: Organization, message: str = "") -> JoinRequest:
    """``user`` (a company account without organization) asks to join; the owner is told."""
    if user.organization_id is not None:
        raise Conflict(gettext("You already belong to an organization."))
    request = JoinRequest(organization=organization, user=user, message=message or "")
    db.session.add(request)
    _flush(gettext("You already have a request awaiting a decision."))
    record(organization, OrganizationAction.join_requested, user, comment=message)
    owner = organization.owner
    if owner is not None:
        queue_mail(
            owner.email,
            gettext(
                "%(name)s asks to join %(organization)s",
                name=user.full_name,
                organization=organization.name,
            ),
            "organization_join_request",
            request=request,
            url=public_url("accounts.organization", organization_id=organization.id),
        )
    return request


# --- Invitations -----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_INVITATION_SALT)


def invitation_token(invitation: Invitation) -> str:
    return _serializer().dumps({"i": invitation.id, "e": invitation.email})


def invitation_for_token(token: str) -> Invitation | None:
    """The open invitation a link names, or None (bad signature, expired, used, withdrawn)."""
    try:
        data = _serializer().loads(token, max_age=INVITATION_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None
    invitation = db.session.get(Invitation, data["i"])
    if invitation is None or not invitation.is_open or invitation.email != data.get("e"):
        return None
    return invitation


def invite_member(actor: User, organization: Organization, email: str) -> Invitation:
    """The owner invites a colleague; the email holds a signed link to join."""
    _require_owner(actor, organization)
    email = User.normalize_email(email)
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None and existing.organization_id == organization.id:
        raise Conflict(gettext("This person is already a member of the organization."))
    if existing is not None and existing.role != Role.company:
        raise Conflict(gettext("This address belongs to an account that cannot join a company."))
    if existing is not None and existing.organization_id is not None:
        raise Conflict(gettext("This person already belongs to another organization."))
    invitation = Invitation(organization=organization, email=email, invited_by=actor)
    db.session.add(invitation)
    _flush(gettext("An invitation to this address is already waiting to be accepted."))
    record(organization, OrganizationAction.invited, actor, comment=email)
    queue_mail(
        email,
        gettext(
            "%(name)s invites you to join %(organization)s",
            name=actor.full_name,
            organization=organization.name,
        ),
        "organization_invitation",
        invitation=invitation,
        url=public_url("accounts.invitation", token=invitation_token(invitation)),
        days=INVITATION_MAX_AGE // 86400,
    )
    return invitation


def revoke_invitation(actor: User, invitation: Invitation) -> Invitation:
    _require_owner(actor, invitation.organization)
    if not invitation.is_open:
        raise Conflict(gettext("This invitation was already accepted or withdrawn."))
    invitation.revoked_at = utcnow()
    record(
        invitation.organization,
        OrganizationAction.invitation_revoked,
        actor,
        comment=invitation.email,
    )
    return invitation


def _join(user: User, organization: Organization) -> None:
    user.organization = organization
    user.organization_role = OrganizationRole.member


def accept_invitation(token: str, user: User | None = None, new_account: dict | None = None):
    """Join through an invitation link: the signed-in ``user`` (the invited address), or a
    new account (``new_account``: full_name, password) created for the invited address."""
    from accelerator.accounts.operations import find_user_by_email, hash_password

    invitation = invitation_for_token(token)
    if invitation is None:
        raise Conflict(gettext("This invitation link is invalid, expired or already used."))
    organization = invitation.organization
    if user is None:
        if find_user_by_email(invitation.email) is not None:
            raise Conflict(
                gettext("An account already uses this address: sign in, then open the link.")
            )
        if not new_account:
            raise Invalid(gettext("Choose your name and password."), {})
        user = User(
            email=invitation.email,
            full_name=new_account["full_name"],
            role=Role.company,
            password_hash=hash_password(new_account["password"]),
        )
        db.session.add(user)
    elif user.email != invitation.email:
        raise Conflict(gettext("This invitation is for another address."))
    elif user.role != Role.company:
        raise Conflict(gettext("This address belongs to an account that cannot join a company."))
    elif user.organization_id is not None:
        raise Conflict(gettext("You already belong to an organization: leave it first."))
    _join(user, organization)
    invitation.accepted_at = utcnow()
    _flush(gettext("This invitation was accepted at the same moment: reload the page."))
    record(organization, OrganizationAction.joined, user, comment=gettext("by invitation"))
    owner = organization.owner
    if owner is not None and owner is not user:
        queue_mail(
            owner.email,
            gettext(
                "%(name)s joined %(organization)s",
                name=user.full_name,
                organization=organization.name,
            ),
            "organization_member_joined",
            member=user,
            organization=organization,
        )
    return user


# --- Members ---------------------------------------------------------------------------------


def leave_organization(actor: User) -> Organization:
    """A member leaves; the owner must hand over first."""
    organization = actor.organization
    if organization is None:
        raise Conflict(gettext("You do not belong to an organization."))
    if actor.organization_role == OrganizationRole.owner:
        raise Conflict(
            gettext(
                "You own this organization: hand the ownership over to a member first "
                "(invite a colleague on the organization's page if you are its only member)."
            )
        )
    actor.organization = None
    actor.organization_role = None
    db.session.flush()
    record(organization, OrganizationAction.left, actor)
    owner = organization.owner
    if owner is not None:
        queue_mail(
            owner.email,
            gettext(
                "%(name)s left %(organization)s",
                name=actor.full_name,
                organization=organization.name,
            ),
            "organization_member_left",
            member=actor,
            organization=organization,
        )
    return organization


def _hand_over(organization: Organization, old: User | None, new: User) -> None:
    # The old owner steps down before the new one takes over: one owner at a time.
    if old is not None:
        old.organization_role = OrganizationRole.member
        db.session.flush()
    new.organization = organization
    new.organization_role = OrganizationRole.owner
    _flush(gettext("The ownership changed at the same moment: reload the page."))


def transfer_ownership(actor: User, organization: Organization, new_owner: User) -> User:
    """The owner hands the organization over to one of its members."""
    _require_owner(actor, organization)
    if new_owner.organization_id != organization.id or new_owner is actor:
        raise Conflict(gettext("Choose another member of the organization."))
    if not new_owner.active:
        raise Conflict(gettext("This member's account is deactivated."))
    _hand_over(organization, actor, new_owner)
    record(organization, OrganizationAction.ownership_transferred, actor, subject=new_owner)
    queue_mail(
        _emails([actor, new_owner]),
        gettext(
            "%(name)s now owns %(organization)s",
            name=new_owner.full_name,
            organization=organization.name,
        ),
        "organization_ownership",
        owner=new_owner,
        organization=organization,
    )
    return new_owner


# --- Requests to join and disputes -----------------------------------------------------------


def _require_status(request: JoinRequest, *statuses: JoinStatus) -> None:
    if request.status not in statuses:
        raise Conflict(
            gettext(
                "This request is %(status)s: it cannot change that way.",
                status=str(request.status.label).lower(),
            )
        )


def _tell_requester(request: JoinRequest) -> None:
    queue_mail(
        request.user.email,
        gettext(
            "Your request to join %(organization)s: %(status)s",
            organization=request.organization.name,
            status=str(request.status.label),
        ),
        "organization_join_decision",
        request=request,
    )


def accept_join_request(actor: User, request: JoinRequest) -> JoinRequest:
    _require_owner(actor, request.organization)
    _require_status(request, JoinStatus.pending)
    if request.user.organization_id is not None:
        raise Conflict(gettext("This person joined another organization meanwhile."))
    _join(request.user, request.organization)
    request.status = JoinStatus.accepted
    request.decided_at = utcnow()
    request.decided_by = actor
    record(request.organization, OrganizationAction.join_accepted, actor, subject=request.user)
    _tell_requester(request)
    return request


def refuse_join_request(actor: User, request: JoinRequest, comment: str = "") -> JoinRequest:
    _require_owner(actor, request.organization)
    _require_status(request, JoinStatus.pending)
    request.status = JoinStatus.refused
    request.decided_at = utcnow()
    request.decided_by = actor
    record(
        request.organization,
        OrganizationAction.join_refused,
        actor,
        subject=request.user,
        comment=comment,
    )
    _tell_requester(request)
    return request


def dispute_join_request(actor: User, request: JoinRequest, message: str) -> JoinRequest:
    """The requester takes a refusal (or an owner who does not answer) to a manager: the
    SIREN is disputed."""
    if request.user_id != actor.id:
        raise NotFound(gettext("Unknown request."))
    _require_status(request, JoinStatus.pending, JoinStatus.refused)
    if not (message or "").strip():
        raise Invalid(
            gettext("Explain why the SIREN is yours."),
            {"message": [gettext("Explain why the SIREN is yours.")]},
        )
    request.status = JoinStatus.disputed
    request.message = message.strip()
    _flush(gettext("You already have a request awaiting a decision."))
    record(request.organization, OrganizationAction.join_disputed, actor, comment=message)
    managers = _emails(_managers())
    if managers:
        queue_mail(
            managers,
            gettext("Disputed SIREN %(siren)s", siren=request.organization.siren or "—"),
            "organization_dispute",
            request=request,
            url=public_url("accounts.organization", organization_id=request.organization_id),
        )
    return request


def settle_dispute(actor: User, request: JoinRequest, outcome: str, comment: str) -> JoinRequest:
    """A manager decides a disputed request: ``grant`` (the requester becomes a member),
    ``transfer`` (the requester becomes the owner, the owner a member) or ``dismiss``."""
    if actor.role != Role.manager:
        raise Forbidden(gettext("Only a manager settles a disputed SIREN."))
    _require_status(request, JoinStatus.disputed)
    if outcome not in SETTLEMENTS:
        raise Invalid(
            gettext("Choose grant, transfer or dismiss."),
            {"outcome": [gettext("Choose grant, transfer or dismiss.")]},
        )
    if not (comment or "").strip():
        raise Invalid(
            gettext("The manager's reasons are required."),
            {"comment": [gettext("The manager's reasons are required.")]},
        )
    organization = request.organization
    requester = request.user
    if outcome != "dismiss" and requester.organization_id not in (None, organization.id):
        raise Conflict(gettext("This person joined another organization meanwhile."))
    if outcome == "grant":
        _join(requester, organization)
        request.status = JoinStatus.granted
        action = OrganizationAction.dispute_granted
    elif outcome == "transfer":
        _hand_over(organization, organization.owner, requester)
        request.status = JoinStatus.transferred
        action = OrganizationAction.dispute_transferred
    else:
        request.status = JoinStatus.dismissed
        action = OrganizationAction.dispute_dismissed
    request.decided_at = utcnow()
    request.decided_by = actor
    record(organization, action, actor, subject=requester, comment=comment.strip())
    owner = organization.owner
    queue_mail(
        _emails([requester, owner]),
        gettext(
            "Disputed SIREN %(siren)s: %(status)s",
            siren=organization.siren or "—",
            status=str(request.status.label),
        ),
        "organization_dispute_settled",
        request=request,
        comment=comment.strip(),
    )
    return request


def pending_requests(organization: Organization) -> list[JoinRequest]:
    return list(
        db.session.scalars(
            select(JoinRequest)
            .where(JoinRequest.organization_id == organization.id)
            .where(JoinRequest.status.in_((JoinStatus.pending, JoinStatus.disputed)))
            .order_by(JoinRequest.id)
        )
    )


def open_request_of(user: User) -> JoinRequest | None:
    """The user's latest request (open or decided), for their account page."""
    return db.session.scalar(
        select(JoinRequest).where(JoinRequest.user_id == user.id).order_by(JoinRequest.id.desc())
    )


# --- Verification ----------------------------------------------------------------------------


def verify_organization(
    actor: User, organization: Organization, method: VerificationMethod, comment: str
) -> OrganizationVerification:
    """A manager records that the organization is the company it claims to be."""
    if not organization.can_verify(actor):
        raise Forbidden(gettext("Only a manager verifies an organization."))
    if organization.verification is not None:
        raise Conflict(gettext("This organization is already verified."))
    verification = OrganizationVerification(
        organization=organization, method=method, comment=(comment or "").strip(), verified_by=actor
    )
    db.session.add(verification)
    _flush(gettext("This organization was verified at the same moment."))
    record(
        organization,
        OrganizationAction.verified,
        actor,
        comment=f"{method.label}: {verification.comment}".strip(),
    )
    owner = organization.owner
    if owner is not None:
        queue_mail(
            owner.email,
            gettext("%(organization)s is verified", organization=organization.name),
            "organization_verified",
            organization=organization,
        )
    return verification
