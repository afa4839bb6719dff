"""The patients page: a future date of birth is named beside its field (the form kept); a
likely duplicate's page links to the record it may duplicate, within the clinic only."""

from __future__ import annotations

import datetime as dt
import re

from tests.web.webkit import CLINICS, Browser, email_of


def test_a_future_date_of_birth_is_named_beside_the_field(staff: Browser) -> None:
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    response = staff.post("/patients", {"name": "Jo Future", "date_of_birth": future})
    assert response.status_code == 422
    assert re.search(r'id="err-date_of_birth">.*cannot be in the future', response.text)
    assert 'value="Jo Future"' in response.text


def test_a_likely_duplicate_links_to_the_existing_record(staff: Browser) -> None:
    person = {"name": "Sam Lee", "date_of_birth": "1985-02-01"}
    first = staff.post("/patients", person)
    assert first.status_code == 303
    first_page = staff.client.get(first.headers["location"]).text
    assert 'id="duplicates"' not in first_page
    second = staff.post("/patients", {**person, "name": "sam lee"})
    page = staff.client.get(second.headers["location"]).text
    existing = first.headers["location"]
    assert re.search(rf'id="duplicates".*<a href="{existing}">Sam Lee, born 01 Feb 1985', page)
    # the first record now names the second as well
    assert second.headers["location"] in staff.client.get(existing).text
    # the other clinic's patient of the same name and birth is never linked
    staff.client.cookies.clear()
    staff.sign_in(email_of(CLINICS[1]))
    elsewhere = staff.post("/patients", person)
    assert 'id="duplicates"' not in staff.client.get(elsewhere.headers["location"]).text
