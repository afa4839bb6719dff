"""Rendering documents: Jinja2 templates (autoescaped) to HTML, and HTML to PDF (WeasyPrint).

The same template serves the printable page and the PDF; fonts are the DejaVu families that
fontconfig finds on the machine, so nothing is fetched over the network.

An unsigned sheet's PDF is kept by the sheet's version (a hash of everything on it), so a
sheet viewed again is not laid out again; `warm_up()` loads WeasyPrint, Pango and the fonts
once per process (the server calls it at start), so the first PDF a patient asks for does
not pay for them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from needlesafe.documents.consent import ConsentSheet, SignedBy
from needlesafe.zones import local

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
_pdf_lock = threading.Lock()


def render_consent_pdf(sheet: ConsentSheet, signed: SignedBy | None = None) -> bytes:
    """The sheet's PDF. A signed one is rendered every time (it is stored once signed); an
    unsigned one comes from a bounded cache keyed by the sheet's version, which changes
    with anything on the sheet (the patient's name, the clinic, the date, the wording)."""
    if signed is not None:
        return html_to_pdf(render_consent_html(sheet, signed=signed), identifier=sheet.version)
    key = sheet.version
    with _pdf_lock:
        pdf = _pdf_cache.get(key)
        if pdf is not None:
            _pdf_cache.move_to_end(key)
            return pdf
    pdf = html_to_pdf(render_consent_html(sheet), identifier=key)
    with _pdf_lock:
        _pdf_cache[key] = pdf
        while len(_pdf_cache) > PDF_CACHE_SIZE:
            _pdf_cache.popitem(last=False)
    return pdf


def clear_pdf_cache() -> None:
    with _pdf_lock:
        _pdf_cache.clear()


_warm = threading.Lock()
_warmed = False

WARM_UP_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 16mm 17mm 20mm 17mm;
  @bottom-left { content: element(footer); width: 75%; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 7.5pt sans-serif; } }
html { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.42; }
h1, h2 { font-family: "DejaVu Serif", serif; } h2 { border-bottom: 1.5pt solid #1f5f8b; }
.footer { position: running(footer); font-size: 7.5pt; }
.row { display: flex; justify-content: space-between; align-items: baseline; } .row > * { flex: 1; }
.box { background: #f3f6f9; border-radius: 2mm; padding: 2mm; break-inside: avoid; }
table { width: 100%; border-collapse: collapse; } td { border-bottom: 0.5pt solid #ccc; }
li::before { content: "\\2610"; } .typed { font-family: "DejaVu Serif"; font-style: italic; }
</style></head><body><div class="footer">Warm-up · sheet 0</div><h1>Warm-up</h1>
<div class="row"><div><b>Bold</b> and <i>italic</i> text.</div><div>Right</div></div>
<h2>Serif</h2><div class="box"><dl><div class="row"><dt>Age</dt><dd>35</dd></div></dl></div>
<table><tr><th>a</th><td>b</td></tr></table><ul><li>a list item</li></ul>
<p class="typed">Signed</p></body></html>"""


def warm_up() -> None:
    """Load WeasyPrint, Pango, fontconfig and the fonts by rendering a small page with the
    sheet's fonts and layouts (flex, tables, page counters): once per process; later calls
    return at once. Safe to run in a background thread."""
    global _warmed
    with _warm:
        if _warmed:
            return
        environment().get_template("consent.html")  # compiled once, kept by Jinja
        html_to_pdf(WARM_UP_HTML, identifier="warm-up")
        _warmed = True


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
