"""The free-text reader: a patient's own words -> symptom codes, severities, trends, temperatures.

A small ConText-style algorithm (Harkema 2009; NegEx, Chapman 2001). Every word list and rule
lives in `reader.yaml` and the `terms` of `symptoms.yaml`; this module is only the algorithm,
described in reader.yaml's header. Pure: no I/O, no model, nothing fetched.

Safety choices, all toward reading *more* symptoms rather than fewer:
- a comma ends a negation unless the list is closed by "or";
- "and" carries a negation only straight to the next symptom word, and not even there when that
  word has its own verb or marker ("no fever and redness is spreading": a new clause);
- a forward negation does not reach a symptom past a verb of its own ("no, there is pus",
  "no one told me my lips would swell");
- a backward trigger and all-clear words ("fine", "ok", "feel fine") negate only the symptom
  words next to them, across linking words ("breathing is really fine"), never across "and"
  ("my lips are swelling and I feel fine"); all-clear words look forward only when they open
  with "no" ("no problems breathing", but "I feel fine throat is tight" keeps the throat);
  nor do they undo a symptom phrase that is itself negative ("I can't breathe fine");
- a double negation ("I can't say I have no pain") keeps the symptom and is read as unsure;
- words of doubt never negate, and the answer says it chose the safer reading;
- in a question ("is the swelling ok?") backward triggers do not negate;
- a symptom mentioned twice counts if either mention is not negated;
- every part of a message is accounted for: a part with a word the reader does not know (not
  a symptom, not one of reader.yaml's everyday `benign` words) and no symptom is `unread`, and
  the triage never answers such a message with self care;
- a symptom counts as someone else's only on strong evidence ("my friend had hives after
  hers", "someone online said"), never for a parent writing about their child;
- a symptom that happened and has settled ("the swelling went away", "had a temp last night,
  gone now") is `resolved`: not counted now, kept for the rules that still care;
- the temperature now is the latest one not marked as past.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from needlesafe.knowledge.triage_schema import (
    DISPOSITIONS,
    SEVERITIES,
    TRENDS,
    Cannot,
    Disposition,
    PhraseSet,
    Severity,
    TemperatureRules,
    Trend,
    TriageKnowledge,
    WordIndex,
    join_words,
)

_EMOJI = "•"  # what an emoji is read as: a mark that means nothing and ends nothing
_EMOJI_WORDS = (_EMOJI,)
# letters of scripts other than the Latin one (Greek, Cyrillic, Hebrew, Arabic, the scripts of
# India and South-East Asia, Ethiopic, Chinese, Japanese, Korean): a word in one is a word the
# reader cannot read, kept so that it is seen as unread, never silently dropped
_SCRIPTS = (
    "\u0370-\u03ff\u0400-\u052f\u0531-\u058f\u05d0-\u05ff\u0620-\u06ff\u0700-\u08ff"
    "\u0900-\u0dff\u0e00-\u0eff\u0f00-\u109f\u10a0-\u10ff\u1100-\u11ff\u1200-\u139f"
    "\u1780-\u17ff\u3041-\u30ff\u3131-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\ufb1d-\ufdff\ufe70-\ufefc"
)
_SCRIPT_WORD = re.compile(f"[{_SCRIPTS}]+")
# a word of letters and digits ("7al9i", "3ayn", "nfa5o", but also "3pm", "2nd"): read whole
# when `respell` knows it, as Arabizi writes Arabic letters with digits; else cut as any word
_LETTERS_AND_DIGITS = re.compile(r"[a-z0-9]*(?:[a-z][0-9]|[0-9][a-z])[a-z0-9]*")
_TOKEN = re.compile(f"\\d+(?:[.,]\\d+)?|°[cf]?|[a-z]+(?:'[a-z]+)?|[.;:!?,()\\n•]|[{_SCRIPTS}]+")
# letters with no accent to take off, written as the letters they stand for ("gør ondt",
# "yutkunamıyorum", "bolało", "ħakk", "nəfəs"), so a word is not cut in two
_UNACCENTED = str.maketrans(
    {
        "ø": "o",
        "ə": "e",
        "æ": "ae",
        "ł": "l",
        "ı": "i",
        "ß": "ss",
        "đ": "d",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
        "ħ": "h",
    }
)
_CLAUSE_END = frozenset(".;!?()\n")
# "Pain: no", "throat: tight": a colon joins a form's label to its answer, like a comma
_COLON = (":",)
_BRACKETS = frozenset((("(",), (")",)))
_POSSESSIVE_S = re.compile(r"([a-z])'s\b")  # "swelling's worse" -> "swelling is worse"
# ... but before a past participle it is "has": "wife's got a cold sore", "it's been itchy"
_HAS_S = re.compile(
    r"([a-z])'s (got|been|had|gone|come|started|developed|broken|brought|thrown|given|taken"
    r"|fallen|woken)\b"
)
_BRACKETED_END = re.compile(r"[.!?]+\s*\)")
_BOX_EMPTY = re.compile(r"\[\s*\]|\u2610")  # "[ ]", "☐"
# "no swelling/fever/pus": a slash between words lists them, like "or"
_SLASH = re.compile(r"(?<=[a-z])/(?=[a-z])")
_BOX_TICKED = re.compile(r"\[\s*[x\u2713\u2714]\s*\]|[\u2611\u2612\u2705\u2714]")  # "[x]", "☑"
_SCORE = re.compile(r"\b(\d{1,2}) ?(?:/|from|over) ?10\b")  # "pain 8/10", "3 from 10": a severity
# "at 18:00" is a time of day, not the number 18, a colon and the number 0
_CLOCK = re.compile(r"\b([01]?\d|2[0-3]):[0-5]\d\b")

# Closed-class English words (pronouns, determiners, auxiliaries) that the passes below are
# written around: changing one changes what a pass means, so they stay with the code. Word
# lists a reviewer may grow (short answers, "became" words, all lay vocabulary) are in
# reader.yaml.
_NEGATIVE_WORDS = frozenset(("not", "no", "cannot", "cant", "unable"))
_NOTHING = frozenset(("nothing", "none", "never"))
# the experiencer lists that can make a part someone else's (reader.yaml: experiencer)
_PEOPLE_LISTS = ("others", "relatives", "proxies", "pronouns")
_SOMEONE_ELSE = (*_PEOPLE_LISTS, "hearsay", "theirs", "disowned")
_POSSESSIVES = frozenset(("her", "his", "their"))
# "my face is itching", "I've got red blotches": said of now
_PRESENT = frozenset((w,) for w in ("is", "are", "am", "got"))
_HAS = frozenset((w,) for w in ("has", "have"))
_OWNING_SELF = frozenset(("my", "our"))  # "my friend": the person written about
_FEELING = frozenset(("feel", "feeling", "feels", "felt"))
_WORRY = frozenset(("worry", "worried", "concerned"))
_NOW_STATES = frozenset(("feels", "feel", "is", "are", "has", "have", "looks", "look", "keeps"))
_DETERMINERS = frozenset(("the", "a", "an", "her", "his", "their", "my", "our"))
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_TREND_RANK = {t: i for i, t in enumerate(TRENDS)}


@dataclass(frozen=True)
class SymptomRead:
    """A symptom the message affirms, with the worst severity and trend said of it."""

    code: str
    severity: Severity | None = None
    trend: Trend | None = None


@dataclass(frozen=True)
class Mention:
    code: str
    text: str
    negated: bool
    severity: Severity | None = None
    trend: Trend | None = None
    others: bool = False  # someone else's symptom ("my friend had hives")
    heard: bool = False  # ... only heard of ("someone online said", "I read that")
    resolved: bool = False  # happened and settled ("the swelling went away")
    reason: bool = False  # why the patient was treated ("for my acne scars")
    history: bool = False  # long before the treatment, or a habit ("fainted as a child")


@dataclass(frozen=True)
class Reading:
    symptoms: Mapping[str, SymptomRead]  # affirmed, in order of first mention
    negated: tuple[str, ...]  # mentioned only negated
    temperatures_c: tuple[float, ...]
    mentions: tuple[Mention, ...] = field(repr=False, default=())
    all_clear: bool = False
    uncertain: bool = False
    resolved: tuple[str, ...] = ()  # happened and settled, not counted now
    others: tuple[str, ...] = ()  # someone else's
    heard: tuple[str, ...] = ()  # of those, only heard of (read online, told): no one's
    unread: tuple[str, ...] = ()  # parts of the message the reader could not read
    unread_hint: Disposition | None = None  # the most a site word in an unread part hints at
    temperature_now_c: float | None = None  # the latest temperature not said to be past

    @property
    def understood(self) -> bool:
        """Did the reader find anything it knows: a symptom (negated or not), a temperature,
        or all-clear words?"""
        return bool(self.mentions or self.temperatures_c or self.all_clear)


@dataclass
class _Item:
    words: tuple[str, ...]
    meanings: tuple[tuple[str, str], ...]  # (kind, value); empty for an unknown word
    negated: bool = False
    severity: Severity | None = None
    trend: Trend | None = None
    own_verb: bool = False  # a symptom word followed by a verb or marker of its own
    verb: bool = False  # one of reader.yaml's clause_verbs
    link: bool = False  # one of its linking words (or a verb)
    cancelled: bool = False  # a negation trigger undone by a negation before it
    resolved: bool = False
    others: bool = False
    heard: bool = False  # someone else's only as hearsay
    reason: bool = False
    history: bool = False
    sentence_start: bool = False  # the first item of a segment that starts a sentence
    after_contrast: bool = False  # the first item of a segment after "but", "however"...
    after_self: bool = False  # the first item of a segment after "so i"
    opener: tuple[str, ...] = ()  # the first item of a segment: the break word before it ("also")

    # the meanings by kind: the reader asks has() and values() about six million times per
    # 4,000 messages, and a dictionary answers in one look where a scan of pairs took a loop
    by_kind: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.set_meanings(self.meanings)

    def set_meanings(self, meanings: tuple[tuple[str, str], ...]) -> None:
        self.meanings = meanings
        by_kind: dict[str, tuple[str, ...]] = {}
        for kind, value in meanings:
            by_kind[kind] = (*by_kind.get(kind, ()), value)
        self.by_kind = by_kind

    def has(self, kind: str) -> bool:
        return kind in self.by_kind

    def values(self, kind: str) -> tuple[str, ...]:
        return self.by_kind.get(kind, ())

    @property
    def text(self) -> str:
        return " ".join(self.words)


def tokenize(
    text: str,
    respell: Mapping[str, str] | None = None,
    emoji: Mapping[str, str] | None = None,
    joined: Mapping[str, str] | None = None,
    cannot: Cannot | None = None,
) -> list[str]:
    """Lower-case words, numbers and clause marks; `respell` maps what patients type to the
    words the rules know ("cant" -> "can't", "u" -> "you"), `emoji` an emoji to its words,
    `joined` two words to one ("could not" -> "couldn't"), `cannot` a negated verb of ability
    to "can't" ("hindi ako makahinga" -> "ako can't breathe")."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    if emoji and not text.isascii():
        text = _emoji_pattern(emoji).sub(lambda m: f" {emoji[m.group(0)]} ", text)
    text = _BRACKETED_END.sub(")", text)  # "(he's had nothing done!) has hives": one sentence
    # a form's boxes: "[ ] rash" is not ticked, so no rash; "[x] redness" is
    # an empty box denies what follows ("[ ] feeling faint": "without", not "no", which would
    # make "no feeling", a numb word, of the box and the word after it)
    text = _BOX_TICKED.sub(" , ", _BOX_EMPTY.sub(" , without ", text))
    text = _SLASH.sub(" or ", text)
    if not text.isascii():
        # "kurdeşen", "pęcherze", "comezón": the letters without accents; an emoji is kept
        # as a mark that a "no" after it is not undone by a "don't" before it ("so I don't
        # scratch 😫 no bumps")
        text = "".join(
            f" {_EMOJI} " if unicodedata.category(c) == "So" and c != "°" else c
            for c in unicodedata.normalize("NFKD", text.translate(_UNACCENTED))
            if not unicodedata.combining(c)
        )
    if respell and _LETTERS_AND_DIGITS.search(text):
        text = _LETTERS_AND_DIGITS.sub(
            lambda m: f" {respell[m[0]]} " if m[0] in respell else m[0], text
        )
    text = _CLOCK.sub(" o'clock ", _SCORE.sub(r"\1 out of 10", text))
    tokens = _TOKEN.findall(_POSSESSIVE_S.sub(r"\1 is", _HAS_S.sub(r"\1 has \2", text)))
    if cannot and not cannot.verbs.keys().isdisjoint(tokens):
        tokens = _cannot_said(tokens, cannot)
    if respell:
        out: list[str] = []
        for token in tokens:
            spelled = respell.get(token)
            if spelled is None and token[1:2] == "'":
                # a French article or pronoun run into its word ("l'urticaire", "s'etend")
                spelled = respell.get(token[2:])
            if spelled is None:
                out.append(token)
            else:
                out.extend(_TOKEN.findall(_POSSESSIVE_S.sub(r"\1 is", spelled)))
        tokens = out
    if joined:
        tokens = join_words(tokens, joined)
    return _spelled_numbers(tokens) if _NUMBER_WORDS.intersection(tokens) else tokens


def _cannot_said(tokens: list[str], cannot: Cannot) -> list[str]:
    """ "hindi po ako makalunok" -> "po ako can't swallow": a negation before a verb of ability,
    with only `between` words in between, says the patient cannot, not that a symptom is
    absent (read as a denial, "I can't swallow" went home)."""
    out: list[str | None] = list(tokens)
    for at, token in enumerate(tokens):
        verb = cannot.verbs.get(token)
        if verb is None:
            continue
        k = at - 1
        while k >= 0 and tokens[k] in cannot.between:
            k -= 1
        if k >= 0 and tokens[k] in cannot.negations:
            out[k], out[at] = None, f"can't {verb}"
    return [part for token in out if token is not None for part in token.split(" ")]


@functools.cache
def _emoji_pattern_of(keys: tuple[str, ...]) -> re.Pattern[str]:
    # the longest first: "😵‍💫" (a face with spiral eyes) before "😵"
    return re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))


def _emoji_pattern(emoji: Mapping[str, str]) -> re.Pattern[str]:
    return _emoji_pattern_of(tuple(emoji))


_UNIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEEN_WORDS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
_TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNITS = {w: n for n, w in enumerate(_UNIT_WORDS)}
_TEENS = {w: n + 10 for n, w in enumerate(_TEEN_WORDS.split(" "))}
_TENS = {w: (n + 2) * 10 for n, w in enumerate(_TENS_WORDS)}
_NUMBER_WORDS = frozenset((*_TEENS, *_TENS, "point"))


