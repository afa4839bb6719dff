"""The schema of the after-treatment knowledge: symptoms.yaml, triage_rules.yaml, reader.yaml.

- `symptoms.yaml`: per symptom code, the lay words patients use for it and its course after
  microneedling as a list of rules (when it is expected, when it is a concern). Every rule that
  matches a symptom report counts; the highest disposition wins. Rule conditions only ever ask
  for *at least* a severity, *at least* a trend, a day window or a patient condition, so a worse
  report can never match fewer rules (the contract's monotonicity).
- `triage_rules.yaml`: red flags and escalating combinations (findings that escalate together),
  the fever threshold, and the plain words for each disposition.
- `reader.yaml`: the ConText-style rules of the free-text reader: negation triggers with their
  direction, pseudo-triggers, terminators, severity and trend words, temperature patterns.

Like every knowledge file these forbid unknown keys. The codes and sources their marked fields
name are checked by the load's walk of every file; `build_triage` does the checks between the
three files and builds `TriageKnowledge`, the indexes the engine uses, once at load.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, ClassVar, Final, Literal, get_args

from pydantic import Field, StringConstraints, model_validator

from needlesafe.knowledge.schema import (
    Code,
    FileHeader,
    PatientText,
    PlainText,
    SourceIds,
    Strict,
)
from needlesafe.knowledge.types import ConditionCode, SymptomCode

Disposition = Literal["self_care", "contact_clinic", "urgent", "emergency"]
Status = Literal["expected", "watch", "concerning", "red_flag"]
Severity = Literal["mild", "moderate", "severe"]
Trend = Literal["improving", "stable", "worsening"]
Direction = Literal["forward", "backward", "bidirectional"]
# the headings of the patient's check-in list (symptoms.yaml `groups`, each symptom's `group`)
SymptomGroupCode = Literal["warning", "tell_us", "usual"]

DISPOSITIONS: tuple[Disposition, ...] = get_args(Disposition)  # safest first
SELF_CARE: Final[Disposition] = DISPOSITIONS[0]  # the answer when nothing calls for more
DISPOSITION_RANK: dict[Disposition, int] = {d: i for i, d in enumerate(DISPOSITIONS)}
STATUSES: tuple[Status, ...] = ("expected", "watch", "concerning", "red_flag")
SEVERITIES: tuple[Severity, ...] = ("mild", "moderate", "severe")
TRENDS: tuple[Trend, ...] = ("improving", "stable", "worsening")

# A phrase as patients write it: lower-case words, apostrophes allowed ("can't breathe").
Phrase = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9'°]+( [a-z0-9'°]+)*$"
    ),
]
Phrases = Annotated[list[Phrase], Field(min_length=1)]
Day = Annotated[float, Field(ge=0, le=3650)]


class _Window(Strict):
    """Conditions shared by course rules and combination rules (all must hold)."""

    after_day: Day | None = None  # days since treatment > after_day
    through_day: Day | None = None  # days since treatment <= through_day
    condition_any: list[ConditionCode] | None = None  # the patient has one of these

    @model_validator(mode="after")
    def _window_not_empty(self) -> _Window:
        if (
            self.after_day is not None
            and self.through_day is not None
            and self.through_day <= self.after_day
        ):
            raise ValueError("through_day must be greater than after_day")
        return self


class CourseRule(_Window):
    """One stage or concern in a symptom's course. It fires when all its conditions hold."""

    id: Code
    min_severity: Severity | None = None  # the report's severity is at least this
    min_trend: Trend | None = None  # the report's trend is at least this (worsening > stable)
    status: Status
    disposition: Disposition
    clinician_text: PlainText
    patient_text: PatientText
    sources: SourceIds

    def is_unconditional(self) -> bool:
        return (
            self.after_day is None
            and self.through_day is None
            and self.condition_any is None
            and self.min_severity is None
            and self.min_trend is None
        )


class SymptomEntry(Strict):
    code: Code
    terms: Phrases  # lay words and spelling variants that mean this symptom
    expected: PlainText  # clinician words: its expected course after microneedling
    # where the patient's check-in lists it; checked against the base rule below
    group: SymptomGroupCode
    course: Annotated[list[CourseRule], Field(min_length=1)]
    sources: SourceIds

    @model_validator(mode="after")
    def _first_rule_is_the_base(self) -> SymptomEntry:
        if not self.course[0].is_unconditional():
            raise ValueError(
                "the first course rule is the base case and must have no conditions "
                "(no after_day, through_day, condition_any, min_severity, min_trend)"
            )
        return self

    @model_validator(mode="after")
    def _group_fits_the_base_rule(self) -> SymptomEntry:
        # A symptom that needs care today from its first report is a warning sign, and only
        # such a symptom is one; "usual healing" holds only what the base rule calls self-care.
        base = self.course[0].disposition
        if (self.group == "warning") != (base in ("urgent", "emergency")):
            raise ValueError(
                f"group {self.group!r} does not fit the base rule's disposition {base!r}: "
                "group warning is for exactly the symptoms whose base rule is urgent or emergency"
            )
        if self.group == "usual" and base != SELF_CARE:
            raise ValueError(
                f"group 'usual' needs a base rule of self_care (it is {base!r}); use tell_us"
            )
        return self


class SymptomGroup(Strict):
    """A heading of the patient's check-in list; the page shows the groups in file order."""

    code: SymptomGroupCode
    title: PatientText
    hint: PatientText  # under the title


class SymptomsFile(FileHeader):
    groups: Annotated[list[SymptomGroup], Field(min_length=1)]
    symptoms: list[SymptomEntry]

    @model_validator(mode="after")
    def _groups_listed_once_warning_first(self) -> SymptomsFile:
        codes = [g.code for g in self.groups]
        if len(set(codes)) != len(codes):
            raise ValueError(f"groups: a code is listed twice: {codes}")
        if codes[0] != "warning":
            raise ValueError("groups: the warning signs come first on the patient's list")
        for entry in self.symptoms:
            if entry.group not in codes:
                raise ValueError(f"symptom {entry.code}: group {entry.group!r} is not in groups")
        return self


