"""Reporting's operations: the settings managers edit (targets, national populations,
partnership agreements, PAF actions), each a new row, and the refresh of the kept figures.
Pages and the API validate, call these, and commit once."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext
from sqlalchemy import func, select

from accelerator.certification import progress, questionnaires
from accelerator.core.db import among
from accelerator.core.errors import Conflict, Forbidden, Invalid
from accelerator.core.reference import ACADEMIES
from accelerator.extensions import db
from accelerator.reporting import kept, measures, tracking  # noqa: F401  (tracking listens)
from accelerator.reporting.definitions import BY_CODE
from accelerator.reporting.models import (
    FollowUpDelay,
    KeptState,
    NationalPopulation,
    PafAction,
    Partnership,
    Target,
    edits_reporting,
)
from accelerator.reporting.sources import TrainingSession

# The public counter reads the kept figures once some are kept.
progress.use_kept_figures(kept.counter_source)
#: Bounds of the follow-up questionnaire's delay, in weeks.
FOLLOW_UP_WEEKS = (1, 52)


def follow_up_weeks() -> int:
    """The follow-up questionnaire's delay in force: the latest row, else the default."""
    weeks = db.session.scalar(select(FollowUpDelay.weeks).order_by(FollowUpDelay.id.desc()))
    return weeks if weeks is not None else questionnaires.DEFAULT_FOLLOW_UP_WEEKS


# Certification's duty mails the follow-up questionnaire after this setting.
questionnaires.use_follow_up_delay(follow_up_weeks)


def _check(actor) -> None:
    if not edits_reporting(actor):
        raise Forbidden(gettext("Only managers and admins edit the indicators' settings."))


def set_target(
    actor, code: str, value: float | None, horizon_start: date, horizon_end: date, note: str = ""
) -> Target:
    """A new target row for the indicator ``code`` (None withdraws the target)."""
    _check(actor)
    errors = {}
    if code not in BY_CODE:
        errors["code"] = [gettext("Unknown indicator.")]
    if value is not None and value < 0:
        errors["value"] = [gettext("A target cannot be negative.")]
    if horizon_end < horizon_start:
        errors["horizon_end"] = [gettext("The end of the period comes before its start.")]
    if errors:
        raise Invalid(gettext("The target is invalid."), errors)
    target = Target(
        code=code,
        value=value,
        horizon_start=horizon_start,
        horizon_end=horizon_end,
        note=note,
        set_by_id=actor.id,
    )
    db.session.add(target)
    db.session.flush()
    return target


