"""Shared surveillance fixtures: one planted demo registry, drawn once per session."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from needlesafe.knowledge.base import Knowledge
from needlesafe.surveillance.queries import Results, duckdb_engine, run_all
from needlesafe.surveillance.report import Report, build_report
from needlesafe.surveillance.synthetic import DemoData, generate

# fixtures shared from the kits (`name as name`: re-exported for pytest)
from tests.store.dbkit import cheap_password_hashing as cheap_password_hashing
from tests.store.dbkit import database as database
from tests.store.dbkit import db_url as db_url
from tests.store.dbkit import engine as engine
from tests.store.dbkit import settings as settings
from tests.store.dbkit import uow as uow

PLANTED_SEED = 7
PLANTED_TREATMENTS = 60_000


def report_of(results: Results, knowledge: Knowledge) -> Report:
    assert knowledge.surveillance is not None
    return build_report(
        results,
        thresholds=knowledge.surveillance.signals,
        complications=list(knowledge.complications),
        knowledge_version=knowledge.version,
    )


@pytest.fixture(scope="session")
def make_report() -> Callable[[Results, Knowledge], Report]:
    return report_of


@pytest.fixture(scope="session")
def planted_data(knowledge: Knowledge) -> DemoData:
    return generate(knowledge, treatments=PLANTED_TREATMENTS, seed=PLANTED_SEED)


@pytest.fixture(scope="session")
def planted_results(planted_data: DemoData) -> Results:
    with duckdb_engine(tables=planted_data.tables) as engine:
        return run_all(engine)


@pytest.fixture(scope="session")
def planted_report(planted_results: Results, knowledge: Knowledge) -> Report:
    return report_of(planted_results, knowledge)