class Clause(Strict):
    """One part of a combination: a symptom from a list (at least so severe / so worsening),
    a symptom the message says happened and has settled (`resolved_any`), or a condition in
    the patient context. Exactly one of `symptom_any`, `resolved_any`, `condition_any`."""

    symptom_any: list[SymptomCode] | None = None
    min_severity: Severity | None = None
    min_trend: Trend | None = None
    resolved_any: list[SymptomCode] | None = None
    condition_any: list[ConditionCode] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Clause:
        kinds = [self.symptom_any, self.resolved_any, self.condition_any]
        if sum(k is not None for k in kinds) != 1:
            raise ValueError(
                "a clause needs exactly one of symptom_any, resolved_any, condition_any"
            )
        if self.symptom_any is None and (self.min_severity or self.min_trend):
            raise ValueError("min_severity and min_trend only go with symptom_any")
        return self


class TriageRule(_Window):
    """A red flag or an escalating combination: every clause must hold."""

    id: Code
    when: Annotated[list[Clause], Field(min_length=1)]
    # at least this many different symptoms must match across the clauses ("two severe
    # findings", "two signs of toxicity"); counting only presence keeps the rule monotonic
    min_matched: Annotated[int, Field(ge=2, le=10)] | None = None
    status: Status  # given to the symptoms that matched
    disposition: Disposition
    clinician_text: PlainText
    patient_text: PatientText
    sources: SourceIds


class DispositionText(Strict):
    walk_id: ClassVar[tuple[str, ...]] = ("disposition",)

    disposition: Disposition
    heading: PatientText  # the answer's title on the patient's page; may name {emergency_number}
    action: PatientText  # what to do now
    escalate: PatientText  # what would make it more urgent
    sources: SourceIds


class UnclearMessage(Strict):
    """A message in which the reader found no symptom, negated or not, and no all-clear words."""

    disposition: Disposition
    patient_text: PatientText
    sources: SourceIds


class TriageRulesFile(FileHeader):
    fever_threshold_c: Annotated[float, Field(ge=37.0, le=40.0)]
    fever_threshold_sources: SourceIds
    fever_symptom: SymptomCode  # the symptom a temperature at or above the threshold adds
    dispositions: list[DispositionText]
    uncertain_text: PatientText
    uncertain_sources: SourceIds
    unclear_message: UnclearMessage
    # said when an unread part names a body part the `hint` of a site rule raised the answer
    # for ("my throat feels like a yoke"): by the disposition it raised to
    unclear_site_texts: dict[Disposition, PatientText]
    unclear_site_sources: SourceIds
    # said when a message holds no symptom and nothing unread ("ok thanks, see you Friday")
    nothing_described_text: PatientText
    nothing_described_sources: SourceIds
    # said when the message tells of a warning sign in someone else ("my son is wheezing"):
    # the answer is about the patient only, so it says where that person should turn
    someone_else_text: PatientText
    someone_else_sources: SourceIds
    rules: list[TriageRule]

    @model_validator(mode="after")
    def _every_disposition_once(self) -> TriageRulesFile:
        named = [d.disposition for d in self.dispositions]
        if sorted(named) != sorted(DISPOSITIONS):
            raise ValueError(f"dispositions must list each of {list(DISPOSITIONS)} once")
        return self


# ---------------------------------------------------------------- reader


class Trigger(Strict):
    phrase: Phrase
    direction: Direction
    # the symptom happened and has settled ("the swelling went away"): not counted now, but
    # kept as `resolved` for the rules that still care (a settled airway swelling)
    resolves: bool = False


Word = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z']+$")]
# a word as typed, which may hold digits for letters (Arabizi, Arabic in Latin letters: "7al9"
# throat, "3ayn" eye): letters with or without digits, never digits alone
TypedWord = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z'0-9]*[a-z][a-z'0-9]*$"),
]


class Experiencer(Strict):
    """Whose symptom is it? ConText's experiencer (Harkema 2009), kept to strong evidence.
    A symptom is someone else's after `hearsay` ("someone online said"), after one of `others`
    as the subject ("my friend had...", "the lady before me was..."), after one of `relatives`
    with their own experience ("my mum had hives", "... after hers"), or in a part with
    `theirs`. A `proxies` person (a son, a wife) is the patient, written about by someone
    else; so is a relative without an experience of their own (a son writing for his mum).
    `first_person` words and "my" before anything but a person bring it back to the patient,
    and so does a reporting verb after a person ("my friend says my lips look swollen")."""

    others: Phrases
    relatives: Phrases
    # what a relative has, after their name and "'s" (read "is"): "my daughter's wedding",
    # "my son's school" speak of the thing, not of the relative's own experience
    possessed: Phrases = []
    proxies: Phrases
    experience_verbs: Phrases
    reporting_verbs: Phrases
    hearsay: Phrases
    # a source named for advice, not for a symptom ("the serum TikTok told me to use made it
    # sting"): what follows is the patient's
    advice: Phrases = []
    # a search done, ending its part ("i googled it and ..."): what follows is not what was read
    hearsay_done: Phrases = []
    # a part opening on the present ends what was heard: "i read about rashes, now greenish fluid"
    hearsay_until: Phrases = []
    theirs: Phrases
    # said to have had no treatment ("she didn't have anything done"): like `theirs`, and a
    # she/he at the start of such a part is someone else, for the parts after it too
    untreated: Phrases = []
    # treated here ("on the way home from you", "after her appointment with you"): whoever the
    # part speaks of had this clinic's treatment, so is the patient
    treated_here: Phrases = []
    # ... and these, unless the writer says how their own skin is (an own symptom or all-clear)
    treated_unless_writer: Phrases = []
    # the writer saying how they are themself ("I'm fine", "mine are normal")
    writer_state: Phrases = []
    # the writer speaking of their own treated skin ("my face is doing fine", "my treatment"):
    # the writer is the patient, so a husband or a daughter with an experience of their own
    # ("my husband's got a fever") is someone else, as a relative is
    writer_treated: Phrases = []
    # the writer's own treated skin, named in a part that says how it is ("my face is a bit
    # dry", "mi face jus likkle red"): the writer is the patient, like `writer_treated`
    writer_sites: Phrases = []
    # ... unless the writer says they were treated together ("both of us had it done")
    treated_together: Phrases = []
    first_person: Phrases
    # what was done to the writer ("my friend used her epi pen on me", "me mam jabbed the pen in
    # me thigh"): the symptom said last before it in the part is the writer's, whoever did it
    done_to_writer: Phrases = []
    # the words with which a writer speaks of themself: a message with none of them is
    # written for the patient, so whoever it speaks of is the patient (hearsay aside)
    writer_self: Phrases = []
    # a writer who only types for the patient ("she's busy so I'm typing"): these words are
    # not the writer speaking of themself
    scribes: Phrases = []
    # "All fine mate, ...", "cheers pal": the one addressed (the clinic), not someone else
    addressed: Phrases = []
    # "... a sore throat and my voice has packed in, but that's me, not her": the symptoms said
    # before in the sentence are the writer's own, and the writer is not the patient
    disowned: Phrases = []
    # "my sister had swollen lips after hers, now I have it too": the writer has what someone
    # else had, so the symptoms said of them before count as the patient's too (safer); so does
    # a part with a `shared_owner` word ("mine") that ends on `shared_closing` ("now mine are
    # puffing up as well")
    shared: Phrases = []
    shared_owner: Phrases = []
    shared_closing: Phrases = []
    # she/he/they at the start of a part: whoever was named last
    pronouns: Phrases
    # "feels like someone is squeezing my neck": a person after these is a comparison, not
    # someone else with a symptom
    similes: Phrases = []
    # "like a jumper too small and someone keeps pulling it tighter": one of these at the start
    # of a part goes on with a comparison made before it in the sentence
    indefinite: Phrases = []
    # "my sister had the treatment": after an experience verb, the person is the patient
    treated: Phrases


