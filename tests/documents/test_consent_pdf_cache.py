"""Consent PDFs: an unsigned sheet's PDF is kept by the sheet's version (bounded), a signed
one is always rendered, an unsigned one can be rendered ahead in the background (once, and
waited for rather than rendered twice), and the renderer warms up once per process on a
whole sheet."""

from __future__ import annotations

import datetime as dt
import logging
import threading
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
    render.wait_for_renders_ahead()
    monkeypatch.setattr(render, "html_to_pdf", fake)
    render.clear_pdf_cache()
    yield fake
    render.wait_for_renders_ahead()
    render.clear_pdf_cache()


class HeldRenderer(CountingRenderer):
    """A renderer that starts, then waits until the test lets it finish."""

    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Event()
        self.finish = threading.Event()

    def __call__(self, html: str, *, identifier: str) -> bytes:
        self.started.set()
        if not self.finish.wait(timeout=30):
            raise TimeoutError("the test never let the render finish")
        return super().__call__(html, identifier=identifier)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldRenderer]:
    fake = HeldRenderer()
    render.wait_for_renders_ahead()
    monkeypatch.setattr(render, "html_to_pdf", fake)
    monkeypatch.setattr(render, "_ahead_on", True)
    render.clear_pdf_cache()
    yield fake
    fake.finish.set()
    render.wait_for_renders_ahead()
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


def test_warming_up_renders_one_whole_sheet_once_per_process(
    renderer: CountingRenderer, monkeypatch: pytest.MonkeyPatch, knowledge: Knowledge
) -> None:
    monkeypatch.setattr(render, "_warmed", False)
    render.warm_up(knowledge)
    render.warm_up(knowledge)
    assert renderer.calls == ["warm-up"]
    sheet = render.warm_up_sheet(knowledge)
    render.render_consent_pdf(sheet)  # the made-up patient's PDF was not kept
    assert renderer.calls == ["warm-up", sheet.version]


def test_the_warm_up_sheet_has_every_part_a_sheet_can_have(knowledge: Knowledge) -> None:
    sheet = render.warm_up_sheet(knowledge)
    assert sheet.not_ready and sheet.guardian_required
    assert {risk.level.value for risk in sheet.risks} >= {"high", "elevated"}
    assert sheet.other_risks and sheet.before_we_treat and sheet.clinic_will


def test_a_sheet_rendered_ahead_is_rendered_once_and_then_served_from_the_cache(
    renderer: CountingRenderer,
    monkeypatch: pytest.MonkeyPatch,
    knowledge: Knowledge,
    make_sheet: Callable[..., ConsentSheet],
) -> None:
    monkeypatch.setattr(render, "_ahead_on", True)
    sheet = make_sheet(knowledge, "healthy", patient_name="Ana")
    assert render.render_ahead(sheet)
    render.wait_for_renders_ahead()
    assert renderer.calls == [sheet.version]
    assert not render.render_ahead(sheet)  # there already
    pdf = render.render_consent_pdf(sheet)
    assert pdf == f"%PDF fake 1 {sheet.version}".encode()
    assert renderer.calls == [sheet.version]


def test_a_request_waits_for_the_same_sheet_being_rendered_ahead_rather_than_render_it_twice(
    held: HeldRenderer, knowledge: Knowledge, make_sheet: Callable[..., ConsentSheet]
) -> None:
    sheet = make_sheet(knowledge, "healthy", patient_name="Ana")
    assert render.render_ahead(sheet)
    assert held.started.wait(timeout=30)
    got: list[bytes] = []
    request = threading.Thread(target=lambda: got.append(render.render_consent_pdf(sheet)))
    request.start()
    request.join(timeout=0.3)
    assert request.is_alive() and not got  # waiting for the render under way
    held.finish.set()
    request.join(timeout=30)
    assert got == [f"%PDF fake 1 {sheet.version}".encode()]
    assert held.calls == [sheet.version]


def test_rendering_ahead_is_bounded_and_off_unless_started(
    held: HeldRenderer,
    monkeypatch: pytest.MonkeyPatch,
    knowledge: Knowledge,
    make_sheet: Callable[..., ConsentSheet],
) -> None:
    sheets = [make_sheet(knowledge, "healthy", patient_name=f"P{n}") for n in range(7)]
    assert render.render_ahead(sheets[0])
    assert held.started.wait(timeout=30)  # one being rendered, then AHEAD_WAITING may wait
    queued = [render.render_ahead(sheet) for sheet in sheets[1:]]
    assert queued == [True] * render.AHEAD_WAITING + [False] * (6 - render.AHEAD_WAITING)
    held.finish.set()
    render.wait_for_renders_ahead()
    assert held.calls == [sheet.version for sheet in sheets[: render.AHEAD_WAITING + 1]]
    monkeypatch.setattr(render, "_ahead_on", False)
    assert not render.render_ahead(sheets[-1])  # the CLI, or a test that did not start it


def test_a_failed_render_ahead_is_logged_and_the_request_renders_the_sheet_itself(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    renderer: CountingRenderer,
    knowledge: Knowledge,
    make_sheet: Callable[..., ConsentSheet],
) -> None:
    def broken(html: str, *, identifier: str) -> bytes:
        raise RuntimeError("Pango went away")

    monkeypatch.setattr(render, "_ahead_on", True)
    monkeypatch.setattr(render, "html_to_pdf", broken)
    sheet = make_sheet(knowledge, "healthy", patient_name="Ana")
    with caplog.at_level(logging.ERROR, logger="needlesafe.documents.render"):
        assert render.render_ahead(sheet)
        render.wait_for_renders_ahead()
    assert f"rendering the PDF of sheet {sheet.version} ahead failed" in caplog.text
    monkeypatch.setattr(render, "html_to_pdf", renderer)
    assert render.render_consent_pdf(sheet).startswith(b"%PDF")
    assert renderer.calls == [sheet.version]


def test_the_warm_up_sheet_renders_with_weasyprint(knowledge: Knowledge) -> None:
    sheet = render.warm_up_sheet(knowledge)
    pdf = render.html_to_pdf(render.render_consent_html(sheet), identifier="warm-up")
    assert pdf.startswith(b"%PDF")
