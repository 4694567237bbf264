"""Emails announce what happened, so they leave with the commit: a cancelled session, a place
given from the waitlist (a cancellation or a raised capacity). When the transaction fails,
nobody is told of a change that did not happen."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.extensions import db
from accelerator.training import operations
from accelerator.training.models import EnrollmentStatus
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_session


def _cancel_the_session(trainer):
    session = make_session(capacity=1)
    registered = add_enrollment(session)
    waiting = add_enrollment(session, status=EnrollmentStatus.waitlisted)
    operations.cancel_session(trainer, session)
    return {registered.teacher.email, waiting.teacher.email}


def _cancel_a_place(trainer):
    session = make_session(capacity=1)
    registered = add_enrollment(session)
    waiting = add_enrollment(session, status=EnrollmentStatus.waitlisted)
    operations.cancel_enrollment(trainer, registered)
    return {registered.teacher.email, waiting.teacher.email}  # a notice, and the place


def _raise_the_capacity(trainer):
    session = make_session(capacity=1)
    add_enrollment(session)
    waiting = add_enrollment(session, status=EnrollmentStatus.waitlisted)
    operations.update_session(trainer, session, {"capacity": 2})
    return {waiting.teacher.email}


CHANGES = {
    "session cancelled": _cancel_the_session,
    "place freed by a cancellation": _cancel_a_place,
    "place added by a capacity raise": _raise_the_capacity,
}


@pytest.mark.parametrize("change", CHANGES)
def test_no_email_when_the_transaction_fails(outbox, change):
    trainer = make_user(Role.trainer)
    db.session.commit()
    CHANGES[change](trainer)
    db.session.rollback()  # the request failed after the operation: nothing happened
    assert [message["To"] for message in outbox] == []


@pytest.mark.parametrize("change", CHANGES)
def test_the_email_leaves_with_the_commit(outbox, change):
    trainer = make_user(Role.trainer)
    db.session.commit()
    told = CHANGES[change](trainer)
    db.session.commit()
    assert {message["To"] for message in outbox} == told
