"""The lay-language check-in corpus (issue 9): messages as patients really write them, written
from consumer-health vocabularies, patient forums and texting habits rather than from the
reader's rules. Scored like a triage study.

Hard failures (per entry): under-triage (an answer less urgent than the reference), a missed red
flag, and a negated or absent code that was read. The exact symptom set is reported as a
figure, not enforced. Set NEEDLESAFE_LAY_CORPUS_REPORT=/some/file to write the figures and
every failing entry there.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from needlesafe.engine.inputs import parse_checkin
from needlesafe.engine.models import Triage
from needlesafe.engine.triage import disposition_rank, triage
from needlesafe.knowledge.base import Knowledge

# The reader reads this corpus (issue 9): the per-entry and summary tests count for real.
READER_READY = True
reader_pending = pytest.mark.xfail(
    not READER_READY, strict=False, reason="issue 9: reader being extended"
)

CORPUS_DIR = Path(__file__).parent / "corpus"
REQUIRED_KEYS = {"text", "day", "symptoms", "expect", "tags"}
# cautious: why the reader deliberately keeps a symptom the reference leaves out (a parent or
# partner may be writing for the patient; doubt is read the safer way). Such an entry's
# negated/absent codes are reported as over-reading, never as a failure; under-triage still is.
OPTIONAL_KEYS = {"red_flags", "negated", "absent", "cautious"}
DISPOSITIONS = ("self_care", "contact_clinic", "urgent", "emergency")
TAGS = {
    "plain",  # said straight
    "slang",
    "no_apostrophe",  # cant, dont, im, its
    "typo",
    "text_speak",  # r, u, rn, tbh, omg, n
    "british",
    "american",
    "formal",  # a clinical word: oedema, urticaria, tinnitus
    "exaggeration",
    "extent",  # where and how far it goes
    "rambling",  # a long message with the key fact in the middle
    "question",
    "hedge",  # probably nothing, a tiny bit, kinda
    "parent",  # someone writing about the patient: it IS the patient
    "other_person",  # someone else's symptoms: NOT the patient
    "past_resolved",  # something that happened and is gone: not now
    "past_episode",  # an airway or lip-swelling episode that settled: still urgent
    "negation",
    "emoji",
    "temperature",
    "no_symptom",
    "treatment_reason",  # the scars, acne or pigment being treated
    "spots_pimple",  # "spots" meaning pimples
    "spots_pigment",  # "spots" meaning dark or light marks
}
# Symptoms that make a check-in an emergency on any day, by the reference policy.
ALWAYS_EMERGENCY = frozenset(
    {
        "difficulty_breathing",
        "wheezing",
        "throat_tightness",
        "lip_tongue_swelling",
        "difficulty_swallowing",
        "voice_change",
        "blue_lips",
        "vision_change",
        "eye_pain",
        "seizure",
        "confusion",
        "chest_pain",
        "fainting",
    }
)
# A red flag also counts as read when a graver code of the same kind was read ("nearly passed
# out" read as fainting has not missed the dizziness).
GRAVER = {"dizziness": frozenset({"fainting"})}
MIN_ENTRIES = 600
MIN_PER_CODE = 3
MIN_PER_EMERGENCY_CODE = 10


def _load() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for path in sorted(CORPUS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        assert isinstance(data, list), f"{path.name}: the corpus file must be a list of entries"
        for i, entry in enumerate(data, start=1):
            entries.append({"_id": f"{path.stem}-{i:03d}", **entry})
    return entries


ENTRIES = _load()
IDS = [e["_id"] for e in ENTRIES]

_cache: dict[tuple[int, str], Triage] = {}


def run(entry: dict[str, Any], knowledge: Knowledge) -> Triage:
    key = (id(knowledge), entry["_id"])
    if key not in _cache:
        checkin = {"days_since_treatment": entry["day"], "message": entry["text"]}
        _cache[key] = triage(parse_checkin(checkin, knowledge), knowledge)
    return _cache[key]


def red_flags(entry: dict[str, Any]) -> list[str]:
    """The entry's red flags: as written, or its always-emergency symptoms."""
    if "red_flags" in entry:
        return list(entry["red_flags"])
    return [s for s in entry["symptoms"] if s in ALWAYS_EMERGENCY]


