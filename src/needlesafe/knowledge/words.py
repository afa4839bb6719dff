"""The words people see for the engines' outcome codes, and a new clinic's defaults, from
words.yaml: one source for the command line, the clinic's pages and the documents. A knowledge
base built without words.yaml (a small test base) uses the packaged file's words."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from needlesafe.knowledge.words_schema import ClinicDefaults, WordsFile

if TYPE_CHECKING:
    from needlesafe.knowledge.base import Knowledge

PACKAGED = Path(__file__).parent / "words.yaml"


@lru_cache(maxsize=1)
def packaged_words() -> WordsFile:
    """The packaged words.yaml alone (for defaults needed before a knowledge base is loaded,
    such as the settings' emergency number)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return WordsFile.model_validate(yaml.load(PACKAGED.read_bytes(), Loader=loader))


def _plain(code: str) -> str:
    return code.replace("_", " ").capitalize()


def _words(knowledge: Knowledge | None) -> WordsFile:
    words = knowledge.words if knowledge is not None else None
    return words if words is not None else packaged_words()


def decision_words(knowledge: Knowledge | None, code: str) -> str:
    words = _words(knowledge)
    return words.decisions[code].label if code in words.decisions else _plain(code)


def disposition_words(knowledge: Knowledge | None, code: str) -> str:
    words = _words(knowledge)
    return words.dispositions[code].label if code in words.dispositions else _plain(code)


def level_words(knowledge: Knowledge | None, code: str) -> str:
    words = _words(knowledge)
    return words.levels.get(code) or _plain(code)


def status_words(knowledge: Knowledge | None, code: str) -> str:
    words = _words(knowledge)
    return words.statuses.get(code) or _plain(code)


def icons(knowledge: Knowledge | None = None) -> dict[str, str]:
    """A shape for each decision and disposition (shown beside its colour)."""
    words = _words(knowledge)
    return {
        code: named.icon for code, named in (*words.decisions.items(), *words.dispositions.items())
    }


def names(knowledge: Knowledge | None = None) -> dict[str, dict[str, str]]:
    """The words of every outcome code, by kind, as the pages use them."""
    words = _words(knowledge)
    return {
        "decisions": {code: named.label for code, named in words.decisions.items()},
        "dispositions": {code: named.label for code, named in words.dispositions.items()},
        "levels": dict(words.levels),
        "statuses": dict(words.statuses),
    }


def clinic_defaults(knowledge: Knowledge | None = None) -> ClinicDefaults:
    """What a new clinic starts with (emergency number, age of consent)."""
    return _words(knowledge).defaults
