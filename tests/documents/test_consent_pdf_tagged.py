"""The consent PDF is tagged (PDF/UA-1): a structure tree in reading order, the document's
language and title, so a screen reader can read it."""

from __future__ import annotations

import re
import subprocess
import zlib
from pathlib import Path


def _streams(pdf: bytes) -> list[bytes]:
    """Each stream's bytes, cut by the /Length of its dictionary: a compressed stream may end
    on a CR or LF byte, which a pattern cannot tell from the line end before "endstream" (the
    test failed on such a sheet now and then)."""
    streams = []
    for m in re.finditer(rb"<<((?:[^<>]|<<[^<>]*>>)*)>>\s*stream\r?\n", pdf):
        length = re.search(rb"/Length (\d+)(?! \d+ R)", m.group(1))
        if length:
            streams.append(pdf[m.end() : m.end() + int(length.group(1))])
    return streams


def test_the_consent_pdf_is_tagged_for_screen_readers(
    pdfs: dict[str, bytes], tmp_path: Path
) -> None:
    pdf = pdfs["cold_sore"]
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M), info.stdout
    # the structure tree holds the headings and paragraphs (object streams are compressed)
    raw = pdf + b"".join(zlib.decompress(data) for data in _streams(pdf) if data[:1] == b"x")
    assert b"/StructTreeRoot" in raw and b"/MarkInfo" in raw
    for role in (b"/S /H1", b"/S /H2", b"/S /P"):
        assert role in raw, role
    assert b"/Lang" in raw
    assert re.search(rb"pdfuaid:part[^0-9]{0,3}1", raw), "no PDF/UA-1 identification"