def problems(entry: dict[str, Any], result: Triage) -> list[str]:
    """The hard failures of one entry (empty when it passes)."""
    found: list[str] = []
    if disposition_rank(result.disposition) < disposition_rank(entry["expect"]):
        found.append(f"under-triage: {result.disposition} < {entry['expect']}")
    read = set(result.symptoms)
    missed = [
        code
        for code in red_flags(entry)
        if code not in read and not GRAVER.get(code, frozenset()) & read
    ]
    if missed:
        found.append(f"missed red flag(s): {missed}")
    for key in ("negated", "absent"):
        wrongly = [code for code in entry.get(key, []) if code in result.symptoms]
        if wrongly and "cautious" not in entry:
            found.append(f"{key} code(s) read: {wrongly}")
    return found


def score(knowledge: Knowledge) -> dict[str, Any]:
    n = len(ENTRIES)
    agree = over = under = exact_set = 0
    emergencies = caught = 0
    failing: list[tuple[dict[str, Any], Triage, list[str]]] = []
    over_triaged: list[tuple[dict[str, Any], Triage]] = []
    for entry in ENTRIES:
        result = run(entry, knowledge)
        got = disposition_rank(result.disposition)
        want = disposition_rank(entry["expect"])
        agree += got == want
        if got > want:
            over += 1
            over_triaged.append((entry, result))
        under += got < want
        if entry["expect"] == "emergency":
            emergencies += 1
            caught += result.disposition == "emergency"
        exact_set += sorted(result.symptoms) == sorted(entry["symptoms"])
        found = problems(entry, result)
        if found:
            failing.append((entry, result, found))
    return {
        "n": n,
        "agreement": agree / n,
        "over": over,
        "over_rate": over / n,
        "under": under,
        "emergencies": emergencies,
        "emergency_sensitivity": caught / emergencies if emergencies else 1.0,
        "exact_set": exact_set / n,
        "failing": failing,
        "over_triaged": over_triaged,
    }


def summary_line(s: dict[str, Any]) -> str:
    return (
        f"lay corpus: n={s['n']} exact agreement={s['agreement']:.1%} "
        f"under-triage={s['under']} over-triage={s['over']} ({s['over_rate']:.1%}) "
        f"emergency sensitivity={s['emergency_sensitivity']:.1%} of {s['emergencies']} "
        f"exact symptom set={s['exact_set']:.1%} failing entries={len(s['failing'])}"
    )


