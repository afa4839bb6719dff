"""Passwords people would guess first are refused (a list shipped as data, `data/`).

A password is refused when it is on the list, when it is a listed base word (or the account's
own email name) with only digits and symbols around it ("Password2024!"), or when it is one
character repeated or only digits. The 10-character minimum is the schema's (UserCreate).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from needlesafe.errors import InputError, InputProblem

PADDING = re.compile(r"^[\d\W_]+|[\d\W_]+$")  # digits and symbols at either end


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    text = resources.files("needlesafe.services").joinpath("data/common_passwords.txt")
    whole, words = set(), set()
    for line in text.read_text(encoding="utf-8").splitlines():
        line = line.strip().lower()
        if not line or line.startswith("#"):
            continue
        if line.startswith("word:"):
            words.add(line.removeprefix("word:"))
        else:
            whole.add(line)
    return frozenset(whole), frozenset(words)


def weakness(password: str, *, email: str = "") -> str | None:
    """Why this password is too easy to guess, in words for the form; None when it is not."""
    lowered = password.lower()
    whole, words = _lists()
    base = PADDING.sub("", lowered)
    own = email.split("@", 1)[0].lower()
    if lowered in whole or base in words or (own and base == own):
        return "this password is on the list of passwords people guess first; choose another"
    if len(set(lowered)) == 1 or lowered.isdigit():
        return "a password of only digits, or one character repeated, is easy to guess"
    return None


def check(password: str, *, email: str = "", field: str = "password") -> None:
    """InputError naming `field` when the password is too easy to guess."""
    reason = weakness(password, email=email)
    if reason:
        raise InputError([InputProblem(field, reason)])
