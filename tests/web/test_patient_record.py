"""The patient record remembers: the latest screening's conditions, medications and allergies
on the patient's page, and a new screening pre-filled from them (age from the birth date)."""

from __future__ import annotations

import datetime as dt

from tests.web.pagekit import screen
from tests.web.webkit import Browser


def test_a_rescreen_starts_from_the_last_answers_and_the_birth_date(staff: Browser) -> None:
    born = dt.date.today().replace(year=dt.date.today().year - 40) - dt.timedelta(days=1)
    made = staff.post("/patients", {"name": "Robin Record", "date_of_birth": born.isoformat()})
    patient = int(made.headers["location"].rsplit("/", 1)[1])
    fresh = staff.client.get(f"/patients/{patient}/screenings/new").text
    assert 'name="age" type="number" value="40"' in fresh
    assert "Pre-filled from the screening" not in fresh
    done = screen(
        staff,
        patient,
        {
            "age": "40",
            "fitzpatrick": "V",
            "conditions": ["cold_sore_history", "melasma"],
            "medications": ["isotretinoin", "anticoagulant"],
            "stopped.isotretinoin": "200",
            "allergies": ["lidocaine"],
            "areas": ["cheeks"],
            "needle_depth_mm": "1.0",
            "device": "pen",
            "setting": "clinic",
            "numbing_agent": "none",
            "sterile_single_use_needles": "on",
        },
    )
    assert done.status_code == 303, done.text
    page = staff.client.get(f"/patients/{patient}").text
    assert "What we know" in page
    for words in ("lidocaine", "stopped 200 days before the screening"):
        assert words in page
    again = staff.client.get(f"/patients/{patient}/screenings/new").text
    assert "Pre-filled from the screening" in again
    for name, value in (
        ("conditions", "cold_sore_history"),
        ("conditions", "melasma"),
        ("medications", "anticoagulant"),
        ("medications", "isotretinoin"),
        ("allergies", "lidocaine"),
        ("fitzpatrick", "V"),
    ):
        assert f'name="{name}" value="{value}" checked' in again, (name, value)
    assert 'name="stopped.isotretinoin"' in again and 'value="200"' in again