def _spelled_numbers(tokens: list[str]) -> list[str]:
    """ "thirty eight point nine" -> "38.9" (dictated temperatures and measures). Only a run
    with a tens or teens word, "point" or "out of", is a number: "one of the spots" stays
    words."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        word, j, value = tokens[i], i + 1, None
        if word in _TENS:
            value = _TENS[word]
            if j < len(tokens) and tokens[j] in _UNITS and tokens[j] != "zero":
                value, j = value + _UNITS[tokens[j]], j + 1
        elif word in _TEENS:
            value = _TEENS[word]
        elif word in _UNITS and (
            (j < len(tokens) and tokens[j] == "point") or tokens[j : j + 2] == ["out", "of"]
        ):
            value = _UNITS[word]  # "nine out of ten": a score
        if value is None:
            out.append(word)
            i += 1
            continue
        digits = ""
        if j + 1 < len(tokens) and tokens[j] == "point" and tokens[j + 1] in _UNITS:
            j += 1
            while j < len(tokens) and tokens[j] in _UNITS:
                digits, j = digits + str(_UNITS[tokens[j]]), j + 1
        out.append(f"{value}.{digits}" if digits else str(value))
        i = j
    return out


_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR_KEYS = {
    key: {
        other
        for r2, row2 in enumerate(_KEYBOARD_ROWS)
        for c2, other in enumerate(row2)
        if abs(r2 - r) <= 1 and abs(c2 - c) <= 1 and other != key
    }
    for r, row in enumerate(_KEYBOARD_ROWS)
    for c, key in enumerate(row)
}


_GLOSS_WORDS = 3  # "serce (heart)", "mahadsanid (thank you)": a gloss is a few words


def _glossed(tokens: list[str], knowledge: TriageKnowledge) -> list[str]:
    """ "Serce (heart) is jumping", "my madax (head)": a word the reader does not know, glossed
    in brackets right after it, is read as its gloss (writers in a second language do this);
    and so is one respelled into its own gloss ("sirds (heart) thumping": "heart thumping")."""
    if "(" not in tokens:
        return tokens
    out: list[str] = []
    at = 0
    while at < len(tokens):
        token = tokens[at]
        # the bracket must close within a gloss's length: "serce (heart is jumping" is no gloss
        close = tokens[at + 2 : at + 3 + _GLOSS_WORDS]
        if token.isalpha() and at + 2 < len(tokens) and tokens[at + 1] == "(" and ")" in close:
            end = at + 2 + close.index(")")
            gloss = tokens[at + 2 : end]
            if gloss and gloss == [*out, token][-len(gloss) :]:
                out.append(token)  # the bracket says again what was just said
                at = end + 1
                continue
            if (
                gloss
                and all(w.isalpha() for w in gloss)
                and not _is_known(token, knowledge)
                and token not in knowledge.linking_words
                and not any(s in knowledge.everyday for s in _stems(token))
            ):
                out += gloss
                at = end + 1
                continue
        # "my ዓይን (ayn, eye) is hurting": the letters of another script are dropped, and a
        # bracket that spells the word out and then glosses it is read as its gloss
        if (
            token == "("
            and "," in tokens[at + 2 : at + 3]
            and ")" in tokens[at + 4 : at + 4 + _GLOSS_WORDS]
        ):
            end = tokens.index(")", at + 4)
            spelt, gloss = tokens[at + 1], tokens[at + 3 : end]
            if (
                gloss
                and all(w.isalpha() for w in gloss)
                and spelt.isalpha()
                and not _is_known(spelt, knowledge)
                and not any(s in knowledge.everyday for s in _stems(spelt))
            ):
                if out and _in_another_script(out[-1]):
                    out.pop()  # the word it spells out and glosses
                out += gloss
                at = end + 1
                continue
        out.append(token)
        at += 1
    return out


def _correct_typos(tokens: list[str], knowledge: TriageKnowledge) -> list[str]:
    """Read a word the reader does not know as the symptom or site word one typing slip away
    ("lops" -> "lips"), when there is exactly one such word, or one whose slip is a
    neighbouring key. Known words, everyday words and short words are left alone."""
    index = knowledge.typo_index
    if not index:
        return tokens
    out: list[str] = []
    for at, token in enumerate(tokens):
        following = tokens[at + 1] if at + 1 < len(tokens) else ""
        if (
            len(token) >= 2
            and token.isalpha()
            and len(following) > len(token)
            and following.startswith(token)
            and not _is_known(token, knowledge)
            and token not in knowledge.linking_words
            and token not in knowledge.list_words
        ):
            continue  # a false start typed again: "the room sp spins", "my th throat"
        held = _unstretched(token, knowledge)
        if held != token:
            out += knowledge.reader.respell.get(held, held).split()  # "cantttt" -> "can't"
        elif base := _compared(token, knowledge):
            out += [base, "worse"]  # "itchier", "redder": more of a symptom word
        elif not _may_be_typo(token, knowledge):
            out.append(token)
        elif token.endswith("in") and _is_known(token + "g", knowledge):
            out.append(token + "g")  # a dropped g ("swellin", "makin sense")
        else:
            corrected = _corrected(token, knowledge)
            if corrected == token:
                corrected = _completing(token, out, tokens[at + 1 :], knowledge)
            out.extend(_run_together(token, knowledge) if corrected == token else [corrected])
    return out


def _compared(token: str, knowledge: TriageKnowledge) -> str | None:
    """The symptom word a comparative is made from ("itchier" -> "itchy", "scabbier" ->
    "scabby", "redder" -> "red"), if it is one word of a symptom phrase; else None. Not a bare
    "-er": that is also one who does ("a fainter", "a bleeder")."""
    if (
        not token.endswith("er")
        or len(token) < 6
        or (token,) in knowledge.phrases
        or token in knowledge.benign
        or token in knowledge.everyday
        or token in knowledge.linking_words
        or token in knowledge.list_words
    ):
        return None  # a word of its own ("number" is no more numb)
    stem = token[:-3] + "y" if token.endswith("ier") else token[:-2]
    doubled = len(stem) > 3 and stem[-1] == stem[-2]
    for base in (stem if token.endswith("ier") else "", stem[:-1] if doubled else ""):
        meanings = knowledge.phrases.get((base,)) if base else None
        if meanings and any(k == "concept" and not v.startswith("_") for k, v in meanings):
            return base  # (a cue is no symptom: "heavier" is no more "heavy")
    return None


_HELD_LETTER = re.compile(r"([a-z])\1\1+")


def _unstretched(token: str, knowledge: TriageKnowledge) -> str:
    """ "breatheeee", "huuuuge": a letter held down, read as the word the reader knows with it
    three times, twice or once ("sooooo" -> "sooo", one of the severity words)"""
    if len(token) < 3 or not _HELD_LETTER.search(token):
        return token  # (most words: one cheap search)
    runs = list(_HELD_LETTER.finditer(token))
    if len(runs) > 3 or _is_word(token, knowledge):
        return token
    for counts in itertools.product((3, 2, 1), repeat=len(runs)):
        parts, last = [], 0
        for run, count in zip(runs, counts, strict=True):
            parts += [token[last : run.start()], run.group(1) * count]
            last = run.end()
        word = "".join(parts) + token[last:]
        if _is_word(word, knowledge):
            return word
    return token


def _run_together(token: str, knowledge: TriageKnowledge) -> list[str]:
    """Words typed without spaces ("mythroat is tight", "myfaceisfine", "cantbreathe"): the
    fewest words that make the token, when one is a linking word ("my", "is", "cant") and one
    a word of a symptom or body phrase, else the token. Other words of three letters or more
    may fill the rest; two-letter scraps may not ("crimson" is not "cr i am son")."""
    if len(token) < 6:
        return [token]
    respell = knowledge.reader.respell

    def glue(word: str, start: int = 1) -> bool:  # one letter only for a first "i"
        return (len(word) > 1 or (word == "i" and start == 0)) and (
            word in knowledge.linking_words or word in respell
        )

    # best[i]: the fewest words that make token[:i]
    best: list[list[str] | None] = [[]] + [None] * len(token)
    for end in range(1, len(token) + 1):
        for start in range(end - 1, -1, -1):
            before, word = best[start], token[start:end]
            if before is None or not (
                glue(word, start) or (len(word) > 2 and _is_word(word, knowledge))
            ):
                continue
            if best[end] is None or len(before) + 1 < len(best[end] or ()):
                best[end] = [*before, word]
    words = best[-1]
    if (
        words is None
        or not any(glue(w) for w in words)
        or not any(len(w) > 3 and w in knowledge.phrase_words for w in words)
    ):
        return [token]
    return [part for w in words for part in respell.get(w, w).split()]  # "cant" -> "can't"


def _completing(token: str, before: list[str], after: list[str], knowledge: TriageKnowledge) -> str:
    """The one word a typing slip away that makes a symptom phrase with the words around it
    ("somethng thick comes out", "dark blob in the mdidle of what i can see"), else the token:
    an everyday word is corrected only where it completes a symptom phrase."""
    candidates: set[str] = set()
    for index in (knowledge.typo_index, knowledge.phrase_typo_index):
        candidates.update(index.get(token, ()))
        for i in range(len(token)):
            candidates.update(index.get(token[:i] + token[i + 1 :], ()))
    completing = {
        word
        for word in candidates
        if _one_slip(token, word)
        and any(
            _fits(key, k, before, after)
            for key in knowledge.concept_phrases_of.get(word, ())
            for k, w in enumerate(key)
            if w == word
        )
    }
    return completing.pop() if len(completing) == 1 else token


def _fits(key: tuple[str, ...], k: int, before: list[str], after: list[str]) -> bool:
    """Does `key`, with its word `k` at the current place, match the words around it?"""
    head, tail = key[:k], key[k + 1 :]
    return (
        len(head) <= len(before)
        and tuple(before[len(before) - len(head) :]) == head
        and tuple(after[: len(tail)]) == tail
    )


def _is_known(word: str, knowledge: TriageKnowledge) -> bool:
    return word in knowledge.phrase_words or any(s in knowledge.benign for s in _stems(word))


def _may_be_typo(token: str, knowledge: TriageKnowledge) -> bool:
    return (
        len(token) >= knowledge.reader.typo_min_length
        and token.isascii()
        and token.isalpha()
        and token not in knowledge.phrase_words
        and token not in knowledge.linking_words
        and token not in knowledge.spelled_right
        # nor an inflection of a word the reader knows ("rashes" is not "rushes")
        and not any(
            stem in knowledge.benign or stem in knowledge.phrase_words for stem in _stems(token)
        )
    )


def _corrected(token: str, knowledge: TriageKnowledge) -> str:
    index = knowledge.typo_index
    candidates: set[str] = set(index.get(token, ()))  # a letter missed
    for i in range(len(token)):
        shorter = token[:i] + token[i + 1 :]
        candidates.update(index.get(shorter, ()))  # a letter added, swapped or mistyped
    close = sorted(c for c in candidates if _one_slip(token, c))
    if len(close) == 1:
        return close[0]
    near = [c for c in close if _near_key_slip(token, c)]
    return near[0] if len(near) == 1 else token


def _one_slip(typed: str, word: str) -> bool:
    """One letter missed, added, mistyped, or two neighbours swapped."""
    if typed == word:
        return False
    if len(typed) == len(word):
        diff = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and typed[diff[0]] == word[diff[1]]
            and typed[diff[1]] == word[diff[0]]
        )
    short, long_ = sorted((typed, word), key=len)
    if len(long_) - len(short) != 1:
        return False
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _near_key_slip(typed: str, word: str) -> bool:
    if len(typed) != len(word):
        return False
    diff = [(a, b) for a, b in zip(typed, word, strict=True) if a != b]
    return len(diff) == 1 and diff[0][0] in _NEAR_KEYS.get(diff[0][1], set())


def _longest(tokens: list[str], i: int, most: int, knowledge: TriageKnowledge) -> tuple[int, Any]:
    """The longest known phrase at `i` of at most `most` words (a plural 's' on its last word
    is also tried): (its length, its meanings), or (0, None)."""
    phrases, reach, word = knowledge.phrases, knowledge.phrase_reach, tokens[i]
    # no phrase starting with this word is longer than its reach (a one-word plural: its stem's)
    most = min(most, max(reach.get(word, 0), reach.get(word[:-1], 0) if word.endswith("s") else 0))
    for length in range(most, 0, -1):
        key = tuple(tokens[i : i + length])
        meanings = phrases.get(key)
        if meanings is None and len(key[-1]) > 3 and key[-1].endswith("s"):
            meanings = phrases.get((*key[:-1], key[-1][:-1]))
        if meanings is not None:
            return length, meanings
    return 0, None


# "*throat not coat", "epipen*": a word sent again with a star, alone on its line or after a
# sentence, to correct a slip in what came before
_CORRECTION = re.compile(
    r"(?:^|(?<=[\n.!?]))[ \t]*(?:\*[ \t]*(?P<right>[^\W\d_]+)|(?P<right_first>[^\W\d_]+)[ \t]*\*)"
    r"(?:[ \t]+not[ \t]+(?P<wrong>[^\W\d_]+))?[ \t]*(?=$|[\n.!?])",
    re.IGNORECASE,
)
# ... or sent straight on in the same line, the star against the word ("my bottom lip feels
# dumb on one side *numb no other problems"): not a bullet ("* lips fine"), not emphasis
_INLINE_CORRECTION = re.compile(r"(?<=[ \t])\*(?P<right>[^\W\d_]{3,})\b(?!\*)")


def _with_corrections(text: str) -> str:
    """ "my coat feels really tight *throat not coat" reads "my throat feels really tight"; a
    starred word with no "not ..." takes the place of the word or pair of words before it that
    it most resembles ("the epic pen ... epipen*"), also when sent on in the same line ("dumb on
    one side *numb no other problems"). A star with nothing like it before is left."""
    if "*" not in text:
        return text
    for pattern in (_CORRECTION, _INLINE_CORRECTION):
        for match in reversed(list(pattern.finditer(text))):
            found = match.groupdict()
            right: str = found["right"] or found.get("right_first") or ""
            wrong = found.get("wrong")
            before, after = text[: match.start()], text[match.end() :]
            if wrong:
                fixed = re.sub(rf"\b{re.escape(wrong)}\b", right, before, flags=re.IGNORECASE)
            else:
                fixed = _replace_likest(before, right)
            if fixed != before:
                text = fixed + after
    return text


def _replace_likest(text: str, word: str) -> str:
    """The word, or two words in a row, most like `word` (at least 0.6 alike) replaced by it."""
    spans = [m.span() for m in re.finditer(r"[^\W\d_]+", text)]
    candidates = [*spans, *((a[0], b[1]) for a, b in itertools.pairwise(spans))]
    best, score = None, 0.6
    for start, end in candidates:
        typed = text[start:end].lower()
        if typed == word.lower():
            return text  # already said right
        alike = difflib.SequenceMatcher(None, typed, word.lower()).ratio()
        if alike >= score:
            best, score = (start, end), alike
    return text if best is None else text[: best[0]] + word + text[best[1] :]


def _spoken_marks(text: str, marks: Mapping[str, str]) -> str:
    """ "a bruise on my cheekbone period it's fading period": punctuation said aloud, read as
    the mark when the message says two or more (one "period" may be a period)."""
    if not marks:
        return text
    pattern = _spoken_pattern(tuple(marks))
    if len(pattern.findall(text)) < 2:
        return text
    return pattern.sub(lambda m: f" {marks[m.group(0).lower()]} ", text)


@functools.cache
def _spoken_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def _without_asides(tokens: list[str], knowledge: TriageKnowledge) -> list[str]:
    """ "Top lip though has puffed right out": a contrast word between a subject and its verb
    is an aside, not the end of a clause that would part the lip from its swelling."""
    asides = knowledge.reader.asides
    verbs = knowledge.clause_verbs
    tokens = _without_ages(tokens, knowledge)
    return [
        token
        for at, token in enumerate(tokens)
        if not (
            token in asides
            and 0 < at < len(tokens) - 1
            and tokens[at + 1] in verbs
            and tokens[at - 1] not in _CLAUSE_END
            and tokens[at - 1] != ","
        )
    ]


def _without_ages(tokens: list[str], knowledge: TriageKnowledge) -> list[str]:
    """ "my son (he's 7) had an asthma attack": an age in brackets after a person is an aside,
    not the end of a clause that would part the son from what he had (reader.yaml's
    `age_words` and `age_said`)."""
    if "(" not in tokens:
        return tokens
    words, said_by = set(knowledge.reader.age_words), set(knowledge.reader.age_said)
    out: list[str] = []
    at = 0
    while at < len(tokens):
        inside = tokens[at + 1 : at + 6]
        if tokens[at] == "(" and ")" in inside:
            said = inside[: inside.index(")")]
            if (
                any(w.isdigit() for w in said)
                and said_by.intersection(said)
                and all(w.isdigit() or w in words for w in said)
            ):
                at += len(said) + 2
                continue
        out.append(tokens[at])
        at += 1
    return out


def _match(tokens: list[str], knowledge: TriageKnowledge) -> list[_Item]:
    """Longest known phrase at each place; but a modifier or grammar phrase gives way to a
    symptom phrase starting inside it and reaching past it ("the same" is not matched over
    "same question"; "has gone to" not over "gone to sleep"). A filler does not: it is there
    to hide words ("a cold" is not a cold sore's start; "got a cold sore" is a phrase)."""
    starts = knowledge.concept_starts
    items: list[_Item] = []
    i, n = 0, len(tokens)
    while i < n:
        length, meanings = _longest(tokens, i, n - i, knowledge)
        if length > 1 and not any(kind in ("concept", "filler") for kind, _ in meanings):
            for inner in range(1, length):
                word = tokens[i + inner]
                if word not in starts and word[:-1] not in starts:  # (a plural 's' too)
                    continue
                reach, found = _longest(tokens, i + inner, n - i - inner, knowledge)
                if inner + reach > length and any(kind == "concept" for kind, _ in found):
                    length, meanings = _longest(tokens, i, inner, knowledge)
                    break
        if length:
            items.append(_word(tuple(tokens[i : i + length]), meanings, knowledge))
            i += length
        else:
            token = tokens[i]
            if token in _CLAUSE_END:
                items.append(_Item((token,), (("end", token),)))
            elif token == "," or (token,) == _COLON:
                items.append(_Item((token,), (("comma", ""),)))
            elif token == _EMOJI:
                items.append(_Item((token,), (("filler", ""),)))
            elif token[0].isdigit():
                items.append(_Item((token,), (("number", token.replace(",", ".")),)))
            else:
                items.append(_word((token,), (), knowledge))
            i += 1
    return items


def _word(
    words: tuple[str, ...], meanings: tuple[tuple[str, str], ...], knowledge: TriageKnowledge
) -> _Item:
    single = words[0] if len(words) == 1 else ""
    return _Item(
        words,
        meanings,
        verb=single in knowledge.clause_verbs,
        link=single in knowledge.linking_words,
    )


def _clauses(items: list[_Item], exceptions: PhraseSet) -> list[list[_Item]]:
    """Split at sentence ends and terminator words (both end every scope)."""
    clauses: list[list[_Item]] = [[]]
    for item in items:
        if item.words == ("now",) and clauses[-1] and clauses[-1][-1].has("site"):
            continue  # "my top lip now sticks out": the place and what it does stay together
        if item.has("end") or item.has("terminator"):
            if item.has("end") and item.words[0] == "?":
                clauses[-1].append(item)  # a question keeps its mark: see _negate
            if clauses[-1]:
                clauses.append([])
            if item.words in exceptions:
                clauses[-1].append(item)  # "apart from ...": the clause says so (_excepted)
            continue
        clauses[-1].append(item)
    return [c for c in clauses if c]


def _is_concept(item: _Item) -> bool:
    return item.has("concept")


def _blocks_scope(item: _Item) -> bool:
    return (
        item.has("negation")
        or item.has("pseudo")
        or item.has("uncertain")
        or item.has("all_clear")
        or (item.has("comma") and item.words != _COLON)
    )


def _is_verb(item: _Item) -> bool:
    return item.verb and not item.meanings


def _is_and(item: _Item) -> bool:
    return item.has("connector") and item.words[0] == "and"


def _links(item: _Item) -> bool:
    """A word a backward trigger or all-clear words may reach across."""
    if item.has("filler") or item.has("severity") or item.words == _COLON:
        return True
    return item.link and not _blocks_scope(item)


def _links_back(item: _Item) -> bool:
    """A backward scope crosses linking words and the "or" of a list ("pus or fever gone")."""
    return item.has("connector") or _links(item)


def _is_negative_phrase(item: _Item) -> bool:
    """A symptom phrase that is itself a negative: "can't breathe", "cannot swallow"."""
    return any(w in _NEGATIVE_WORDS or w.endswith("n't") for w in item.words)


def _mark_own_verbs(items: list[_Item]) -> None:
    """Mark each symptom word followed by its own verb or marker: an auxiliary verb, a trend
    word, a terminator ("now", "still"), a backward trigger or all-clear words; symptom words
    joined by "and"/"or" share the verb after the last ("redness and swelling are spreading")."""
    marked = False
    for item in reversed(items):
        if _is_concept(item):
            item.own_verb = marked
        elif item.has("connector"):
            continue
        else:
            marked = (
                _is_verb(item)
                or item.has("trend")
                or item.has("terminator")
                or item.has("all_clear")
                or any(d != "forward" for d in item.values("negation"))
            )


def _or_closes_list(clause: list[_Item], start: int) -> bool:
    """After a comma at `start - 1`: is this a list "X, Y, or Z" closed by or/nor?"""
    for item in clause[start:]:
        if item.has("connector") and item.words[0] in ("or", "nor"):
            return True
        if not (_is_concept(item) or item.has("filler") or item.has("comma") or _in_list(item)):
            return False
    return False


_LIST_WORDS = frozenset({("any",), ("of",), ("the",)})


def _in_list(item: _Item) -> bool:
    """A word within an item of a list closed by "or" ("I have not had any fever, any swelling
    of the lips, or any rash"): "any" opening it, or the place of its symptom."""
    return item.words in _LIST_WORDS or item.has("site")


def _negate_forward(clause: list[_Item], at: int, max_scope: int, *, near: bool) -> bool:
    """Negate forward from the trigger at `at`. `near`: all-clear words, which reach only
    across linking words. Returns True for a double negation ("can't say I have no pain"):
    the inner trigger is cancelled and the symptom kept."""
    trigger = clause[at]
    j, words, past_verb = at + 1, 0, False
    # "what do I do if my lips or tongue start to swell up?": a condition reaches further, to
    # the symptom of the clause it opens
    conditional = "if" in trigger.words
    if conditional:
        max_scope *= 2
    # "should I worry if my throat feels tight?": a worry about a state said in the present
    # tense is about a symptom the patient has now, not one that may come
    worry = _is_worry(trigger)
    # reach the first symptom word
    while j < len(clause):
        item = clause[j]
        if worry and item.words[0] in _NOW_STATES:
            return False
        if _is_concept(item):
            if past_verb:
                return False  # "no, there is pus": the symptom has a verb of its own
            break
        if item.has("negation") and not near and not item.cancelled:
            if trigger.words == ("no",) or item.words == trigger.words:
                return False  # "no, it's not swollen", "no no pus": not a double negation
            item.cancelled = True
            return True
        if _blocks_scope(item) or _is_and(item) or item.words == (_EMOJI,):
            return False
        if near and not _links(item):
            return False
        # "no, there is pus": the symptom has a verb of its own; "nothing is hot": the
        # negation is the subject, and the verb its own
        # ... but the verb right after "not" is the one it denies ("I have not been short of
        # breath", "not had any fever")
        denied_verb = (trigger.words == ("not",) or trigger.words[-1].endswith("n't")) and all(
            map(_is_verb, clause[at + 1 : j + 1])
        )
        past_verb = past_verb or (
            _is_verb(item) and trigger.words[0] not in _NOTHING and not denied_verb
        )
        # ... and a condition holds its own verb ("what do I do if my throat gets tight")
        past_verb = past_verb and not conditional
        words += len(item.words)
        if words > max_scope:
            return False
        j += 1
    else:
        return False
    clause[j].negated = True
    # carry on through a list
    j += 1
    closed_by_or = False
    while j < len(clause):
        item = clause[j]
        if item.has("comma"):
            closed_by_or = closed_by_or or _or_closes_list(clause, j + 1)
            # "what do I do if my lips swell in the night, or I can't breathe?"
            after = clause[j + 1] if j + 1 < len(clause) else None
            if conditional and after is not None and after.words[0] == "or":
                j += 1
                continue
            if not closed_by_or:
                return False
            j += 1
            continue
        if item.has("connector"):
            is_and = item.words[0] == "and"
            j += 1
            while (
                not is_and
                and j < len(clause)
                and (clause[j].has("filler") or clause[j].words == ("any",))
            ):
                j += 1
            if conditional and not is_and:
                # a condition's "or" may bring a subject of its own ("if my throat gets tight
                # or my lips swell up"): the symptom after it is as hypothetical
                k = j
                while k < min(j + 4, len(clause)) and not (
                    _is_concept(clause[k]) or _blocks_scope(clause[k]) or clause[k].has("comma")
                ):
                    k += 1
                if k < len(clause) and _is_concept(clause[k]):
                    j = k
            if j < len(clause) and _is_concept(clause[j]):
                if is_and and clause[j].own_verb:
                    return False  # "no fever and redness is spreading": a new clause
                clause[j].negated = True
                j += 1
                continue
            if closed_by_or and j < len(clause) and clause[j].has("site"):
                continue  # "any swelling of the lips or tongue, or any fever"
            return False
        if item.has("filler") or (closed_by_or and (_is_concept(item) or _in_list(item))):
            if _is_concept(item):
                item.negated = True
            j += 1
            continue
        # a condition goes on to its end ("what if my lips swell in the night, or I can't
        # breathe?"): the words between its symptoms do not end it
        if conditional and not _is_concept(item) and not _blocks_scope(item):
            j += 1
            continue
        # two symptom words with nothing joining them are not a list; and an unknown word
        # right after the list ends it ("no swelling or redness anymore")
        return False
    return False


def _negate_backward(
    clause: list[_Item], at: int, max_scope: int, exceptions: PhraseSet | None = None
) -> None:
    """Negate the symptom words next to the trigger, reaching back only across linking words
    and lists ("redness or swelling is gone"), never across "and", nor from one symptom to
    another right beside it ("lips swollen breathing fine" denies the breathing only)."""
    if clause[at].words[0] == "i":
        return  # "... i am grand": the writer is, whatever came before
    j, words = at - 1, 0
    beside = False  # the item after this one is a symptom word
    while j >= 0:
        item = clause[j]
        if _is_concept(item):
            if beside or (exceptions and _excepted(clause, j, exceptions)):
                return  # "apart from my lips swelling all good": the lips are the exception
            if not _is_negative_phrase(item):
                item.negated = True
                item.resolved = item.resolved or clause[at].has("resolves")
            beside = True
        elif _is_and(item) or _blocks_scope(item) or not _links_back(item):
            return
        elif (
            item.words == ("i",)
            or (item.words[0] in ("it", "its") and not clause[at].has("resolves"))
            or item.words[0] in _MODALS
        ):
            # "my lips are swollen i'm fine": the writer is fine, not the lips; "lips swollen
            # its fine" plays the sign down, it does not deny it ("it's gone" still settles)
            return
        elif not (item.words[0] in _DETERMINERS and len(item.words) == 1):
            beside = False  # "... the swelling is fine": "the" keeps the swelling beside
        words += len(item.words)
        if words > max_scope:
            return
        j -= 1


def _excepted(clause: list[_Item], at: int, exceptions: PhraseSet) -> bool:
    """Is the symptom at `at` named after "apart from", "other than", "except"...?"""
    for item in reversed(clause[:at]):
        if item.has("terminator"):
            return item.words in exceptions
    return False


def _after_nothing(items: list[_Item], at: int) -> bool:
    """Is the item at `at` said of nothing ("nothing came back", "none came back")?"""
    return at > 0 and items[at - 1].words[-1] in _NOTHING


def _not_settled(clause: list[_Item], at: int) -> bool:
    """Is the settling or backward trigger at `at` itself denied ("hasn't stopped", "has not
    settled", "isn't going down")? Then the symptom goes on: nothing is negated or resolved."""
    trigger = clause[at]
    if not (trigger.has("resolves") or "backward" in trigger.values("negation")):
        return False
    return _denied(clause, at)


def _called_normal(
    clause: list[_Item], at: int, lists: Mapping[str, PhraseSet], knowing: PhraseSet | None = None
) -> bool:
    """ "the chemist said the yellow crust is normal", "you said swelling was normal", "I know
    redness is normal": someone called a symptom normal, which says the patient has it, not
    that it has gone. (Said of a place, "my husband says my lips look normal", it is still a
    denial.)"""
    if "normal" not in clause[at].words or clause[at].has("resolves"):
        return False
    reporting = lists.get("reporting_verbs", _NONE)
    knowing = knowing or _NONE
    # a word of knowing only just before ("I know the redness is normal", not "just so you
    # know, my lips are not swollen ... my breathing is normal")
    said = [
        k
        for k in range(at)
        if clause[k].words in reporting or (clause[k].words in knowing and at - k <= 5)
    ]
    return bool(said) and any(_is_symptom(i) for i in clause[said[0] + 1 : at])


def _partly_settled(clause: list[_Item], at: int) -> bool:
    """Is the settling at `at` only partial ("settled a bit", "a bit better now", "gone down
    a little")? Then the symptom is better, not gone."""
    if not clause[at].has("resolves"):
        return False
    beside = [clause[k] for k in (at - 1, at + 1) if 0 <= k < len(clause)]
    return any("mild" in i.values("severity") and not _is_concept(i) for i in beside)


def _denied(clause: list[_Item], at: int) -> bool:
    """Is the item at `at` denied by a negative word just before it ("hasn't", "has not")?"""
    for item in reversed(clause[max(0, at - 3) : at]):
        word = item.words[-1]
        if word in _NEGATIVE_WORDS or word.endswith("n't") or word == "never":
            return True
        if not (item.verb or item.link or word in _STILL):
            return False
    return False


def _negate(clause: list[_Item], knowledge: TriageKnowledge) -> bool:
    """Negate within one clause; True if it held a double negation."""
    max_scope, grammar = knowledge.reader.max_scope, knowledge.grammar
    # only a "?" is kept at a clause's end; a clause opened by "is", "are", "should"... asks too
    question = clause[-1].has("end") or clause[0].words[:1] in _ASKING
    all_no = grammar.get("answers_all_no", _NONE)
    all_no_firsts = {phrase[0] for phrase in all_no}
    doubled = False
    for at, item in enumerate(clause):
        partly = _partly_settled(clause, at)
        if partly or _not_settled(clause, at):
            # keeps blocking the "not" before it, but settles nothing: the symptom goes on
            item.cancelled = True
            kept = tuple(m for m in item.meanings if m[0] not in ("resolves", "trend"))
            item.set_meanings((*kept, ("trend", "improving" if partly else "stable")))
    for at, item in enumerate(clause):
        if item.cancelled:
            continue
        directions = item.values("negation")
        near = item.has("all_clear")
        if near:  # "no problems breathing" reaches forward; "feel fine" only back
            directions = ("bidirectional" if item.words[0] in _NEGATIVE_WORDS else "backward",)
        if _means_became(clause, at, knowledge.benign, grammar.get("became", _NONE)):
            continue
        answers_back = _no_then_mine(clause, at)
        for direction in directions:
            if direction in ("forward", "bidirectional") and not answers_back:
                doubled = _negate_forward(clause, at, max_scope, near=near) or doubled
            # "Breathing is fine and my lips are normal, just wondering if ... ?": the "?" asks
            # about the part after the last "and" or comma, not the statement before it
            asked = question and not any(
                i.has("comma") or i.words == ("and",) for i in clause[at + 1 :]
            )
            if (
                direction in ("backward", "bidirectional")
                and not asked
                and not _called_normal(
                    clause, at, knowledge.word_lists, grammar.get("known_normal", _NONE)
                )
            ):
                _negate_backward(clause, at, max_scope, grammar.get("exceptions", _NONE))
        if item.words[0] in all_no_firsts and any(
            tuple(w for i in clause[at : at + n] for w in i.words) in all_no
            for n in range(1, all_no.longest + 1)
        ):
            _answer_a_listed_question(clause, at)
        answered = (
            _answers_a_list(clause, at, grammar.get("answers_no", _NONE))
            if directions and not question
            else None
        )
        if answered is not None:
            _negate_backward(clause, answered + 1, max_scope)
    return doubled


def _answer_a_listed_question(clause: list[_Item], at: int) -> None:
    """ "Swelling, breathing, fever, pus - all no": the answer denies every symptom of the list
    before it, when the list is only bare symptom words (two or more, joined by commas, "and"
    or "or") opening the clause; anything else in it (a place, a verb) makes it a statement."""
    listed = clause[:at]
    while listed and (listed[-1].words == _COLON or listed[-1].has("comma")):
        listed = listed[:-1]
    concepts = [i for i in listed if _is_concept(i)]
    if len(concepts) < 2 or not all(
        _is_concept(i) or i.has("comma") or i.words in _AND_OR for i in listed
    ):
        return
    for item in concepts:
        item.negated = True


def _answers_a_list(clause: list[_Item], at: int, bare_no: PhraseSet) -> int | None:
    """ "Trouble breathing - no. Swollen lips or tongue - no.": a bare "no" ending its clause
    right after a symptom (and the sites it names) answers it like a ticked list. The index of
    that symptom word, or None."""
    following = clause[at + 1] if at + 1 < len(clause) else None
    if clause[at].words not in bare_no or not (
        following is None or following.has("end") or following.has("comma")
    ):
        return None
    j = at - 1
    while (
        j >= max(0, at - 4)
        and not _is_concept(clause[j])  # "breathing" is a symptom and a site: the answer's
        and (
            clause[j].words == _COLON
            or any(clause[j].has(k) for k in ("site", "connector", "filler"))
        )
    ):
        j -= 1
    return j if j >= 0 and _is_concept(clause[j]) else None


def _answer_own_questions(clauses: list[list[_Item]], grammar: Mapping[str, PhraseSet]) -> None:
    """ "Hives? No. Breathing? Fine.": a one-word answer after a question the patient asked
    about a symptom negates that symptom."""
    for asked, answer in zip(clauses, clauses[1:], strict=False):
        said = [item for item in answer if not item.has("end")]
        if said and said[0].words == ("a",):  # "Q: ... ? A: no": the form's answer mark
            said = said[1:]
        if said and said[0].has("comma"):  # the colon after "A"
            said = said[1:]
        # the answer is what comes before any comma: "I haven't got any, just asking"; or a
        # plain "none so far" after one: "asking before my next session, none so far"
        parts = [list(g) for comma, g in itertools.groupby(said, lambda i: i.has("comma"))]
        parts = [part for part in parts if not part[0].has("comma")]
        if not asked or not asked[-1].has("end") or not parts:
            continue
        words = tuple(w for item in parts[0] for w in item.words)
        later = {tuple(w for item in part for w in item.words) for part in parts[1:]}
        if (
            words not in grammar.get("answers_no", _NONE)
            and words not in grammar.get("answers_fine", _NONE)
            and words not in grammar.get("answers_none_yet", _NONE)
            and not later & grammar.get("answers_none_yet", _NONE)
        ):
            continue
        concepts = [item for item in asked if _is_concept(item)]
        if concepts and not concepts[-1].negated:
            concepts[-1].negated = True


_OR = frozenset((("or",), ("nor",)))
# words that may stand between a denial and what it denies ("hasn't actually gone down")
_STILL = frozenset(
    ("still", "yet", "it", "really", "properly", "completely", "any", "actually", "fully", "quite")
)
_AND_OR = frozenset((("and",), ("or",)))
# "... should be fine", "will be ok": a hope or a forecast, not a denial of what came before
_MODALS = frozenset(("should", "will", "would", "might", "may", "could", "shall", "hopefully"))
_ASKING = frozenset((w,) for w in ("is", "are", "am", "does", "should"))


def _means_became(clause: list[_Item], at: int, benign: frozenset[str], became: PhraseSet) -> bool:
    """ "gone numb", "gone yellowy", "went all puffy": gone before a describing word means
    became, not went away."""
    if clause[at].words not in became or at + 1 >= len(clause):
        return False
    following = clause[at + 1]
    return (
        _is_concept(following)
        or following.has("severity")
        or (not following.meanings and following.words[0] not in benign)
    )


def _worst_severity(a: Severity | None, b: Severity | None) -> Severity | None:
    if a is None or (b is not None and _SEVERITY_RANK[b] > _SEVERITY_RANK[a]):
        return b
    return a


def _worst_trend(a: Trend | None, b: Trend | None) -> Trend | None:
    if a is None or (b is not None and _TREND_RANK[b] > _TREND_RANK[a]):
        return b
    return a


def _modifiers(
    clause: list[_Item], baseline: PhraseSet | None = None
) -> tuple[Severity | None, Trend | None]:
    severity: Severity | None = None
    trend: Trend | None = None
    for at, item in enumerate(clause):
        for value in item.values("severity"):
            severity = _worst_severity(severity, _as_severity(value))
        for value in item.values("trend"):
            said = _as_trend(value)
            if said == "worsening" and _denied(clause, at):
                said = "stable"  # "isn't spreading", "not getting bigger"
            if said == "worsening" and _compares_a_fall(clause, at):
                said = "improving"  # "way less puffy than yesterday"
            if said == "worsening" and baseline and _against_usual(clause, at, baseline):
                # "more sensitive than usual": as it is, not getting worse (a bare "worse than
                # normal" stays worse: it may mean worse than it should be)
                said = "stable" if _is_concept(item) else said
            trend = _worst_trend(trend, said)
    return severity, trend


def _said_severity(clause: list[_Item]) -> dict[int, Severity | None]:
    """How bad each symptom of the clause is said to be: a word of severity of its own
    ("very", "unbearable") is said of every symptom in the clause, but a symptom named with
    its severity ("bright red", "red like a lobster") only of itself and a symptom right
    beside it ("an angry red rash"), not of another one further on ("bright red and feels
    warm": the warmth is not said to be severe)."""
    words: Severity | None = None
    for item in clause:
        # a cue ("enormous") says how bad, as a word does; so does a sign denied or doubled
        # back ("can't walk without holding the wall")
        if not _is_symptom(item) or item.negated:
            for value in item.values("severity"):
                words = _worst_severity(words, _as_severity(value))
    said: dict[int, Severity | None] = {}
    for at, item in enumerate(clause):
        if not _is_concept(item):
            continue
        severity = words
        # beside it, or across a linking verb ("the stinging is agony")
        for k in range(max(0, at - 2), min(len(clause), at + 3)):
            near, gap = clause[k], clause[min(at, k) + 1 : max(at, k)]
            if _is_symptom(near) and not near.negated and all(map(_is_verb, gap)):
                for value in near.values("severity"):
                    severity = _worst_severity(severity, _as_severity(value))
        said[id(item)] = severity
    return said


_COMPARING = frozenset(("more", "worse", "less", "than", "bigger", "better"))


def _softened(clause: list[_Item]) -> set[int]:
    """The symptoms said right after a word that makes them mild ("red like a lobster and a
    bit swollen", "slightly puffy and very red"): their own word says how bad they are, not
    the severe word said of the other symptom in the clause."""
    softened: set[int] = set()
    for at, item in enumerate(clause):
        if not _is_concept(item) or item.values("severity"):
            continue
        # "a bit swollen", or "it stings a little" (not "a little more than yesterday")
        before = clause[at - 1] if at else None
        after = clause[at + 1] if at + 1 < len(clause) else None
        beyond = clause[at + 2].words[0] if at + 2 < len(clause) else ""
        if any(
            other is not None and other.values("severity") == ("mild",) and not _is_concept(other)
            for other in (before, after if beyond not in _COMPARING else None)
        ):
            item.severity = "mild"
            softened.add(id(item))
    return softened


def _compares_a_fall(clause: list[_Item], at: int) -> bool:
    """Is the comparison at `at` ("than yesterday") of something said to be less, just before
    it ("less puffy than yesterday", "smaller today than yesterday")? A bare comparison
    stays worse: "swollen more than yesterday"."""
    if clause[at].words[0] not in ("than", "today"):
        return False
    start = max(0, at - 3)
    before = clause[start:at]
    return any(
        "improving" in item.values("trend")
        and not _is_concept(item)
        and not _denied(clause, start + k)  # "no less red than yesterday"
        for k, item in enumerate(before)
    ) and not any("worsening" in item.values("trend") for item in before)


def _against_usual(clause: list[_Item], at: int, baseline: PhraseSet) -> bool:
    """Is the comparison at `at` made with how the skin usually is ("redder than normal")?"""
    words = tuple(w for item in clause[at + 1 : at + 1 + baseline.longest] for w in item.words)
    return any(words[:n] in baseline for n in range(1, baseline.longest + 1))


def _as_severity(value: str) -> Severity:
    for s in SEVERITIES:
        if s == value:
            return s
    raise ValueError(value)


def _as_trend(value: str) -> Trend:
    for t in TRENDS:
        if t == value:
            return t
    raise ValueError(value)


def _revive_returned(clauses: list[list[_Item]]) -> None:
    """A part that says a symptom is back, with no symptom of its own ("... and now it's come
    back up"), undoes the settling of the nearest symptom settled before it: it counts again,
    worsening."""
    for index, clause in enumerate(clauses):
        returns = [
            at
            for at, item in enumerate(clause)
            if item.has("returns") and not _after_nothing(clause, at)
        ]  # not "nothing came back"
        if not any(not _denied(clause, at) for at in returns) or any(
            _is_symptom(item)
            and not item.negated
            and not any(v.startswith("_") for v in item.values("concept"))  # not "bigger"
            for item in clause
        ):
            continue  # "it hasn't come back", or a symptom of its own ("the rash came back")
        # "swelling went down then came back up": in its own clause first, then before it
        for earlier in [clause[: max(returns)], *reversed(clauses[:index])]:
            settled = [i for i in earlier if _is_concept(i) and i.negated and i.resolved]
            if settled:
                for item in settled:
                    item.negated, item.resolved, item.trend = False, False, "worsening"
                break


def _revive_worsened(clauses: list[list[_Item]], pronouns: PhraseSet) -> None:
    """ "The burning was fine yesterday but it's stronger today", "I know you said itching is
    normal. But it's everywhere": a part that opens on "it", names no symptom up to its first
    comma and says only that something is worse or severe speaks of the symptoms the part
    before said were fine: they count again (the worse reading when in doubt)."""
    for index in range(1, len(clauses)):
        clause, earlier = clauses[index], clauses[index - 1]
        # "since yesterday it's ...", or a verb with the subject before a bracket: "red patch
        # on my chest (where I had it done) is bigger than yesterday"
        # ("it's gone past the line": a phrase that opens on the pronoun counts too)
        if not (
            any(item.words[:1] in pronouns for item in clause[:3])
            or clause[0].words[0] in _NOW_STATES
            or clause[0].words[0] in ("today", "tonight", "now")  # "... but today is stronger"
        ):
            continue
        # up to its first comma or symptom: "... and now it's spreading down and feels hot"
        head = list(
            itertools.takewhile(lambda item: not (item.has("comma") or _is_symptom(item)), clause)
        )  # a cue is no symptom of its own: "is bigger than yesterday" speaks of the patch
        severity, trend = _modifiers(head)
        if not (trend == "worsening" or severity == "severe"):
            continue
        # what the head says of "it" itself, not of the symptom it runs into ("It's white in
        # the middle and extremely painful": "extremely" is the pain's)
        own_severity, _ = _modifiers(head[:-1] if len(head) < len(clause) else head)
        denied = [item for item in earlier if _is_concept(item) and item.negated]
        affirmed = [item for item in earlier if _is_concept(item) and not item.negated]
        if not (denied or affirmed):  # "(where I had it done)": the clause before that
            before = [c for c in clauses[: index - 1] if any(map(_is_symptom, c))]
            affirmed = [i for i in before[-1] if _is_concept(i) and not i.negated] if before else []
        if denied and not affirmed:
            for item in denied:
                item.negated, item.resolved = False, False
                item.trend = _worst_trend(item.trend, trend)
                item.severity = _worst_severity(item.severity, severity)
        else:
            # "my face went red and it stayed red, and now it's spreading": "it" is the redness;
            # "a burn on my jaw. It's white in the middle": the burn is severe
            for item in affirmed:
                if trend == "worsening":
                    item.trend = "worsening"
                if own_severity == "severe":
                    item.severity = "severe"


def _apply_modifiers(clauses: list[list[_Item]], baseline: PhraseSet) -> None:
    concepts = [[i for i in c if _is_concept(i) and not i.negated] for c in clauses]
    orphans: list[tuple[int, Severity | None, Trend | None]] = []
    for index, clause in enumerate(clauses):
        severity, trend = _modifiers(clause, baseline)
        if severity is None and trend is None:
            continue
        if severity is not None:
            softened = _softened(clause)
            said = _said_severity(clause)
            for item in concepts[index]:
                if id(item) not in softened:
                    item.severity = _worst_severity(item.severity, said.get(id(item)))
        for item in concepts[index]:
            item.trend = _worst_trend(item.trend, trend)
        if not any(_is_symptom(item) for item in clause):
            # cues alone ("I pressed it and it soaks through"): said of a symptom named before
            # (not "the swelling had gone down": said of the symptom it settles)
            orphans.append((index, severity, trend))
    for index, severity, trend in orphans:
        # to the nearest clause before with symptoms, else the nearest after
        before = [k for k in range(index - 1, -1, -1) if any(map(_is_symptom, concepts[k]))]
        after = [k for k in range(index + 1, len(clauses)) if any(map(_is_symptom, concepts[k]))]
        target = before[0] if before else (after[0] if after else None)
        if target is not None:
            for item in concepts[target]:
                item.severity = _worst_severity(item.severity, severity)
                item.trend = _worst_trend(item.trend, trend)
        if trend == "worsening":  # when in doubt, the worse reading for every symptom
            for group in concepts:
                for item in group:
                    item.trend = "worsening"


def _temperatures(
    items: list[_Item], knowledge: TriageKnowledge, segments: list[_Segment]
) -> list[tuple[float, bool, bool]]:
    """Each temperature in the message, in order, with whether its part speaks of the past and
    whether it says now ("I'm 36.9 right now"); someone else's temperatures are left out, and
    one reading given in both units ("38.3 C (100.9 F)") counts once."""
    lists = knowledge.word_lists
    now = lists.get("growth_now", _NONE)
    past_items: set[int] = set()
    said_past = False
    for seg in segments:
        # "I had a temperature on Tuesday. 38.4.": a number alone goes with the part before;
        # "on Tuesday night I felt awful, shivery, and the thermometer said 38.3": a part with
        # no time of its own keeps its sentence's
        alone = all(i.has("number") or i.has("unit") for i in seg)
        carried = said_past and not seg[0].sentence_start and not _find(seg, now)
        said_past = said_past if alone else bool(_find(seg, lists.get("past", _NONE))) or carried
        if said_past:
            past_items.update(id(i) for i in seg)
    now_items = {id(item) for seg in segments if _find(seg, now) for item in seg}
    reading_now = lists.get("temperature_reading_now", _NONE)
    for seg in segments:
        if _find(seg, reading_now):
            now_items.update(id(item) for item in seg)
            past_items.difference_update(id(item) for item in seg)
    usual = lists.get("temperature_usual", _NONE)
    usual_items = {id(item) for seg in segments if _find(seg, usual) for item in seg}
    rules = knowledge.reader.temperature
    found: list[tuple[float, bool, bool]] = []
    last_at = -10
    for at, item in enumerate(items):
        numbers = item.values("number")
        if not numbers or item.others or id(item) in usual_items:
            continue
        raw = numbers[0]
        value = float(raw)
        following = items[at + 1] if at + 1 < len(items) else None
        units = following.values("unit") if following else ()
        cue = any(
            other.has("temp_cue") or knowledge.rules.fever_symptom in other.values("concept")
            for other in items[max(0, at - 3) : at]
        ) or (following is not None and following.has("temp_cue"))
        celsius, fahrenheit = rules.is_celsius(value), rules.is_fahrenheit(value)
        if units == ("c",) and celsius:
            reading = value
        elif units == ("f",) and fahrenheit:
            reading = rules.fahrenheit_to_celsius(value)
        elif not units and (cue or "." in raw) and (celsius or fahrenheit):
            reading = value if celsius else rules.fahrenheit_to_celsius(value)
        else:
            continue
        if found and at - last_at <= 4 and abs(found[-1][0] - reading) < 0.3:
            continue  # the same reading in the other unit
        found.append((reading, id(item) in past_items, id(item) in now_items))
        last_at = at
    return found


def _apply_sites(
    clauses: list[list[_Item]], items: list[_Item], knowledge: TriageKnowledge
) -> None:
    """A symptom word in a clause with a site word also means the rule's `gives`: the
    meaning is added to the word, in the order of reader.yaml, so a later rule can build on an
    earlier one ("huge" + "lips" -> swelling -> lip or tongue swelling)."""
    all_right = knowledge.word_lists.get("site_all_right", _NONE)
    pronouns = knowledge.word_lists.get("site_pronouns", _NONE)
    skin_around = {  # "around my eyes": the skin there, for the rules that say so
        rule.id: knowledge.word_lists[f"skin_around_{rule.id}"]
        for rule in knowledge.reader.site_rules
        if rule.skin_around
    }
    sentence = {}  # each item's sentence number
    number = 0
    for item in items:
        number += item.has("end")
        sentence[id(item)] = number
    before: set[str] = set()  # the sites of the clause before
    bare = False  # that clause was a site alone ("lip. massive. help")
    named_only = False  # that clause named a site and no symptom ("... is her top lip,")
    for at, clause in enumerate(clauses):
        new_sentence = at and sentence[id(clause[0])] != sentence[id(clauses[at - 1][-1])]
        if new_sentence and not (bare or any(item.words in pronouns for item in clause)):
            before = set()  # a sentence points back only with one: "Deep ache behind it"
        rule_ids = {
            v
            for at, item in enumerate(clause)
            for v in item.values("site")
            if not _site_cleared(clause, at, all_right)
            and not (v in skin_around and _located(clause, at, skin_around[v]))
        }
        said = [item for item in clause if not (item.has("end") or item.has("filler"))]
        is_bare = bool(said) and all(item.has("site") for item in said)
        own_named_only = bool(rule_ids) and not any(map(_is_concept, clause))
        if not rule_ids and (bare or named_only or any(item.words in pronouns for item in clause)):
            # "... in my eye and now it's agony to open it"; "her top lip, which has puffed
            # right up": a site named with nothing said of it is what the next clause speaks of
            rule_ids = before
        before, bare, named_only = rule_ids, is_bare, own_named_only
        if not rule_ids:
            continue
        for rule in knowledge.reader.site_rules:
            if rule.id not in rule_ids:
                continue
            for item in clause:
                codes = item.values("concept")
                if any(code in rule.concepts for code in codes) and rule.gives not in codes:
                    item.set_meanings((*item.meanings, ("concept", rule.gives)))


def _apply_measures(items: list[_Item], knowledge: TriageKnowledge) -> None:
    """A pulse or an oxygen level given as a number ("heart 140", "sats 91") is read as the
    symptom its measure gives, when the number is past the measure's threshold."""
    lists = knowledge.word_lists
    for measure in knowledge.reader.measures:
        cues = lists.get(f"measure_cues_{measure.id}", _NONE)
        units = lists.get(f"measure_units_{measure.id}", _NONE)
        for at, item in enumerate(items):
            numbers = item.values("number")
            if not numbers or not measure.in_range(float(numbers[0])):
                continue
            after = items[at + 1 : at + 4]
            before: list[_Item] = []
            for earlier in reversed(items[max(0, at - 6) : at]):
                if earlier.has("end") or earlier.has("number"):
                    break  # a cue before another number is that number's ("sats 98, heart 80")
                before.insert(0, earlier)
            if not (_has_phrase(before, cues) or _has_phrase(after, units, at_start=True)):
                continue
            # a normal pulse is understood too ("heart rate 72"): not an unread part
            item.set_meanings((*item.meanings, ("measured", measure.id)))
            if measure.reads(float(numbers[0])):
                item.set_meanings((*item.meanings, ("concept", measure.gives)))


def _has_phrase(items: list[_Item], phrases: PhraseSet, at_start: bool = False) -> bool:
    """Does one of `phrases` occur in the words of `items` (or begin them, `at_start`)?"""
    words = tuple(w for item in items for w in item.words)
    starts = range(1) if at_start else range(len(words))
    return any(
        words[i : i + n] in phrases for i in starts for n in range(1, min(4, len(words) - i) + 1)
    )


def _is_worry(trigger: _Item) -> bool:
    """ "should i worry if", "should i be worried if": a question, not a denial, when what
    follows is said in the present tense."""
    return trigger.words[-1] == "if" and bool(_WORRY.intersection(trigger.words))


def _no_then_mine(clause: list[_Item], at: int) -> bool:
    """ "no my lips are swelling" is "No, my lips are swelling": "no" denies a bare noun ("no
    swelling"), never "my"."""
    return (
        clause[at].words == ("no",)
        and at + 1 < len(clause)
        and clause[at + 1].words[0] in _OWNING_SELF
    )


def _site_cleared(clause: list[_Item], at: int, all_right: PhraseSet) -> bool:
    """A site said to be all right ("lips are fine") or negated ("no throat issues") lends
    no meaning to the words around it ("..., came up in massive welts")."""
    before = [k for k in range(max(0, at - 2), at) if clause[k].words not in {("my",), ("the",)}]
    trigger = clause[before[-1]] if before else None
    if (
        trigger is not None
        and trigger.has("negation")
        and not _is_worry(trigger)
        and not _no_then_mine(clause, before[-1])
    ):
        return True  # (a worry is not a denial: "should I worry if my throat feels tight?")
    looked = 0
    for item in clause[at + 1 :]:
        if item.has("comma") or _is_concept(item):
            return False
        if item.words in all_right:
            return True
        if not (item.has("site") or item.has("connector")):  # "lips and tongue are normal"
            looked += 1
            if looked == 3:
                break
    return False


def _segments(items: list[_Item], knowledge: TriageKnowledge) -> list[_Segment]:
    """The parts of a message checked for unread words and whose symptom it is: sentences cut
    at commas and reader.yaml's segment breaks ("and", "but")."""
    breaks = knowledge.word_lists.get("segment_breaks", _NONE)
    writer_self = knowledge.word_lists.get("writer_self", _NONE)
    asked = knowledge.word_lists.get("help_questions", _NONE)
    conditionals = knowledge.word_lists.get("conditionals", _NONE)
    segments: list[list[_Item]] = [[]]
    sentence: list[_Item] = []  # the sentence so far
    new_sentence, contrast, by_self = True, False, False
    opener: tuple[str, ...] = ()
    for at, item in enumerate(items):
        if item.words in _OR and any(i.has("negation") for i in segments[-1]):
            segments[-1].append(item)  # "no swelling of my lips or tongue": one negated list
            continue
        if (
            item.words in _OR
            and _completes(segments[-1], item, asked)
            and _has_phrase(sentence, conditionals)
        ):
            # "if my lips swell tonight, do I call 999 or the clinic?": one question of which
            # help, asked ahead of need; not a call for help ("do I call 999") and a clinic
            segments[-1].append(item)
            continue
        if not item.has("end"):
            sentence.append(item)
        elif item.words not in _BRACKETS:
            sentence = []
        if item.words in _AND_OR and _joins_sites(
            items, at, bare=all(i.has("site") or i.has("filler") for i in segments[-1])
        ):
            segments[-1].append(item)  # "on my forehead and top lip": one place
            continue
        if item.has("end") or item.has("comma") or item.words in breaks:
            # a bracket closes a clause, not the sentence: "my friend (she had nothing done)
            # threw up" is one sentence about her
            new_sentence = new_sentence or (item.has("end") and item.words not in _BRACKETS)
            contrast = item.has("terminator") and item.words in breaks
            # "so I" cut off a part: the writer spoke of themself there
            by_self = item.words in breaks and any((w,) in writer_self for w in item.words)
            opener = item.words if item.words in breaks else ()
            if segments[-1]:
                segments.append([])
            continue
        if not segments[-1]:
            item.sentence_start = new_sentence
            item.after_contrast = contrast
            item.after_self = by_self
            item.opener = opener
            new_sentence = contrast = by_self = False
        segments[-1].append(item)
    return [_Segment(s, knowledge.word_index) for s in segments if s]


def _completes(part: list[_Item], item: _Item, phrases: PhraseSet) -> bool:
    """Does `item` end one of `phrases` begun by the last words of `part`?"""
    words = [w for i in part[-phrases.longest :] for w in i.words] + list(item.words)
    return any(tuple(words[-n:]) in phrases for n in range(2, min(len(words), phrases.longest) + 1))


_NONE = PhraseSet()


class _Segment(list[_Item]):
    """A part of the message, looked up once in all of reader.yaml's word lists: where each
    list's phrases start (the longest at each place, like the phrase matcher) and which items
    they cover."""

    def __init__(self, items: list[_Item], index: WordIndex) -> None:
        super().__init__(items)
        words = tuple(w for item in items for w in item.words)
        owners = tuple(i for i, item in enumerate(items) for _ in item.words)
        self.starts: dict[str, list[int]] = {}
        self.spans: dict[str, list[tuple[int, int]]] = {}  # word start, word end
        n = len(words)
        reach = index.reach
        for start in range(n):
            seen: set[str] = set()
            for length in range(min(reach.get(words[start], 0), n - start), 0, -1):
                for name in index.names.get(words[start : start + length], ()):
                    self.spans.setdefault(name, []).append((start, start + length))
                    if name not in seen:
                        seen.add(name)
                        self.starts.setdefault(name, []).append(owners[start])
        self.words, self.owners = words, owners


def _find(segment: _Segment, phrases: PhraseSet) -> list[int]:
    """Indexes of the items where one of `phrases` starts (phrases may span items)."""
    return segment.starts.get(phrases.name, []) if phrases else []


def _sentences(segments: list[_Segment]) -> list[list[_Segment]]:
    """The segments grouped by the sentence they belong to."""
    sentences: list[list[_Segment]] = []
    for segment in segments:
        if segment[0].sentence_start or not sentences:
            sentences.append([])
        sentences[-1].append(segment)
    return sentences


def _untreated_sentences(segments: list[_Segment], lists: Mapping[str, PhraseSet]) -> list[bool]:
    """For each segment: does its sentence say someone other than the writer had no
    treatment ("he never had the treatment"; not "I didn't have anything done")? A sentence
    that opens on he, she or they and says so speaks of the sentence before too ("My husband
    has hives. He's never had any treatment.")."""
    flags: list[list[bool]] = []  # one list per sentence, a flag per segment
    for sentence in _sentences(segments):
        said = any(
            start == 0 or (segment.words[start - 1],) not in lists["writer_self"]
            for segment in sentence
            for start, _ in segment.spans.get(lists["untreated"].name, [])
        ) or _opens_not_me(sentence, lists)
        if said and flags and _find(sentence[0], lists["pronouns"])[:1] == [0]:
            flags[-1] = [True] * len(flags[-1])
        flags.append([said] * len(sentence))
    return [flag for sentence in flags for flag in sentence]


def _opens_not_me(sentence: list[_Segment], lists: Mapping[str, PhraseSet]) -> bool:
    """ "Not me, it's my wife, she's wheezy": a sentence opening on a part that is only a
    disowning phrase speaks of someone else."""
    return len(sentence) > 1 and _closes(sentence[0], lists.get("disowned", _NONE)) == 0


def _marks(
    segment: _Segment,
    lists: Mapping[str, PhraseSet],
    last_named: str,
    *,
    untreated: bool,
    writer_treated: bool,
    writer_own: bool,
    writer_site: bool = False,
    writer_patient: bool = True,
    writer_says_own: bool = False,
    comparing: bool = False,
) -> list[tuple[int, str]]:
    """Who each part of a segment speaks of: (item index, other | patient | hearsay | report),
    in order. See reader.yaml's `experiencer` for the word lists and why each is there."""
    people = lists["people"]
    locations = lists.get("site_locations", _NONE)
    treated = set(_find(segment, lists["treated"]))
    # "my sister had the treatment this morning": the person written about is the patient
    verbs = {
        v
        for v in _find(segment, lists["experience_verbs"])
        if not any(_treatment_after(segment, v, t) for t in treated)
    }
    had_treatment = {v for v in _find(segment, lists["experience_verbs"]) if v not in verbs}
    theirs = _says_theirs(segment, lists)
    here = bool(_find(segment, lists["treated_here"]))  # "... on the way home from you"
    marks: list[tuple[int, str]] = []
    proxies = _find(segment, lists["proxies"])
    # "I support a man with ...": "a man" inside a carer's phrase is the patient
    in_proxy = _inside(segment, lists["proxies"])
    # "lad on my shift", "what do i do if i come up in": a person inside a phrase of the
    # others or hearsay lists is that phrase's, not a mark of its own
    in_people = _inside(segment, lists["others"]) | _inside(segment, lists["hearsay"])
    similes = {
        segment.owners[end]
        for start, end in segment.spans.get(lists["similes"].name, [])
        if end < len(segment.owners)
    }
    if comparing:  # "... like a tight jumper and someone keeps pulling it": the comparison's
        similes |= {at for at in _find(segment, lists.get("indefinite", _NONE)) if at <= 1}
    # "Flatmate writing.": the writer introducing themself; "All fine mate": the clinic
    # addressed; neither is someone else with a symptom
    others = _find(segment, lists["others"])
    # "even the baby lotion stings": a person inside a harmless phrase is no one
    fillers = {at for at, item in enumerate(segment) if item.has("filler") and len(item.words) > 1}
    in_filler = {
        segment.owners[start]
        for start, end in segment.spans.get(lists["others"].name, [])
        if any(segment.owners[k] in fillers for k in range(start, end))
    }
    introduced = (
        {
            at
            for name in ("scribes", "addressed")
            for at in (
                set(_find(segment, lists.get(name, _NONE)))
                | _inside(segment, lists.get(name, _NONE))
            )
        }
        if others
        else set()
    )
    for at in others:
        if at in in_proxy or at in similes or at in introduced or at in in_filler:
            continue
        # a friend or a stranger as the subject ("my friend had...", "the lady was...")
        if theirs:  # "my mate had the same treatment and ..."
            marks.append((at, "other"))
        elif here or any(at < v <= at + 3 for v in had_treatment):
            marks.append((at, "patient"))
        elif at <= 2 or any(at < v <= at + 3 for v in verbs):
            marks.append((at, "other"))
    # "my daughter's wedding is in a fortnight" (read "daughter is wedding"): her wedding, not her
    possessed = set(_find(segment, lists.get("possessed", _NONE)))
    possessing = {
        at
        for at in range(len(segment) - 2)
        if segment[at + 1].words == ("is",) and at + 2 in possessed
    }
    for at in _find(segment, lists["relatives"]):
        # a relative may be the patient (a son writing for his mum): only with their own
        # experience ("my mum had hives", "... after hers") or said to have had no treatment,
        # or when the writer speaks of their own treated face ("Me, my face is just a bit dry")
        # and the relative is not said to have been treated too
        treated_too = any(at < v <= at + 3 for v in had_treatment)
        # "my sister's lips swelled up ... I'm fine, just pink" (read "sister is lips"): her own
        # part, when the writer says how they are themself
        owns_part = (
            at + 2 < len(segment)
            and segment[at + 1].words == ("is",)
            and segment[at + 2].has("site")
        )
        if at in possessing:
            continue
        other = (
            (
                theirs
                or untreated
                or (writer_patient and any(at < v <= at + 3 for v in verbs))
                or (owns_part and writer_says_own)
                or (writer_own and not treated_too)
                # "suami saya demam 39 ... my face only peeling": a symptom said right after the
                # relative, when the writer says how their own face is
                or (
                    writer_site
                    and not treated_too
                    and any(map(_is_symptom, segment[at + 1 : at + 3]))
                )
            )
            and not here
        )
        marks.append((at, "other" if other else "patient"))
    # a husband or a son said to have had no treatment is someone else; so is one with an
    # experience of their own when the writer speaks of their own treated face
    for at in proxies:
        if at in in_people or at in possessing:
            continue  # ("boy" inside "little boy" is the child's phrase)
        their_own = (
            (writer_treated or writer_site)
            and not here
            and (at <= 2 or any(at < v <= at + 3 for v in verbs))
        )
        marks.append((at, "other" if untreated or their_own else "patient"))
    # "I read that lips can swell": the writer opening what they heard is its source, not its
    # patient
    heard_from = set(_find(segment, lists["hearsay"]))
    marks += [
        (at, "patient")
        for at in _find(segment, lists["first_person"])
        if at not in in_people and at not in heard_from
    ]
    # "my friend used her epi pen on me", "... gave me a shot of it": what was done to the
    # writer is theirs, from the symptom said last before it (no one named between) or from
    # where it is said
    persons = {*_find(segment, people), *_find(segment, lists["pronouns"])}
    for at in _find(segment, lists.get("done_to_writer", _NONE)):
        if at in fillers:
            continue  # "my boss nearly gave me a heart attack asking to see me"
        marks.append((at, "patient"))
        for k in range(at - 1, -1, -1):
            if _is_concept(segment[k]):
                marks.append((k, "patient"))
                break
            if k in persons:
                break
    for at, item in enumerate(segment):  # the patient's own symptom or part: "... my gullet"
        # ... or a symptom phrase ending on "my" before a part ("a burn on my" + "jaw")
        if (
            "my" in item.words[:-1]
            or (item.words[-1] == "my" and at + 1 < len(segment) and segment[at + 1].has("site"))
        ) and (_is_concept(item) or item.has("site")):
            marks.append((at, "patient"))
    for at, item in enumerate(segment):  # "my lips", not "my friend" or "my aftercare balm"
        if (
            item.words == ("my",)
            and at not in in_people
            and not _person_follows(segment, at, people)
            and any(i.has("site") or _is_concept(i) for i in segment[at + 1 : at + 3])
        ):
            # "a deep burn on my jaw": the symptom the place is said of is the writer's too
            placed = at >= 2 and segment[at - 1].words in locations and _is_concept(segment[at - 2])
            marks.append((at - 2 if placed else at, "patient"))
    # "looks like an Instagram filter": a source named in a comparison is no hearsay
    compared = similes | {at + 1 for at in similes}
    # "the vitamin c TikTok told me to use made it sting": a source of advice is no hearsay
    advised = {at - k for at in _find(segment, lists.get("advice", _NONE)) for k in (1, 2)}
    marks += [
        (at, "hearsay")
        for at in _find(segment, lists["hearsay"])
        if at not in compared and at not in advised
    ]
    # "my friend says my lips look swollen": what follows is the patient's; "my friend said
    # her throat closed up": a pronoun after the verb keeps the one named; so does one before
    # it when the writer's own words do not follow ("she says the room is spinning")
    # ("she told me her lips were numb": what comes after the whole verb phrase, "told me")
    own_after = _find(segment, lists["writer_self"])
    reporting = lists["reporting_verbs"]
    ends = {
        segment.owners[start]: segment.owners[end] if end < len(segment.owners) else len(segment)
        for start, end in segment.spans.get(reporting.name, [])
    }
    marks += [
        (at, "report")
        for at in _find(segment, reporting)
        if not (
            (after := ends.get(at, at + 1)) < len(segment)
            and segment[after].words in lists["pronouns"]
        )
        and not (
            at >= 1
            and segment[at - 1].words in lists["pronouns"]
            and not any(k >= ends.get(at, at + 1) for k in own_after)
        )
    ]
    # "... after hers" with no one named in the part: whoever was named last, if not a proxy
    named = _find(segment, people)
    if theirs and not named and last_named == "other":
        marks.append((0, "other"))
    return sorted(marks)


def _mark_experiencer(segments: list[_Segment], knowledge: TriageKnowledge) -> None:
    """Mark the items that speak of someone else. A segment without a person of its own
    carries on the one before in its sentence ("my sister got blisters and swelling");
    she/he/they at its start is the last person named."""
    lists = knowledge.word_lists
    if "others" not in lists:
        return
    if not any(segment.spans.get(name) for segment in segments for name in _SOMEONE_ELSE):
        return  # no one else named, nothing heard or disowned: all the patient's (most messages)
    last_named = "patient"
    carried = "patient"
    # "my brother's lip swelled up after a bee sting, he never had the treatment": a sentence
    # that says someone had no treatment (not "I") makes the relative or proxy in it someone else
    untreated_in = _untreated_sentences(segments, lists)
    # ... or named in a part that says how it is ("My son has a fever. My face is a bit dry")
    together = any(_find(s, lists.get("treated_together", _NONE)) for s in segments)
    own_site = not together and any(
        _find(s, lists.get("writer_sites", _NONE))
        and any(_is_symptom(i) or i.has("all_clear") for i in s)
        for s in segments
    )
    writer_treated = (
        any(_find(s, lists.get("writer_treated", _NONE)) for s in segments) and not together
    )
    # ... in the writer's own words ("my face is just a bit dry", not "face healing nicely",
    # which may be said of the one written for)
    self_words = lists.get("writer_self", _NONE)
    writer_own = writer_treated and any(
        (word,) in self_words
        for s in segments
        for start, end in s.spans.get(lists["writer_treated"].name, [])
        for word in s.words[start:end]
    )
    # a relative's own experience is someone else's only when the writer may be the patient
    # (asked only when a relative is named: it is only for them)
    writer_patient = (
        writer_treated
        or own_site
        or not any(_find(s, lists["relatives"]) for s in segments)
        or _writer_may_be_patient(segments, lists)
    )
    # ... the writer saying how they are ("I'm fine", "my face is doing fine")
    writer_says_own = writer_own or any(
        _find(s, lists.get("writer_state", _NONE)) for s in segments
    )
    heard_carried = False
    heard_until = lists.get("hearsay_until", _NONE)
    heard_done = False  # the part before ended on a search done ("i googled it")
    comparing = False  # a comparison was made earlier in the sentence ("like ...")
    for at, segment in enumerate(segments):
        # "I read online it's normal but my lips are swelling": what was heard stops at "but";
        # "i googled it and my lips are swelling": at the part after a search done
        # ... and what a part opening on the present says is the patient's, whoever was named
        # before ("told everyone at work, and now the redness is spreading"); safer
        if (
            segment[0].sentence_start
            or (
                0 in _find(segment, heard_until)
                and not any(at <= 2 for at in _find(segment, lists["pronouns"]))
            )
            or (heard_carried and (segment[0].after_contrast or heard_done))
        ):
            carried = "patient"
        heard_done = _closes(segment, lists.get("hearsay_done", _NONE)) is not None
        if segment[0].sentence_start:
            comparing = False
        marks = _marks(
            segment,
            lists,
            last_named,
            untreated=untreated_in[at],
            writer_treated=writer_treated,
            writer_site=own_site,
            writer_own=writer_own,
            writer_patient=writer_patient,
            writer_says_own=writer_says_own,
            comparing=comparing,
        )
        # ... a comparison of how the writer feels ("like I'm wearing a jumper too small"), not
        # of how a thing looks ("red like a tomato and someone at work has a tight throat")
        comparing = comparing or any(
            segment[k].words in lists["first_person"]
            for at in _find(segment, lists["similes"])
            for k in range(at + 1, min(at + 3, len(segment)))
        )
        if any(at <= 1 for at in _find(segment, lists["pronouns"])):
            # "(she didn't have anything done)": he or she, said to have had no treatment of
            # ours or one of their own, is someone else, and stays so for the parts after
            named = _find(segment, lists["people"])
            who = "other" if not named and _find(segment, lists["untreated"]) else last_named
            opens = any(
                at <= 1 and not _is_concept(segment[at]) for at in _find(segment, lists["pronouns"])
            )
            if heard_carried and opens and not named:
                who = "other"  # "read on a forum that someone's lips swelled and she..."

            marks = sorted([(0, who), *marks])
        current, heard = carried, False
        pending = list(marks)
        for i, item in enumerate(segment):
            while pending and pending[0][0] <= i:
                _, kind = pending.pop(0)
                if kind == "hearsay":
                    current, heard = "other", True
                elif kind == "report":
                    if not heard:
                        current = "patient"  # "my friend says my lips look swollen"
                else:
                    current = kind
                    last_named = kind
            item.others = current == "other"
            item.heard = item.others and heard
        carried, heard_carried = current, heard and current == "other"
    # "... he had his face done this afternoon": the person written about had the treatment, so
    # they are the patient, and so is a friend said to be treated ("my flatmate Tom keeled
    # over ... He had microneedling on Saturday"); hearsay and "theirs" stay theirs. Safer.
    speaks_of_self = any(_find(segment, lists["first_person"]) for segment in segments)
    if any(_says_they_were_treated(segment, lists, speaks_of_self) for segment in segments) or any(
        _treated_after_naming(segment, before, lists)
        for before, segment in zip(segments, segments[1:], strict=False)
    ):
        for segment in segments:
            if not any(_find(segment, lists[name]) for name in ("hearsay", "theirs")):
                for item in segment:
                    item.others = False
    # A message in which the writer never speaks of themself ("Flatmate here. She's gone grey
    # round the lips"; "my friend just had a fit in the waiting room") is written for the
    # patient: whoever it speaks of is the patient, unless it is hearsay ("someone online
    # said"). Safer: the symptoms count.
    # "... is that a risk? feeling normal": the writer's own state, without a pronoun; not a
    # denial that goes on about the person written about ("her face is warm. It's not red")
    own_state = any(
        not item.others
        and (
            (_is_symptom(item) and not item.negated)  # not a cue alone ("came off")
            or item.has("all_clear")
            or (item.has("negation") and any(i.words[0] in _FEELING for i in segment))
        )
        for segment in segments
        for item in segment
    )
    theirs = any(_says_theirs(segment, lists) for segment in segments)  # "after hers"
    # "my flatmate went wheezy after her treatment so I did her pen ... what do we do?": the
    # one treated is the patient when the writer says nothing of their own skin. Safer.
    treated_unless = lists.get("treated_unless_writer", _NONE)
    own_denial = any(
        not item.others and item.negated and _is_symptom(item)
        for segment in segments
        for item in segment
    )  # "I never had cold sores in my life": the writer speaks of their own skin
    said_own = (
        own_state or own_denial or any(_find(s, lists.get("writer_state", _NONE)) for s in segments)
    )
    written_for = not said_own and any(_find(s, treated_unless) for s in segments)
    if written_for or not (own_state or theirs or any(_speaks_of_self(s, lists) for s in segments)):
        for segment in segments:
            if not _find(segment, lists["hearsay"]):
                for item in segment:
                    item.others = False
    # "I've got a stinking cold and a sore throat, but that's me, not her": the writer's own
    # (only where the phrase closes its part: not "short of breath, which is not me at all")
    disowned = lists.get("disowned", _NONE)
    for sentence in _sentences(segments):
        said = [at for at, part in enumerate(sentence) if _closes(part, disowned) is not None]
        if said:
            closing = sentence[said[-1]]
            at_end = _closes(closing, disowned) or 0
            bare = tuple(w for item in closing[at_end:] for w in item.words) == ("not", "me")
            for part in sentence[: said[-1] + 1]:
                # "I'm huffing and puffing ..., and Lyle did the shoveling today not me": a bare
                # "not me" says who did a thing, not whose a part the writer says of themself is
                if bare and any(item.words[0] == "i" for item in part):
                    continue
                end = _closes(part, disowned)
                for item in part[:end] if end is not None else part:
                    item.others = item.others or _is_concept(item)
    # "my sister had swollen lips after hers, now I have it too": the writer has what was said
    # of someone else before, so it counts as the patient's too. Safer.
    for at, segment in enumerate(segments):
        if _shares(segment, lists):
            for before in segments[: at + 1]:
                for item in before:
                    item.others = item.others and not _is_concept(item)


def _writer_may_be_patient(segments: list[_Segment], lists: Mapping[str, PhraseSet]) -> bool:
    """ "Dad's got a few wee heads on his forehead ... I've a cold": the writer writes for the
    relative unless they speak of their own skin, a symptom or their own treatment."""
    said_of = [any(_is_symptom(i) or i.has("all_clear") for i in s) for s in segments]
    speaking = [s[0].after_self or _speaks_of_self(s, lists) for s in segments]
    return (
        any(
            (speaking[at] and said_of[at])
            or _find(s, lists.get("writer_state", _NONE))
            or (speaking[at] and _find(s, lists["treated"]))
            for at, s in enumerate(segments)
        )
        # "... so I was a bit worried, but everything's flat and healing": a writer who speaks
        # of themself and of skin no one is named for, in a sentence or a contrast of its own
        # (not "Dad's got wee heads and thick pus came out", which goes on about Dad)
        or (
            any(speaking)
            and any(
                said_of[at]
                and (s[0].sentence_start or s[0].after_contrast)
                and not any(_find(s, lists[name]) for name in _PEOPLE_LISTS)
                for at, s in enumerate(segments)
            )
        )
    )


def _shares(segment: _Segment, lists: Mapping[str, PhraseSet]) -> bool:
    """Does the writer say they have it too ("me too", "now mine are swelling as well")?"""
    if any(not segment[at].has("filler") for at in _find(segment, lists.get("shared", _NONE))):
        return True  # (not inside a harmless phrase: "worried it will happen to me too")
    closing = _closes(segment, lists.get("shared_closing", _NONE))
    return closing is not None and bool(_find(segment, lists.get("shared_owner", _NONE)))


def _closes(segment: _Segment, phrases: PhraseSet) -> int | None:
    """Where one of `phrases` starts, if it is the last thing in the segment."""
    for start, end in segment.spans.get(phrases.name, []):
        if end == len(segment.words):
            return segment.owners[start]
    return None


def _says_theirs(segment: _Segment, lists: Mapping[str, PhraseSet]) -> bool:
    """Does this part speak of someone else's own treatment ("after hers", "the same treatment")?
    Not "after his treatment": the treatment named after "his" is the one the check-in is for."""
    treated = segment.spans.get(lists["treated"].name, [])
    here = segment.spans.get(lists["treated_here"].name, [])
    # "numb like after injection at the dentist": a comparison, not the dentist's patient
    compared = [start for start, _ in segment.spans.get(lists["similes"].name, [])]
    return any(
        # a treatment named right after, or sharing the last word: "after his" + "his session"
        not any(start < t_start <= end < t_end for t_start, t_end in treated)
        # ... or the clinic's own treatment: "after his appointment"
        and not any(h_start <= start and end <= h_end for h_start, h_end in here)
        and not any(c < start for c in compared)
        for start, end in segment.spans.get(lists["theirs"].name, [])
    )


def _inside(segment: _Segment, phrases: PhraseSet) -> set[int]:
    """The items inside one of `phrases` after its first word (phrases may span items)."""
    return {
        segment.owners[w]
        for start, end in segment.spans.get(phrases.name, [])
        for w in range(start + 1, end)
    }


def _speaks_of_self(segment: _Segment, lists: Mapping[str, PhraseSet]) -> bool:
    """Does the writer speak of themself here: "I", "me", "mine", "my lips", but not "my
    friend" (the person written about)?"""
    people = lists["people"]
    scribes = lists.get("scribes", _NONE)
    typing = set(_find(segment, scribes)) | _inside(segment, scribes)  # "so I'm typing"
    for at in _find(segment, lists["writer_self"]):
        if segment[at].words[0] in _OWNING_SELF and _person_follows(segment, at, people):
            continue
        if at in typing:
            continue
        return True
    return False


def _person_follows(segment: _Segment, at: int, people: PhraseSet) -> bool:
    """Is the item at `at` followed by a person ("my" + "friend", "my" + "little boy")?"""
    end = segment.owners.index(at) + len(segment[at].words)
    following = segment.words[end:]
    return any(following[: len(p)] == p for p in people)


def _treatment_after(segment: _Segment, verb: int, treatment: int) -> bool:
    """Is the treatment named right after the verb ("had the treatment", "had it done"), or
    after a determiner and one word ("had the gentle needling"; not "went blind from
    microneedling")?"""
    return verb < treatment <= verb + 2 or (
        treatment == verb + 3 and segment[verb + 1].words[0] in _DETERMINERS
    )


def _treated_after_naming(
    segment: _Segment, before: _Segment, lists: Mapping[str, PhraseSet]
) -> bool:
    """ "flatmate (Jo, they/them) had microneedling this morning": a part of the same sentence
    that opens with the treatment, right after a part naming someone other than the writer
    (not "My face (had the needling Monday) is fine")."""
    if segment[0].sentence_start or _find(before, lists["writer_self"]):
        return False
    verbs = _find(segment, lists["experience_verbs"])
    return (
        any(_find(before, lists[name]) for name in _PEOPLE_LISTS)
        and verbs[:1] == [0]
        and any(_treatment_after(segment, 0, t) for t in _find(segment, lists["treated"]))
    )


def _says_they_were_treated(
    segment: _Segment, lists: Mapping[str, PhraseSet], speaks_of_self: bool
) -> bool:
    """Does this part say a relative, a proxy or "he"/"she" had the treatment ("he had his face
    done", "my mum had a fit after her treatment")?"""
    people = [
        *_find(segment, lists["pronouns"]),
        *_find(segment, lists["relatives"]),
        *_find(segment, lists["proxies"]),
    ]
    treated = _find(segment, lists["treated"])
    verbs = _find(segment, lists["experience_verbs"])
    # the treatment named as theirs ("her treatment", "her face treatment") after the person
    owned = [
        segment.owners[start - back]
        for start, _ in segment.spans.get(lists["treated"].name, [])
        for back in (1, 2)
        if start >= back and segment.words[start - back] in _POSSESSIVES
    ]
    return (
        any(
            p < v and _treatment_after(segment, v, t)
            for p in people
            for v in verbs
            for t in treated
            if v - p <= 2
        )
        # "she was off to get her face done at your clinic": treated here
        or bool(people and _find(segment, lists["treated_here"]))
        # "..., his face was done this morning": the treatment said as theirs, opening its part
        # (not "came out in hives after her session at a different place")
        or any(
            start == 0 and segment.words[start] in _POSSESSIVES
            for start, _ in segment.spans.get(lists["treated"].name, [])
        )
        # ... unless the writer speaks of themself in the message ("my cousin got cold sores
        # after her treatment, I never had one")
        or (any(p < o for p in people for o in owned) and not speaks_of_self)
    ) and not _says_theirs(segment, lists)


def _mark_reason(segments: list[_Segment], knowledge: TriageKnowledge) -> None:
    """In a sentence that says why the patient was treated ("had it done for my acne scars",
    "my old dark spots"), the scars, spots or patches are that reason, not a new sign, unless
    said to be new or worse."""
    markers = knowledge.word_lists.get("reason_markers", _NONE)
    rft = knowledge.reader.reason_for_treatment
    if not markers or rft is None:
        return
    new = knowledge.word_lists.get("new_markers", _NONE)
    new_later = knowledge.word_lists.get("new_after_markers", _NONE)
    for sentence in _sentences(segments):
        if not any(_find(segment, markers) for segment in sentence):
            continue
        # "a raised lumpy scar on my jaw, it's new not one of my old ones": a later part that
        # names no scar or spot of its own and says new (not "nothing new") speaks of it
        new_after = [
            bool(said := _find(later, new_later))
            and not any(item.has("negation") for item in later[: said[0]])
            and not any(code in rft.codes for item in later for code in item.values("concept"))
            for later in sentence
        ]
        for at, segment in enumerate(sentence):
            if _find(segment, new) or any(_find(earlier, new) for earlier in sentence[:at]):
                continue  # "a new raised, shiny, firm scar": new for the rest of the sentence
            if any(new_after[at + 1 :]):
                continue
            for item in segment:
                codes = item.values("concept")
                if item.trend != "worsening" and any(code in rft.codes for code in codes):
                    item.reason = True
    # scars, spots or patches said to be fading are the treated ones getting better
    for segment in segments:
        for item in segment:
            if item.trend == "improving" and any(c in rft.codes for c in item.values("concept")):
                item.reason = True


def _mark_growth(segments: list[_Segment], knowledge: TriageKnowledge) -> None:
    """ "The bruise was 1 inch yesterday and it's about 2 inches today": in a sentence, a
    number said with an earlier time and a bigger one said after it with now (neither a day
    nor a time: "day 3", "2 hours") make the sentence's symptoms worsening. So does a bigger
    number said now in the next sentence, when that sentence speaks of the same symptom or
    points back to it ("The burning was 3/10 yesterday. Today it is 6/10.", "Redness covered
    40 percent on day 1. Today it covers 60 percent."); a score counts as its number."""
    lists = knowledge.word_lists
    earlier, now = lists.get("growth_earlier", _NONE), lists.get("growth_now", _NONE)
    if not earlier:
        return
    not_measures = lists.get("growth_not_measures", _NONE)
    pronouns = lists.get("site_pronouns", _NONE)
    growth = knowledge.reader.growth
    sizes = [(float(cm), lists[f"growth_size_{cm}"]) for cm in growth.sizes] if growth else []
    before: list[float] = []  # the earlier numbers of the sentence before
    before_sentence: list[_Segment] = []
    for sentence in _sentences(segments):
        then_values: list[float] = []
        grew = grew_since_before = False
        # a part with no time of its own takes its sentence's ("Today, day 3, it covers 60 %")
        whens = [
            "now" if _find(p, now) else "earlier" if _find(p, earlier) else None for p in sentence
        ]
        said = set(whens) - {None}
        for part, when in zip(sentence, whens, strict=True):
            if when is None and len(said) == 1:
                when = next(iter(said))
            if when is None:
                continue
            values: list[tuple[int, float]] = [
                (at, cm) for cm, phrases in sizes for at in _find(part, phrases)
            ]
            for i, item in enumerate(part):
                value = _score(item)
                if value is None and item.has("number"):
                    near = [part[k].words for k in (i - 1, i + 1) if 0 <= k < len(part)]
                    if not any(words in not_measures for words in near):
                        value = float(item.values("number")[0])
                if value is not None:
                    values.append((i, value))
            for _, value in sorted(values):
                if when == "earlier":
                    then_values.append(value)
                elif any(value > then for then in then_values):
                    grew = True
                elif any(value > then for then in before):
                    grew_since_before = True
        if grew_since_before and _speaks_of(sentence, before_sentence, pronouns):
            _worsen([*before_sentence, *sentence])
        elif grew:
            _worsen(sentence)
        before, before_sentence = then_values, sentence


def _speaks_of(sentence: list[_Segment], earlier: list[_Segment], pronouns: PhraseSet) -> bool:
    """Does a sentence point back to the one before ("Today it is 6/10") or name one of its
    symptoms again, and no other?"""
    codes = {c for part in earlier for i in part if _is_symptom(i) for c in i.values("concept")}
    own = {c for part in sentence for i in part if _is_symptom(i) for c in i.values("concept")}
    if own:
        return own <= codes
    return any(_find(part, pronouns) for part in sentence)


def _worsen(parts: list[_Segment]) -> None:
    for part in parts:
        for item in part:
            if _is_concept(item) and not (item.negated or item.others):
                item.trend = "worsening"


def _score(item: _Item) -> float | None:
    """The score of an "8 out of 10" item (written "8/10"), else None."""
    words = item.words
    if len(words) == 4 and words[1:] == ("out", "of", "10") and words[0].isdigit():
        return float(words[0])
    return None


def _scores_rate_the_symptom_before(clauses: list[list[_Item]]) -> None:
    """ "Redness severe, 8/10", "Itching 9/10": a high score right after another symptom rates
    that symptom; it is no pain of its own (a bare "8/10" is pain: see symptoms.yaml)."""
    for clause in clauses:
        for at, item in enumerate(clause):
            if _score(item) is None or "pain" not in item.values("concept"):
                continue
            before = [i for i in clause[max(0, at - 6) : at] if _is_symptom(i)]
            if before and "pain" not in before[-1].values("concept"):
                item.set_meanings(tuple(m for m in item.meanings if m != ("concept", "pain")))


def _mark_rising_scores(segments: list[_Segment], past: PhraseSet) -> None:
    """ "Pain log: D2 3/10, D3 4/10, D4 6/10": scores one after another with no other symptom
    between, the last higher than the one before, make the symptom they rate (the last named
    before them) worsening. Not in a sentence that speaks of the past ("2/10 today, it was
    4/10 on day 1": the order written is not the order in time). A line that holds only a
    score ("Day 3: 3/10" on a line of its own) goes on the run of the line before."""
    runs: list[list[_Segment]] = []
    for sentence in _sentences(segments):
        items = [item for part in sentence for item in part]
        only_a_score = any(_score(i) is not None for i in items) and not any(
            map(_is_symptom, items)
        )
        if runs and only_a_score:
            runs[-1] += sentence
        else:
            runs.append(list(sentence))
    for sentence in runs:
        items = [item for part in sentence for item in part]
        if sum(_score(item) is not None for item in items) < 2 or any(
            _find(part, past) for part in sentence
        ):
            continue
        run: list[float] = []
        rated: _Item | None = None
        for item in [*items, None]:
            score = _score(item) if item is not None else None
            if score is not None:
                run.append(score)
                continue
            if len(run) >= 2 and run[-1] > run[-2] and rated is not None:
                rated.trend = "worsening"
            if item is not None and _is_symptom(item):
                run = []
                if not (item.negated or item.others):
                    rated = item


def _mark_history(segments: list[_Segment], knowledge: TriageKnowledge) -> None:
    """A part that places its symptoms long before the treatment or calls them a habit ("I
    fainted once at a blood test years ago", "I usually get cold sores in winter") speaks of
    the patient's history: not counted now, and not settled just now either (a faint, a fit
    or an airway episode of years ago asks for no same-day review). Not when the part also
    says now ("swelling like last year", "today"), nor in a message that says it happened
    again ("... and I just had another one")."""
    markers = knowledge.word_lists.get("history_markers", _NONE)
    unless = knowledge.word_lists.get("history_unless", _NONE)
    recurs = knowledge.word_lists.get("history_recurs", _NONE)
    habits = knowledge.word_lists.get("history_habits", _NONE)
    compared = knowledge.word_lists.get("history_compared", _NONE)
    recent = knowledge.word_lists.get("history_recent", _NONE)
    care_talk = knowledge.word_lists.get("care_talk", _NONE)
    if any(
        not _after_nothing(segment, at)
        and not _denied(segment, at)
        and not segment[at].others  # "mum was fine too"
        and not (at and segment[at - 1].has("negation"))  # "I'm fine too"
        # (not a question about care: "when can I shave the beard area again?")
        and not _find(segment, care_talk)
        # (nor a word of a time or place long ago: "last year at another clinic")
        and at not in _items_of(segment, markers)
        for segment in segments
        for at in _find(segment, recurs)
    ):
        return  # it happened again (not "nothing came back")
    opened = False  # a sentence opened with a time alone: "Many years ago, I fainted at ..."
    placed = False  # the part before was placed long ago
    before: _Segment | None = None  # the part before
    for segment in segments:
        if segment[0].sentence_start or segment[0].after_contrast:
            opened = False
        # "I fainted years ago at a blood test 💉😅 nothing like that since the treatment": an
        # emoji ends the thought for this
        for part in _split_at_emoji(segment, knowledge):
            # (not a time inside a harmless phrase: "the pen the clinic gave me last year")
            found = _find(part, markers)
            if found and any(part[at].has("filler") for at in found):
                found = [at for at in found if not part[at].has("filler")]
            # "my throat is closing like in 2019": a time compared with is not the part's time
            comparisons = part.spans.get(compared.name, [])
            placed_at = part.spans.get(markers.name, []) if comparisons else []
            compared_with = {
                part.owners[w]
                for a, b in placed_at
                if any(start < a <= end for start, end in comparisons)
                for w in range(a, b)
            }
            found = [at for at in found if at not in compared_with]
            # "last year I had a peel somewhere else and got a blister on my lip": a part that
            # goes on with a verb of the past, and no subject or time of its own, is that time too
            goes_on = (
                placed
                and not part[0].sentence_start
                and not part[0].after_contrast
                and any(i.words[0] in _PAST_VERBS or _past_tense(i) for i in part[:3])
                # (no time of its own: "... and my lips swelled up yesterday")
                and not _find(part, recent)
            )
            placed = False
            if (found or opened or goes_on) and not _find(part, unless):
                # a habit names what follows it: what comes before is now
                start = min(found) if found and set(found) <= set(_find(part, habits)) else 0
                for item in part[start:]:
                    if _is_concept(item):
                        item.history, item.resolved = True, False
                placed = not (found and set(found) <= set(_find(part, habits)))
            if found and _only(part, markers, _TIME_OPENERS):
                opened = True
                # "I had hives once, years ago, after a prawn cocktail": a time alone also
                # places the part just before it in its sentence, when that one says "had" or
                # "once" (not "my lips swelled up, years ago, ..."), and no time of its own
                if (
                    before
                    and not part[0].sentence_start
                    and not _find(before, unless)
                    and {("had",), ("once",)} & {i.words for i in before}
                    and not _find(before, recent)
                ):
                    for item in before:
                        if _is_concept(item):
                            item.history, item.resolved = True, False
            before = part


# verbs of the past that go on a clause with its subject and time ("... and got a blister")
_PAST_VERBS = frozenset(
    (
        "got",
        "had",
        "came",
        "went",
        "broke",
        "took",
        "was",
        "were",
        "ended",
        "became",
        "needed",
        "blew",
        "used",
    )
)
# words that may stand beside a time that opens a sentence: "Before, many years ago, I ..."
_TIME_OPENERS = frozenset({"before", "many", "so", "well", "oh", "and", "but", "um", "erm"})


def _only(segment: _Segment, phrases: PhraseSet, besides: frozenset[str]) -> bool:
    """Is the segment nothing but `phrases` (and words of `besides`)?"""
    covered = {at for start, end in segment.spans.get(phrases.name, []) for at in range(start, end)}
    return bool(covered) and all(
        at in covered or word in besides for at, word in enumerate(segment.words)
    )


def _split_at_emoji(segment: _Segment, knowledge: TriageKnowledge) -> list[_Segment]:
    if not any(item.words == _EMOJI_WORDS for item in segment):
        return [segment]
    groups = itertools.groupby(segment, lambda item: item.words == _EMOJI_WORDS)
    return [_Segment(list(g), knowledge.word_index) for emoji, g in groups if not emoji]


def _resolve_past(segments: list[_Segment], knowledge: TriageKnowledge) -> None:
    """A part that only says something settled ("gone now", "it went down") resolves the
    symptoms said before it in its sentence (or, if it opens one, in the sentence before)
    when those speak of the past ("last night", "swelled"). Events (a faint, a fit) happened:
    they are never resolved."""
    past = knowledge.word_lists.get("past", _NONE)
    treated = knowledge.word_lists.get("treated", _NONE)
    events = set(knowledge.reader.events)
    pronouns = knowledge.word_lists.get("pronouns", _NONE)
    ongoing = knowledge.word_lists.get("ongoing", _NONE)
    times = knowledge.word_lists.get("ongoing_times", _NONE)
    before_it_began = knowledge.word_lists.get("before_it_began", _NONE)
    new_since = knowledge.word_lists.get("new_since", _NONE)
    another_event = knowledge.word_lists.get("another_event", _NONE)
    writer_sites = knowledge.word_lists.get("writer_sites", _NONE)
    people = knowledge.word_lists.get("people", _NONE)
    became = knowledge.grammar.get("became", _NONE)
    expected = knowledge.grammar.get("expectation", _NONE)
    similes = knowledge.word_lists.get("settled_compared", _NONE)
    earlier_times = knowledge.word_lists.get("growth_earlier", _NONE)
    for at, segment in enumerate(segments):
        # "as they finished": someone else's stopping, not a symptom's; nor a person's going
        # ("my boyfriend's gone out for aloe") or another's settling ("my sister had the same
        # and hers was gone by now"); "it's gone white in the middle" is a change, not an end;
        # nor one only expected ("it would be long gone by now surely")
        # ... nor one inside a comparison ("a ringing, kind of like when the fire alarm test
        # has just stopped")
        compared = min(_find(segment, similes), default=len(segment))
        settles = any(
            item.has("resolves")
            and i < compared
            and not (i and segment[i - 1].words in pronouns)
            and not _means_became(segment, i, knowledge.benign, became)
            and not any(segment[k].words in expected for k in range(i))
            for i, item in enumerate(segment)
        ) and not _someone_settles(segment, people, pronouns)
        if settles and _settled_in_place(segment, past):
            before = segment[: max(i for i, item in enumerate(segment) if item.has("resolves"))]
            # and the symptoms listed just before it in its sentence ("the redness and swelling
            # from the first days have gone": "and" made them parts of their own)
            for earlier in reversed(segments[:at]) if not segment[0].sentence_start else ():
                if not all(
                    _is_concept(i) or i.has("filler") or i.has("connector") for i in earlier
                ):
                    break
                before = [*earlier, *before]
                if earlier[0].sentence_start:
                    break
            _settle(before, events)
            continue
        if not settles or any(_is_symptom(item) and not item.negated for item in segment):
            continue
        if _find(segment, treated):
            continue  # "the numbing cream was long gone": the cream settled, not the symptoms
        if _find(segment, before_it_began):
            continue  # "it was normal this morning before the appointment": how it was before
        if segment[0].sentence_start and _find(segment, writer_sites):
            continue  # "Chest hurts ... started this morning. My face looks fine now": the face
        parts: list[_Segment] = []
        crossed = segment[0].sentence_start
        for earlier in reversed(segments[:at]):
            parts.insert(0, earlier)
            if earlier[0].sentence_start:
                if crossed:
                    break
                crossed = True
        # the sentence before counts only if it speaks of the past itself ("Last night my lips
        # swelled. I took an antihistamine and it went down"), not "my face has big itchy
        # lumps. before i nearly fell over but ... it went away"
        starts = [k for k, part in enumerate(parts) if part[0].sentence_start]
        if len(starts) == 2 and not segment[0].sentence_start:
            earlier_sentence = parts[: starts[1]]
            if (
                not (
                    any(_find(part, past) for part in earlier_sentence)
                    or any(_past_tense(i) for part in earlier_sentence for i in part)
                )
                or any(_find(part, past) for part in parts[starts[1] :])
                # "A red line has come up, it wasn't there last night": new, not past
                or any(_find(part, new_since) for part in earlier_sentence)
                # "Rash came up this afternoon. Also I went dizzy ... till it passed"
                or parts[starts[1]][0].opener in another_event
            ):
                # ... nor when its own sentence names its time ("Red spots came out this
                # afternoon. Earlier I almost fell down, very dizzy, ... it went away": the
                # dizzy spell settled, the spots did not). Safer: less is settled.
                parts = parts[starts[1] :]
        before = [item for part in parts for item in part]
        if not before or not (
            any(_find(part, past) for part in parts) or any(_past_tense(i) for i in before)
        ):
            continue
        # "my face has puffed up since this morning and I nearly blacked out, till it
        # passed": what is said to go on is not settled by a later part (the safer reading);
        # nor what a part with no symptom of its own says goes on, in a sentence before ("Came
        # out in lumps on my arms and they're still there. ... went all swimmy till it passed")
        earlier_sentences = _sentences(parts)
        if not segment[0].sentence_start:
            earlier_sentences = earlier_sentences[:-1]  # its own sentence: part by part
        going_on = {
            id(part)
            for sentence in earlier_sentences
            for k, still in enumerate(sentence)
            if _goes_on(still, ongoing, times) and not any(map(_is_concept, still))
            for part in sentence[:k]
        }
        # "My face is itching like mad and earlier I nearly blacked out. I sat down and it
        # passed": a symptom said in the present ("is itching", "are swollen") goes on (safer)
        going_on |= {id(part) for part in parts if _said_in_present(part, past)}
        # "face puffing up more than I expected and earlier I nearly blacked out ... till it
        # passed": what is getting worse goes on (safer)
        going_on |= {id(part) for part in parts if _worsening_now(part, past)}
        # "my face swole, and earlier I got lightheaded ... til it passed": a part opening on a
        # time of its own with a symptom of its own is another episode; what came before it,
        # with no word or verb of the past, goes on (safer: the settling speaks of that episode)
        timed = max(
            (
                k
                for k, part in enumerate(parts)
                if k
                and min(_find(part, earlier_times), default=2) <= 1
                and any(map(_is_concept, part))
            ),
            default=0,
        )
        going_on |= {
            id(part)
            for part in parts[:timed]
            if not _find(part, past)
            and not any(i.words[0] in _PAST_VERBS or _past_tense(i) for i in part)
        }
        # "red rash, phuen, come out on both arm today": a bare name goes with the part after it
        for part, after in reversed(list(zip(parts, parts[1:], strict=False))):
            if (id(after) in going_on or _goes_on(after, ongoing, times)) and all(
                _is_concept(i) or i.has("filler") or i.has("connector") for i in part
            ):
                going_on.add(id(part))
        _settle(
            [
                item
                for part in parts
                if not _goes_on(part, ongoing, times) and id(part) not in going_on
                for item in part
            ],
            events,
        )


def _resolve_cleared_later(segments: list[_Segment], knowledge: TriageKnowledge) -> None:
    """ "It was hard to breathe last night. This morning my breathing is fine": a symptom said
    of the past, and said to be all right in a later sentence (and not said again), has
    settled. Not what a part says goes on ("my lips are swollen since last night")."""
    if not any(_is_concept(i) and i.negated for segment in segments for i in segment):
        return  # nothing said to be all right (most messages)
    past = knowledge.word_lists.get("past", _NONE)
    now = knowledge.word_lists.get("growth_now", _NONE)
    events = set(knowledge.reader.events)
    sentences = _sentences(segments)
    for k, sentence in enumerate(sentences):
        later = [part for s in sentences[k + 1 :] for part in s]
        # (all right now, in a sentence that says now or today: not denied as a habit, "I am
        # not one for dizzy spells as a rule")
        cleared = {
            c
            for s in sentences[k + 1 :]
            if any(_find(part, now) for part in s)
            for part in s
            for i in part
            if _is_concept(i) and i.negated
            for c in i.values("concept")
        }
        cleared -= {
            c
            for part in later
            for i in part
            if _is_concept(i) and not i.negated
            for c in i.values("concept")
        }
        if not cleared:
            continue
        for part in sentence:
            if _said_in_present(part, past) or not (
                _find(part, past) or any(_past_tense(i) for i in part)
            ):
                continue
            _settle([i for i in part if set(i.values("concept")) <= cleared], events)


def _worsening_now(part: _Segment, past: PhraseSet) -> bool:
    """Does this part say its symptom is getting worse now, in the present ("puffing up more
    than I expected", "spreading"), with no word of the past ("swelled up more and more last
    night", "came back bright pink")? A verb after "than" compares; it does not date it."""
    compared = {
        k
        for k in range(len(part))
        if any(j >= 0 and part[j].words == ("than",) for j in (k - 1, k - 2))
    }
    return (
        any("worsening" in item.values("trend") and item.words[0].endswith("ing") for item in part)
        and not _find(part, past)
        and not any(_past_tense(item) for k, item in enumerate(part) if k not in compared)
    )


def _said_in_present(part: _Segment, past: PhraseSet) -> bool:
    """Does this part say its symptom in the present ("my face is itching", "lips are big"),
    with no word of the past?"""
    # "is puffed up", "is all puffed up": a participle right after "is" (or after a word of
    # degree) is a state now, not a past verb ("my daughter's lips puffed up" is not)
    states = {
        k + step
        for k, item in enumerate(part)
        if item.words in _PRESENT
        for step in (1, 2)
        if k + step < len(part) and (step == 1 or part[k + 1].words[0] in _DEGREE)
    }
    return (
        any(
            # ("Aunty Bee has a red spotty rash come up": "has" too, here)
            item.words in _PRESENT | _HAS and any(map(_is_symptom, part[k + 1 : k + 3]))
            for k, item in enumerate(part)
        )
        and not _find(part, past)
        and not any(_past_tense(item) for k, item in enumerate(part) if k not in states)
    )


def _someone_settles(segment: _Segment, people: PhraseSet, pronouns: PhraseSet) -> bool:
    """Is the settling in this part said of a person named or pointed to before it ("my
    boyfriend's gone out", "hers was gone by now")? "they" and "them" are left out: they are
    as often the lips or the bumps ("they went back down")."""
    first = min((i for i, item in enumerate(segment) if item.has("resolves")), default=0)
    named = any(at < first for at in _find(segment, people))
    pointed = any(
        item.words in pronouns and item.words not in {("they",), ("them",), ("their",)}
        for item in segment[:first]
    )
    return named or pointed


def _goes_on(part: _Segment, ongoing: PhraseSet, times: PhraseSet) -> bool:
    """Does the part say its symptom goes on ("still", "again", "since")? A time of day
    ("this evening") says so only when the symptom's verb is not past ("are swollen this
    evening", not "this evening my lips puffed up")."""
    said = set(_find(part, ongoing))
    if not said:
        return False
    only_times = said <= set(_find(part, times))
    return not (only_times and any(_is_concept(i) and _past_tense(i) for i in part))


def _settled_in_place(segment: _Segment, past: PhraseSet) -> bool:
    """ "The swelling I had on Monday has completely gone": a part that names symptoms of the
    past and ends on a settling phrase ("has completely gone", not a bare "gone" that may be
    "nearly gone"), too far from them for its backward scope."""
    content = [
        item
        for item in segment
        if not (item.has("end") or item.has("comma") or item.has("terminator"))
    ]
    last = content[-1] if content else None
    return (
        last is not None
        and last.has("resolves")
        and len(last.words) > 1
        and any(_is_concept(item) and not item.negated for item in content)
        and bool(_find(segment, past))
    )


def _settle(items: Iterable[_Item], events: set[str]) -> None:
    """Resolve the affirmed symptoms among `items` (events, a faint or a fit, happened)."""
    for item in items:
        codes = item.values("concept")
        if _is_concept(item) and not item.negated and not events.intersection(codes):
            item.negated = True
            item.resolved = True


def _keep_events(items: list[_Item], knowledge: TriageKnowledge) -> None:
    """A faint or a fit happened even if the patient feels fine now: never resolved."""
    events = set(knowledge.reader.events)
    for item in items:
        if item.resolved and events.intersection(item.values("concept")):
            item.negated = item.resolved = False


def _items_of(segment: _Segment, phrases: PhraseSet) -> set[int]:
    """The items of the segment inside any of `phrases`."""
    return {segment.owners[w] for a, b in segment.spans.get(phrases.name, []) for w in range(a, b)}


def _past_tense(item: _Item) -> bool:
    """A verb in the past: "swelled", "puffed up" (a rough test, used only to confirm that
    a settling phrase speaks of what came before); not a word that names a state ("raised
    white blotches", "inflamed")."""
    word = item.words[0]
    return len(item.words) <= 3 and (
        (word.endswith("ed") and len(word) > 4 and word not in _STATES) or word in _FELT
    )


# words of degree between "is" and the state it names ("is all puffed up")
_DEGREE = frozenset(("all", "really", "very", "so", "quite", "still", "properly", "totally"))
# "I felt breathless for ten minutes, then it went away": a feeling in the past
_FELT = frozenset(("felt",))
# words ending in -ed that say how something is, not what happened
_STATES = frozenset(
    ("raised", "inflamed", "cracked", "blistered", "crusted", "chapped", "irritated", "infected")
)


def _unread(
    segment: _Segment,
    knowledge: TriageKnowledge,
    names: Callable[[], frozenset[str]] = frozenset,
) -> tuple[bool, Disposition | None]:
    """Is this part unread, and the disposition its site words hint at. Unread: no symptom,
    temperature or all-clear words and at least one word the reader does not know, or a vague
    "something's not right", or a hinting site word alone ("my throat..."); a cue alone
    ("weird", "huge") is not a symptom read. A word in another script, not glossed, makes its
    part unread even beside a symptom: it may be the very word that matters ("behind my right
    μάτι there is pain"). Words not known do not count after a question or advice about care
    ("can I use my usual SPF?"), unless the part speaks of seeking help ("should I go to
    A&E"); site words and vague words still do."""
    if any(not i.others and _in_another_script(i.words[0]) for i in segment):
        return True, None
    if any(
        _is_symptom(i) or i.has("all_clear") or i.has("measured") or _is_temperature(i, knowledge)
        for i in segment
    ):
        return False, None
    lists = knowledge.word_lists
    feelings = _find(segment, lists.get("feelings", _NONE))
    known = _covered(segment, lists) | set(feelings)
    if not _find(segment, lists.get("escalation", _NONE)):
        care = [at for at in _find(segment, lists.get("care_talk", _NONE)) if at <= 2]
        # "I'm so worried (that) it'll scar": a fear of what may come, said early in the part
        fears = [
            at
            for at in _find(segment, lists.get("fear_of", _NONE))
            if any(0 < at - felt <= 2 for felt in feelings if felt <= 3)
        ]
        start = min(care + fears, default=len(segment))
        # (a site word still hints, and a cue still counts: "she told me to sit, I'd gone grey")
        known |= {
            at
            for at in range(start, len(segment))
            if not segment[at].has("site")
            and not (_is_concept(segment[at]) and not segment[at].negated)
        }
    asked_ahead = _help_asked_ahead(segment, lists)
    known |= asked_ahead
    unknown = False
    hint: Disposition | None = None
    activities = lists.get("site_activities", _NONE)
    doing: Disposition | None = None  # the hint of a doing ("talking"), if nothing else is
    for at, item in enumerate(segment):
        if item.others or at in known:
            continue
        levels = [knowledge.hint_sites[v] for v in item.values("site") if v in knowledge.hint_sites]
        if levels and _placed(segment, at, lists):
            continue  # "... on my upper lip", "had my chest done": where, not a complaint
        if levels and item.words in activities:
            doing = max([*levels, *([doing] if doing else [])], key=DISPOSITIONS.index)
        elif levels:
            hint = max([*levels, *([hint] if hint else [])], key=DISPOSITIONS.index)
        elif (
            not item.meanings and not _is_known_word(item, knowledge) and item.text not in names()
        ) or (_is_concept(item) and not item.negated):
            unknown = True  # a word not known, or a cue that made no symptom ("weird")
    for level in DISPOSITIONS:
        for at in _find(segment, lists.get(f"alarm_{level}", _NONE)):
            if (
                segment[at].others
                or segment[at].has("filler")  # "my heart skipped a beat when ..."
                or _placed(segment, at, lists)
                or at in asked_ahead  # "what are the signs I should call 911 for?"
            ):
                continue
            hint = max([level, *([hint] if hint else [])], key=DISPOSITIONS.index)
    # "lips are normal" (not the question "is it normal ...?")
    said_of_site = any(
        not segment[at].has("pseudo") for at in _find(segment, lists.get("site_all_right", _NONE))
    ) or any(item.has("negation") for item in segment)
    if hint is not None and said_of_site:
        hint = None
    vague = bool(_find(segment, lists.get("vague", _NONE))) or (
        _asks_for_help(segment, lists) and not any(item.others for item in segment)
    )  # (not "should he go to A&E?" of a husband who had nothing done)
    if doing is not None and (unknown or vague or hint is not None) and not said_of_site:
        hint = max([doing, *([hint] if hint else [])], key=DISPOSITIONS.index)
    return unknown or vague or hint is not None, hint


def _help_asked_ahead(segment: _Segment, lists: Mapping[str, PhraseSet]) -> set[int]:
    """The items of a question of when to seek help, from its start to the last help it names
    ("what are the signs I should call 911 for"): asked ahead of need, not a call for help.
    What follows the help named is left to be read."""
    escalation = _find(segment, lists.get("escalation", _NONE))
    covered: set[int] = set()
    for start in _find(segment, lists.get("help_questions", _NONE)):
        named = [at for at in escalation if at > start]
        if named:
            covered.update(range(start, max(named) + 1))
    return covered


def _asks_for_help(segment: _Segment, lists: Mapping[str, PhraseSet]) -> bool:
    """Does the writer ask whether to seek help now ("should I go to A&E?"), with the help
    named within three words, and not as a question of when to ("when should I go to A&E")?"""
    asked = lists.get("help_asked", _NONE)
    if not asked:
        return False
    ahead = _help_asked_ahead(segment, lists)
    escalation = _find(segment, lists.get("escalation", _NONE))
    return any(
        0 <= help_at - segment.owners[end - 1] <= 3 and help_at not in ahead
        for _, end in segment.spans.get(asked.name, [])
        for help_at in escalation
        if help_at > segment.owners[end - 1]
    )


def _feared_causes(clauses: list[list[_Item]], knowledge: TriageKnowledge) -> set[int]:
    """The causes named only as a fear or a question ("I was so scared I'd get an infection",
    "is this a reaction?", "a sign of infection"): the word for a cause (reader.yaml's
    `named_causes`) after words of feeling or `fear_cues` in its clause, or in a question, is
    what the writer wonders, not what they have. (What they describe is read as ever.)"""
    lists = knowledge.word_lists
    causes = lists.get("named_causes", _NONE)
    cues = lists.get("fear_cues", _NONE)
    feelings = lists.get("feelings", _NONE)
    feared: set[int] = set()
    for clause in clauses:
        question = clause[-1].has("end") or clause[0].words[:1] in _ASKING
        for at, item in enumerate(clause):
            if (item.words[-1],) not in causes or item.others or not _is_symptom(item):
                continue
            if question or _has_phrase(clause[:at], cues) or _has_phrase(clause[:at], feelings):
                feared.add(id(item))
    return feared


_CAPITALISED = re.compile(r"(?<![\w'])([A-Z][a-z]{2,})(?![\w'])")
_SENTENCE_END = frozenset('.!?:;\n"(\u201c-')


def _proper_names(text: str) -> frozenset[str]:
    """The words written with a capital inside a sentence and nowhere without one: names of
    places, people and products ("my needling in Aberdare", "my neighbour Pauline", "a bit of
    Sudocrem"), no one's complaint. Not when most words have capitals (a title-case writer)."""
    words = re.findall(r"[A-Za-z]{3,}", text)
    found = []
    for m in _CAPITALISED.finditer(text):
        before = text[: m.start()].rstrip()
        if before and before[-1] not in _SENTENCE_END:
            found.append(m.group(1))
    if not found or len([w for w in words if w[0].isupper()]) * 5 > len(words) * 3:
        return frozenset()
    lower = {w for w in words if w.islower()}
    return frozenset(w.lower() for w in found if w.lower() not in lower)


def _in_another_script(word: str) -> bool:
    # the first letter decides cheaply: every script but the Latin one starts above U+036F
    return word[0] > "\u036f" and _SCRIPT_WORD.fullmatch(word) is not None


def _script_asides(segments: list[_Segment]) -> set[int]:
    """The parts wholly in another script set off inside a sentence that goes on in English
    ("Thank you to the nurse, 감사합니다, all good", "bumps like goose skin, 鸡皮疙瘩, on the
    forehead", "my head became big (头大)"): the writer's own words beside the English ones,
    not a part of their own. (A sentence wholly in another script is unread.)"""
    asides: set[int] = set()
    for sentence in _sentences(segments):
        script = [
            part
            for part in sentence
            if any(_in_another_script(item.words[0]) for item in part)
            and all(
                _in_another_script(item.words[0]) for item in part if item.words[0][0].isalpha()
            )
        ]
        if script and len(script) < len(sentence):
            asides.update(id(part) for part in script)
    return asides


def _joins_sites(items: list[_Item], at: int, *, bare: bool) -> bool:
    """Is the item at `at` the "and" or "or" of a list of sites ("forehead and top lip")? When
    the part so far is `bare` (nothing but sites: "My eyelids and the skin under my eyes are
    puffy"), a determiner may come between ("... and the skin")."""
    if items[at].words not in _AND_OR or at == 0 or not items[at - 1].has("site"):
        return False
    following = items[at + 1 : at + 3]
    if bare and len(following) == 2 and following[0].words[0] in _DETERMINERS:
        following = following[1:]
    return bool(following) and following[0].has("site")


def _plainly_social(segment: _Segment, knowledge: TriageKnowledge) -> bool:
    """In a message where nothing clinical was read: is this part harmless? Someone else's,
    or holding a plainly social phrase (thanks, an appointment, a question about plans, a
    sign-off), or nothing but empty words and numbers ("Day 2.")."""
    lists = knowledge.word_lists
    if any(item.others for item in segment):
        return True
    if _asks_for_help(segment, lists):
        return False  # "should I go to A&E?": the clinic reads it
    if _find(segment, lists.get("plainly_social", _NONE)) or _help_asked_ahead(segment, lists):
        return True
    empty = _covered(segment, {"empty_words": lists.get("empty_words", _NONE)})
    return all(
        at in empty or item.has("filler") or item.has("number") or item.has("end")
        for at, item in enumerate(segment)
    )


def _placed(segment: _Segment, at: int, lists: Mapping[str, PhraseSet]) -> bool:
    """Does the site word at `at` say where ("on my lip") or where the treatment was ("my
    chest done"), not what is wrong?"""
    treated = lists.get("site_treated", _NONE)
    return _located(segment, at, lists.get("site_locations", _NONE)) or (
        at + 1 < len(segment) and segment[at + 1].words in treated
    )


_SIDES = frozenset(("left", "right", "upper", "lower", "top", "bottom", "inner", "outer"))


def _located(segment: list[_Item], at: int, locations: PhraseSet) -> bool:
    """Is the site word at `at` placed by a location word before it ("on my lip", or on the
    list it ends: "on my forehead and top lip")?"""
    while at >= 2 and segment[at - 1].words in _AND_OR and segment[at - 2].has("site"):
        at -= 2
    before = [w for item in segment[max(0, at - 3) : at] for w in item.words]
    # (two words, or three with a side between: "under the left eye")
    reach = 3 if before[-1:] and before[-1] in _SIDES else 2
    return any((w,) in locations for w in before[-reach:])


def _is_temperature(item: _Item, knowledge: TriageKnowledge) -> bool:
    """A number in a temperature range ("38.5", "101"): read. Other numbers ("140") are not."""
    rules = knowledge.reader.temperature
    values = [float(raw) for raw in item.values("number")]
    return any(rules.is_celsius(v) or rules.is_fahrenheit(v) for v in values)


def _is_symptom(item: _Item) -> bool:
    return any(not code.startswith("_") for code in item.values("concept"))


def _covered(segment: _Segment, lists: Mapping[str, PhraseSet]) -> set[int]:
    """Items inside a phrase of reader.yaml's word lists ("stretch marks"), and the word after
    a name intro ("hi its amy")."""
    owners = segment.owners
    covered: set[int] = set()
    for name, spans in segment.spans.items():
        if name == "vague" or name not in lists:
            continue
        for start, end in spans:
            covered.update(owners[start:end])
            if name == "name_intros" and end < len(owners):
                covered.add(owners[end])
    return covered


def _is_known_word(item: _Item, knowledge: TriageKnowledge) -> bool:
    word = item.words[0]
    if word in knowledge.linking_words or word in knowledge.list_words:
        return True
    # everyday words count only here, as harmless: never as a reason to respell a word
    return any(stem in knowledge.benign or stem in knowledge.everyday for stem in _stems(word))


def _is_word(word: str, knowledge: TriageKnowledge) -> bool:
    """A word the reader knows, of a phrase or harmless."""
    return (
        word in knowledge.phrase_words
        or word in knowledge.linking_words
        or word in knowledge.list_words
        or word in knowledge.benign
        or word in knowledge.everyday
        or word in knowledge.reader.respell
    )


_SUFFIXES = ("ing", "ed", "es", "s", "ly", "er", "d")


def _stems(word: str) -> list[str]:
    """The word and the words it may be an inflection of ("trying" -> "try", "picking" ->
    "pick", "using" -> "use"), so the benign list need only hold base words."""
    stems = [word]
    if word.endswith(("ies", "ied")):
        stems.append(word[:-3] + "y")
    for suffix in _SUFFIXES:
        if suffix == "d" and not word.endswith("ed"):
            continue  # "hard" is not "hare" + d
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            base = word[: -len(suffix)]
            stems += [base, base + "e"]
            if len(base) > 2 and base[-1] == base[-2]:
                stems.append(base[:-1])  # "stopped" -> "stop"
    return stems


# A name as a message's last words: capitalised words, initials, a title, a bracket ("(aged 74)")
_NAME_PART = r"(?:[A-Z][A-Za-z'\u2019-]*\.?|\([^()\n]{0,24}\))"
_TITLES = frozenset(("mr", "mrs", "ms", "miss", "mx", "dr"))
_SIGNATURE = re.compile(
    rf"(?:^|(?<=[.!?,;:\n]))[ \t]*({_NAME_PART}(?:[ \t]+{_NAME_PART}){{0,4}})[ \t.!]*(?:x+[ \t]*)?$"
)


def _without_signature(text: str, knowledge: TriageKnowledge) -> str:
    """The message without the name it is signed with ("... Thank you, Kathleen Moore", "Best
    wishes, Marjorie", "Dr (retd.) P. Ogilvie"): two or more capitalised words, or one after a
    sign-off or title of reader.yaml's `name_intros`, none of them a word the reader knows as
    a symptom, cue or site ("... Lips Swollen" is read)."""
    text = text.rstrip()
    match = _SIGNATURE.search(text)
    if match is None:
        return text
    before = text[: match.start(1)]
    names = tokenize(re.sub(r"\([^()]*\)", " ", match.group(1)))
    names = [w for w in names if w.isalpha()]
    intros = knowledge.word_lists.get("name_intros", _NONE)
    # after a title the words are a name even when they are words the reader knows ("Mrs
    # Lottie Grey", "Mrs Doris Keel")
    titled = len(names) > 1 and names[0] in _TITLES
    if (
        not before.strip()
        or not names
        or (
            not titled and any(len(w) > 1 and w in knowledge.phrase_words for w in names)
        )  # initials aside
    ):
        return text
    said_before = [w for w in tokenize(before) if w.isalpha()]
    signed = (
        any(
            tuple(said_before[-n:]) in intros
            for n in range(1, min(intros.longest, len(said_before)) + 1)
        )
        if intros
        else False
    )
    titled = bool(intros) and (names[0],) in intros
    return before if len(names) >= 2 or signed or titled else text


def read_message(text: str, knowledge: TriageKnowledge) -> Reading:
    """Read a patient's message. Pure and deterministic."""
    text = _spoken_marks(
        _with_corrections(_without_signature(text, knowledge)), knowledge.reader.spoken_punctuation
    )
    tokens = _without_asides(
        _correct_typos(
            _glossed(
                tokenize(
                    text,
                    knowledge.reader.respell,
                    knowledge.reader.emoji,
                    knowledge.reader.joined,
                    knowledge.reader.cannot,
                ),
                knowledge,
            ),
            knowledge,
        ),
        knowledge,
    )
    items = _match(tokens, knowledge)
    _mark_own_verbs(items)
    clauses = _clauses(items, knowledge.grammar.get("exceptions", _NONE))
    _scores_rate_the_symptom_before(clauses)
    doubled = False
    for clause in clauses:
        doubled = _negate(clause, knowledge) or doubled
    _answer_own_questions(clauses, knowledge.grammar)
    _revive_returned(clauses)
    _revive_worsened(clauses, knowledge.word_lists.get("site_pronouns", _NONE))
    _apply_modifiers(clauses, knowledge.grammar.get("baseline", _NONE))
    _apply_sites(clauses, items, knowledge)
    _apply_measures(items, knowledge)
    segments = _segments(items, knowledge)
    _mark_experiencer(segments, knowledge)
    _mark_reason(segments, knowledge)
    _resolve_past(segments, knowledge)
    _resolve_cleared_later(segments, knowledge)
    _revive_returned(clauses)  # again: "puffed up at lunch then went down ... now it's back"
    _keep_events(items, knowledge)
    _mark_history(segments, knowledge)
    _mark_growth(segments, knowledge)
    _mark_rising_scores(segments, knowledge.word_lists.get("past", _NONE))

    feared = _feared_causes(clauses, knowledge)
    # ... said beside nothing else the reader knows, a cause feared still counts (safer)
    if feared and not any(_is_symptom(i) and id(i) not in feared for c in clauses for i in c):
        feared = set()
    mentions: list[Mention] = []
    for clause in clauses:
        for item in clause:
            if id(item) in feared:
                continue
            for code in item.values("concept"):
                if code.startswith("_"):
                    continue  # cues alone are nothing
                mentions.append(
                    Mention(
                        code,
                        item.text,
                        item.negated,
                        item.severity,
                        item.trend,
                        others=item.others,
                        heard=item.others and item.heard,
                        resolved=item.resolved,
                        reason=item.reason,
                        history=item.history,
                    )
                )

    affirmed: dict[str, SymptomRead] = {}
    for m in mentions:
        if m.negated or m.others or m.reason or m.history:
            continue
        before = affirmed.get(m.code)
        if before is None:
            affirmed[m.code] = SymptomRead(m.code, m.severity, m.trend)
        else:
            affirmed[m.code] = SymptomRead(
                m.code,
                _worst_severity(before.severity, m.severity),
                _worst_trend(before.trend, m.trend),
            )
    negated = tuple(
        dict.fromkeys(
            m.code for m in mentions if m.negated and not m.others and m.code not in affirmed
        )
    )
    asides = _script_asides(segments)
    names = functools.cache(lambda: _proper_names(text))  # only asked of an unknown word
    unread = [
        (segment, (False, None) if id(segment) in asides else _unread(segment, knowledge, names))
        for segment in segments
    ]
    temperatures = _temperatures(items, knowledge, segments)
    all_clear = any(item.has("all_clear") for item in items)
    if not (
        mentions
        or temperatures
        or all_clear
        or any(item.has("measured") for item in items)
        or any(u for _, (u, _) in unread)
    ):
        # nothing clinical was read: every part must be plainly social to be harmless
        unread = [
            (s, (id(s) not in asides and not _plainly_social(s, knowledge), None)) for s in segments
        ]
    now = _temperature_now(temperatures)
    resolved = [m.code for m in mentions if m.resolved and not (m.others or m.history)]
    if now is not None and any(
        t >= knowledge.rules.fever_threshold_c > now for t, *_ in temperatures
    ):
        # a fever earlier, normal now: the latest temperature wins over the fever words said
        # with the earlier one ("had a temperature of 38.3 on Tuesday, 37.4 Wednesday")
        resolved.append(knowledge.rules.fever_symptom)
        affirmed.pop(knowledge.rules.fever_symptom, None)
    elif (
        now is not None
        and now >= knowledge.rules.fever_threshold_c
        and all(past for _, past, _ in temperatures)
        and _settled_after_temperatures(items, knowledge.reader.temperature)
    ):
        # "had a temp of 38.2 on Saturday, been fine since": a fever that has settled, and so
        # are the fever words said with it ("I had a temperature on Tuesday. 38.4. It went")
        resolved.append(knowledge.rules.fever_symptom)
        affirmed.pop(knowledge.rules.fever_symptom, None)
        now = None
    return Reading(
        symptoms=affirmed,
        negated=negated,
        temperatures_c=tuple(t for t, *_ in temperatures),
        mentions=tuple(mentions),
        all_clear=all_clear,
        uncertain=doubled or any(item.has("uncertain") for item in items),
        resolved=tuple(c for c in dict.fromkeys(resolved) if c not in affirmed),
        others=tuple(
            dict.fromkeys(m.code for m in mentions if m.others and m.code not in affirmed)
        ),
        heard=tuple(
            code
            for code in dict.fromkeys(m.code for m in mentions if m.others and m.heard)
            if not any(m.code == code and m.others and not m.heard for m in mentions)
        ),
        unread=tuple(" ".join(item.text for item in seg) for seg, (u, _) in unread if u),
        unread_hint=max(
            (h for _, (_, h) in unread if h is not None), key=DISPOSITIONS.index, default=None
        ),
        temperature_now_c=now,
    )


def _settled_after_temperatures(items: list[_Item], rules: TemperatureRules) -> bool:
    """Does a settling phrase ("been fine since", "gone now") follow the last temperature (not
    a list's numbering after it: "1. temp was 38.4, normal now 2. face pink")?"""
    last = max(
        (
            at
            for at, item in enumerate(items)
            for raw in item.values("number")
            if rules.is_celsius(float(raw)) or rules.is_fahrenheit(float(raw))
        ),
        default=None,
    )
    return last is not None and any(item.has("resolves") for item in items[last + 1 :])


def _temperature_now(temperatures: list[tuple[float, bool, bool]]) -> float | None:
    """The latest temperature said to be now ("I'm 36.9 right now", after "38.0 or 38.5?"),
    else the highest not said to be past; if all are past, the latest."""
    said_now = [t for t, past, now in temperatures if now and not past]
    if said_now:
        return said_now[-1]
    current = [t for t, past, _ in temperatures if not past]
    if current:
        return max(current)
    return temperatures[-1][0] if temperatures else None
