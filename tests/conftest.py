"""Fixtures shared by every test package."""

from __future__ import annotations

import logging
import sys
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


def pytest_collection_finish(session: pytest.Session) -> None:
    """colour-science (imported by the photo tests) puts a MagicMock in `sys.modules` for
    matplotlib when matplotlib is not installed; Spark's start-up then asks importlib for
    matplotlib's spec and fails on the mock. Once collection has imported every test module,
    take the stand-ins away (colour keeps its own reference)."""
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        if getattr(sys.modules[name], "__spec__", None) is None:
            del sys.modules[name]
