"""The indicators: code, label, unit, how each is measured (written out for the reader) and
how its status is judged against its target.

Every indicator is computed for a *period* (``from`` and ``to``, whole days, both included)
and optionally one académie; its *trend* is the same measure month by month over the period.
Kinds:

- ``flow``: a count of events within the period (teachers newly trained, audits decided...);
  the target is to be reached by the end of its horizon, so the status compares the value with
  the target pro rata of the horizon's days the period covers up to today.
- ``rate`` / ``level``: a share or a figure compared with the target as it is.
- ``stock``: a state on the period's last day (audits in review, approvals expiring).

Status (``on_track``, ``at_risk``, ``late``, ``no_target``): no target in force: no_target;
no data (value null): late; otherwise the value reaches the (pro rata) target: on_track;
reaches 90 % of it (or, for a figure where lower is better, stays within 110 % of it):
at_risk; else late. A flow's "90 %" is 80 %: counts arrive in waves.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    #: numerator, denominator, period and what counts, in words
    definition: str
    unit: str
    kind: str
    #: the contract's objective it answers (1 to 3), or None for the audit pipeline
    objective: int | None = None
    lower_is_better: bool = False
    #: whether the académie filter applies (audits belong to no académie)
    by_academy: bool = True


UNIT_LABELS = {
    "teachers": _l("teachers"),
    "percent": "%",
    "points": _l("points"),
    "academies": "%",
    "actions": _l("actions"),
    "audits": _l("audits"),
    "days": _l("days"),
    "approvals": _l("approvals"),
}

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "teachers_trained",
        _l("Teachers trained on French EdTech solutions"),
        _l(
            "Distinct teachers whose first completed session on a qualifying solution ended "
            "within the period. A qualifying solution belongs to a French company (as the "
            "100,000 counter defines it) and had an approval in force, not suspended, on the "
            "session's first day; cancelled sessions do not count. A teacher counts once, in "
            "the month of that first session, under their own académie."
        ),
        "teachers",
        "flow",
        objective=3,
    ),
    Indicator(
        "trainings_completed_rate",
        _l("Trainings completely followed"),
        _l(
            "Enrolments marked completed divided by enrolments whose teacher attended (started "
            "the training), in the sessions (not cancelled) that ended within the period, "
            "under the session's académie. Teachers who never came are not in the denominator."
        ),
        "percent",
        "rate",
        objective=1,
    ),
    Indicator(
        "satisfaction_rate",
        _l("Participants satisfied"),
        _l(
            "Ratings of 4 or 5 divided by the ratings given (satisfaction questionnaire, 1 to "
            "5, answered after the session) for the sessions that ended within the period, "
            "under the session's académie."
        ),
        "percent",
        "rate",
        objective=3,
    ),
    Indicator(
        "reinvestment_points",
        _l("Reinvestment in classroom practice"),
        _l(
            'Share of teachers answering yes to "have you used it in class since the '
            'training?" in the follow-up questionnaire (emailed a number of weeks after the '
            'session, a setting) minus the share answering yes to "do you already use this '
            'solution in class?" at enrolment, in percentage points. A teacher enrolled by a '
            "trainer, a manager or an import, whom nobody asked at enrolment, is asked "
            '"before this training, were you already using it in class?" in their first '
            "questionnaire (satisfaction, else follow-up), which stands for the enrolment's "
            "answer; a teacher who never answers it is left out. Denominator: the "
            "teachers who answered both for a session (not cancelled) they attended; each "
            "teacher counts once, with the answers of their first such session, in the period "
            "in which it ended, under their own académie. Null when no teacher answered both."
        ),
        "points",
        "level",
        objective=1,
    ),
    Indicator(
        "certified_teachers",
        _l("Teachers certified on a training path"),
        _l(
            "Distinct teachers whose first path certificate was issued within the period. A "
            "path certificate is issued once a teacher has completed every module of a "
            "published training path (each module: any session completed on its solution); a "
            "revoked certificate (a completion withdrawn) does not count. A teacher counts "
            "once, on the day of their first certificate in force, under their own académie."
        ),
        "teachers",
        "flow",
        objective=1,
    ),
    Indicator(
        "new_teachers_trained_rate",
        _l("Stagiaires and néotitulaires trained"),
        _l(
            "Distinct stagiaires and néotitulaires whose first completed session (not "
            "cancelled) ended within the period, divided by the national population of "
            "stagiaires and néotitulaires of the school year in which the period ends (entered "
            "by a manager), under the teacher's académie. Null without that population."
        ),
        "percent",
        "rate",
        objective=2,
    ),
    Indicator(
        "teachers_reached_rate",
        _l("Teachers reached"),
        _l(
            "Distinct teachers whose first attended session (not cancelled) ended within the "
            "period, divided by the national population of teachers of the school year in "
            "which the period ends (entered by a manager), under the teacher's académie. Null "
            "without that population."
        ),
        "percent",
        "rate",
        objective=1,
    ),
    Indicator(
        "academies_partnership_rate",
        _l("Académies covered by a partnership"),
        _l(
            "Académies with a partnership agreement (convention or lettre de mission) in force "
            "on the period's last day, divided by the 30 académies (or by the chosen one)."
        ),
        "academies",
        "rate",
        objective=2,
    ),
    Indicator(
        "paf_actions",
        _l("Training actions in the académies' plans (PAF)"),
        _l(
            "PAF actions (académie, PAF code, school year) delivered by at least one session "
            "(not cancelled), counted when their first session started within the period, "
            "under the PAF action's académie."
        ),
        "actions",
        "flow",
        objective=2,
    ),
    Indicator(
        "audits_submitted",
        _l("Audits submitted"),
        _l('Submissions of an audit (the company\'s "submit") within the period.'),
        "audits",
        "flow",
        by_academy=False,
    ),
    Indicator(
        "audits_in_review",
        _l("Audits in review"),
        _l(
            "Audits that, on the period's last day, were in review, awaiting the company's "
            "answer to a question, or before the committee (from the audits' history)."
        ),
        "audits",
        "stock",
        lower_is_better=True,
        by_academy=False,
    ),
    Indicator(
        "audits_decided",
        _l("Audits decided"),
        _l("Committee decisions (appeals included) taken within the period."),
        "audits",
        "flow",
        by_academy=False,
    ),
    Indicator(
        "approval_rate",
        _l("Approval rate"),
        _l(
            "Decisions approving (with or without conditions) divided by the committee "
            "decisions taken within the period."
        ),
        "percent",
        "rate",
        by_academy=False,
    ),
    Indicator(
        "median_days_to_decision",
        _l("Median days from submission to decision"),
        _l(
            "Median, over the decisions taken within the period, of the days between the "
            "audit's submission and the decision."
        ),
        "days",
        "level",
        lower_is_better=True,
        by_academy=False,
    ),
    Indicator(
        "approvals_expiring_90d",
        _l("Approvals expiring within 90 days"),
        _l(
            "Approvals in force (not suspended) on the period's last day, or today when the "
            "period ends later, whose validity ends within the next 90 days."
        ),
        "approvals",
        "stock",
        by_academy=False,
    ),
    Indicator(
        "expert_agreement_rate",
        _l("Agreement between experts"),
        _l(
            "Criteria scored by two experts or more without divergence (levels less than two "
            "apart) divided by the criteria scored by two experts or more, on the audits "
            "decided within the period (first decision). Weighted kappa per criterion and per "
            "expert in the experts' tables."
        ),
        "percent",
        "rate",
        by_academy=False,
    ),
)

BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
