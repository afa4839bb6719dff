"""The glossary of medical words (`glossary.yaml`): one list, read by the consent sheet and the
lint alike.

Each word has its forms (plurals, spellings, derived words), the plain words a sheet puts in
brackets after it the first time it appears, and other plain words that also explain it when a
text uses them. The consent sheet explains a word where it first appears unless it already has
brackets (`bracketed`); the lint flags a patient text that uses a word without explaining it
(`unexplained`).
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import Field

from needlesafe.knowledge.schema import FileHeader, PlainText, Strict


class GlossaryTerm(Strict):
    term: PlainText  # as it is written in texts; matched case-insensitively, whole words
    forms: list[PlainText] = []  # other forms of the word: plurals, spellings, derived words
    # the everyday words put in brackets after it: a fragment, measured (reading grade) inside
    # the texts it explains, as the consent sheet's tests do
    plain: PlainText
    also: list[PlainText] = []  # other everyday words that explain it when a text uses them

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern((self.term, *self.forms))

    def explained_by(self, text: str) -> bool:
        """Whether `text` uses the plain words (or the other plain words) of this term."""
        lowered = text.lower()
        return any(p.lower() in lowered for p in (self.plain, *self.also))


@cache
def _pattern(forms: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(set(forms), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(f) for f in ordered) + r")\b", re.IGNORECASE)


class GlossaryFile(FileHeader):
    """Medical words and their plain words (glossary.yaml)."""

    terms: list[GlossaryTerm] = Field(min_length=1)


def bracketed(text: str, start: int, end: int) -> bool:
    """The word at text[start:end] has its explanation in brackets after it ("keloids (thick,
    raised scars)"), or is itself the bracketed name ("Hard bumps (granulomas)")."""
    return text[end:].lstrip().startswith("(") or text[:start].rstrip().endswith("(")


def unexplained(text: str, terms: list[GlossaryTerm]) -> list[str]:
    """The medical words in `text` left unexplained where they first appear: neither bracketed
    nor in a text that also uses their plain words."""
    found = []
    for term in terms:
        match = term.pattern.search(text)
        if match is None or bracketed(text, match.start(), match.end()):
            continue
        if not term.explained_by(text):
            found.append(match.group(0))
    return found
