"""Fixtures shared by every test package."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.loader import default_knowledge


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The packaged knowledge base, loaded once."""
    return default_knowledge()


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """`needlesafe serve` configures logging for its process; run inside the test process it
    must not change what later tests' commands print."""
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
