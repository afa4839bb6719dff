"""Rendering documents: Jinja2 templates (autoescaped) to HTML, and HTML to PDF (WeasyPrint).

The same template serves the printable page and the PDF; fonts are the DejaVu families that
fontconfig finds on the machine, so nothing is fetched over the network.

An unsigned sheet's PDF is kept by the sheet's version (a hash of everything on it), so a
sheet viewed again is not laid out again, and it can be rendered ahead, in the background,
when the clinic opens the sheet (`render_ahead`), so the PDF is ready when they click on it;
`warm_up()` loads WeasyPrint, Pango, the fonts and the template once per process by laying
out a whole sheet (the server calls it at start), so the first PDF does not pay for them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import queue
import re
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from needlesafe.documents.consent import ClinicDetails, ConsentSheet, SignedBy, build_consent_sheet
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge
from needlesafe.zones import local

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # clinic names, patient names: untrusted text
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["png_data_uri"] = png_data_uri
    env.filters["signed_time"] = signed_time
    return env


def signed_time(moment: dt.datetime, time_zone: str) -> Markup:
    """When a line was signed, on the clinic's clock: "2026-12-02 14:05 GMT" (no breaks)."""
    at = local(moment, time_zone)
    return Markup("&nbsp;").join([f"{at:%Y-%m-%d}", f"{at:%H:%M}", at.tzname() or ""])


def png_data_uri(png: bytes) -> str:
    """A PNG as a data: URI (for the signature image; CSP allows img-src data:)."""
    return "data:image/png;base64," + base64.b64encode(png).decode()


def css_string(value: object) -> str:
    """Text safe inside a double-quoted CSS string (for the page counter's words)."""
    return re.sub(r'["\\\n\r<>]', "", str(value))


def render_consent_html(
    sheet: ConsentSheet,
    *,
    page: bool = False,
    extra: Markup | None = None,
    signed: SignedBy | None = None,
    signing: bool = False,
) -> str:
    """The sheet as one HTML document. `page=True` adds a print button for the web page;
    `extra` is trusted HTML shown on screen only, after the sheet (the clinic's sign form).
    `signed` fills in the ticks and the signatures; `signing=True` leaves out the consent part
    (the patient's signing page shows it as a form instead)."""
    return (
        environment()
        .get_template("consent.html")
        .render(sheet=sheet, page=page, extra=extra, signed=signed, signing=signing)
    )


INLINE = re.compile(r"<(style|script)>(.*?)</\1>", re.DOTALL)


