"""The patient's check-in form: temperatures in °C or °F with a decimal comma, problems named
beside their field with what was typed kept, and the symptom list grouped as the knowledge
base says (warning signs first)."""

from __future__ import annotations

import re

from needlesafe.knowledge.base import Knowledge
from needlesafe.settings import Settings
from tests.web.pagekit import sign_in_admin, treated_patient
from tests.web.webkit import Browser

# (typed, unit chosen, the answer's heading)
READINGS = [
    ("38,9", "c", "Get medical care today"),  # a decimal comma: 38.9 °C, a fever
    ("101.5", "f", "Get medical care today"),  # °F chosen: 38.6 °C
    ("101,5", "c", "Get medical care today"),  # °C chosen, but only °F holds it
    ("98.6", "f", "This sounds like normal healing"),  # 37.0 °C
    ("37,2", "f", "This sounds like normal healing"),  # °F chosen, but only °C holds it
]


def test_a_temperature_is_read_in_either_unit_and_with_a_decimal_comma(staff: Browser) -> None:
    _, _, link = treated_patient(staff)
    for typed, unit, heading in READINGS:
        answer = staff.post(link, {"temperature": typed, "temperature_unit": unit}, csrf_from=link)
        assert answer.status_code == 200, answer.text
        assert f'id="answer-title">{heading}' in answer.text, typed


def test_a_temperature_no_thermometer_shows_is_named_beside_its_field_and_kept(
    staff: Browser,
) -> None:
    _, _, link = treated_patient(staff)
    for typed in ("389", "12", "hot"):
        response = staff.post(
            link,
            {"temperature": typed, "symptoms": ["redness"], "message": "still pink"},
            csrf_from=link,
            headers={"hx-request": "true"},
        )
        assert response.status_code == 422
        page = response.text
        field = re.search(r'<input id="f-temperature"[^>]*>', page)
        assert field and f'value="{typed}"' in field.group(0)
        assert 'aria-invalid="true"' in field.group(0) and "err-temperature" in field.group(0)
        message = re.search(r'<p class="field-error" id="err-temperature">(.*?)</p>', page, re.S)
        assert message and "34 and 43.5 °C" in message.group(1)
        assert "93 to 110 °F" in message.group(1)
        assert 'id="error-summary"' in page and 'href="#f-temperature"' in page
        # what else was typed and ticked stays
        assert ">still pink</textarea>" in page
        assert 'value="redness" checked' in page


def test_an_empty_check_in_is_named_at_the_words_box(staff: Browser) -> None:
    _, _, link = treated_patient(staff)
    response = staff.post(link, {}, csrf_from=link)
    assert response.status_code == 422
    box = re.search(r'<textarea id="f-message"[^>]*>', response.text)
    assert box and 'aria-invalid="true"' in box.group(0) and "err-message" in box.group(0)
    assert re.search(r'id="err-message">.*tick what you notice', response.text)


def test_the_symptoms_are_grouped_as_the_knowledge_base_says_warning_signs_first(
    staff: Browser, knowledge: Knowledge
) -> None:
    _, _, link = treated_patient(staff)
    page = staff.client.get(link).text
    assert knowledge.triage is not None
    groups = knowledge.triage.groups
    assert [g.code for g in groups][0] == "warning"
    starts = [page.index(g.title) for g in groups]
    assert starts == sorted(starts), "the groups are shown in the knowledge base's order"
    ends = starts[1:] + [page.index('class="send-bar"')]
    for group, start, end in zip(groups, starts, ends, strict=True):
        part = page[start:end]
        members = {c for c, e in knowledge.triage.symptoms.items() if e.group == group.code}
        shown = set(re.findall(r'name="symptoms" value="([a-z_]+)"', part))
        assert shown == members, group.code
    # the warning signs are always open; the others fold until something in them is ticked
    assert '<fieldset class="symptoms group-warning">' in page
    assert '<details class="symptom-group group-usual">' in page
    opened = staff.post(link, {"symptoms": ["redness"], "temperature": "x"}, csrf_from=link)
    assert '<details class="symptom-group group-usual" open>' in opened.text
    # Celsius unless the clinic says otherwise
    assert re.search(r'name="temperature_unit" value="c" checked', page)


def test_the_clinics_unit_is_the_one_the_check_in_asks_for_first(
    staff: Browser, app_settings: Settings
) -> None:
    _, _, link = treated_patient(staff)
    sign_in_admin(staff, app_settings)
    saved = staff.post("/settings/clinic", {"temperature_unit": "F"}, csrf_from="/settings/clinic")
    assert saved.status_code == 303, saved.text
    page = staff.client.get(link).text
    assert re.search(r'name="temperature_unit" value="f" checked', page)
    assert not re.search(r'name="temperature_unit" value="c" checked', page)
    # a reading only °C holds is read as °C even with °F chosen
    answer = staff.post(link, {"temperature": "38,9", "temperature_unit": "f"}, csrf_from=link)
    assert 'id="answer-title">Get medical care today' in answer.text
