"""Signals the domains above training listen to, so that training never imports them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sent when attendance or completion of enrolments may have changed (page, API, imports),
#: before the commit, with ``enrollment_ids``: the enrolments concerned, or (imports, any
#: number of them) ``enrollments``: a select of their ids, for set-based statements. The
#: sender is the session, or None for an import spanning sessions. Certification brings their
#: attestations in line (issued, withdrawn, reinstated) in the same transaction.
attendance_changed = _signals.signal("attendance-changed")

#: sent when a first enrolment was written (one statement, not an ORM flush), before the
#: commit; the sender is the session, ``registered`` whether it holds a place (else it
#: waits). It is neither attended nor completed nor rated: the session's counts move, no
#: teacher's. Reporting's kept figures follow.
enrolled = _signals.signal("enrolled")

#: sent when an enrolment was revived or cancelled by a statement (not an ORM flush), before
#: the commit; the sender is the session, ``teacher_id`` the enrolment's teacher.
#: Reporting's kept figures of both follow.
enrolment_changed = _signals.signal("enrolment-changed")

#: sent when a training path is published, before the commit, with ``path_id``: certification
#: issues the certificates of the teachers who had already completed every module.
path_published = _signals.signal("path-published")
