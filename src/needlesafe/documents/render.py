"""Rendering documents: Jinja2 templates (autoescaped) to HTML, and HTML to PDF (WeasyPrint).

The same template serves the printable page and the PDF; fonts are the DejaVu families that
fontconfig finds on the machine, so nothing is fetched over the network.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
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
    return environment().get_template("consent.html").render(
        sheet=sheet, page=page, extra=extra, signed=signed, signing=signing
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


def render_consent_pdf(sheet: ConsentSheet, signed: SignedBy | None = None) -> bytes:
    return html_to_pdf(render_consent_html(sheet, signed=signed), identifier=sheet.version)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
