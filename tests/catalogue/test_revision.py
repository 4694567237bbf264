"""The catalogue's state moves with every change of an entry, whoever makes it: the
database bumps the revision it reads (migration c7d8e9f0a1b2), in the change's own
transaction."""

from __future__ import annotations

from sqlalchemy import select, update

from accelerator.catalogue import queries
from accelerator.catalogue.models import CatalogueEntry
from accelerator.extensions import db
from tests.catalogue.helpers import approve


def entry_of(audit) -> CatalogueEntry:
    return db.session.scalar(select(CatalogueEntry).where(CatalogueEntry.audit_id == audit.id))


def test_every_change_of_an_entry_moves_the_state(app):
    seen = [queries.fingerprint()]
    audit = approve("Quartz")  # an insert
    seen.append(queries.fingerprint())
    entry = entry_of(audit)
    entry.summary = "Un autre résumé."  # an update through the ORM
    db.session.commit()
    seen.append(queries.fingerprint())
    # an update no ORM event sees, and which leaves updated_at as it was
    db.session.execute(
        update(CatalogueEntry.__table__)
        .where(CatalogueEntry.__table__.c.id == entry.id)
        .values(review_count=3)
    )
    db.session.commit()
    seen.append(queries.fingerprint())
    db.session.delete(entry_of(audit))  # a deletion
    db.session.commit()
    seen.append(queries.fingerprint())
    assert len(set(seen)) == len(seen) == 5


def test_a_change_rolled_back_leaves_the_state(app):
    audit = approve("Quartz")
    before = queries.fingerprint()
    entry_of(audit).summary = "Jamais enregistré."
    db.session.flush()  # the UPDATE is sent, its trigger runs
    db.session.rollback()
    assert queries.fingerprint() == before
