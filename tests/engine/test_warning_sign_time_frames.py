"""A warning sign said now beside a time, a settling or someone else's experience is still read.

Every phrase of the lists that move a symptom out of the present (history markers, words of
the past, settling phrases, hearsay, other people) is tried in frames where it belongs to
another part of the message, or is only compared with: "years ago I had a rash, now my throat
is closing", "my throat is closing like in 2019", "my throat is closing but the redness has
settled", "I read about rashes, now my throat is closing". The warning sign must still be read
as the patient's, now. A phrase a clinician adds to any of those lists is tried the same way
(about 88,000 readings). Written after "since I got back in the van" (a history marker) and
"once I had a rash, now tongue swelling" (hearsay running on past a comma) hid warning signs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from needlesafe.engine.reader import read_message
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.triage_schema import TriageKnowledge

_FRAMES: dict[str, tuple[str, ...]] = {
    # a time of the past in a part of its own, or compared with
    "history": (
        "{w} i had a rash, now {t}",
        "{t}. {w} it was only a rash",
        "{t}, worse than {w}",
        "{t} like in {w}",
        "{t} just like {w}",
        "{t} again, same as {w}",
    ),
    "past": (
        "{w} i had a rash, now {t}",
        "{t}. {w} it was only a rash",
        "{t} since {w}",
        "{t}, worse than {w}",
    ),
    # another symptom settling, before or after the sign
    "settled": (
        "{t}. the redness {w}",
        "{t} but the redness {w}",
        "{t} even though the redness {w}",
    ),
    # what was heard or read, ended by the present, a stop or a "but"
    "hearsay": ("{w} a rash, now {t}", "{w} a rash. now {t}", "{w} a rash but now {t}"),
    # someone else's rash, then the writer's sign
    "people": ("{w} had a rash, now i have {t}", "{w} had a rash. now {t}"),
}


def _words(kind: str, tk: TriageKnowledge) -> list[str]:
    reader = tk.reader
    assert reader.history is not None and reader.experiencer is not None
    if kind == "history":
        return list(reader.history.markers)
    if kind == "past":
        return list(reader.past)
    if kind == "settled":
        return [n.phrase for n in reader.negation if n.resolves and n.direction == "backward"]
    if kind == "hearsay":
        return list(reader.experiencer.hearsay)
    return [*reader.experiencer.others, *reader.experiencer.relatives]


def _signs(tk: TriageKnowledge, kind: str) -> list[tuple[str, str]]:
    """(code, phrase): the first lay phrase of each warning sign that reads it alone (after
    someone else is named or heard of, not one with a pronoun in it: "her pen" is theirs)."""
    signs = []
    for code, entry in tk.symptoms.items():
        if entry.group != "warning":
            continue
        alone = [
            t
            for t in entry.terms
            if len(t) > 5
            and code in read_message(t, tk).symptoms
            and not (kind in ("people", "hearsay") and {"her", "his", "their"} & set(t.split()))
        ]
        signs += [(code, t) for t in alone[:1]]
    return signs


def _cases() -> Iterator[tuple[str, str]]:
    for kind, frames in _FRAMES.items():
        for frame in frames:
            yield kind, frame


@pytest.mark.parametrize(("kind", "frame"), list(_cases()))
def test_a_warning_sign_now_is_read_beside_a_time_a_settling_or_someone_else(
    kind: str, frame: str, knowledge: Knowledge
) -> None:
    tk = knowledge.triage
    assert tk is not None
    signs = _signs(tk, kind)
    words = _words(kind, tk)
    assert len(signs) > 15 and words
    missed = [
        text
        for w in words
        for code, t in signs
        if code not in read_message(text := frame.format(w=w, t=t), tk).symptoms
    ]
    assert missed == [], f"{len(missed)} missed, e.g. {missed[:5]}"
