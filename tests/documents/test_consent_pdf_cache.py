"""Consent PDFs: an unsigned sheet's PDF is kept by the sheet's version (bounded), a signed
one is always rendered, and the renderer warms up once per process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest

from needlesafe.documents import render
from needlesafe.documents.consent import ConsentSheet, SignedBy
from needlesafe.knowledge.base import Knowledge


class CountingRenderer:
    """Stands in for WeasyPrint: a distinct small 'PDF' per call, and the calls counted."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, html: str, *, identifier: str) -> bytes:
        self.calls.append(identifier)
        return f"%PDF fake {len(self.calls)} {identifier}".encode()


@pytest.fixture
def renderer(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingRenderer]:
    fake = CountingRenderer()
    monkeypatch.setattr(render, "html_to_pdf", fake)
    render.clear_pdf_cache()
    yield fake
    render.clear_pdf_cache()


def test_the_same_sheet_is_rendered_once_and_a_changed_sheet_again(
    renderer: CountingRenderer,
    knowledge: Knowledge,
    make_sheet: Callable[..., ConsentSheet],
) -> None:
    ana = make_sheet(knowledge, "healthy", patient_name="Ana")
    first = render.render_consent_pdf(ana)
    again = render.render_consent_pdf(make_sheet(knowledge, "healthy", patient_name="Ana"))
    assert again is first
    assert renderer.calls == [ana.version]
    ben = make_sheet(knowledge, "healthy", patient_name="Ben")  # another name: another sheet
    assert ben.version != ana.version
    assert render.render_consent_pdf(ben) != first
    later = make_sheet(knowledge, "healthy", patient_name="Ana", issued=dt.date(2026, 12, 1))
    render.render_consent_pdf(later)
    assert renderer.calls == [ana.version, ben.version, later.version]


def test_a_signed_pdf_is_never_taken_from_the_cache(
    renderer: CountingRenderer, sheets: dict[str, ConsentSheet]
) -> None:
    now = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
    signed = SignedBy(
        patient_name="Ana",
        method="staff",
        via="staff",
        patient_signed_at=now,
        practitioner_name="Dr Lee",
        countersigned_at=now,
    )
    sheet = sheets["healthy"]
    render.render_consent_pdf(sheet)
    one = render.render_consent_pdf(sheet, signed)
    two = render.render_consent_pdf(sheet, signed)
    assert one != two
    assert len(renderer.calls) == 3


def test_the_cache_is_bounded_and_drops_the_least_recently_used(
    renderer: CountingRenderer,
    monkeypatch: pytest.MonkeyPatch,
    knowledge: Knowledge,
    make_sheet: Callable[..., ConsentSheet],
) -> None:
    monkeypatch.setattr(render, "PDF_CACHE_SIZE", 2)
    a, b, c = (make_sheet(knowledge, "healthy", patient_name=name) for name in "ABC")
    render.render_consent_pdf(a)
    render.render_consent_pdf(b)
    render.render_consent_pdf(a)  # a is used again: b is now the oldest
    render.render_consent_pdf(c)  # b goes
    render.render_consent_pdf(a)
    assert renderer.calls == [a.version, b.version, c.version]
    render.render_consent_pdf(b)
    assert renderer.calls[-1] == b.version


def test_warming_up_renders_once_per_process(
    renderer: CountingRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "_warmed", False)
    render.warm_up()
    render.warm_up()
    assert renderer.calls == ["warm-up"]


def test_the_warm_up_page_renders_with_weasyprint() -> None:
    pdf = render.html_to_pdf(render.WARM_UP_HTML, identifier="warm-up")
    assert pdf.startswith(b"%PDF")
