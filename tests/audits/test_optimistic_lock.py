"""The ``lock_version`` column: a change made from a stale copy of an audit is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from accelerator.audits.models import Audit
from accelerator.audits.operations.common import flush_audit
from accelerator.audits.states import AuditStatus
from accelerator.core.errors import Conflict
from accelerator.extensions import db


def test_a_stale_copy_cannot_overwrite_a_concurrent_change(audit_in):
    audit = audit_in(AuditStatus.submitted)
    # Another worker changed the row meanwhile (its version moved on).
    with db.engine.begin() as connection:
        connection.execute(
            update(Audit)
            .where(Audit.id == audit.id)
            .values(status=AuditStatus.withdrawn, lock_version=Audit.lock_version + 1)
        )
    audit.status = AuditStatus.inadmissible  # decided from the stale copy
    with pytest.raises(Conflict):
        flush_audit()
    db.session.expire_all()
    assert db.session.get(Audit, audit.id).status == AuditStatus.withdrawn
