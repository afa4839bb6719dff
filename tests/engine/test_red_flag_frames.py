"""A warning sign said inside the everyday frames patients wrap it in (interjections, "no
joke", "not sure why but", "no fever but", "it hasn't gone away") is still read and answered
at least as urgently as on its own: the negation words in the frame must not reach it. Each
warning sign's first lay phrases are tried in every frame (about 3,800 check-ins)."""

from __future__ import annotations

import pytest

from needlesafe.engine.inputs import parse_checkin
from needlesafe.engine.reader import read_message
from needlesafe.engine.triage import disposition_rank, triage
from needlesafe.knowledge.base import Knowledge

FRAMES = (
    "{t}, not sure why",
    "{t} and nothing helps",
    "no idea why but {t}",
    "not gonna lie, {t}",
    "not gonna lie {t}",
    "{t}, no joke",
    "no joke {t}",
    "no lie {t}",
    "not kidding {t}",
    "not even joking {t}",
    "i kid you not {t}",
    "no exaggeration {t}",
    "this is not a drill, {t}",
    "i dont know what to do, {t}",
    "not just red, {t}",
    "no fever but {t}",
    "no rash, {t}",
    "no pain at all but {t}",
    "{t}, no swelling though",
    "{t}. not normal right?",
    "no one else is home and {t}",
    "cant tell if its serious but {t}",
    "never had this before, {t}",
    "havent slept, {t}",
    "not sure if its the cream but {t}",
    "i'm not one to fuss but {t}",
    "not to worry you but {t}",
    "nothing else wrong, just {t}",
    "it's not the numbing cream, {t}",
    "I don't want to overreact but {t}",
    "{t} and it won't stop",
    "no, {t}",
    "{t}, not better",
    "not better, {t}",
    "{t} - not improving",
    "it hasn't gone away, {t}",
    "no improvement, {t}",
    "I'm not ok, {t}",
    "no no no {t}",
    "oh no {t}",
    "nooo {t}",
    "no not again, {t}",
    "not an emergency but {t}",
    "no rush but {t}",
    # an exception to an all-clear is not denied by it
    "apart from {t} all good",
    "other than {t} I'm fine",
    "except {t} all ok",
    "aside from {t} I'm ok",
    "besides {t} everything is fine",
    "apart from {t} I feel fine",
    "no worries besides {t}",
    "{t} all fine otherwise",
    "{t} ok otherwise",
    # a "no" or "not" that belongs to the telling, not to the sign
    "no matter what i do {t}",
    "no one mentioned {t}",
    "I wasn't told about {t}",
    "nobody warned me about {t}",
    "wasnt expecting {t}",
    # what was heard or read stops at "but"; what happened years ago "too" is happening now
    "i read online its normal but {t}",
    "i googled it and {t}",
    "i looked it up and {t}",
    "{t} - happened years ago too",
    "{t}, i had this years ago as well",
    # the writer being fine is not the sign being fine (run on, with no stop between)
    "{t} im fine",
    "{t} i'm alright",
    "{t} i feel fine",
    "{t} i am all right though",
    "{t} its fine",
    "{t} its ok right",
    "{t} im grand",
    # an all-clear said of another symptom stays with it ("the" between does not carry it on)
    "{t} the swelling is fine",
    "{t} the redness is gone",
    # a hope is no denial, and a sign a bit better is still there
    "{t} should be fine",
    "{t} will be ok",
    "{t} settled a bit",
    # someone calling the sign normal says the patient has it
    "the chemist said {t} is normal",
    "you said {t} was normal",
    "{t} a bit better now",
    # the writer having what someone else had
    "my sister had {t}, now i have it too",
    "my mum gets {t} and now so do i",
    "my friend got {t} after hers, me too now",
    # a question or an exclamation, no denial (second-language word order too)
    "normal or not {t}",
    "{t}, is it dangerous or not",
    "never before {t}",
    "no way {t}",
)


def _phrases(knowledge: Knowledge) -> list[tuple[str, str]]:
    """(code, phrase): the first three lay phrases of each warning sign that read it alone."""
    tk = knowledge.triage
    assert tk is not None
    chosen = []
    for code, entry in tk.symptoms.items():
        if entry.group != "warning":
            continue
        alone = [t for t in entry.terms if len(t) > 5 and code in read_message(t, tk).symptoms]
        chosen += [(code, t) for t in alone[:3]]
    return chosen


@pytest.mark.parametrize("frame", FRAMES)
def test_a_warning_sign_in_an_everyday_frame_is_still_read_and_as_urgent(
    frame: str, knowledge: Knowledge
) -> None:
    def answer(text: str) -> tuple[str, list[str]]:
        checkin = parse_checkin({"days_since_treatment": 0.5, "message": text}, knowledge)
        result = triage(checkin, knowledge)
        return result.disposition, result.symptoms

    missed = []
    for code, phrase in _phrases(knowledge):
        alone, _ = answer(phrase)
        text = frame.format(t=phrase)
        framed, read = answer(text)
        if disposition_rank(framed) < disposition_rank(alone) or code not in read:
            missed.append(f"{text!r}: {framed} (alone {alone}), read {read}")
    assert missed == []


def test_every_way_of_saying_cant_reads_each_warning_sign_said_with_cant(
    knowledge: Knowledge,
) -> None:
    """ "can't swallow" said as "I could not swallow", "I was not able to swallow", "it is hard
    to swallow", "I no can swallow" (reader.yaml openers): the same warning sign, read."""
    tk = knowledge.triage
    assert tk is not None
    openers = tk.reader.openers["can't"]
    heads = [
        (code, term.split(" ", 1)[1])
        for code, entry in tk.symptoms.items()
        if entry.group == "warning"
        for term in entry.terms
        if term.startswith("can't ") and code in read_message(term, tk).symptoms
    ]
    assert len(heads) > 20 and len(openers) > 20
    missed = [
        f"I {opener} {head}"
        for code, head in heads
        for opener in openers
        if code not in read_message(f"I {opener} {head}", tk).symptoms
    ]
    assert missed == []
