"""Solutions: a company describes its products."""

from __future__ import annotations

import re
import unicodedata
from typing import BinaryIO

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accelerator.accounts.models import Role, User
from accelerator.audits import storage
from accelerator.audits.models import Solution
from accelerator.audits.operations import changes
from accelerator.audits.operations.common import insert_guarded, require_role
from accelerator.audits.signals import solution_changed
from accelerator.core.errors import Conflict, NotFound
from accelerator.extensions import db

#: fields a company may set on its solution
SOLUTION_FIELDS = (
    "name",
    "summary",
    "description",
    "website",
    "subjects",
    "levels",
    "processes_personal_data",
    "hosting_country",
    "gar_compatible",
    "pricing",
    "uses_ai",
    "hosting_provider",
    "product_version",
)


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens ("Écrire Mieux !" → "ecrire-mieux")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:200] or "solution"


def _free_slug(name: str) -> str:
    base = slugify(name)
    taken = set(
        db.session.scalars(
            select(Solution.slug).where((Solution.slug == base) | Solution.slug.like(f"{base}-%"))
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def create_solution(actor: User, values: dict) -> Solution:
    """A new solution of the actor's company; its slug is unique and never changes."""
    require_role(actor, Role.company)
    if actor.organization_id is None:
        raise NotFound(gettext("Your account belongs to no company."))
    for _attempt in range(3):
        values_now = {k: v for k, v in values.items() if k in SOLUTION_FIELDS}
        solution = Solution(
            organization_id=actor.organization_id,
            slug=_free_slug(values["name"]),
            **values_now,
        )
        # Two companies naming a product alike in the same instant: take the next slug.
        if insert_guarded(solution):
            return solution
    raise Conflict(gettext("Could not give this solution a unique address; try again."))


def update_solution(actor: User, solution: Solution, values: dict) -> Solution:
    """Change what the company says of its solution (its slug stays)."""
    require_role(actor, Role.company)
    if solution.organization_id != actor.organization_id:
        raise NotFound(gettext("Nothing here, or not visible to you."))
    changes.check_declaration_change(solution, values)
    changes.keep_approved_texts(solution)
    for key, value in values.items():
        if key in SOLUTION_FIELDS:
            setattr(solution, key, value)
    changes.note_text_edit(actor, solution)
    db.session.flush()
    solution_changed.send(solution)
    return solution


#: a logo is a small image
LOGO_MAX_BYTES = 1024 * 1024
LOGO_TYPES = ("image/png", "image/jpeg")
LOGO_TYPE_REFUSED = _l("The logo must be a PNG or JPEG image.")


def set_solution_logo(actor: User, solution: Solution, stream: BinaryIO) -> Solution:
    """Give the solution a logo (PNG or JPEG, 1 MB at most, checked by its content)."""
    require_role(actor, Role.company)
    if solution.organization_id != actor.organization_id:
        raise NotFound(gettext("Nothing here, or not visible to you."))
    try:
        received = storage.receive(stream, limit=LOGO_MAX_BYTES)
    except storage.UploadRefused as refused:
        if refused.status == 413:
            raise storage.UploadRefused(413, gettext("The logo is larger than 1 MB.")) from None
        if refused.status == 415:
            raise storage.UploadRefused(415, LOGO_TYPE_REFUSED) from None
        raise
    if received.content_type not in LOGO_TYPES:
        storage.discard(received)
        raise storage.UploadRefused(415, LOGO_TYPE_REFUSED)
    storage.commit_file(received)
    changes.keep_approved_texts(solution)
    solution.logo_name = received.sha256
    changes.note_text_edit(actor, solution)
    db.session.flush()
    return solution