def report(s: dict[str, Any]) -> str:
    lines = [summary_line(s), ""]
    kinds = Counter(p.split(":")[0] for _, _, found in s["failing"] for p in found)
    lines.append("hard failures by kind: " + ", ".join(f"{k}={v}" for k, v in kinds.items()))
    lines.append("")
    for entry, result, found in s["failing"]:
        lines.append(f"[{entry['_id']}] day {entry['day']}: {entry['text']}")
        lines.append(f"    expected {entry['expect']} {sorted(entry['symptoms'])}")
        lines.append(f"    got      {result.disposition} {sorted(result.symptoms)}")
        for problem in found:
            lines.append(f"    - {problem}")
    lines += ["", "over-triage (reported, not a failure):"]
    for entry, result in s["over_triaged"]:
        lines.append(f"[{entry['_id']}] day {entry['day']}: {entry['text']}")
        lines.append(f"    expected {entry['expect']} {sorted(entry['symptoms'])}")
        lines.append(f"    got      {result.disposition} {sorted(result.symptoms)}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the corpus itself


def test_the_corpus_is_well_formed(knowledge: Knowledge) -> None:
    codes = set(knowledge.codes["symptoms"])
    errors: list[str] = []
    texts: Counter[str] = Counter()
    for e in ENTRIES:
        where = e["_id"]
        keys = set(e) - {"_id"}
        if missing := REQUIRED_KEYS - keys:
            errors.append(f"{where}: missing {sorted(missing)}")
            continue
        if unknown := keys - REQUIRED_KEYS - OPTIONAL_KEYS:
            errors.append(f"{where}: unknown key(s) {sorted(unknown)}")
        if not isinstance(e["text"], str) or not e["text"].strip():
            errors.append(f"{where}: text must be a non-empty string")
        texts[str(e["text"]).strip().lower()] += 1
        day = e["day"]
        if isinstance(day, bool) or not isinstance(day, int | float) or not 0 <= day <= 90:
            errors.append(f"{where}: day must be a number from 0 to 90, got {day!r}")
        if e["expect"] not in DISPOSITIONS:
            errors.append(f"{where}: unknown disposition {e['expect']!r}")
        if not isinstance(e["tags"], list) or not e["tags"]:
            errors.append(f"{where}: tags must be a non-empty list")
        elif bad_tags := set(e["tags"]) - TAGS:
            errors.append(f"{where}: unknown tag(s) {sorted(bad_tags)}")
        lists = {k: e.get(k, []) for k in ("symptoms", "red_flags", "negated", "absent")}
        for key, value in lists.items():
            if not isinstance(value, list):
                errors.append(f"{where}: {key} must be a list")
                continue
            if bad := [c for c in value if c not in codes]:
                errors.append(f"{where}: {key} has unknown code(s) {bad}")
            if len(set(value)) != len(value):
                errors.append(f"{where}: {key} repeats a code")
        symptoms = set(lists["symptoms"])
        if not set(lists["red_flags"]) <= symptoms:
            errors.append(f"{where}: red_flags must be among the symptoms")
        if clash := (set(lists["negated"]) | set(lists["absent"])) & symptoms:
            errors.append(f"{where}: {sorted(clash)} both affirmed and negated/absent")
        if "lip_tongue_swelling" in symptoms and "swelling" not in symptoms:
            errors.append(f"{where}: lip_tongue_swelling also gives swelling")
        if e["expect"] == "emergency" and not lists["red_flags"]:
            errors.append(f"{where}: an emergency entry names its red_flags")
        if urgent_codes := symptoms & ALWAYS_EMERGENCY:
            if e["expect"] != "emergency":
                errors.append(f"{where}: {sorted(urgent_codes)} is an emergency by the policy")
            if not urgent_codes <= set(lists["red_flags"]):
                errors.append(f"{where}: {sorted(urgent_codes)} must be in red_flags")
    errors += [f"duplicate text: {t!r}" for t, count in texts.items() if count > 1]
    assert not errors, "\n".join(errors)

    assert len(ENTRIES) >= MIN_ENTRIES
    per_code = Counter(code for e in ENTRIES for code in e["symptoms"])
    too_few = {c: per_code[c] for c in sorted(codes) if per_code[c] < MIN_PER_CODE}
    assert not too_few, f"codes in fewer than {MIN_PER_CODE} entries: {too_few}"
    too_few = {
        c: per_code[c] for c in sorted(ALWAYS_EMERGENCY) if per_code[c] < MIN_PER_EMERGENCY_CODE
    }
    assert not too_few, f"emergency codes in fewer than {MIN_PER_EMERGENCY_CODE}: {too_few}"
    assert {e["expect"] for e in ENTRIES} == set(DISPOSITIONS)
    days = [e["day"] for e in ENTRIES]
    assert min(days) == 0 and max(days) >= 90


# ---------------------------------------------------------------- the reader against it


@reader_pending
@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_entry_is_never_under_triaged_and_never_misses_or_invents_a_code(
    entry: dict[str, Any], knowledge: Knowledge
) -> None:
    result = run(entry, knowledge)
    found = problems(entry, result)
    assert not found, (
        f"{entry['text']!r} (day {entry['day']}): {'; '.join(found)}; "
        f"got {result.disposition} {sorted(result.symptoms)}"
    )


@reader_pending
def test_the_corpus_scores_zero_under_triage_full_emergency_sensitivity_and_the_targets(
    knowledge: Knowledge, capsys: pytest.CaptureFixture[str]
) -> None:
    s = score(knowledge)
    with capsys.disabled():
        print("\n" + summary_line(s))
    if target := os.environ.get("NEEDLESAFE_LAY_CORPUS_REPORT"):
        Path(target).write_text(report(s), encoding="utf-8")
    assert s["under"] == 0
    assert s["emergency_sensitivity"] == 1.0
    assert s["agreement"] >= 0.90
    assert s["over_rate"] < 0.10