class Answers(Strict):
    """Short answers: how a patient answers a question they asked themself ("Hives? No.",
    "Breathing? Fine.", "Any fever? none so far") or a listed sign ("Trouble breathing - no"):
    the answer denies the symptom asked about."""

    bare_no: Phrases  # a bare "no" ("nope", "nah"): answers a question or a listed sign
    fine: Phrases  # "fine", "all good": answers a question only
    none_yet: Phrases  # "not so far", "i haven't": answers a question, alone or after a comma
    # "Swelling, breathing, fever, pus - all no": answers a whole list of bare symptom words
    all_no: Phrases = []


class History(Strict):
    """ "I fainted once at a blood test ten years ago", "I usually get cold sores in winter": a
    symptom in a part that places it long before the treatment, or as a habit, is the patient's
    history, not a sign now, and not an episode that has just settled (which would ask for a
    same-day review): it is not counted."""

    markers: Phrases  # in the same part: "years ago", "as a child", "i usually get"
    # in the same part, a sign of now after all: "swelling like last year", "today"
    unless: Phrases
    # anywhere in the message, the history happening again: "... and I just had another one"
    recurs: Phrases
    # of the markers, habits that name what follows them ("watery bubbles by my mouth, always
    # get fever blisters in winter": the bubbles are now, the fever blisters the habit)
    habits: list[Phrase] = []
    # a time right after one of these is compared with ("like in 2019", "since last month"): it
    # does not place the part in the past
    compared: list[Phrase] = []
    # a time of now or of the last hours or days: a part that says one is not carried into
    # the history said before it ("years ago I had hives and my lips swelled up earlier")
    recent: list[Phrase] = []
    sources: SourceIds


class Growth(Strict):
    """A sign measured twice in one sentence and bigger the second time is worsening."""

    earlier: Phrases  # "yesterday", "on monday", "this morning"
    now: Phrases  # "today", "now"
    # words before or after a number that make it a day or a time, not a measure ("day 3")
    not_measures: Phrases
    # things a mark is likened to, by their rough width in centimetres ("the size of a quarter
    # yesterday and today more like the size of my palm"): each counts as its number
    sizes: dict[int, Phrases] = {}
    sources: SourceIds


class ReasonForTreatment(Strict):
    """ "The treatment was for my acne scars": the scars are why they came, not a new sign."""

    markers: Phrases  # anywhere in the sentence
    codes: Annotated[list[SymptomCode], Field(min_length=1)]
    unless: Phrases  # in the same part: a new sign after all ("a new breakout")
    # in a later part naming no scar or spot of its own: what came before is new ("a raised
    # lumpy scar on my jaw, it's new not one of my old ones")
    new_after: Phrases = []


class Cue(Strict):
    """A word that is a symptom only next to a body site (e.g. `blue` with `lips`)."""

    name: Annotated[str, StringConstraints(pattern=r"^_[a-z][a-z0-9_]*$")]
    terms: Phrases


class SiteRule(Strict):
    """A concept in the same clause as a site word also means `gives` (it is kept as well)."""

    id: Code
    sites: Phrases
    concepts: Annotated[list[str], Field(min_length=1)]  # symptom codes or cue names
    gives: SymptomCode
    # a site word of this rule with nothing read beside it hints at a symptom the reader
    # missed ("my throat feels like a yoke"): that part is unread unless it says the site is
    # all right, and the answer is at least this disposition (safety first)
    hint: Disposition | None = None
    # words that, within two words before a site word, place it on the skin there ("tiny
    # bumps around my eyes", "stinging under my eyes"): then the rule gives nothing
    skin_around: list[Phrase] = []
    sources: SourceIds


class TemperatureRules(Strict):
    cues: Phrases  # words that make a bare number a temperature ("temp 39")
    celsius_units: Phrases
    fahrenheit_units: Phrases
    celsius_range: tuple[float, float]  # a number in this range with a cue or unit is Celsius
    fahrenheit_range: tuple[float, float]  # ... and in this one Fahrenheit
    # words that make a temperature the patient's usual one, not a reading ("I normally run at
    # about 36.5"): it is left out
    usual: Phrases = []
    # a thermometer read in the present tense ("this morning it reads 37.0"): the reading now,
    # whatever past words its part holds
    reading_now: Phrases = []

    def is_celsius(self, value: float) -> bool:
        return self.celsius_range[0] <= value <= self.celsius_range[1]

    def is_fahrenheit(self, value: float) -> bool:
        return self.fahrenheit_range[0] <= value <= self.fahrenheit_range[1]

    @staticmethod
    def fahrenheit_to_celsius(value: float) -> float:
        return round((value - 32) * 5 / 9, 1)

    def as_celsius(self, value: float, unit: Literal["c", "f"]) -> float | None:
        """A thermometer reading in Celsius: in the unit given, or in the other one when only
        that one's range holds it (101.5 with °C chosen is °F); None when neither range does."""
        celsius, fahrenheit = self.is_celsius(value), self.is_fahrenheit(value)
        if celsius and (unit == "c" or not fahrenheit):
            return value
        if fahrenheit:
            return self.fahrenheit_to_celsius(value)
        return None


