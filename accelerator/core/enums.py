"""Enums whose members carry their French title (through gettext) beside a stable code."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext


class TitledEnum(StrEnum):
    """A string enum: ``value`` is the stable API code, ``label`` the translated title.

    Declare members as ``code = "code", lazy_gettext("Title")``.
    """

    label: str

    def __new__(cls, value: str, label: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else lazy_gettext(value)
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(code, title) pairs for a form's select field."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def codes(cls) -> list[str]:
        return [member.value for member in cls]
