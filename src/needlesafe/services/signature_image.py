"""A signature drawn on the patient's screen: checked and re-encoded before it is stored.

The signing page sends the drawing as a `data:image/png;base64,...` URL. It is untrusted bytes:
only a real PNG of sensible size is accepted, its pixel size is read from the header before any
decoding (no decompression bomb), a blank box is refused, and what is kept is a fresh PNG that
Pillow wrote (no text chunks, no metadata, nothing but the pixels).

The messages are for the patient: plain words that say what to do.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings

from PIL import Image

from needlesafe.errors import InputError, InputProblem

PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 40_000  # the page draws at most 800 x 300 px; a signature is a few kB
MAX_SIZE = (1600, 800)
MIN_INK = (12, 6)  # a drawing smaller than this (in px) is a tap, not a signature

EMPTY = "Please sign in the box with your finger, a pen or the mouse."
UNREADABLE = "We could not read your signature. Please press Clear and sign again."
TOO_BIG = "Your signature drawing is too large to send. Please press Clear and sign again."
TOO_SMALL = "Your signature is very small. Please press Clear and sign across the box."


def _refuse(message: str, field: str) -> InputError:
    return InputError([InputProblem(field, message)])


def signature_png(data_url: str | None, *, field: str = "signature") -> bytes:
    """The drawn signature as clean PNG bytes, or InputError naming `field`."""
    if not data_url or not data_url.strip():
        raise _refuse(EMPTY, field)
    text = data_url.strip()
    if not text.startswith(PREFIX):
        raise _refuse(UNREADABLE, field)
    encoded = text[len(PREFIX) :]
    if len(encoded) > (MAX_PNG_BYTES * 4) // 3 + 4:
        raise _refuse(TOO_BIG, field)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse(UNREADABLE, field) from None
    if len(raw) > MAX_PNG_BYTES:
        raise _refuse(TOO_BIG, field)
    if not raw.startswith(PNG_MAGIC):
        raise _refuse(UNREADABLE, field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(raw), formats=["PNG"])
            width, height = probe.size  # from the header: nothing decoded yet
            if width > MAX_SIZE[0] or height > MAX_SIZE[1] or width < 1 or height < 1:
                raise _refuse(TOO_BIG, field)
            probe.verify()  # the chunks and their checksums
            image = Image.open(io.BytesIO(raw), formats=["PNG"])
            image.load()
    except InputError:
        raise
    except Exception:  # any decoding failure of untrusted bytes is "unreadable"
        raise _refuse(UNREADABLE, field) from None
    rgba = image.convert("RGBA")
    # ink: pixels that are not transparent and not white
    alpha = rgba.getchannel("A")
    grey = rgba.convert("L").point(lambda v: 255 if v < 200 else 0)
    opaque = alpha.point(lambda a: 255 if a > 32 else 0)
    ink = Image.composite(grey, Image.new("L", rgba.size, 0), opaque)
    box = ink.getbbox()
    if box is None:
        raise _refuse(EMPTY, field)
    if box[2] - box[0] < MIN_INK[0] and box[3] - box[1] < MIN_INK[1]:
        raise _refuse(TOO_SMALL, field)
    out = io.BytesIO()
    rgba.save(out, format="PNG", optimize=True)
    return out.getvalue()