class Cannot(Strict):
    """A negation said before a verb of ability in a language that says "I can't breathe" as
    "not I able-to-breathe" (Tagalog "hindi ako makahinga"): the patient cannot do it, which is
    no denial of a symptom. Each of `negations`, with only `between` words after it, before one
    of `verbs`, reads as "can't" and the verb's English."""

    negations: list[Word]
    between: list[Word] = []
    verbs: dict[Word, Phrase]


class Measure(Strict):
    """A number a patient gives for their pulse or oxygen ("heart 140", "sats 91%"): a number in
    `range` at most four words after one of `cues`, or just before one of `units`, that is at
    least `at_least` or at most `at_most`, is read as the symptom `gives`."""

    id: Code
    cues: Phrases
    units: Phrases = []
    range: tuple[float, float]
    at_least: float | None = None
    at_most: float | None = None
    gives: SymptomCode
    sources: SourceIds

    @model_validator(mode="after")
    def _one_threshold(self) -> Measure:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of at_least and at_most")
        return self

    def in_range(self, value: float) -> bool:
        return self.range[0] <= value <= self.range[1]

    def reads(self, value: float) -> bool:
        if not self.in_range(value):
            return False
        if self.at_least is not None:
            return value >= self.at_least
        return self.at_most is not None and value <= self.at_most


class ReaderFile(FileHeader):
    max_scope: Annotated[int, Field(ge=1, le=20)]  # words a trigger reaches before a concept
    # grammar the scope rules need: verbs that give a symptom word its own predicate, and the
    # words a backward trigger or all-clear words may reach across (verbs link too)
    clause_verbs: Annotated[list[str], Field(min_length=1)]
    # contrast words that, between a subject and its verb, are an aside, not a clause's end
    # ("Top lip though has puffed right out")
    asides: list[str] = []
    # an age in brackets after a person ("my son (he's 7) had an asthma attack"): an aside, not
    # the end of a clause, when it holds a number, one of `age_said` and nothing but
    # `age_words` and numbers
    age_words: list[Word] = []
    age_said: list[Word] = []
    linking_words: list[str]
    negation: list[Trigger]
    pseudo: Phrases  # look like triggers but do not negate ("not only", "no better")
    terminators: Phrases  # end a trigger's scope ("but", "however")
    list_connectors: Phrases  # carry a negation on to the next concept ("or", "nor")
    fillers: Phrases  # words a negated list may hold between concepts ("any", "the")
    severity: dict[Severity, Phrases]
    trend: dict[Trend, Phrases]
    uncertain: Phrases  # "not sure", "maybe": never negate; the answer says it chose the safer way
    all_clear: Phrases  # "all good": a message that needs no symptom to be understood
    temperature: TemperatureRules
    measures: list[Measure] = []
    cues: list[Cue] = []
    site_rules: list[SiteRule] = []
    # what patients type -> the words the rules know ("cant" -> "can't", "u" -> "you", "7al9"
    # -> "throat")
    respell: dict[TypedWord, Phrase] = {}
    # two typed words the rules know as one ("could not" -> "couldn't"), after `respell`, so
    # "I could not breathe" meets the symptom phrase "couldn't breathe" (not "not" + "breathe")
    # ... or as others ("me face" -> "my face": "me" for "my" before a part or a person)
    joined: dict[Phrase, Phrase] = {}
    # "hindi po ako makalunok" (I can't swallow): read before `respell`, see `Cannot`
    cannot: Cannot | None = None
    # a phrase opening on a key also reads with each of its openers in the key's place ("can't
    # swallow" -> "couldn't swallow", "hard to swallow"; "can't see any" -> "couldn't see any");
    # the key written after respelling
    openers: dict[Word, list[Phrase]] = {}
    # an emoji that carries a meaning -> the words for it ("🫦" -> "lips", "🤮" -> "vomiting");
    # any other emoji is a mark that means nothing
    emoji: dict[str, Phrase] = {}
    # punctuation said aloud to a screen reader or dictation ("... on my cheek period it
    # stings comma a bit"): the mark it stands for, read only in a message that says two
    spoken_punctuation: dict[str, Literal[".", ",", "?", "!"]] = {}
    # words that mark a statement as past ("last night"): with a settling phrase after it
    # ("it's gone now") the symptoms before count as resolved
    past: list[Phrase] = []
    # "1 inch yesterday, about 2 inches today", "10 on Monday, 25 today": a number said with an
    # earlier time and a bigger one said with now, in one sentence, is a sign getting worse
    growth: Growth | None = None
    experiencer: Experiencer | None = None
    reason_for_treatment: ReasonForTreatment | None = None
    history: History | None = None
    answers: Answers | None = None
    # "gone numb", "went all puffy": before a describing word these mean became, not went away
    became: list[Phrase] = []
    # "more sensitive than usual": a comparison with how the skin usually is, not a trend
    baseline: list[Phrase] = []
    # "I know redness is normal but ...": words of knowing before a symptom called normal say
    # the patient has it, not that it is gone (like "the nurse said swelling is normal")
    known_normal: list[Phrase] = []
    # "the numbing would be long gone by now", "it should have gone down": a settling said
    # after one of these is what was expected, not what happened
    expectation: list[Phrase] = []
    # a comparison that a settling word after it belongs to ("a ringing, kind of like when the
    # fire alarm test has just stopped"): it settles nothing
    settled_compared: list[Phrase] = []
    # "apart from my lips all good": a symptom named after one of these is the exception to an
    # all-clear said after it (each must also be a terminator)
    exceptions: list[Phrase] = []
    # everyday words that carry no clinical meaning; any other word the reader does not know
    # makes its part of the message `unread` (never silently dropped)
    benign: list[Word] = []
    # more everyday words: frequent English words (wordfreq) with every word that could
    # describe a body, a feeling or a health problem taken out by review; read like `benign`
    everyday: list[Word] = []
    # words that split a clause into the parts checked for unread words
    segment_breaks: list[Phrase] = []
    # phrases that say something is wrong without naming it ("doesn't feel right"): unread
    vague: list[Phrase] = []
    # words that say a site is all right ("lips are normal"): the part is read
    site_all_right: list[Phrase] = []
    # words that place something on a site ("on my lip"): such a site word is not a hint
    site_locations: list[Phrase] = []
    # words after a site that say the treatment was there ("my chest done"): not a hint
    site_treated: list[Phrase] = []
    # site words that name a doing ("talking"): a hint only beside a word not known
    site_activities: list[Phrase] = []
    # words that place an all-clear before a symptom began ("it was normal this morning before
    # the appointment"): such a part says how things were, not that a symptom settled
    before_it_began: list[Phrase] = []
    # words that say a symptom is new ("it wasn't there last night"): the sentence they are in
    # is not a past episode that a later settling ("the peeling has stopped") could settle
    new_since: list[Phrase] = []
    # words opening a sentence on another event ("Also I went dizzy ... till it passed"): a
    # settling in that sentence speaks of that event, not of the sentence before
    another_event: list[Phrase] = []
    # in a message where nothing clinical was read, a part is harmless only when it holds one
    # of these (thanks, greetings, appointments, payment, questions about plans, plain praise)
    # or nothing but `empty_words` and numbers ("Day 2."); any other part is unread
    plainly_social: list[Phrase] = []
    empty_words: list[Phrase] = []
    # words of feeling ("worried", "panic"): they say how the writer feels, not what the body
    # does, so a part is not unread for them alone; a message with nothing else read is still
    # unread (plainly_social above), so "I'm so worried" alone goes to the clinic
    feelings: list[Phrase] = []
    # a question or advice about care, products or plans at the start of a part ("can I use",
    # "my mum says I should put"): the words after it are not unread for being unknown ("can I
    # use my usual SPF?"), unless the part has one of `escalation` ("should I go to A&E")
    care_talk: list[Phrase] = []
    # what a fear is of, said right after a word of feeling ("I'm worried it'll scar", "scared
    # they'll leave marks", "worried I did something wrong"): what may come, not what is, so a
    # word the reader does not know after it does not make the part unread (as `care_talk`)
    fear_of: list[Phrase] = []
    escalation: list[Phrase] = []
    # a question of when to seek help, asked ahead of need ("what are the signs I should call
    # 911 for?", "at what point do I call an ambulance"): the help named in it (`escalation`)
    # is no alarm and no unknown word, and alone the part is plainly social (the answer
    # reminds of the warning signs)
    help_questions: list[Phrase] = []
    # a condition said before a question of which help ("if my lips swell tonight, do I call
    # 999 or the clinic?"): the question is asked ahead of need, as `help_questions`
    conditionals: list[Phrase] = []
    # asking whether to seek help now ("should I go to A&E?", "do I need to call 999"): with
    # one of `escalation` within three words after it, the part is for the clinic to read
    # even when every word is known (never "nothing worrying was described")
    help_asked: list[Phrase] = []
    # words that name a cause rather than a sign ("infection", "reaction"): after words of
    # feeling or `fear_cues` in their clause, or in a question, a fear, not a finding
    named_causes: list[Phrase] = []
    fear_cues: list[Phrase] = []
    # words that point back to a site named earlier in the sentence ("serum ran in my eye and
    # now it's agony to open it"): a part with one of these and no site of its own takes the
    # sites of the part before
    site_pronouns: list[Phrase] = []
    # words that hint like a site word does, by the disposition they raise an unread part to
    alarm_words: dict[Disposition, list[Phrase]] = {}
    # phrases after which a word is a name ("hi its amy"), not an unread word
    name_intros: list[Phrase] = []
    # symptoms that are events, not states: "fainted, feel ok now" is still a faint
    events: list[Code] = []
    # words that say a settled symptom is back ("went down and now it's come back up"): the
    # settled symptom before them counts again, and worse
    returns: list[Phrase] = []
    # words that say a symptom goes on ("still", "since this morning"): a settling phrase in a
    # later part ("... and I nearly blacked out, till it passed") does not settle it
    ongoing: list[Phrase] = []
    # of those, times of day that only place an episode whose verb is past
    ongoing_times: list[Phrase] = []
    # a word the reader does not know, this long or longer, one typing slip (a letter missed,
    # added, swapped or mistyped) from one word of a symptom or body-site phrase, is read as
    # that word ("lops" -> "lips", "blisers" -> "blisters"); 0 switches it off
    typo_min_length: Annotated[int, Field(ge=0, le=20)] = 0
    # everyday words one slip from a symptom or site word, spelled right: never read as a slip
    # ("dying" is not "doing", "threat" is not "throat", "staff" is not "stiff")
    spelled_right: list[Word] = []
    # the optional sentence-model layer (needlesafe[semantic]): an unread part as close as
    # this (cosine) to a symptom's lay words is read as that symptom
    semantic_threshold: Annotated[float, Field(gt=0, le=1)] = 0.5
    sources: SourceIds


