"""PostgreSQL: the role the service runs as owns nothing.

Migrations run as the tables' owner (`needlesafe db upgrade` with the owner's URL). The
service connects as another role, given here what it needs and no more: it reads and writes
the records, but on the append-only tables (the audit log, consents, overrides, adverse-event
histories) it may only INSERT and SELECT, and the counters that triggers keep (`checkin_counts`)
it may only read. Not owning them, it cannot TRUNCATE them, drop or disable their triggers,
or alter them; what an owner does anyway shows in the audit chain.
"""

from __future__ import annotations

import re

APPEND_ONLY = (
    "audit_events",
    "signed_consents",
    "consent_patient_signatures",
    "treatment_overrides",
    "adverse_event_changes",
)
# kept by triggers alone (their functions run with the owner's rights, migration 0013): the
# service reads them and never writes them
DERIVED = ("checkin_counts",)
NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def runtime_grants(role: str, schema: str) -> list[str]:
    """The statements that give `role` the service's rights in `schema` (run as the owner)."""
    for name in (role, schema):
        if not NAME.match(name):
            raise ValueError(f"not a plain PostgreSQL name: {name!r}")
    append_only = ", ".join(f'"{schema}"."{t}"' for t in APPEND_ONLY)
    derived = ", ".join(f'"{schema}"."{t}"' for t in DERIVED)
    return [
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
        f'REVOKE UPDATE, DELETE, TRUNCATE ON {append_only} FROM "{role}"',
        f'REVOKE UPDATE, DELETE ON "{schema}"."alembic_version" FROM "{role}"',
        f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {derived} FROM "{role}"',
    ]
