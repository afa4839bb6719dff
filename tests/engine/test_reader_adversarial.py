"""Adversarial table for the free-text reader: negation and scope traps, each with the exact
symptom set it must read. Safety first: emergencies are never missed, a negated symptom is
never counted, and where the words are unclear the reader keeps the symptom (err toward care)."""

from __future__ import annotations

import time

import pytest

from needlesafe.engine.inputs import parse_checkin
from needlesafe.engine.reader import Reading, read_message
from needlesafe.engine.triage import triage
from needlesafe.knowledge.loader import default_knowledge

KB = default_knowledge()
assert KB.triage is not None
TK = KB.triage


def read(text: str) -> Reading:
    return read_message(text, TK)


LIPS = {"swelling", "lip_tongue_swelling"}

# (message, the exact set of symptoms it affirms)
TABLE: list[tuple[str, set[str]]] = [
    # --- a negation's scope ends at a clause boundary
    ("no fever and redness is spreading", {"redness"}),
    ("no fever and the redness is spreading", {"redness"}),
    ("no fever and swelling is getting worse", {"swelling"}),
    ("no fever and redness and swelling are spreading", {"redness", "swelling"}),
    ("no pain and now swelling", {"swelling"}),
    ("no fever and i have chills", {"chills"}),
    ("no fever; redness is spreading", {"redness"}),
    ("no fever. redness spreading", {"redness"}),
    ("no redness however swelling", {"swelling"}),
    ("no fever, but swelling", {"swelling"}),
    ("no fever and chills", set()),  # no verb of its own: the list carries on
    ("no pain and swelling is gone", set()),
    ("no pus or fever", set()),
    ("no pus, fever, or chills", set()),
    ("no pus, swelling", {"swelling"}),  # a comma ends a negation unless closed by "or"
    ("no swelling or redness anymore, the itching is gone; it just feels tight", {"tightness"}),
    ("not only red but swollen", {"redness", "swelling"}),
    ("I don't have a fever but my throat feels tight", {"throat_tightness"}),
    ("no there is pus", {"pus"}),  # the symptom has a verb of its own
    ("no one told me my lips would swell", LIPS),
    ("I haven't noticed any pus", set()),
    ("I have never had hives", set()),
    # --- breathing: on its own it counts; next to "fine"/"normally" or negated it does not
    ("I can breathe fine", set()),
    ("breathing normally", set()),
    ("no trouble breathing", set()),
    ("no problems breathing", set()),
    ("breathing is ok", set()),
    ("my breathing is totally fine", set()),
    ("breathing", {"difficulty_breathing"}),
    # "I can breathe (and talk normally)" says breathing is all right; with a "but" it is not
    ("I can breathe", set()),
    ("I can breathe and talk normally", set()),
    ("I can breathe but only just", {"difficulty_breathing"}),
    ("I can breathe but it's hard work", {"difficulty_breathing"}),
    ("not able to breathe", {"difficulty_breathing"}),
    ("I'm not being able to breathe properly", {"difficulty_breathing"}),
    ("I'm not able to swallow", {"difficulty_swallowing"}),
    ("can't breathe", {"difficulty_breathing"}),
    ("cannot breathe", {"difficulty_breathing"}),
    ("hard to breathe", {"difficulty_breathing"}),
    ("short of breath", {"difficulty_breathing"}),
    ("I can't breathe fine", {"difficulty_breathing"}),  # a negative phrase is not undone
    # --- all-clear and backward triggers reach only the symptom next to them, never past "and"
    ("lips swelling and breathing fine", LIPS),
    ("my lips are swelling and i feel fine otherwise", LIPS),
    ("throat feels tight and breathing ok", {"throat_tightness"}),
    ("I feel fine throat is tight", {"throat_tightness"}),
    ("all good lips swelling", LIPS),
    ("redness and swelling are gone", {"redness"}),  # unclear: the redness is kept
    ("the redness on my cheeks is gone", {"redness"}),  # too far from "gone": kept
    # --- a question is not an all-clear
    ("my throat feels tight is that ok", {"throat_tightness"}),
    ("is it ok that my lips are swollen", LIPS),
    ("is the bleeding ok?", {"bleeding"}),
    # --- doubt and double negation: the symptom counts
    ("not sure if it's pus", {"pus"}),
    ("might be pus", {"pus"}),
    ("maybe a fever", {"fever"}),
    ("no clue why my throat is tight", {"throat_tightness"}),
    ("I can't say I have no pain", {"pain"}),
    ("I don't have no pain", {"pain"}),
    ("no no fever", set()),  # emphasis, not a double negation
    # --- typos, capitals, punctuation, emoji, contractions
    ("no sweling", set()),
    ("sweling", {"swelling"}),
    ("puss coming out", {"pus"}),
    ("feaver", {"fever"}),
    ("NO FEVER AND REDNESS IS SPREADING", {"redness"}),
    ("Short Of Breath!!!", {"difficulty_breathing"}),
    ("No pus!!! but lips swelling", LIPS),
    ("no fever \U0001f642 but throat feels tight \U0001f61f", {"throat_tightness"}),
    ("can't breathe \U0001f631\U0001f631", {"difficulty_breathing"}),
    ("the swelling's getting worse", {"swelling"}),
    ("not red, not swollen, throat tight", {"throat_tightness", "tightness"}),
]


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[t for t, _ in TABLE])
def test_adversarial_phrase_reads_exactly(text: str, expected: set[str]) -> None:
    assert set(read(text).symptoms) == expected


def test_the_table_is_at_least_thirty_phrases_and_unique() -> None:
    texts = [t for t, _ in TABLE]
    assert len(texts) >= 30 and len(set(texts)) == len(texts)


@pytest.mark.parametrize(
    "text",
    ["not sure if it's pus", "might be pus", "maybe a fever", "I can't say I have no pain"],
)
def test_unsure_words_keep_the_symptom_and_the_answer_says_so(text: str) -> None:
    assert read(text).uncertain
    result = triage(parse_checkin({"days_since_treatment": 3, "message": text}, KB), KB)
    assert TK.rules.uncertain_text in result.patient_text


@pytest.mark.parametrize(
    "text",
    [
        "lips swelling and breathing fine",
        "my throat feels tight is that ok",
        "I feel fine throat is tight",
        "I can't breathe fine",
        "I don't have a fever but my throat feels tight",
    ],
)
def test_emergency_traps_are_triaged_as_emergency(text: str) -> None:
    result = triage(parse_checkin({"days_since_treatment": 0, "message": text}, KB), KB)
    assert result.disposition == "emergency"


def test_a_5000_character_message_is_read_fully_and_fast() -> None:
    filler = "My skin is a bit red and dry, no pus or fever, the itching is gone. "
    text = filler * (5000 // len(filler) + 1) + "And now my lips are swelling!"
    assert len(text) >= 5000
    start = time.perf_counter()
    r = read(text)
    elapsed = time.perf_counter() - start
    assert {"redness", "dryness", "swelling", "lip_tongue_swelling"} <= set(r.symptoms)
    assert not {"pus", "fever", "itching"} & set(r.symptoms)
    assert elapsed < 0.5
