"""A database that refuses writes on demand, as a read-only or full disk does: SQLite's
`query_only`, PostgreSQL's read-only transactions. Set on each new connection while on, so a
connection opened during the fault stays broken, as a real one does, until it is dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry


@dataclass
class ReadOnlySwitch:
    engine: Engine
    on: bool = False
    _listening: bool = field(default=False, repr=False)

    def _connect(self, dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        if not self.on:
            return
        cursor = dbapi_connection.cursor()
        if self.engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()
        cursor.close()

    def set(self, on: bool) -> None:
        if not self._listening:
            event.listen(self.engine, "connect", self._connect)
            self._listening = True
        self.on = on
        if on:
            self.engine.dispose()  # every connection from now on is opened read-only


@pytest.fixture
def read_only(app: FastAPI) -> ReadOnlySwitch:
    return ReadOnlySwitch(app.state.needlesafe.engine)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)
