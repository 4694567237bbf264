"""Frameworks, their versions, domains, criteria and level descriptors.

A published version is data that never changes: audits point to the version they were
scored on. Editing happens on a draft, which is then published (retiring the one in force).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.core.db import UTCDateTime, utcnow
from accelerator.core.enums import TitledEnum
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
        Enum(VersionStatus, name="version_status", native_enum=False, length=20),
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

    def criteria(self) -> list[Criterion]:
        return [criterion for domain in self.domains for criterion in domain.criteria]

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria() if c.code == code), None)

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
    position: Mapped[int] = mapped_column(default=0)

    domain: Mapped[Domain] = relationship(back_populates="criteria")
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