# ---------------------------------------------------------------- the loaded part


class PhraseSet(frozenset[tuple[str, ...]]):
    """Phrases as word tuples, with the length of the longest (for lookups by length) and the
    name of the reader.yaml list they come from (for the one-pass lookup, `WordIndex`)."""

    longest: int
    name: str

    def __new__(cls, phrases: Iterable[tuple[str, ...]] = (), name: str = "") -> PhraseSet:
        self = super().__new__(cls, phrases)
        self.longest = max((len(p) for p in self), default=0)
        self.name = name
        return self


@dataclass(frozen=True)
class WordIndex:
    """Every phrase of the reader's word lists -> the names of the lists that hold it, so a
    part of a message is looked up once for all of them."""

    names: Mapping[tuple[str, ...], tuple[str, ...]]
    longest: int
    # the longest phrase starting with each word: how far to look from it (most start none)
    reach: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, lists: Mapping[str, PhraseSet]) -> WordIndex:
        names: dict[tuple[str, ...], list[str]] = {}
        for name, phrases in lists.items():
            for phrase in phrases:
                names.setdefault(phrase, []).append(name)
        reach: dict[str, int] = {}
        for phrase in names:
            reach[phrase[0]] = max(reach.get(phrase[0], 0), len(phrase))
        longest = max((len(k) for k in names), default=0)
        return cls({k: tuple(v) for k, v in names.items()}, longest, reach)


