"""Triage of a check-in after microneedling: `triage(checkin, knowledge) -> Triage`. Pure.

1. The effective symptoms: the structured ones, then those read from the message (origin
   `message`), then `fever` if a temperature (given or read) reaches the threshold.
2. Each symptom moves along its course (symptoms.yaml): every course rule whose conditions hold
   fires; the highest disposition wins.
3. Red flags and combinations (triage_rules.yaml) fire on the whole set; each raises the
   symptoms it matched and the check-in.
4. A message the reader could not understand at all sends the patient to the clinic.

Every condition asks only for the presence of something (a symptom, at least a severity, at
least a trend, a temperature at or above a threshold), so adding a symptom, raising a severity,
a worse trend or a higher temperature never lowers the disposition. A report without a severity
counts as moderate and one without a trend as stable: unknown is never read as the mildest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from needlesafe.engine.models import CheckIn, Finding, Triage
from needlesafe.engine.reader import Reading, read_message
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.triage_schema import (
    DISPOSITION_RANK,
    SELF_CARE,
    SEVERITIES,
    STATUSES,
    TRENDS,
    CourseRule,
    Disposition,
    Severity,
    Status,
    Trend,
    TriageKnowledge,
    TriageRule,
)

_STATUS_RANK = {s: i for i, s in enumerate(STATUSES)}
_SEVERITY_RANK: Mapping[Severity | None, int] = {
    **{s: i for i, s in enumerate(SEVERITIES)},
    None: SEVERITIES.index("moderate"),  # unknown counts as moderate, never as mild
}
_TREND_RANK: Mapping[Trend | None, int] = {
    **{t: i for i, t in enumerate(TRENDS)},
    None: TRENDS.index("stable"),  # unknown counts as stable, never as improving
}
MAX_REASONS = 2  # reasons quoted in the overall patient text


def severity_rank(severity: Severity | None) -> int:
    return _SEVERITY_RANK[severity]


def trend_rank(trend: Trend | None) -> int:
    return _TREND_RANK[trend]


def disposition_rank(disposition: str) -> int:
    return DISPOSITION_RANK[disposition]  # type: ignore[index]  # unknown -> KeyError


@dataclass(frozen=True)
class _Report:
    code: str
    origin: str  # structured | message
    severity: Severity | None
    trend: Trend | None


@dataclass(frozen=True)
class _Verdict:
    disposition: Disposition
    status: Status
    rule: str
    patient_text: str
    clinician_text: str
    sources: tuple[str, ...]

    def key(self) -> tuple[int, int]:
        return DISPOSITION_RANK[self.disposition], _STATUS_RANK[self.status]


def _worst_severity(a: Severity | None, b: Severity | None) -> Severity | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if _SEVERITY_RANK[a] >= _SEVERITY_RANK[b] else b


def _worst_trend(a: Trend | None, b: Trend | None) -> Trend | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if _TREND_RANK[a] >= _TREND_RANK[b] else b


def _in_window(rule: CourseRule | TriageRule, day: float, conditions: frozenset[str]) -> bool:
    if rule.after_day is not None and not day > rule.after_day:
        return False
    if rule.through_day is not None and not day <= rule.through_day:
        return False
    return rule.condition_any is None or bool(conditions.intersection(rule.condition_any))


def _course_rule_fires(
    rule: CourseRule, report: _Report, day: float, conditions: frozenset[str]
) -> bool:
    if not _in_window(rule, day, conditions):
        return False
    if rule.min_severity is not None and (
        _SEVERITY_RANK[report.severity] < _SEVERITY_RANK[rule.min_severity]
    ):
        return False
    return rule.min_trend is None or _TREND_RANK[report.trend] >= _TREND_RANK[rule.min_trend]


def _verdict(rule: CourseRule | TriageRule) -> _Verdict:
    return _Verdict(
        rule.disposition,
        rule.status,
        rule.id,
        rule.patient_text,
        rule.clinician_text,
        tuple(rule.sources),
    )


def _combination_matches(
    rule: TriageRule,
    reports: Mapping[str, _Report],
    day: float,
    conditions: frozenset[str],
    resolved: frozenset[str],
) -> list[str] | None:
    """The symptoms a combination rule matched, or None if it does not fire."""
    if not _in_window(rule, day, conditions):
        return None
    matched: list[str] = []
    for clause in rule.when:
        if clause.condition_any is not None:
            if not conditions.intersection(clause.condition_any):
                return None
            continue
        if clause.resolved_any is not None:
            if not resolved.intersection(clause.resolved_any):
                return None
            continue
        hits = [
            code
            for code in clause.symptom_any or []
            if code in reports
            and (
                clause.min_severity is None
                or _SEVERITY_RANK[reports[code].severity] >= _SEVERITY_RANK[clause.min_severity]
            )
            and (
                clause.min_trend is None
                or _TREND_RANK[reports[code].trend] >= _TREND_RANK[clause.min_trend]
            )
        ]
        if not hits:
            return None
        matched.extend(hits)
    matched = list(dict.fromkeys(matched))
    if rule.min_matched is not None and len(matched) < rule.min_matched:
        return None
    return matched


def _effective_reports(
    checkin: CheckIn, reading: Reading | None, tk: TriageKnowledge
) -> tuple[dict[str, _Report], float | None]:
    reports: dict[str, _Report] = {}
    for s in checkin.symptoms:
        before = reports.get(s.code)
        reports[s.code] = _Report(
            s.code,
            "structured",
            _worst_severity(before.severity if before else None, s.severity),
            _worst_trend(before.trend if before else None, s.trend),
        )
    if reading is not None:
        for code, read in reading.symptoms.items():
            before = reports.get(code)
            if before is None:
                reports[code] = _Report(code, "message", read.severity, read.trend)
            else:
                reports[code] = _Report(
                    code,
                    before.origin,
                    _worst_severity(before.severity, read.severity),
                    _worst_trend(before.trend, read.trend),
                )
    read_now = reading.temperature_now_c if reading else None
    highest = max([t for t in (read_now, checkin.temperature_c) if t is not None], default=None)
    threshold = tk.rules.fever_threshold_c
    fever = tk.rules.fever_symptom  # the symptom a temperature adds (triage_rules.yaml)
    if highest is not None and highest >= threshold and fever not in reports:
        structured = checkin.temperature_c is not None and checkin.temperature_c >= threshold
        reports[fever] = _Report(fever, "structured" if structured else "message", None, None)
    return reports, highest


# Reads the parts of a message the rules left unread and names the symptoms they most likely
# mean (the optional sentence-model layer, `needlesafe.semantic`); injected, so the engine
# stays pure.
UnreadReader = Callable[[Sequence[str]], Sequence[str]]


def triage(
    checkin: CheckIn, knowledge: Knowledge, *, unread_reader: UnreadReader | None = None
) -> Triage:
    """The disposition, a finding per symptom, and what to do now, in plain words."""
    tk = knowledge.triage
    if tk is None:
        raise ValueError("this knowledge base has no triage part (symptoms.yaml and friends)")
    day = checkin.days_since_treatment
    conditions = frozenset(checkin.patient.conditions if checkin.patient else ())
    message = (checkin.message or "").strip()
    reading = read_message(message, tk) if message else None
    reports, temperature = _effective_reports(checkin, reading, tk)
    guessed: list[str] = []
    if unread_reader is not None and reading is not None and reading.unread:
        # only ever adds symptoms (the answer can only go up); the parts stay unread for the
        # clinic to read, since a guess is not a reading
        for code in unread_reader(reading.unread):
            if code in tk.symptoms and code not in reports:
                reports[code] = _Report(code, "message", None, None)
                guessed.append(code)
    resolved = frozenset(reading.resolved) if reading else frozenset()

    verdicts: dict[str, _Verdict] = {}
    fired: list[str] = []
    for code, report in reports.items():
        best: _Verdict | None = None
        for rule in tk.symptoms[code].course:
            if _course_rule_fires(rule, report, day, conditions):
                fired.append(rule.id)
                candidate = _verdict(rule)
                if best is None or candidate.key() >= best.key():
                    best = candidate
        if best is None:  # unreachable: the first course rule has no conditions
            raise ValueError(f"symptom {code!r} has no base course rule")
        verdicts[code] = best

    combination_reasons: list[_Verdict] = []
    for trule in tk.rules.rules:
        matched = _combination_matches(trule, reports, day, conditions, resolved)
        if matched is None:
            continue
        fired.append(trule.id)
        candidate = _verdict(trule)
        combination_reasons.append(candidate)
        for code in matched:
            if candidate.key() >= verdicts[code].key():
                verdicts[code] = candidate

    disposition: Disposition = SELF_CARE
    for v in [*verdicts.values(), *combination_reasons]:
        if DISPOSITION_RANK[v.disposition] > DISPOSITION_RANK[disposition]:
            disposition = v.disposition
    # Every part of the message is read or known to be harmless; a part that is neither is
    # never dropped: the clinic reads it, and the answer is never self care.
    unclear = reading is not None and bool(reading.unread)
    unclear_rule = tk.rules.unclear_message
    if unclear and DISPOSITION_RANK[unclear_rule.disposition] > DISPOSITION_RANK[disposition]:
        disposition = unclear_rule.disposition
    # an unread part naming the throat, the eyes, the chest...: at least what that site hints
    site_hint = reading.unread_hint if reading is not None else None
    raised_by_site = site_hint is not None and (
        DISPOSITION_RANK[site_hint] >= DISPOSITION_RANK[disposition]
    )
    if site_hint is not None and raised_by_site:
        disposition = site_hint
    nothing_described = (
        reading is not None and not reports and not unclear and not combination_reasons
    )

    findings = [
        Finding(
            symptom=code,
            status=verdicts[code].status,
            origin="structured" if report.origin == "structured" else "message",
            patient_text=verdicts[code].patient_text,
            sources=list(verdicts[code].sources),
            label=knowledge.label("symptoms", code),
            disposition=verdicts[code].disposition,
            rule=verdicts[code].rule,
            severity=report.severity,
            trend=report.trend,
            clinician_text=verdicts[code].clinician_text,
        )
        for code, report in reports.items()
    ]
    findings.sort(key=lambda f: (-DISPOSITION_RANK[f.disposition], -_STATUS_RANK[f.status]))
    return Triage(
        disposition=disposition,
        findings=findings,
        symptoms=list(reports),
        patient_text=_patient_text(
            disposition,
            [*combination_reasons, *verdicts.values()],
            tk,
            unclear=unclear,
            uncertain=reading is not None and reading.uncertain,
            nothing_described=nothing_described,
            someone_else=reading is not None
            and any(
                tk.symptoms[code].group == "warning"
                for code in reading.others
                if code in tk.symptoms and code not in reports and code not in reading.heard
            ),
            site_text=(
                tk.rules.unclear_site_texts.get(site_hint)
                if site_hint is not None and raised_by_site
                else None
            ),
        ),
        knowledge_version=knowledge.version,
        rules=list(dict.fromkeys(fired)),
        temperature_c=temperature,
        negated=[c for c in reading.negated if c not in reports] if reading else [],
        resolved=[c for c in reading.resolved if c not in reports] if reading else [],
        others=[c for c in reading.others if c not in reports] if reading else [],
        unread=list(reading.unread) if reading else [],
        guessed=guessed,
        read_summary=_read_summary(reports, reading, knowledge),
    )


def _read_summary(
    reports: Mapping[str, _Report], reading: Reading | None, knowledge: Knowledge
) -> str:
    """What the message was read as, in plain words, for the patient to check."""
    if reading is None:
        return ""
    read = [
        knowledge.label("symptoms", code) for code, r in reports.items() if r.origin == "message"
    ]
    if reading.temperature_now_c is not None:
        read.append(f"a temperature of {reading.temperature_now_c:.1f} °C")
    if not read:
        return ""
    listed = read[0] if len(read) == 1 else ", ".join(read[:-1]) + " and " + read[-1]
    return f"We read: {listed}."


def _patient_text(
    disposition: Disposition,
    verdicts: list[_Verdict],
    tk: TriageKnowledge,
    *,
    unclear: bool,
    uncertain: bool,
    nothing_described: bool = False,
    someone_else: bool = False,
    site_text: str | None = None,
) -> str:
    """What to do now, why (the top reasons), and what would make it more urgent."""
    words = tk.dispositions[disposition]
    parts = [words.action]
    reasons: list[str] = []
    if disposition != SELF_CARE:
        for v in verdicts:  # combinations first: they explain best
            if v.disposition == disposition and v.patient_text not in reasons:
                reasons.append(v.patient_text)
            if len(reasons) == MAX_REASONS:
                break
    parts += reasons
    if someone_else:  # not "nothing worrying was described": something was, of them
        parts.append(tk.rules.someone_else_text)
    elif nothing_described:
        parts.append(tk.rules.nothing_described_text)
    if site_text:
        parts.append(site_text)
    if unclear:
        parts.append(tk.rules.unclear_message.patient_text)
    if uncertain:
        parts.append(tk.rules.uncertain_text)
    parts.append(words.escalate)
    return " ".join(parts)
