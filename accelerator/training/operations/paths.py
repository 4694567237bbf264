"""Training paths (parcours): drafted and edited by trainers and managers, published by a
manager, and a teacher's progress along them (modules completed out of the path's modules).

A module is satisfied by a completed enrolment (the completion that issues an attestation)
in any session on the module's solution; the rules and the reason are on
``models.TrainingPath``. Publishing announces ``path_published``, so that certification issues
the certificates of teachers who had already completed every module; training never imports
certification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import Select, func, select, true
from sqlalchemy.orm import selectinload

from accelerator.accounts.models import User
from accelerator.audits.models import Solution
from accelerator.audits.queries import solution_ids_in_force
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Forbidden, Invalid, NotFound
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    PathModule,
    PathStatus,
    TrainingPath,
    TrainingSession,
    designs_paths,
    publishes_paths,
    session_solution,
)
from accelerator.training.signals import path_published

#: a path is made of several modules: at least this many to be published
MIN_MODULES = 2
MAX_MODULES = 12
TITLE_MAX = 200
DESCRIPTION_MAX = 5000


def paths_visible_to(user) -> Select:
    """The paths ``user`` may read, published first then by title, modules loaded."""
    return (
        TrainingPath.visible_to(user)
        .options(selectinload(TrainingPath.modules).joinedload(PathModule.solution))
        .order_by(TrainingPath.status.desc(), TrainingPath.title, TrainingPath.id)
    )


def get_path(user, path_id: int) -> TrainingPath:
    """The path, if ``user`` may read it (404 otherwise: a draft is not revealed)."""
    path = db.session.scalar(paths_visible_to(user).where(TrainingPath.id == path_id))
    if path is None or not path.can_read(user):
        raise NotFound(gettext("This training path does not exist."))
    return path


def published_paths() -> Select:
    return paths_visible_to(None)


def _check_designer(actor: User | None) -> None:
    if not designs_paths(actor):
        raise Forbidden(gettext("Only trainers and managers design training paths."))


def _clean_text(values: dict) -> tuple[str, str]:
    title = (values.get("title") or "").strip()
    description = (values.get("description") or "").strip()
    errors = {}
    if not title:
        errors["title"] = [gettext("This field is required.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [gettext("At most %(max)s characters.", max=TITLE_MAX)]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [gettext("At most %(max)s characters.", max=DESCRIPTION_MAX)]
    if errors:
        raise Invalid(gettext("Some fields are invalid."), errors)
    return title, description


def _modules_from(items: list[dict], keep: set[int] = frozenset()) -> list[PathModule]:
    """Modules in the given order; each solution of the catalogue (or one the path already
    had), once."""
    if len(items) > MAX_MODULES:
        raise Invalid(
            gettext("Some fields are invalid."),
            {"modules": [gettext("At most %(max)s modules.", max=MAX_MODULES)]},
        )
    ids = [item["solution_id"] for item in items]
    allowed = set(db.session.scalars(solution_ids_in_force())) | set(keep)
    errors: dict[str, dict] = {}
    seen: set[int] = set()
    for index, solution_id in enumerate(ids):
        if solution_id in seen:
            errors[str(index)] = {"solution_id": [gettext("This solution is already a module.")]}
        elif solution_id not in allowed:
            errors[str(index)] = {"solution_id": [gettext("Choose a solution of the catalogue.")]}
        seen.add(solution_id)
    if errors:
        raise Invalid(gettext("Some modules are invalid."), {"modules": errors})
    solutions = {s.id: s for s in db.session.scalars(select(Solution).where(Solution.id.in_(ids)))}
    modules = []
    for position, item in enumerate(items, start=1):
        title = (item.get("title") or "").strip()
        if len(title) > TITLE_MAX:
            raise Invalid(
                gettext("Some modules are invalid."),
                {"modules": {str(position - 1): {"title": [gettext("Too long.")]}}},
            )
        modules.append(
            PathModule(position=position, title=title, solution=solutions[item["solution_id"]])
        )
    return modules


def create_path(actor: User | None, values: dict) -> TrainingPath:
    """A new draft path: ``values`` has title, description and modules
    (``[{"solution_id", "title"}]``, in order)."""
    _check_designer(actor)
    title, description = _clean_text(values)
    path = TrainingPath(
        title=title,
        description=description,
        status=PathStatus.draft,
        created_by=actor,
        modules=_modules_from(values.get("modules") or []),
    )
    db.session.add(path)
    db.session.flush()
    return path


def update_path(actor: User | None, path: TrainingPath, values: dict) -> TrainingPath:
    """Edit a path's title and description; its modules too while it is a draft (409 once
    published, unless they are given unchanged)."""
    if not path.can_edit(actor):
        raise Forbidden(gettext("Only trainers and managers design training paths."))
    title, description = _clean_text(values)
    path.title, path.description = title, description
    if "modules" in values:
        wanted = [
            (item["solution_id"], (item.get("title") or "").strip()) for item in values["modules"]
        ]
        current = [(m.solution_id, m.title) for m in path.modules]
        if wanted != current:
            if path.is_published:
                raise Conflict(gettext("The modules of a published path cannot change any more."))
            modules = _modules_from(values["modules"], keep={m.solution_id for m in path.modules})
            path.modules.clear()
            db.session.flush()  # the old rows leave before the new ones take their solutions
            path.modules.extend(modules)
    db.session.flush()
    return path


def publish_path(actor: User | None, path: TrainingPath) -> TrainingPath:
    """Publish a draft (manager): it appears in the public list, and the teachers who
    completed every module receive their certificate."""
    if not publishes_paths(actor):
        raise Forbidden(gettext("Only managers publish training paths."))
    if path.is_published:
        raise Conflict(gettext("This training path is already published."))
    if len(path.modules) < MIN_MODULES:
        raise Conflict(
            gettext("A training path is made of at least %(min)s modules.", min=MIN_MODULES)
        )
    path.status = PathStatus.published
    path.published_at = utcnow()
    db.session.flush()
    path_published.send(path, path_id=path.id)
    return path


def delete_path(actor: User | None, path: TrainingPath) -> None:
    """Delete a draft (a published path has made promises and may carry certificates)."""
    if not path.can_edit(actor):
        raise Forbidden(gettext("Only trainers and managers design training paths."))
    if path.is_published:
        raise Conflict(gettext("A published training path cannot be deleted."))
    db.session.delete(path)
    db.session.flush()


# --- A teacher's progress --------------------------------------------------------------------


@dataclass
class ModuleProgress:
    module: PathModule
    #: the first completed session on the module's solution, if any
    session: TrainingSession | None
    completed_at: datetime | None

    @property
    def done(self) -> bool:
        return self.session is not None


@dataclass
class PathProgress:
    path: TrainingPath
    modules: list[ModuleProgress]

    @property
    def done(self) -> int:
        return sum(1 for module in self.modules if module.done)

    @property
    def total(self) -> int:
        return len(self.modules)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total


def completed_sessions(teacher_id: int, solution_ids) -> dict[int, TrainingSession]:
    """For each solution, the first session (by end) on it the teacher completed."""
    solution_ids = list(set(solution_ids))
    if not solution_ids:
        return {}
    rows = db.session.execute(
        select(session_solution.c.solution_id, TrainingSession)
        .join(TrainingSession, TrainingSession.id == session_solution.c.session_id)
        .join(Enrollment, Enrollment.session_id == TrainingSession.id)
        .where(
            Enrollment.teacher_id == teacher_id,
            Enrollment.completed == true(),
            session_solution.c.solution_id.in_(solution_ids),
        )
        .order_by(TrainingSession.ends_at, TrainingSession.id)
    ).all()
    first: dict[int, TrainingSession] = {}
    for solution_id, session in rows:
        first.setdefault(solution_id, session)
    return first


def path_progress(teacher_id: int | None, paths: list[TrainingPath]) -> list[PathProgress]:
    """The teacher's progress along each path (no teacher: nothing done)."""
    solution_ids = {module.solution_id for path in paths for module in path.modules}
    done = completed_sessions(teacher_id, solution_ids) if teacher_id is not None else {}
    return [
        PathProgress(
            path,
            [
                ModuleProgress(
                    module,
                    done.get(module.solution_id),
                    done[module.solution_id].ends_at if module.solution_id in done else None,
                )
                for module in path.modules
            ],
        )
        for path in paths
    ]


def module_counts() -> Select:
    """Subquery: each path with its number of modules."""
    return (
        select(PathModule.path_id.label("path_id"), func.count().label("modules"))
        .group_by(PathModule.path_id)
        .subquery()
    )