def page_csp(html: str) -> str:
    """A Content-Security-Policy for serving `html` as a page: the site's policy, plus the
    hashes of exactly the inline style and script blocks this document carries (its own
    stylesheet, the print button), so nothing else inline can run."""
    hashes: dict[str, list[str]] = {"style": [], "script": []}
    for kind, body in INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        hashes[kind].append(f"'sha256-{digest}'")
    return (
        "default-src 'self'; img-src 'self' data:; "
        f"style-src 'self' {' '.join(hashes['style'])}; "
        f"script-src 'self' {' '.join(hashes['script'])}; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


def html_to_pdf(html: str, *, identifier: str) -> bytes:
    """PDF bytes. The same HTML gives the same text, not the same bytes: the embedded font
    subsets carry a timestamp. Keep the bytes (and their hash) of a PDF that was signed."""
    from weasyprint import HTML  # imported late: loading Pango takes a moment

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(
        pdf_identifier=identifier.encode(),
        uncompressed_pdf=False,
        # tagged (structure tree, reading order, language, alt texts): a screen reader reads it
        pdf_variant="pdf/ua-1",
    )
    return pdf


PDF_CACHE_SIZE = 64  # unsigned sheets' PDFs kept (about 60 KB each)
_pdf_cache: OrderedDict[str, bytes] = OrderedDict()
_rendering: dict[str, threading.Event] = {}  # unsigned sheets being rendered now, by version
_pdf_lock = threading.Lock()


def render_consent_pdf(sheet: ConsentSheet, signed: SignedBy | None = None) -> bytes:
    """The sheet's PDF. A signed one is rendered every time (it is stored once signed); an
    unsigned one comes from a bounded cache keyed by the sheet's version, which changes
    with anything on the sheet (the patient's name, the clinic, the date, the wording). A
    sheet that another thread is rendering (ahead, in the background) is waited for, not
    rendered twice."""
    if signed is not None:
        return html_to_pdf(render_consent_html(sheet, signed=signed), identifier=sheet.version)
    key = sheet.version
    while True:
        with _pdf_lock:
            pdf = _pdf_cache.get(key)
            if pdf is not None:
                _pdf_cache.move_to_end(key)
                return pdf
            rendering = _rendering.get(key)
            if rendering is None:
                done = _rendering[key] = threading.Event()
                break
        rendering.wait()  # then the cache has it (or that render failed: render it here)
    try:
        pdf = html_to_pdf(render_consent_html(sheet), identifier=key)
        with _pdf_lock:
            _pdf_cache[key] = pdf
            while len(_pdf_cache) > PDF_CACHE_SIZE:
                _pdf_cache.popitem(last=False)
    finally:
        with _pdf_lock:
            del _rendering[key]
        done.set()
    return pdf


def clear_pdf_cache() -> None:
    with _pdf_lock:
        _pdf_cache.clear()


AHEAD_WAITING = 4  # unsigned sheets waiting to be rendered ahead; more are not queued
_ahead: queue.Queue[ConsentSheet] = queue.Queue(maxsize=AHEAD_WAITING)
_ahead_lock = threading.Lock()
_ahead_thread: threading.Thread | None = None
_ahead_on = False  # only a server renders ahead (not the CLI, not a test that did not ask)


def start_rendering_ahead() -> None:
    """From now on `render_ahead` renders (the server calls it at start)."""
    global _ahead_on
    _ahead_on = True


def render_ahead(sheet: ConsentSheet) -> bool:
    """Render an unsigned sheet's PDF in the background, one sheet at a time, so that it is
    in the cache when the clinic asks for it. False (nothing done) before
    `start_rendering_ahead()`, when it is there already, or when AHEAD_WAITING sheets are
    waiting already: then it is rendered when asked for."""
    global _ahead_thread
    if not _ahead_on:
        return False
    with _pdf_lock:
        if sheet.version in _pdf_cache or sheet.version in _rendering:
            return False
    try:
        _ahead.put_nowait(sheet)
    except queue.Full:
        return False
    with _ahead_lock:
        if _ahead_thread is None or not _ahead_thread.is_alive():
            _ahead_thread = threading.Thread(target=_render_ahead, name="pdf-ahead", daemon=True)
            _ahead_thread.start()
    return True


def _render_ahead() -> None:
    while True:
        sheet = _ahead.get()
        try:
            render_consent_pdf(sheet)
        except Exception:  # the request for this PDF renders it again and reports the error
            logger.exception("rendering the PDF of sheet %s ahead failed", sheet.version)
        finally:
            _ahead.task_done()


def wait_for_renders_ahead() -> None:
    """Until every sheet given to `render_ahead` is rendered (for tests and benchmarks)."""
    _ahead.join()


_warm = threading.Lock()
_warmed = False

# A made-up patient whose sheet has every part a sheet can have (a notice that it is not for
# signing, raised and high risks, the rare ones, what to do first, a guardian's signature),
# so that laying it out once loads every font, glyph and layout a real sheet uses.
WARM_UP_INTAKE: dict[str, object] = {
    "patient": {
        "age": 16,
        "fitzpatrick": "VI",
        "conditions": ["keloid_history", "melasma", "active_cold_sore"],
        "medications": ["anticoagulant", {"code": "isotretinoin", "stopped_days_ago": 60}],
        "allergies": ["lidocaine"],
    },
    "plan": {
        "areas": ["cheeks", "perioral"],
        "needle_depth_mm": 1.5,
        "device": "radiofrequency",
        "numbing_agent": "lidocaine",
        "topicals": ["vitamin_c", "growth_factors"],
    },
}


def warm_up_sheet(knowledge: Knowledge) -> ConsentSheet:
    """The made-up patient's sheet (never shown, never kept)."""
    intake = parse_intake(WARM_UP_INTAKE, knowledge)
    return build_consent_sheet(
        intake,
        screen(intake, knowledge),
        clinic=ClinicDetails(name="Warm-up", phone="000"),
        knowledge=knowledge,
        issued=dt.date(2000, 1, 1),
        age_of_consent=18,
        patient_name="Warm-up",
    )


def warm_up(knowledge: Knowledge) -> None:
    """Load WeasyPrint, Pango, fontconfig, the fonts and the template by laying out a whole
    sheet, once per process; later calls return at once. Safe to run in a background thread.
    (A small page with the sheet's fonts left the first real sheet about a twentieth slower
    than the next one; a whole sheet leaves it about a hundredth slower.)"""
    global _warmed
    with _warm:
        if _warmed:
            return
        sheet = warm_up_sheet(knowledge)
        html_to_pdf(render_consent_html(sheet), identifier="warm-up")  # not kept
        _warmed = True


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
