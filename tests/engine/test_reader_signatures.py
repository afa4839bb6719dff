"""Names and real words are not symptoms: a message signed with a name is read without it, an
everyday word one typing slip from a symptom or site word is not read as that word, a part made
only of everyday words is not unread, and a pain score is a severity."""

from __future__ import annotations

import pytest

from needlesafe.engine.inputs import parse_checkin
from needlesafe.engine.reader import read_message
from needlesafe.engine.triage import triage
from needlesafe.knowledge.base import Knowledge


def _answer(message: str, day: float, knowledge: Knowledge) -> tuple[str, tuple[str, ...]]:
    result = triage(
        parse_checkin({"days_since_treatment": day, "message": message}, knowledge), knowledge
    )
    return result.disposition, tuple(result.unread)


@pytest.mark.parametrize(
    "message",
    [
        "Face a little pink today, healing well. Thank you, Kathleen Moore",
        "A little dry on day 4, nothing more. Best wishes, Marjorie",
        "All healing nicely, just a touch pink. Kind regards, Mrs Edna Pike",
        "No swelling, no rash, a little redness only. Thank you. Dr (retd.) P. Ogilvie",
        "Slightly pink still but feeling fine. Walter Grieve x",
    ],
)
def test_a_signature_is_not_read(message: str, knowledge: Knowledge) -> None:
    assert _answer(message, 2, knowledge) == ("self_care", ())


@pytest.mark.parametrize(
    "message",
    [
        "Please call me. Lips Swollen",  # capitalised symptom words are read, not a name
        "Thank you. Throat Tight",
    ],
)
def test_capitalised_symptoms_at_the_end_are_still_read(message: str, knowledge: Knowledge) -> None:
    assert _answer(message, 0.2, knowledge)[0] == "emergency"


def test_a_single_capitalised_word_alone_is_not_taken_for_a_name(knowledge: Knowledge) -> None:
    # one word with no sign-off or title before it could be slang the reader does not know
    assert _answer("Face is red. Swole", 1, knowledge)[0] != "self_care"


@pytest.mark.parametrize(
    ("message", "not_read"),
    [
        ("all good, thank you to the staff", "seizure"),  # not "stiff"
        ("healing well, see you Thursday, Luke", "vomiting"),  # a name, not "puke"
        ("I was scared of the needles but it went fine", "raised_scar"),  # not "scarred"
    ],
)
def test_everyday_words_are_not_read_as_slips(
    message: str, not_read: str, knowledge: Knowledge
) -> None:
    assert knowledge.triage is not None
    assert not_read not in read_message(message, knowledge.triage).symptoms


def test_an_inflection_of_a_known_word_is_not_a_slip(knowledge: Knowledge) -> None:
    assert knowledge.triage is not None
    read = read_message("small rashes came out on my cheeks", knowledge.triage).symptoms
    assert "rash" in read and "dizziness" not in read  # "rashes", not "(head) rushes"


def test_dying_is_not_doing(knowledge: Knowledge) -> None:
    # a real word the reader does not know stays unread (the clinic reads it), never changed
    disposition, unread = _answer("i feel like i am dying", 1, knowledge)
    assert disposition != "self_care" and unread


def test_a_part_made_of_everyday_words_is_not_unread(knowledge: Knowledge) -> None:
    message = "face a bit pink, took a selfie for the group chat, all good otherwise"
    assert _answer(message, 1, knowledge) == ("self_care", ())


@pytest.mark.parametrize("word", ["blackout", "choked", "boil", "shattered", "poorly", "milky"])
def test_words_that_can_describe_a_health_problem_are_not_everyday(
    word: str, knowledge: Knowledge
) -> None:
    assert knowledge.triage is not None
    assert word not in knowledge.triage.everyday


@pytest.mark.parametrize(
    ("message", "severity"),
    [
        ("pain 9/10", "severe"),
        ("pain is 8 out of 10 tonight", "severe"),
        ("sore, about 5/10", "moderate"),
        ("pain maybe 2 out of 10", "mild"),
    ],
)
def test_a_pain_score_is_a_severity(message: str, severity: str, knowledge: Knowledge) -> None:
    assert knowledge.triage is not None
    assert read_message(message, knowledge.triage).symptoms["pain"].severity == severity


@pytest.mark.parametrize(
    "message",
    [
        "Flatmate here. She's gone grey round the lips and her fingernails look bluish.",
        "Her husband writing. Her lips have swollen up a lot in the last hour.",
    ],
)
def test_a_message_written_for_the_patient_counts_their_symptoms(
    message: str, knowledge: Knowledge
) -> None:
    # the writer never speaks of themself: whoever the message speaks of is the patient
    assert _answer(message, 0.3, knowledge)[0] == "emergency"


def test_someone_elses_symptoms_still_do_not_count_when_the_writer_speaks_of_themself(
    knowledge: Knowledge,
) -> None:
    message = "My friend's lips swelled up after hers. I'm fine, just a bit pink."
    assert _answer(message, 1, knowledge)[0] == "self_care"
