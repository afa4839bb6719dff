"""From the pages' form fields to the services' inputs, with problems named by field.

The field names are flat (`age`, `conditions`, `depth.cheeks`); what a code means and which
codes exist come from the knowledge base. Only types are checked here (a number is a number);
the rest is left to the services and engines, whose problems are mapped back to the fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from needlesafe.errors import InputProblem
from needlesafe.knowledge.forms import ClinicForms
from needlesafe.knowledge.triage_schema import TemperatureRules
from needlesafe.web.render import FormValues

# Where a service's problem path shows on the screening form.
INTAKE_FIELDS = {
    "patient.age": "age",
    "patient.fitzpatrick": "fitzpatrick",
    "patient.pregnant": "pregnant",
    "patient.breastfeeding": "breastfeeding",
    "patient.conditions": "conditions",
    "patient.medications": "medications",
    "patient.allergies": "allergies",
    "plan.areas": "areas",
    "plan.needle_depth_mm": "needle_depth_mm",
    "plan.device": "device",
    "plan.setting": "setting",
    "plan.numbing_agent": "numbing_agent",
    "plan.topicals": "topicals",
    "plan.patch_test_done": "patch_test_done",
    "plan.sterile_single_use_needles": "sterile_single_use_needles",
    "plan.medical_clearances": "medical_clearances",
}
TREATMENT_FIELDS = {
    "performed_on": "performed_on",
    "device_make": "device_make",
    "device_model": "device_model",
    "device": "device",
    "needle_cartridge_lot": "needle_cartridge_lot",
    "areas": "areas",
    "numbing_agent_lot": "numbing_agent_lot",
    "numbing_agent": "numbing_agent",
    "topicals": "topicals",
    "notes": "notes",
    "intake_id": "",
    "override_reason": "override_reason",
}
ADVERSE_EVENT_FIELDS = {
    "treatment_id": "treatment_id",
    "complication": "complication",
    "onset_date": "onset_date",
    "ctcae_grade": "ctcae_grade",
    "icd10_code": "icd10_code",
    "serious": "serious",
    "actions": "actions",
    "outcome": "outcome",
    "product_lot": "product_lot",
    "notes": "notes",
}
PATIENT_FIELDS = {
    "name": "name",
    "date_of_birth": "date_of_birth",
    "chart_number": "chart_number",
    "phone": "phone",
    "email": "email",
}
CHECKIN_FIELDS = {
    "symptoms": "symptoms",
    "temperature_c": "temperature",
    "message": "message",
    "days_since_treatment": "",
}


def _int(values: FormValues, name: str, problems: list[InputProblem]) -> int | None:
    raw = values.get(name).strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        problems.append(InputProblem(name, "should be a whole number"))
        return None


def _float(values: FormValues, name: str, problems: list[InputProblem]) -> float | None:
    raw = values.get(name).strip().replace(",", ".")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        problems.append(InputProblem(name, "should be a number, like 1.5"))
        return None


def _date(values: FormValues, name: str, problems: list[InputProblem]) -> str | None:
    raw = values.get(name).strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        problems.append(InputProblem(name, "should be a date, like 2026-03-01"))
        return None


def quiz_answers(values: FormValues, forms: ClinicForms) -> dict[str, int | None]:
    answers: dict[str, int | None] = {}
    for question in forms.quiz.questions:
        raw = values.get(f"quiz.{question.id}")
        answers[question.id] = int(raw) if raw.isdigit() and int(raw) < 5 else None
    return answers


def intake_from_form(
    values: FormValues, forms: ClinicForms
) -> tuple[dict[str, Any], list[InputProblem]]:
    """The intake (CONTRACT.md shape) and the problems found in the fields themselves."""
    problems: list[InputProblem] = []
    age = _int(values, "age", problems)
    if age is None and not any(p.path == "age" for p in problems):
        problems.append(InputProblem("age", "required: the patient's age in years"))
    fitzpatrick = values.get("fitzpatrick")
    if not fitzpatrick:
        result = forms.score_quiz(quiz_answers(values, forms))
        if result.complete:
            fitzpatrick = result.fitzpatrick
        elif result.answered:
            problems.append(
                InputProblem(
                    "fitzpatrick",
                    f"answer all {result.questions} quiz questions "
                    f"({result.answered} answered), or pick a skin type",
                )
            )
        else:
            problems.append(
                InputProblem("fitzpatrick", "required: pick a skin type or take the quiz")
            )
    medications: list[Any] = []
    for code in values.all("medications"):
        stopped = _int(values, f"stopped.{code}", problems)
        medications.append(code if stopped is None else {"code": code, "stopped_days_ago": stopped})
    depth = _float(values, "needle_depth_mm", problems)
    if depth is None and not any(p.path == "needle_depth_mm" for p in problems):
        problems.append(InputProblem("needle_depth_mm", "required: the deepest needle setting"))
    areas = values.all("areas")
    if not areas:
        problems.append(InputProblem("areas", "pick at least one area"))
    if not values.get("device"):
        problems.append(InputProblem("device", "required: pick a device"))
    intake = {
        "patient": {
            "age": age,
            "fitzpatrick": fitzpatrick,
            "pregnant": values.has("pregnant"),
            "breastfeeding": values.has("breastfeeding"),
            "conditions": values.all("conditions"),
            "medications": medications,
            "allergies": values.all("allergies"),
        },
        "plan": {
            "areas": areas,
            "needle_depth_mm": depth,
            "device": values.get("device"),
            "setting": values.get("setting", "clinic") or "clinic",
            "numbing_agent": values.get("numbing_agent", "none") or "none",
            "topicals": values.all("topicals"),
            "patch_test_done": values.has("patch_test_done"),
            "sterile_single_use_needles": values.has("sterile_single_use_needles"),
            "medical_clearances": values.all("medical_clearances"),
        },
    }
    return intake, problems


def _optional(values: FormValues, name: str) -> str | None:
    return values.get(name).strip() or None


def treatment_from_form(values: FormValues) -> tuple[dict[str, Any], list[InputProblem]]:
    problems: list[InputProblem] = []
    performed_on = _date(values, "performed_on", problems)
    if performed_on is None and not any(p.path == "performed_on" for p in problems):
        problems.append(InputProblem("performed_on", "required: the day of the treatment"))
    areas = []
    for code in values.all("areas"):
        depth = _float(values, f"depth.{code}", problems)
        passes = _int(values, f"passes.{code}", problems)
        if depth is None:
            problems.append(InputProblem(f"depth.{code}", "required: the depth used here"))
            continue
        areas.append({"area": code, "depth_mm": depth, "passes": passes or 1})
    if not values.all("areas"):
        problems.append(InputProblem("areas", "pick at least one area treated"))
    topicals = [
        {"code": code, "lot": _optional(values, f"lot.{code}")} for code in values.all("topicals")
    ]
    intake_id = _int(values, "intake_id", problems)
    data: dict[str, Any] = {
        "performed_on": performed_on,
        "device": values.get("device"),
        "device_make": _optional(values, "device_make"),
        "device_model": _optional(values, "device_model"),
        "needle_cartridge_lot": _optional(values, "needle_cartridge_lot"),
        "areas": areas,
        "numbing_agent": values.get("numbing_agent", "none") or "none",
        "numbing_agent_lot": _optional(values, "numbing_agent_lot"),
        "topicals": topicals,
        "notes": values.get("notes"),
        "intake_id": intake_id,
    }
    reason = values.get("override_reason").strip()
    if reason:
        data["override_reason"] = reason
    return data, problems


def adverse_event_from_form(
    values: FormValues, patient_id: int
) -> tuple[dict[str, Any], list[InputProblem]]:
    problems: list[InputProblem] = []
    onset = _date(values, "onset_date", problems)
    if onset is None and not any(p.path == "onset_date" for p in problems):
        problems.append(InputProblem("onset_date", "required: when it started"))
    grade = _int(values, "ctcae_grade", problems)
    if grade is None and not any(p.path == "ctcae_grade" for p in problems):
        problems.append(InputProblem("ctcae_grade", "required: pick a grade"))
    if not values.get("complication"):
        problems.append(InputProblem("complication", "required: pick the complication"))
    data: dict[str, Any] = {
        "patient_id": patient_id,
        "treatment_id": _int(values, "treatment_id", problems),
        "complication": values.get("complication"),
        "onset_date": onset,
        "ctcae_grade": grade,
        "icd10_code": _optional(values, "icd10_code"),
        "serious": values.has("serious"),
        "actions": values.get("actions"),
        "outcome": values.get("outcome", "unknown") or "unknown",
        "product_lot": _optional(values, "product_lot"),
        "notes": values.get("notes"),
    }
    return data, problems


def patient_from_form(values: FormValues) -> tuple[dict[str, Any], list[InputProblem]]:
    problems: list[InputProblem] = []
    born = _date(values, "date_of_birth", problems)
    if not values.get("name").strip():
        problems.append(InputProblem("name", "required: the patient's name"))
    data = {
        "name": values.get("name"),
        "date_of_birth": born,
        "chart_number": _optional(values, "chart_number"),
        "phone": _optional(values, "phone"),
        "email": _optional(values, "email"),
    }
    return data, problems


def _temperature_c(
    values: FormValues, rules: TemperatureRules, problems: list[InputProblem]
) -> float | None:
    """The thermometer reading in Celsius, in the unit the patient picked (°C or °F), or the
    other one when only its range holds the number; a decimal comma is a decimal point."""
    raw = values.get("temperature").strip().replace(",", ".")
    if not raw:
        return None
    unit: Literal["c", "f"] = "f" if values.get("temperature_unit").lower() == "f" else "c"
    try:
        celsius = rules.as_celsius(float(raw), unit)
    except ValueError:
        celsius = None
    if celsius is None:
        (low_c, high_c), (low_f, high_f) = rules.celsius_range, rules.fahrenheit_range
        problems.append(
            InputProblem(
                "temperature",
                f"a body temperature is a number between {low_c:g} and {high_c:g} °C "
                f"({low_f:g} to {high_f:g} °F): please check it",
            )
        )
    return celsius


def checkin_from_form(
    values: FormValues, temperature: TemperatureRules
) -> tuple[dict[str, Any], list[InputProblem]]:
    problems: list[InputProblem] = []
    symptoms: list[Any] = []
    for code in values.all("symptoms"):
        report: dict[str, str] = {"code": code}
        for part in ("severity", "trend"):
            chosen = values.get(f"{part}.{code}")
            if chosen:
                report[part] = chosen
        symptoms.append(report)
    celsius = _temperature_c(values, temperature, problems)
    message = values.get("message").strip()
    if not symptoms and not message and celsius is None and not problems:
        problems.append(
            InputProblem("symptoms", "tell us in your own words, or tick what you notice")
        )
    data: dict[str, Any] = {"symptoms": symptoms}
    if celsius is not None:
        data["temperature_c"] = celsius
    if message:
        data["message"] = message
    return data, problems
