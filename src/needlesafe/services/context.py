"""Who is asking: a signed-in staff member, or a patient holding a check-in or consent link."""

from __future__ import annotations

from dataclasses import dataclass

from needlesafe.services.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """A staff member of one clinic (or the command line, acting for the operator)."""

    user_id: int | None
    clinic_id: int
    role: str  # "practitioner" | "admin" | "cli"
    kind: str = "user"  # "user" | "cli"
    time_zone: str = "UTC"  # the clinic's, for showing dates and times (not for access)

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "cli")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("only a clinic admin may do this")


@dataclass(frozen=True)
class LinkAccess:
    """What a patient's signed check-in link reaches: one treatment of one clinic."""

    clinic_id: int
    treatment_id: int


@dataclass(frozen=True)
class ConsentLinkAccess:
    """What a patient's signed consent link reaches: one screening (intake) of one clinic, to
    sign its consent; `via` is "link" (the patient's own phone) or "tablet" (the clinic's)."""

    clinic_id: int
    intake_id: int
    via: str
