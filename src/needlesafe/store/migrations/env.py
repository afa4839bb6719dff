"""Alembic environment: the engine comes from `needlesafe.store.migrate` (config.attributes)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from needlesafe.store.db import make_engine
from needlesafe.store.tables import metadata  # every table of every store module

config = context.config
target_metadata = metadata


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///needlesafe.db")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("needlesafe runs its migrations online only (needlesafe db upgrade)")
run_migrations_online()
