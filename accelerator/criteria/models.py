"""Frameworks, their versions, domains, criteria and level descriptors.

A published version is data that never changes: audits point to the version they were
scored on. Editing happens on a draft, which is then published (retiring the one in force).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from accelerator.core.db import UTCDateTime, enum_column, utcnow
from accelerator.core.enums import TitledEnum
from accelerator.core.errors import Conflict
from accelerator.extensions import db


class VersionStatus(TitledEnum):
    draft = "draft", _l("Draft")
    published = "published", _l("Published")
    retired = "retired", _l("Retired")


class Framework(db.Model):
    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable code, e.g. "cadre-de-confiance"
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    versions: Mapped[list[FrameworkVersion]] = relationship(
        back_populates="framework", order_by="FrameworkVersion.id"
    )


class FrameworkVersion(db.Model):
    __tablename__ = "framework_version"
    __table_args__ = (
        UniqueConstraint("framework_id", "version"),
        # At most one version in force per framework, enforced by the database.
        Index(
            "uq_framework_version_in_force",
            "framework_id",
            unique=True,
            sqlite_where=db.text("status = 'published'"),
            postgresql_where=db.text("status = 'published'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"))
    #: version label, e.g. "2026.1"
    version: Mapped[str] = mapped_column(String(20))
    #: human title of this version
    label: Mapped[str] = mapped_column(String(200))
    status: Mapped[VersionStatus] = mapped_column(
        enum_column(VersionStatus, "version_status", 20),
        default=VersionStatus.draft,
    )
    #: recommendation thresholds on the overall score (0..100):
    #: {"approve": 75, "approve_with_conditions": 55}
    thresholds: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the version this draft was copied from
    based_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("framework_version.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    framework: Mapped[Framework] = relationship(back_populates="versions")
    domains: Mapped[list[Domain]] = relationship(
        back_populates="version",
        order_by="Domain.position",
        cascade="all, delete-orphan",
    )

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.draft

    @property
    def is_in_force(self) -> bool:
        return self.status == VersionStatus.published

    @classmethod
    def visible_to(cls, user) -> Select:
        """Versions ``user`` may read: published and retired ones for everyone (audits and
        decisions refer to them); drafts only for admins and managers."""
        statement = select(cls)
        role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
        if role is not None and role.value in ("admin", "manager"):
            return statement
        return statement.where(cls.status != VersionStatus.draft)

    @staticmethod
    def with_content():
        """Loader option: domains, criteria and levels in three queries, not one per row."""
        return (
            selectinload(FrameworkVersion.domains)
            .selectinload(Domain.criteria)
            .selectinload(Criterion.levels)
        )

    @classmethod
    def in_force_of(cls, framework_id: int) -> FrameworkVersion | None:
        """The published version of one framework (at most one, by a unique index)."""
        return db.session.scalar(
            select(cls).where(
                cls.framework_id == framework_id, cls.status == VersionStatus.published
            )
        )

    def criteria(self) -> list[Criterion]:
        return [criterion for domain in self.domains for criterion in domain.criteria]

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria() if c.code == code), None)

    def applicable_criteria(
        self, attributes: dict, domain: Domain | None = None
    ) -> list[Criterion]:
        """The criteria of the version (or of one of its domains) that apply to a solution
        with ``attributes`` (``Criterion.applies_to``), in framework order."""
        criteria = domain.criteria if domain is not None else self.criteria()
        return [criterion for criterion in criteria if criterion.applies_to(attributes)]

    @classmethod
    def in_force(cls) -> FrameworkVersion | None:
        """The published version in force (the most recently published, if several frameworks)."""
        return db.session.scalar(
            select(cls)
            .where(cls.status == VersionStatus.published)
            .order_by(cls.published_at.desc(), cls.id.desc())
            .limit(1)
        )


class Domain(db.Model):
    __tablename__ = "criteria_domain"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_version.id", ondelete="CASCADE"), index=True
    )
    #: stable code, e.g. "RGPD"
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: weight of the domain in the overall score (positive)
    weight: Mapped[float] = mapped_column(default=1.0)
    #: minimum domain score (0..100): below it the engine recommends reject and the committee
    #: cannot approve, like an eliminatory criterion; None means no floor
    floor: Mapped[float | None] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)

    version: Mapped[FrameworkVersion] = relationship(back_populates="domains")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="domain", order_by="Criterion.position", cascade="all, delete-orphan"
    )


class Criterion(db.Model):
    __tablename__ = "criterion"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(
        ForeignKey("criteria_domain.id", ondelete="CASCADE"), index=True
    )
    #: denormalised so that codes are unique within a version
    version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_version.id", ondelete="CASCADE"), index=True
    )
    #: stable code, e.g. "RGPD-03"
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    #: what the criterion asks and the public reference it rests on
    guidance: Mapped[str] = mapped_column(Text, default="")
    #: what evidence an expert expects
    evidence_expected: Mapped[str] = mapped_column(Text, default="")
    #: weight within its domain (positive)
    weight: Mapped[float] = mapped_column(default=1.0)
    #: an approved product may not miss it
    eliminatory: Mapped[bool] = mapped_column(default=False)
    #: level below which an eliminatory criterion fails (0..3)
    min_level: Mapped[int] = mapped_column(default=0)
    #: name of a boolean solution attribute; the criterion applies only when it is true
    applies_if: Mapped[str | None] = mapped_column(String(60))
    #: the level an approved solution reached on it is shown to the public (catalogue page,
    #: its transparency JSON): what purchasers and data protection officers check first
    public: Mapped[bool] = mapped_column(default=False, server_default=false())
    position: Mapped[int] = mapped_column(default=0)

    domain: Mapped[Domain] = relationship(back_populates="criteria")
    version: Mapped[FrameworkVersion] = relationship()
    levels: Mapped[list[Level]] = relationship(
        back_populates="criterion", order_by="Level.value", cascade="all, delete-orphan"
    )

    def applies_to(self, attributes: dict) -> bool:
        return self.applies_if is None or bool(attributes.get(self.applies_if))


class Level(db.Model):
    """What level 0..3 means for one criterion."""

    __tablename__ = "criterion_level"
    __table_args__ = (UniqueConstraint("criterion_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criterion.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(String(100))
    descriptor: Mapped[str] = mapped_column(Text, default="")

    criterion: Mapped[Criterion] = relationship(back_populates="levels")


# --- Immutability of published and retired versions ---------------------------------------

#: Columns of a version that change when it is published or retired, and nothing else.
_LIFECYCLE_COLUMNS = {"status", "published_at", "retired_at"}
#: The transitions a non-draft version may go through.
_ALLOWED_TRANSITIONS = {(VersionStatus.published, VersionStatus.retired)}

FROZEN_MESSAGE = _l(
    "A published or retired version of the cadre de confiance never changes: "
    "draft a new version instead."
)


def _committed_status(version: FrameworkVersion) -> VersionStatus | None:
    """The status as stored in the database (before this session's pending changes)."""
    state = inspect(version)
    if state.pending or state.transient:
        return None
    history = state.attrs.status.history
    if history.deleted:
        return history.deleted[0]
    if history.added:
        # Set without being loaded first: ask the database.
        session = state.session
        stored = session.scalar(
            select(FrameworkVersion.status).where(FrameworkVersion.id == version.id)
        )
        return VersionStatus(stored) if stored is not None else None
    return version.status


def _frozen(version: FrameworkVersion | None) -> bool:
    """Whether the content of ``version`` may not change in this flush."""
    if version is None or inspect(version).pending:
        return False
    stored = _committed_status(version)
    return stored not in (None, VersionStatus.draft) or version.status != VersionStatus.draft


def _version_of(session: Session, obj) -> FrameworkVersion | None:
    if isinstance(obj, FrameworkVersion):
        return obj
    if isinstance(obj, Domain):
        return obj.version or (obj.version_id and session.get(FrameworkVersion, obj.version_id))
    if isinstance(obj, Criterion):
        domain = obj.domain
        if domain is not None and domain.version is not None:
            return domain.version
        return obj.version or (obj.version_id and session.get(FrameworkVersion, obj.version_id))
    if isinstance(obj, Level):
        criterion = obj.criterion or (obj.criterion_id and session.get(Criterion, obj.criterion_id))
        return _version_of(session, criterion) if criterion else None
    return None


def _check_version_row(session: Session, version: FrameworkVersion, deleted: bool) -> None:
    stored = _committed_status(version)
    if stored in (None, VersionStatus.draft):
        return
    if deleted:
        raise Conflict(str(FROZEN_MESSAGE))
    state = inspect(version)
    changed = {
        attr.key
        for attr in state.attrs
        if attr.key in state.mapper.column_attrs and attr.history.has_changes()
    }
    transition_ok = (stored, version.status) in _ALLOWED_TRANSITIONS or (stored == version.status)
    if not changed <= _LIFECYCLE_COLUMNS or not transition_ok:
        raise Conflict(str(FROZEN_MESSAGE))


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_frozen_versions(session: Session, flush_context, instances) -> None:
    """No code path may alter a published or retired version: the rows of its content are
    refused at flush time, whatever wrote them (operations also check, with a clearer
    message). The only change a published version accepts is being retired."""
    with session.no_autoflush:
        for obj in list(session.dirty) + list(session.deleted) + list(session.new):
            if not isinstance(obj, FrameworkVersion | Domain | Criterion | Level):
                continue
            if isinstance(obj, FrameworkVersion):
                _check_version_row(session, obj, obj in session.deleted)
                continue
            if obj in session.dirty and not session.is_modified(obj):
                continue
            if _frozen(_version_of(session, obj)):
                raise Conflict(str(FROZEN_MESSAGE))


#: Tables whose rows make up a framework version.
_VERSION_TABLES = {"framework_version", "criteria_domain", "criterion", "criterion_level"}

BULK_MESSAGE = _l(
    "Framework versions change row by row, through their operations, so that published "
    "versions stay unchanged."
)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_writes(state) -> None:
    """Bulk UPDATE and DELETE statements skip the flush guard, so they are refused on the
    tables of framework versions (the application never needs them there)."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _VERSION_TABLES:
        raise Conflict(str(BULK_MESSAGE))
