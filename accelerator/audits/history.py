"""How a history row reads on the audit's page: the facts its ``data`` holds, in words.

Each action says what it records (the criterion and the level or answer, old and new; the
expert; the file; the decision...). A row written before a fact was recorded (no old value,
say) reads with what it has: never an empty value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import gettext, ngettext

from accelerator.audits.models import Answer, AuditEvent
from accelerator.audits.states import AuditAction
from accelerator.core.formatting import day


def _answer_label(code) -> str | None:
    try:
        return str(Answer(code).label)
    except ValueError:
        return None


def _level_change(data: dict) -> str | None:
    criterion, level, previous = (
        data.get("criterion"),
        data.get("level"),
        data.get("previous_level"),
    )
    if not criterion or level is None:
        return None
    if previous is None or previous == level:
        return gettext("%(criterion)s: level %(level)s", criterion=criterion, level=level)
    return gettext(
        "%(criterion)s: level %(previous)s → %(level)s",
        criterion=criterion,
        previous=previous,
        level=level,
    )


def _settlement(data: dict) -> str | None:
    criterion, level, previous = (
        data.get("criterion"),
        data.get("level"),
        data.get("previous_level"),
    )
    if not criterion or level is None:
        return None
    if previous is None or previous == level:
        return gettext(
            "%(criterion)s: settled at level %(level)s", criterion=criterion, level=level
        )
    return gettext(
        "%(criterion)s: settled at level %(level)s (previously %(previous)s)",
        criterion=criterion,
        previous=previous,
        level=level,
    )


def _answer_change(data: dict) -> str | None:
    criterion, answer = data.get("criterion"), _answer_label(data.get("answer"))
    if not criterion or answer is None:
        return None
    previous = _answer_label(data.get("previous_answer"))
    if previous is None:
        return gettext("%(criterion)s: “%(answer)s”", criterion=criterion, answer=answer)
    return gettext(
        "%(criterion)s: “%(previous)s” → “%(answer)s”",
        criterion=criterion,
        previous=previous,
        answer=answer,
    )


def _pass_finished(data: dict) -> str | None:
    levels = data.get("levels")
    if not levels:
        return None
    return ngettext("%(num)s criterion scored", "%(num)s criteria scored", len(levels))


def _expert(data: dict) -> str | None:
    return data.get("expert") or None


def _evidence(data: dict) -> str | None:
    return data.get("filename") or None


def _decision(data: dict) -> str | None:
    parts = []
    if data.get("committee_date"):
        parts.append(
            gettext("committee of %(date)s", date=day(date.fromisoformat(data["committee_date"])))
        )
    if data.get("committee_members"):
        parts.append(
            gettext("members present: %(names)s", names=", ".join(data["committee_members"]))
        )
    return " · ".join(parts) or None


def _points(data: dict) -> str | None:
    """The points as the row names them (a domain above may describe its rows better:
    ``describe_with``)."""
    return ", ".join(data.get("points") or []) or None


DESCRIBERS: dict[AuditAction, Callable[[dict], str | None]] = {
    AuditAction.score: _level_change,
    AuditAction.consolidation: _settlement,
    AuditAction.self_assessment: _answer_change,
    AuditAction.scoring_complete: _pass_finished,
    AuditAction.assignment: _expert,
    AuditAction.unassignment: _expert,
    AuditAction.evidence: _evidence,
    AuditAction.evidence_removed: _evidence,
    AuditAction.decide: _decision,
    AuditAction.site_check_regression: _points,
}


def describe_with(action: AuditAction, describer: Callable[[dict], str | None]) -> None:
    """A domain above audits says how its rows read (it knows their facts' words)."""
    DESCRIBERS[action] = describer


def event_details(event: AuditEvent) -> str | None:
    """The facts of ``event`` in words, or None when it has none to tell."""
    describe = DESCRIBERS.get(event.action)
    if describe is None or not isinstance(event.data, dict):
        return None
    return describe(event.data)
