"""Domain errors raised by operations; pages turn them into messages, the API into problems."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors an operation raises when it refuses to act."""

    status = 400

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(DomainError):
    """Unknown object, or one the caller may not see (we never reveal which)."""

    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """The action does not fit the object's current state."""

    status = 409


class Invalid(DomainError):
    """Field values are wrong; ``errors`` maps each field to its messages."""

    status = 422