def set_population(actor, year: int, academy: str, teachers: int, new_teachers: int):
    """A new population row of an académie for the school year starting in ``year``."""
    _check(actor)
    errors = {}
    if academy not in ACADEMIES:
        errors["academy"] = [gettext("Unknown académie.")]
    if not 2000 <= year <= 2100:
        errors["year"] = [gettext("A school year between 2000 and 2100.")]
    if teachers < 0:
        errors["teachers"] = [gettext("A population cannot be negative.")]
    if not 0 <= new_teachers <= max(teachers, 0):
        errors["new_teachers"] = [gettext("Between 0 and the number of teachers of the académie.")]
    if errors:
        raise Invalid(gettext("The population is invalid."), errors)
    row = NationalPopulation(
        year=year,
        academy=academy,
        teachers=teachers,
        new_teachers=new_teachers,
        set_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def set_follow_up_delay(actor, weeks: int) -> FollowUpDelay:
    """A new row for the weeks between a session's end and its follow-up questionnaire."""
    _check(actor)
    low, high = FOLLOW_UP_WEEKS
    if not isinstance(weeks, int) or not low <= weeks <= high:
        message = gettext("Between %(low)s and %(high)s weeks.", low=low, high=high)
        raise Invalid(gettext("The delay is invalid."), {"weeks": [message]})
    row = FollowUpDelay(weeks=weeks, set_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    return row


def record_partnership(
    actor,
    academy: str,
    title: str,
    starts_on: date,
    ends_on: date | None,
    document_sha256: str | None = None,
    document_name: str | None = None,
) -> Partnership:
    _check(actor)
    errors = {}
    if academy not in ACADEMIES:
        errors["academy"] = [gettext("Unknown académie.")]
    if not title.strip():
        errors["title"] = [gettext("This field cannot be empty.")]
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [gettext("The end of the period comes before its start.")]
    if errors:
        raise Invalid(gettext("The partnership is invalid."), errors)
    partnership = Partnership(
        academy=academy,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        document_sha256=document_sha256,
        document_name=document_name,
        recorded_by_id=actor.id,
    )
    db.session.add(partnership)
    db.session.flush()
    return partnership


def record_paf_action(
    actor, academy: str, year: int, code: str, title: str, session_references: list[str]
) -> PafAction:
    """A PAF action and the sessions (by reference) that deliver it."""
    _check(actor)
    errors = {}
    code = code.strip().upper()
    if academy not in ACADEMIES:
        errors["academy"] = [gettext("Unknown académie.")]
    if not code:
        errors["code"] = [gettext("This field cannot be empty.")]
    if not 2000 <= year <= 2100:
        errors["year"] = [gettext("A school year between 2000 and 2100.")]
    references = sorted({r.strip() for r in session_references if r.strip()})
    sessions = (
        db.session.scalars(
            select(TrainingSession).where(among(TrainingSession.reference, references))
        ).all()
        if references
        else []
    )
    unknown = sorted(set(references) - {s.reference for s in sessions})
    if unknown:
        errors["sessions"] = [
            gettext("Unknown session reference: %(refs)s.", refs=", ".join(unknown))
        ]
    if errors:
        raise Invalid(gettext("The PAF action is invalid."), errors)
    exists = db.session.scalar(
        select(PafAction.id).where(
            PafAction.academy == academy, PafAction.year == year, PafAction.code == code
        )
    )
    if exists:
        raise Conflict(gettext("This PAF action is already recorded."))
    action = PafAction(
        academy=academy,
        year=year,
        code=code,
        title=title.strip(),
        sessions=sessions,
        recorded_by_id=actor.id,
    )
    db.session.add(action)
    db.session.flush()
    return action


# --- The settings through the API: PUT the values in force, read them with their history ----

#: Rows of history answered per setting.
HISTORY = 50


def target_history(code: str) -> list[Target]:
    return db.session.scalars(
        select(Target).where(Target.code == code).order_by(Target.id.desc()).limit(HISTORY)
    ).all()


def population_history(year: int, academy: str) -> list[NationalPopulation]:
    return db.session.scalars(
        select(NationalPopulation)
        .where(NationalPopulation.year == year, NationalPopulation.academy == academy)
        .order_by(NationalPopulation.id.desc())
        .limit(HISTORY)
    ).all()


def follow_up_history() -> list[FollowUpDelay]:
    return db.session.scalars(
        select(FollowUpDelay).order_by(FollowUpDelay.id.desc()).limit(HISTORY)
    ).all()


def put_target(actor, code: str, value, horizon_start, horizon_end, note: str = "") -> Target:
    """The target of ``code`` becomes these values: a new row, unless the row in force
    already says exactly this (a repeated PUT adds no history)."""
    _check(actor)
    latest = next(iter(target_history(code)), None)
    if latest is not None and (
        latest.value,
        latest.horizon_start,
        latest.horizon_end,
        latest.note,
    ) == (value, horizon_start, horizon_end, note):
        return latest
    return set_target(actor, code, value, horizon_start, horizon_end, note)


def put_population(actor, year: int, academy: str, teachers: int, new_teachers: int):
    """The population of an académie for a school year becomes these figures (a new row
    unless they are already in force)."""
    _check(actor)
    latest = next(iter(population_history(year, academy)), None)
    if latest is not None and (latest.teachers, latest.new_teachers) == (teachers, new_teachers):
        return latest
    return set_population(actor, year, academy, teachers, new_teachers)


def put_follow_up_delay(actor, weeks: int) -> FollowUpDelay | None:
    """The follow-up delay becomes ``weeks`` (a new row unless already in force)."""
    _check(actor)
    latest = next(iter(follow_up_history()), None)
    if latest is not None and latest.weeks == weeks:
        return latest
    return set_follow_up_delay(actor, weeks)


def settings_in_force() -> dict:
    """Every target in force (withdrawn ones left out), every population in force (latest
    row per school year and académie), the follow-up delay, and the latest rows of each."""
    latest_population = select(func.max(NationalPopulation.id)).group_by(
        NationalPopulation.year, NationalPopulation.academy
    )
    return {
        "targets": sorted(measures.targets_in_force().values(), key=lambda t: t.code),
        "populations": db.session.scalars(
            select(NationalPopulation)
            .where(NationalPopulation.id.in_(latest_population))
            .order_by(NationalPopulation.year, NationalPopulation.academy)
        ).all(),
        "follow_up_weeks": follow_up_weeks(),
        "history": {
            "targets": db.session.scalars(
                select(Target).order_by(Target.id.desc()).limit(HISTORY)
            ).all(),
            "populations": db.session.scalars(
                select(NationalPopulation).order_by(NationalPopulation.id.desc()).limit(HISTORY)
            ).all(),
            "follow_up": follow_up_history(),
        },
    }


def refresh_kept_figures() -> KeptState:
    """Rebuild the kept figures from the source tables (the job queue and the CLI)."""
    return kept.refresh()