@dataclass(frozen=True)
class TriageKnowledge:
    symptoms: Mapping[str, SymptomEntry]
    rules: TriageRulesFile
    reader: ReaderFile
    dispositions: Mapping[str, DispositionText] = field(repr=False)
    # every phrase the reader knows -> (kind, value), kind one of: concept, negation, pseudo,
    # terminator, connector, filler, severity, trend, all_clear, temp_cue, unit_c, unit_f, site
    phrases: Mapping[tuple[str, ...], tuple[tuple[str, str], ...]] = field(repr=False)
    # the first words of symptom phrases: where a symptom phrase may start (see reader._match)
    concept_starts: frozenset[str] = field(repr=False, default=frozenset())
    # the longest phrase starting with each word: how far the matcher need look from it
    phrase_reach: Mapping[str, int] = field(repr=False, default_factory=dict)
    clause_verbs: frozenset[str] = field(repr=False, default=frozenset())
    linking_words: frozenset[str] = field(repr=False, default=frozenset())  # verbs included
    benign: frozenset[str] = field(repr=False, default=frozenset())
    spelled_right: frozenset[str] = field(repr=False, default=frozenset())
    everyday: frozenset[str] = field(repr=False, default=frozenset())
    hint_sites: Mapping[str, Disposition] = field(repr=False, default_factory=dict)
    # every word of every phrase, and the words a typo may be corrected to (by their deletes)
    phrase_words: frozenset[str] = field(repr=False, default=frozenset())
    typo_index: Mapping[str, frozenset[str]] = field(repr=False, default_factory=dict)
    # every word of a symptom phrase, everyday ones too ("something", "middle"), by itself and
    # its deletions, and the symptom phrases holding it: a slip in such a word is corrected
    # only where the correction completes a symptom phrase ("somethng thick comes out")
    phrase_typo_index: Mapping[str, frozenset[str]] = field(repr=False, default_factory=dict)
    concept_phrases_of: Mapping[str, tuple[tuple[str, ...], ...]] = field(
        repr=False, default_factory=dict
    )
    # reader.yaml's word lists that are not phrases of the index, as word tuples by name:
    # others, experience_verbs, hearsay, theirs, first_person, pronouns, past, reason_markers,
    # segment_breaks (see Experiencer and ReasonForTreatment)
    word_lists: Mapping[str, PhraseSet] = field(repr=False, default_factory=dict)
    word_index: WordIndex = field(repr=False, default=WordIndex({}, 0))
    # lists the reader's passes consult by name that must not make a word known (so not in
    # `word_lists`): answers_no, answers_fine, answers_none_yet, answers_all_no, became, baseline,
    # exceptions
    grammar: Mapping[str, PhraseSet] = field(repr=False, default_factory=dict)
    # the one-word phrases of all those lists: "is this word in any list?" in one lookup
    list_words: frozenset[str] = field(repr=False, default=frozenset())
    # the check-in list's headings, in the order the page shows them (symptoms.yaml)
    groups: tuple[SymptomGroup, ...] = field(repr=False, default=())


def _words(phrase: str, reader: ReaderFile | None = None) -> tuple[str, ...]:
    """A phrase as the reader sees a message: its words, each respelled as typed words are
    ("cant breathe" is "can't breathe", "i'm" is "i am"), then joined ("could not breathe" is
    "couldn't breathe"), so no phrase can go unmatched."""
    words = phrase.split(" ")
    if reader is None or not (reader.respell or reader.joined):
        return tuple(words)
    respell = reader.respell
    spelled = [part for word in words for part in respell.get(word, word).split(" ")]
    return tuple(join_words(spelled, reader.joined))


def join_words(words: list[str], joined: Mapping[str, str]) -> list[str]:
    """Two or three words that are one ("could not" -> "couldn't", rhyming slang's "north and
    south" -> "mouth"), as `ReaderFile.joined` says; the longer wins."""
    if not joined or len(words) < 2:
        return words
    out: list[str] = []
    at, count = 0, len(words)
    while at < count:
        took, one = 3, None
        if at + 2 < count:
            one = joined.get(f"{words[at]} {words[at + 1]} {words[at + 2]}")
        if one is None and at + 1 < count:
            took, one = 2, joined.get(f"{words[at]} {words[at + 1]}")
        if one is None:
            out.append(words[at])
            at += 1
        else:
            made = one.split(" ")
            # "me" before what was joined: "me mince pies" -> "me eyes" -> "my eyes"
            again = joined.get(f"{out[-1]} {made[0]}") if out else None
            if again is not None:
                made[:1] = again.split(" ")
                out.pop()
            out += made
            at += took
    return out


