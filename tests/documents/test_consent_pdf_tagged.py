"""The consent PDF is tagged (PDF/UA-1): a structure tree in reading order, the document's
language and title, so a screen reader can read it."""

from __future__ import annotations

import re
import subprocess
import zlib
from pathlib import Path


def test_the_consent_pdf_is_tagged_for_screen_readers(
    pdfs: dict[str, bytes], tmp_path: Path
) -> None:
    pdf = pdfs["cold_sore"]
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M), info.stdout
    # the structure tree holds the headings and paragraphs (object streams are compressed)
    raw = pdf + b"".join(
        zlib.decompress(m.group(1))
        for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
        if m.group(1)[:1] == b"x"
    )
    assert b"/StructTreeRoot" in raw and b"/MarkInfo" in raw
    for role in (b"/S /H1", b"/S /H2", b"/S /P"):
        assert role in raw, role
    assert b"/Lang" in raw
    assert re.search(rb"pdfuaid:part[^0-9]{0,3}1", raw), "no PDF/UA-1 identification"
