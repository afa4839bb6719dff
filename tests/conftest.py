"""Fixtures shared by every test package."""

from __future__ import annotations

import pytest

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.loader import default_knowledge


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The packaged knowledge base, loaded once."""
    return default_knowledge()