def build_triage(
    symptoms: SymptomsFile,
    rules: TriageRulesFile,
    reader: ReaderFile,
    *,
    symptom_codes: frozenset[str],
) -> tuple[TriageKnowledge | None, list[str]]:
    """Check the three files against each other and the symptom vocabulary (the codes and
    sources their marked fields name are checked by the load's walk); index them."""
    problems: list[str] = []

    def check_codes(
        where: str, codes: list[str] | None, vocabulary: set[str] | frozenset[str], what: str
    ) -> None:
        for code in codes or []:
            if code not in vocabulary:
                problems.append(f"{where}: unknown {what} code {code!r}")

    seen_ids: set[str] = set()

    def unique_id(where: str, rule_id: str) -> None:
        if rule_id in seen_ids:
            problems.append(f"{where}: rule id {rule_id!r} is defined twice")
        seen_ids.add(rule_id)

    entries: dict[str, SymptomEntry] = {}
    for entry in symptoms.symptoms:
        where = f"symptoms.yaml: {entry.code}"
        if entry.code in entries:
            problems.append(f"{where}: symptom is defined twice")
        entries[entry.code] = entry
        if entry.code not in symptom_codes:
            problems.append(f"{where}: not a symptom code of vocabularies.yaml")
        for course_rule in entry.course:
            unique_id(f"{where}: rule {course_rule.id}", course_rule.id)
    for code in sorted(symptom_codes - set(entries)):
        problems.append(f"symptoms.yaml: symptom code {code!r} of vocabularies.yaml has no entry")

    for trule in rules.rules:
        unique_id(f"triage_rules.yaml: rule {trule.id}", trule.id)
    for level in reader.alarm_words:
        if level not in rules.unclear_site_texts:
            problems.append(
                f"reader.yaml: alarm_words.{level} has no text in triage_rules.yaml "
                "unclear_site_texts"
            )
    for phrase in reader.exceptions:
        if phrase not in reader.terminators:
            problems.append(f"reader.yaml: exceptions: {phrase!r} is not also a terminator")
    history = reader.history
    for phrase in history.habits if history is not None else ():
        if history is not None and phrase not in history.markers:
            problems.append(f"reader.yaml: history.habits: {phrase!r} is not also a marker")
    for site in reader.site_rules:
        if site.hint is not None and site.hint not in rules.unclear_site_texts:
            problems.append(
                f"reader.yaml: site_rules ({site.id}): hint {site.hint!r} has no text in "
                "triage_rules.yaml unclear_site_texts"
            )

    cue_names = {c.name for c in reader.cues}
    for site in reader.site_rules:
        check_codes(
            f"reader.yaml: site_rules ({site.id}): concepts",
            [c for c in site.concepts if c not in cue_names],
            symptom_codes,
            "symptom (or cue)",
        )

    # The phrase index. A phrase may have several meanings only if they do not clash: the same
    # words cannot be both a symptom and a negation trigger, say.
    index: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    openers = {
        key: [_words(phrase, reader) for phrase in phrases]
        for key, phrases in reader.openers.items()
    }

    def add(phrase: str, kind: str, value: str, where: str) -> None:
        key = _words(phrase, reader)
        for opener in openers.get(key[0], ()):
            alike = index.setdefault((*opener, *key[1:]), [])
            if (kind, value) not in alike:
                alike.append((kind, value))
        meanings = index.setdefault(key, [])
        if (kind, value) in meanings:
            return
        clash = [
            m for m in meanings if (m[0] == kind and kind != "site") or {m[0], kind} <= _EXCLUSIVE
        ]
        if clash:
            problems.append(
                f"{where}: phrase {phrase!r} already means {clash[0][0]} {clash[0][1]!r}"
            )
            return
        meanings.append((kind, value))

    for entry in symptoms.symptoms:
        for term in entry.terms:
            add(term, "concept", entry.code, f"symptoms.yaml: {entry.code}: terms")
    for cue in reader.cues:
        for term in cue.terms:
            add(term, "concept", cue.name, f"reader.yaml: cues ({cue.name})")
    for trigger in reader.negation:
        add(trigger.phrase, "negation", trigger.direction, "reader.yaml: negation")
        if trigger.resolves:
            add(trigger.phrase, "resolves", "", "reader.yaml: negation")
    for phrase in reader.pseudo:
        add(phrase, "pseudo", "", "reader.yaml: pseudo")
    for phrase in reader.terminators:
        add(phrase, "terminator", "", "reader.yaml: terminators")
    for phrase in reader.list_connectors:
        add(phrase, "connector", "", "reader.yaml: list_connectors")
    for phrase in reader.fillers:
        add(phrase, "filler", "", "reader.yaml: fillers")
    for severity, words in reader.severity.items():
        for phrase in words:
            add(phrase, "severity", severity, f"reader.yaml: severity.{severity}")
    for trend, words in reader.trend.items():
        for phrase in words:
            add(phrase, "trend", trend, f"reader.yaml: trend.{trend}")
    # A severity or trend phrase that holds a symptom's own word also reads the symptom: "bright
    # red" is redness, severe; "more swollen" is swelling, worse. Matched as one phrase, the
    # symptom word would otherwise be swallowed by the modifier.
    one_word = {
        term: entry.code for entry in symptoms.symptoms for term in entry.terms if " " not in term
    }
    modifiers = [*reader.severity.values(), *reader.trend.values()]
    for phrase in (p for words in modifiers for p in words if " " in p):
        named = [one_word[w] for w in _words(phrase, reader) if w in one_word]
        meanings = index.get(_words(phrase, reader), [])
        if named and not any(kind in _EXCLUSIVE for kind, _ in meanings):
            # the last symptom word is the one described: "faint bruise" is a bruise
            add(phrase, "concept", named[-1], "reader.yaml: severity or trend")
    for phrase in reader.returns:
        add(phrase, "returns", "", "reader.yaml: returns")
    for phrase in reader.uncertain:
        add(phrase, "uncertain", "", "reader.yaml: uncertain")
    for phrase in reader.all_clear:
        add(phrase, "all_clear", "", "reader.yaml: all_clear")
    for phrase in reader.temperature.cues:
        add(phrase, "temp_cue", "", "reader.yaml: temperature.cues")
    for phrase in reader.temperature.celsius_units:
        add(phrase, "unit", "c", "reader.yaml: temperature.celsius_units")
    for phrase in reader.temperature.fahrenheit_units:
        add(phrase, "unit", "f", "reader.yaml: temperature.fahrenheit_units")
    for site in reader.site_rules:
        for phrase in site.sites:
            add(phrase, "site", site.id, f"reader.yaml: site_rules ({site.id}).sites")
    # A longer site phrase is also a site of every rule its last word is ("around my mouth" is
    # the mouth of the blue-lips rule too), so a phrase written for one rule hides no other.
    for key, meanings in list(index.items()):
        if len(key) > 1 and any(kind == "site" for kind, _ in meanings):
            for kind, rule in index.get(key[-1:], []):
                if kind == "site":
                    add(" ".join(key), "site", rule, "reader.yaml: site_rules")

    if problems:
        return None, problems
    return (
        TriageKnowledge(
            symptoms=entries,
            rules=rules,
            reader=reader,
            dispositions={d.disposition: d for d in rules.dispositions},
            groups=tuple(symptoms.groups),
            phrases={k: tuple(v) for k, v in index.items()},
            concept_starts=frozenset(
                k[0] for k, v in index.items() if any(kind == "concept" for kind, _ in v)
            ),
            phrase_reach=_reach(index),
            clause_verbs=frozenset(reader.clause_verbs),
            linking_words=frozenset(reader.clause_verbs) | frozenset(reader.linking_words),
            benign=frozenset(reader.benign),
            everyday=frozenset(reader.everyday),
            spelled_right=frozenset(reader.spelled_right),
            hint_sites={r.id: r.hint for r in reader.site_rules if r.hint is not None},
            phrase_words=frozenset(w for key in index for w in key),
            typo_index=_typo_index(index, reader),
            phrase_typo_index=_deletions(
                {w for w in _concept_words(index) if len(w) >= reader.typo_min_length}
                if reader.typo_min_length
                else set()
            ),
            concept_phrases_of=_concept_phrases_of(index),
            word_lists=(lists := _word_lists(reader)),
            word_index=WordIndex.of(lists),
            list_words=frozenset(
                p[0] for phrases in lists.values() for p in phrases if len(p) == 1
            ),
            grammar=_grammar(reader),
        ),
        problems,
    )


def _typo_index(
    index: Mapping[tuple[str, ...], list[tuple[str, str]]], reader: ReaderFile
) -> dict[str, frozenset[str]]:
    """Symptom and site words (not everyday ones), keyed by themselves and by each of their
    one-letter deletions, for the reader's typo correction."""
    if not reader.typo_min_length:
        return {}
    benign = set(reader.benign)
    targets = {
        word
        for key, meanings in index.items()
        if any(kind in ("concept", "site") for kind, _ in meanings)
        for word in key
        if len(word) >= reader.typo_min_length and word.isalpha() and word not in benign
    }
    return _deletions(targets)


