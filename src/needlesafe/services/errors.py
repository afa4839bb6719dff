"""Domain errors of the service layer, mapped once to HTTP (api/errors.py) and to exit codes.

`needlesafe.errors.InputError` (bad input, with field paths) is raised here too.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the caller can act on; `message` is safe to show (no patient data)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotFound(DomainError):
    """No such record for this caller (also when it belongs to another clinic)."""


class Forbidden(DomainError):
    """The caller is known but their role may not do this."""


class NotAuthenticated(DomainError):
    """No valid credentials: missing, wrong, expired or revoked."""


class Conflict(DomainError):
    """The record already exists (a clinic name, a user's email)."""


class TreatmentBlocked(Conflict):
    """The treatment gate found conflicts; nothing was stored. `conflicts` lists them all
    (`services.schemas.TreatmentConflict`); `can_override` says whether a practitioner's
    `override_reason` may record it anyway."""

    def __init__(self, message: str, conflicts: list[Any], *, can_override: bool) -> None:
        super().__init__(message)
        self.conflicts = conflicts
        self.can_override = can_override


class RateLimited(DomainError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LinkInvalid(DomainError):
    """A patient link that was not issued by this service, or was altered."""


class LinkExpired(DomainError):
    """A genuine patient link that is too old, or that the clinic replaced or stopped.
    `clinic_id`, when known, lets the page show that clinic's phone number."""

    def __init__(self, message: str, clinic_id: int | None = None) -> None:
        super().__init__(message)
        self.clinic_id = clinic_id