def _deletions(targets: set[str]) -> dict[str, frozenset[str]]:
    """Each word keyed by itself and by each of its one-letter deletions."""
    found: dict[str, set[str]] = {}
    for word in targets:
        found.setdefault(word, set()).add(word)
        for i in range(len(word)):
            found.setdefault(word[:i] + word[i + 1 :], set()).add(word)
    return {key: frozenset(words) for key, words in found.items()}


def _concept_words(index: Mapping[tuple[str, ...], list[tuple[str, str]]]) -> set[str]:
    return {
        word
        for key, meanings in index.items()
        if any(kind == "concept" for kind, _ in meanings)
        for word in key
        if word.isalpha()
    }


def _concept_phrases_of(
    index: Mapping[tuple[str, ...], list[tuple[str, str]]],
) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Each word of a symptom phrase of two words or more -> those phrases."""
    found: dict[str, list[tuple[str, ...]]] = {}
    for key, meanings in index.items():
        if len(key) > 1 and any(kind == "concept" for kind, _ in meanings):
            for word in set(key):
                found.setdefault(word, []).append(key)
    return {word: tuple(keys) for word, keys in found.items()}


def _word_lists(reader: ReaderFile) -> dict[str, PhraseSet]:
    lists: dict[str, list[str]] = {
        "past": reader.past,
        **(
            {
                "growth_earlier": reader.growth.earlier,
                "growth_now": reader.growth.now,
                "growth_not_measures": reader.growth.not_measures,
                **{f"growth_size_{cm}": words for cm, words in reader.growth.sizes.items()},
            }
            if reader.growth
            else {}
        ),
        "segment_breaks": reader.segment_breaks,
        "ongoing": reader.ongoing,
        "ongoing_times": reader.ongoing_times,
        "temperature_usual": reader.temperature.usual,
        "temperature_reading_now": reader.temperature.reading_now,
        "vague": reader.vague,
        "site_all_right": reader.site_all_right,
        "site_locations": reader.site_locations,
        "site_treated": reader.site_treated,
        "site_activities": reader.site_activities,
        "before_it_began": reader.before_it_began,
        "new_since": reader.new_since,
        "another_event": reader.another_event,
        "site_pronouns": reader.site_pronouns,
        "plainly_social": reader.plainly_social,
        "empty_words": reader.empty_words,
        "feelings": reader.feelings,
        "care_talk": reader.care_talk,
        "fear_of": reader.fear_of,
        "escalation": reader.escalation,
        "help_questions": reader.help_questions,
        "conditionals": reader.conditionals,
        "help_asked": reader.help_asked,
        "named_causes": reader.named_causes,
        "fear_cues": reader.fear_cues,
        **{f"alarm_{level}": words for level, words in reader.alarm_words.items()},
        "name_intros": reader.name_intros,
        **{f"measure_cues_{m.id}": m.cues for m in reader.measures},
        **{f"skin_around_{r.id}": r.skin_around for r in reader.site_rules if r.skin_around},
        **{f"measure_units_{m.id}": m.units for m in reader.measures},
    }
    if reader.experiencer is not None:
        e = reader.experiencer
        lists |= {
            "others": e.others,
            "relatives": e.relatives,
            "possessed": e.possessed,
            "proxies": e.proxies,
            "experience_verbs": e.experience_verbs,
            "reporting_verbs": e.reporting_verbs,
            "hearsay": e.hearsay,
            "advice": e.advice,
            "hearsay_done": e.hearsay_done,
            "hearsay_until": e.hearsay_until,
            "theirs": [*e.theirs, *e.untreated],
            "untreated": e.untreated,
            "treated_here": e.treated_here,
            "treated_unless_writer": e.treated_unless_writer,
            "writer_state": e.writer_state,
            "writer_treated": e.writer_treated,
            "writer_sites": e.writer_sites,
            "treated_together": e.treated_together,
            "first_person": e.first_person,
            "done_to_writer": e.done_to_writer,
            "writer_self": e.writer_self,
            "scribes": e.scribes,
            "addressed": e.addressed,
            "disowned": e.disowned,
            "shared": e.shared,
            "shared_owner": e.shared_owner,
            "shared_closing": e.shared_closing,
            "pronouns": e.pronouns,
            "similes": e.similes,
            "indefinite": e.indefinite,
            "treated": e.treated,
            "people": [*e.others, *e.relatives, *e.proxies],
        }
    if reader.reason_for_treatment is not None:
        lists["reason_markers"] = reader.reason_for_treatment.markers
        lists["new_markers"] = reader.reason_for_treatment.unless
        lists["new_after_markers"] = reader.reason_for_treatment.new_after
    lists["settled_compared"] = reader.settled_compared
    if reader.history is not None:
        lists["history_markers"] = reader.history.markers
        lists["history_unless"] = reader.history.unless
        lists["history_recurs"] = reader.history.recurs
        lists["history_habits"] = reader.history.habits
        lists["history_compared"] = reader.history.compared
        lists["history_recent"] = reader.history.recent
    return _phrase_sets(lists, reader)


def _phrase_sets(lists: Mapping[str, list[str]], reader: ReaderFile) -> dict[str, PhraseSet]:
    """Named lists of phrases as word tuples, respelled like the messages they match."""
    return {
        name: PhraseSet((_words(p, reader) for p in phrases), name)
        for name, phrases in lists.items()
    }


def _grammar(reader: ReaderFile) -> dict[str, PhraseSet]:
    lists: dict[str, list[str]] = {
        "became": reader.became,
        "baseline": reader.baseline,
        "exceptions": reader.exceptions,
        "known_normal": reader.known_normal,
        "expectation": reader.expectation,
    }
    if reader.answers is not None:
        a = reader.answers
        lists |= {
            "answers_no": a.bare_no,
            "answers_fine": a.fine,
            "answers_none_yet": a.none_yet,
            "answers_all_no": a.all_no,
        }
    return _phrase_sets(lists, reader)


# Kinds of phrase that decide how the words around them are read; one phrase, one such kind.
def _reach(index: Mapping[tuple[str, ...], object]) -> dict[str, int]:
    reach: dict[str, int] = {}
    for key in index:
        reach[key[0]] = max(reach.get(key[0], 0), len(key))
    return reach


_EXCLUSIVE = {"concept", "negation", "pseudo", "terminator", "connector", "all_clear", "uncertain"}
