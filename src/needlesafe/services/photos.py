"""Photos sent with a check-in, and the redness and pigment measured on them.

A patient adds up to `MAX_PER_CHECKIN` photos (JPEG, PNG, HEIC or WebP) through their link.
Each is checked (size, pixels, a real image of an allowed format), turned upright, converted
to sRGB and re-encoded as a new JPEG, which drops EXIF, GPS and every other tag; it is kept in
the photo store (outside the web root) under a random key scoped to the clinic, and shown
only to the clinic's staff through an authorised route. All photos of a request are checked
before any is kept: either all are kept or none.

Staff mark the treated area and an untreated reference area of a photo; the measurement
(CIELAB a* and ITA°, engine/skin_colour.py) is kept with it. The trend over a treatment's
check-ins is a finding for the clinic when the redness is not settling after normal redness
should be over (`aftercare.yaml: photo_redness`), never a change of the triage answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageCms, ImageOps
from sqlalchemy import func, select

from needlesafe.engine import skin_colour
from needlesafe.engine.aftercare import normal_redness_until
from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge
from needlesafe.photostore import PhotoStore
from needlesafe.services.common import audit
from needlesafe.services.context import Actor, LinkAccess
from needlesafe.services.errors import NotFound
from needlesafe.store import models as m
from needlesafe.store.followup import CheckinPhoto
from needlesafe.store.uow import UnitOfWork

MAX_PER_CHECKIN = 3
FORMATS = {"JPEG", "PNG", "HEIF", "WEBP"}
JPEG_QUALITY = 92
MAX_SIDE = 4096  # larger photos are scaled down: enough to see the skin, not a poster

try:  # HEIC from iPhones, through the maintained pillow-heif decoder
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - the dependency is declared
    HEIC = False


class PhotoError(InputError):
    """A photo that cannot be taken: 422, or 413 when `too_large`."""

    def __init__(self, path: str, message: str, *, too_large: bool = False) -> None:
        super().__init__([InputProblem(path, message)])
        self.path, self.message, self.too_large = path, message, too_large


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int


@dataclass(frozen=True)
class PhotoPublic:
    id: int
    treatment_id: int
    checkin_id: int | None
    days_since_treatment: int
    created_at: dt.datetime
    width: int
    height: int
    url: str
    measurement: dict[str, Any] | None


IMAGE_URL = "/api/v1/photos/{id}/image"


def _public(row: CheckinPhoto) -> PhotoPublic:
    return PhotoPublic(
        id=row.id,
        treatment_id=row.treatment_id,
        checkin_id=row.checkin_id,
        days_since_treatment=row.days_since_treatment,
        created_at=row.created_at,
        width=row.width,
        height=row.height,
        url=IMAGE_URL.format(id=row.id),
        measurement=row.measurement,
    )


# ---------------------------------------------------------------- decoding and re-encoding


def _open(data: bytes, path: str, max_pixels: int | None = None) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise PhotoError(path, "send a photo: JPEG, PNG, HEIC or WebP")
            if max_pixels is not None and image.width * image.height > max_pixels:
                raise PhotoError(
                    path,
                    f"this photo has too many pixels ({image.width} x {image.height}); "
                    f"at most {max_pixels // 1_000_000} million",
                )
            image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(path, "this photo has too many pixels") from None
    except Exception:  # Pillow raises many kinds for a broken file
        raise PhotoError(
            path, "this file is not a photo we can read (JPEG, PNG, HEIC or WebP)"
        ) from None
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Upright (EXIF orientation applied before the tags go), RGB, in sRGB when the photo
    carries another colour profile (phones often use Display P3)."""
    image = ImageOps.exif_transpose(image) or image
    profile = image.info.get("icc_profile")
    rgb = image.convert("RGB")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(rgb, source, ImageCms.createProfile("sRGB"))
            if converted is not None:
                rgb = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the pixels as they are (taken as sRGB)
    return rgb


def reencode(data: bytes, *, path: str, limits: Limits) -> tuple[bytes, int, int]:
    """The photo as a new JPEG with no metadata at all: (bytes, width, height)."""
    if len(data) > limits.max_bytes:
        raise PhotoError(
            path,
            f"this photo is too large; at most {limits.max_bytes // (1024 * 1024)} MB",
            too_large=True,
        )
    if not data:
        raise PhotoError(path, "this file is empty")
    rgb = _to_srgb(_open(data, path, limits.max_pixels))
    rgb.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new("RGB", rgb.size)  # a new image: no info, no EXIF, no GPS, no XMP
    clean.paste(rgb)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=0, optimize=True)
    return out.getvalue(), clean.width, clean.height


def pixels_of(data: bytes, path: str = "image") -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.asarray(_to_srgb(_open(data, path)), dtype=np.float64)


Box = tuple[int, int, int, int]
CARD = "ColorChecker24 - After November 2014"  # the reference values of the 24-patch card


def card_correction(image: Any) -> Any:
    """The colour correction from a 24-patch colour card in the photo (colour-checker-
    detection's segmentation detector, the optional `needlesafe[card]`), or None when there is
    no card or no detector. The card may lie either way up: the order of its patches that fits
    the reference values better is taken."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import colour
            from colour_checker_detection import detect_colour_checkers_segmentation
    except ImportError:
        return None
    found = detect_colour_checkers_segmentation(
        (np.asarray(image, dtype=np.float32) / 255.0), additional_data=True
    )
    if not found:
        return None
    card = colour.CCS_COLOURCHECKERS[CARD]
    xyz = colour.xyY_to_XYZ(np.array(list(card.data.values())))
    srgb = np.clip(colour.XYZ_to_sRGB(xyz, illuminant=card.illuminant), 0, 1) * 255
    reference: skin_colour.FloatArray = np.asarray(srgb, dtype=np.float64)
    seen: skin_colour.FloatArray = np.asarray(found[0].swatch_colours, dtype=np.float64) * 255
    target = skin_colour.srgb_to_linear(reference)
    best = None
    for order in (seen, seen[::-1]):
        matrix = skin_colour.fit_colour_correction(order, reference)
        fitted = skin_colour.srgb_to_linear(order) @ matrix.T
        error = float(np.mean(np.abs(np.subtract(fitted, target))))
        if best is None or error < best[0]:
            best = (error, matrix)
    return best[1] if best else None


def measure_image(
    data: bytes, *, treated: Box, reference: Box, use_card: bool = False
) -> skin_colour.ColourMeasurement:
    """Measure a photo's two areas (for the command line and for stored photos); with
    `use_card`, corrected by the colour card in the photo (PhotoError when there is none)."""
    image = pixels_of(data)
    correction = card_correction(image) if use_card else None
    if use_card and correction is None:
        raise PhotoError("card", "no colour card found in the photo (or no detector installed)")
    areas = []
    for name, box in (("treated", treated), ("reference", reference)):
        try:
            area = skin_colour.crop(image, box)
            if area.shape[0] * area.shape[1] < skin_colour.MIN_PIXELS:
                raise ValueError(f"an area needs at least {skin_colour.MIN_PIXELS} pixels")
        except ValueError as error:
            raise PhotoError(name, str(error)) from None
        areas.append(area)
    return skin_colour.measure(areas[0], areas[1], correction=correction)


# ---------------------------------------------------------------- the patient adds photos


def add_patient_photos(
    uow: UnitOfWork,
    *,
    access: LinkAccess,
    store: PhotoStore,
    files: list[bytes],
    checkin_id: int | None,
    limits: Limits,
) -> list[PhotoPublic]:
    """Keep the patient's photos with their check-in (of this link's treatment only)."""
    if not files:
        raise PhotoError("photos", "add at least one photo")
    cleaned = [reencode(data, path=f"photos[{i}]", limits=limits) for i, data in enumerate(files)]
    keys: list[str] = []
    try:
        with uow:
            treatment = uow.treatments.get(access.clinic_id, access.treatment_id)
            if treatment is None:
                raise NotFound("no such treatment")
            if checkin_id is not None:
                checkin = uow.checkins.get(access.clinic_id, checkin_id)
                if checkin is None or checkin.treatment_id != treatment.id:
                    raise NotFound("no such check-in")
                had = (
                    uow.session.scalar(
                        select(func.count(CheckinPhoto.id)).where(
                            CheckinPhoto.checkin_id == checkin_id
                        )
                    )
                    or 0
                )
            else:
                had = 0
            if had + len(cleaned) > MAX_PER_CHECKIN:
                raise PhotoError("photos", f"at most {MAX_PER_CHECKIN} photos with one check-in")
            today = dt.datetime.now(dt.UTC)
            rows = []
            for jpeg, width, height in cleaned:
                key = f"clinic-{access.clinic_id}/{secrets.token_hex(16)}.jpg"
                store.put(key, jpeg)
                keys.append(key)
                row = CheckinPhoto(
                    clinic_id=access.clinic_id,
                    patient_id=treatment.patient_id,
                    treatment_id=treatment.id,
                    checkin_id=checkin_id,
                    source="patient_link",
                    storage_key=key,
                    content_type="image/jpeg",
                    width=width,
                    height=height,
                    size_bytes=len(jpeg),
                    sha256=hashlib.sha256(jpeg).hexdigest(),
                    days_since_treatment=max(0, (today.date() - treatment.performed_on).days),
                    created_at=today,
                )
                uow.session.add(row)
                uow.session.flush()
                audit(uow, access, "create", "checkin_photo", row.id)
                rows.append(row)
            uow.commit()
            keys = []  # kept: nothing to undo
            return [_public(r) for r in rows]
    finally:
        for key in keys:  # not committed: the files go too
            store.delete(key)


# ---------------------------------------------------------------- the patient marks the areas

GRID = 3  # the no-script choice: which ninth of the photo (1 top left .. 9 bottom right)
GRID_PLACES = (
    "top left",
    "top middle",
    "top right",
    "middle left",
    "middle",
    "middle right",
    "bottom left",
    "bottom middle",
    "bottom right",
)


def grid_box(width: int, height: int, cell: int) -> Box:
    """The area a no-script choice stands for: the middle half of that ninth of the photo
    (away from the edges of the ninth, where the other kind of skin may begin)."""
    if not 1 <= cell <= GRID * GRID:
        raise ValueError(f"choose one of the {GRID * GRID} places")
    row, column = divmod(cell - 1, GRID)
    cell_w, cell_h = width / GRID, height / GRID
    return (
        int(column * cell_w + cell_w / 4),
        int(row * cell_h + cell_h / 4),
        max(1, int(cell_w / 2)),
        max(1, int(cell_h / 2)),
    )


def marked_boxes(
    width: int,
    height: int,
    *,
    treated: Box | None,
    reference: Box | None,
    treated_cell: int | None,
    reference_cell: int | None,
) -> tuple[Box, Box]:
    """The two boxes the patient chose, from a box or a ninth of the photo each."""
    problems = []
    chosen = []
    for name, box, cell in (
        ("treated", treated, treated_cell),
        ("reference", reference, reference_cell),
    ):
        if box is not None:
            chosen.append(box)
        elif cell is not None:
            chosen.append(grid_box(width, height, cell))
        else:
            what = "the treated skin" if name == "treated" else "skin that was not treated"
            problems.append(InputProblem(name, f"show where {what} is"))
    if problems:
        raise InputError(problems)
    if treated is None and reference is None and treated_cell == reference_cell:
        raise PhotoError("reference", "choose a different place for skin that was not treated")
    return chosen[0], chosen[1]


def _linked_photo(uow: UnitOfWork, access: LinkAccess, photo_id: int) -> CheckinPhoto:
    """A photo of this link's treatment; any other (another treatment's, another clinic's,
    none at all) is the same 'no such photo'."""
    row = uow.session.get(CheckinPhoto, photo_id) if 1 <= photo_id <= 2**31 - 1 else None
    if row is None or (row.clinic_id, row.treatment_id) != (
        access.clinic_id,
        access.treatment_id,
    ):
        raise NotFound("no such photo")
    return row


def patient_photo(
    uow: UnitOfWork, *, access: LinkAccess, store: PhotoStore, photo_id: int
) -> tuple[bytes, str, int, int]:
    """A photo the patient sent, for them to mark: (bytes, type, width, height)."""
    with uow:
        row = _linked_photo(uow, access, photo_id)
        audit(uow, access, "read", "checkin_photo", row.id)
        uow.commit()
        key, content_type, width, height = row.storage_key, row.content_type, row.width, row.height
    try:
        return store.get(key), content_type, width, height
    except FileNotFoundError:
        raise NotFound("this photo's file is missing") from None


def photo_size(uow: UnitOfWork, *, access: LinkAccess, photo_id: int) -> tuple[int, int]:
    with uow:
        row = _linked_photo(uow, access, photo_id)
        return row.width, row.height


def mark_patient_photo(
    uow: UnitOfWork,
    *,
    access: LinkAccess,
    store: PhotoStore,
    photo_id: int,
    treated: Box,
    reference: Box,
) -> PhotoPublic:
    """The patient's own marks of treated and untreated skin on a photo they sent: measured
    like staff's, kept with the photo (`marked_by: patient`) until staff measure it again."""
    if treated == reference:
        raise PhotoError("reference", "choose a different place for skin that was not treated")
    with uow:
        row = _linked_photo(uow, access, photo_id)
        result = measure_image(store.get(row.storage_key), treated=treated, reference=reference)
        row.measurement = {
            "treated_box": list(treated),
            "reference_box": list(reference),
            "marked_by": "patient",
            **result.as_dict(),
        }
        row.measured_at = dt.datetime.now(dt.UTC)
        audit(uow, access, "update", "checkin_photo", row.id)
        uow.commit()
        return _public(row)


# ---------------------------------------------------------------- the clinic's side


def _treatment(uow: UnitOfWork, actor: Actor, treatment_id: int) -> m.Treatment:
    row = uow.treatments.get(actor.clinic_id, treatment_id)
    if row is None:
        raise NotFound("no such treatment")
    return row


def list_photos(uow: UnitOfWork, *, actor: Actor, treatment_id: int) -> list[PhotoPublic]:
    """A treatment's photos, oldest first."""
    with uow:
        treatment = _treatment(uow, actor, treatment_id)
        rows = uow.session.scalars(
            select(CheckinPhoto)
            .where(
                CheckinPhoto.clinic_id == actor.clinic_id,
                CheckinPhoto.treatment_id == treatment.id,
            )
            .order_by(CheckinPhoto.created_at, CheckinPhoto.id)
        ).all()
        audit(uow, actor, "list", "checkin_photo", treatment.id)
        uow.commit()
        return [_public(r) for r in rows]


@dataclass(frozen=True)
class Strip:
    """A check-in's photos for its inbox card, and up to 3 of its treatment's earlier ones."""

    mine: list[PhotoPublic]
    earlier: list[PhotoPublic]


MAX_STRIPS = 200  # check-ins asked for at once (an inbox page holds far fewer)


def checkin_strips(uow: UnitOfWork, *, actor: Actor, checkin_ids: list[int]) -> dict[int, Strip]:
    """The photo strips of many inbox cards at once: two queries and one audit row, whatever
    the number of cards (each card asking for its own was one request and three queries a
    card). Check-ins of another clinic, or unknown, are left out."""
    wanted = sorted({i for i in checkin_ids if 1 <= i <= 2**31 - 1})[:MAX_STRIPS]
    if not wanted:
        return {}
    with uow:
        pairs = uow.session.execute(
            select(m.CheckIn.id, m.CheckIn.treatment_id).where(
                m.CheckIn.clinic_id == actor.clinic_id, m.CheckIn.id.in_(wanted)
            )
        ).all()
        treatments = {t for _, t in pairs}
        rows = (
            uow.session.scalars(
                select(CheckinPhoto)
                .where(
                    CheckinPhoto.clinic_id == actor.clinic_id,
                    CheckinPhoto.treatment_id.in_(treatments),
                )
                .order_by(CheckinPhoto.created_at, CheckinPhoto.id)
            ).all()
            if treatments
            else []
        )
        if rows:
            audit(uow, actor, "list", "checkin_photo")
        uow.commit()
        photos = [_public(r) for r in rows]
    strips: dict[int, Strip] = {}
    for checkin_id, treatment_id in pairs:
        mine = [p for p in photos if p.checkin_id == checkin_id]
        if not mine:
            continue
        earlier = [
            p
            for p in photos
            if p.treatment_id == treatment_id and p.checkin_id != checkin_id and p.id < mine[0].id
        ]
        strips[checkin_id] = Strip(mine=mine, earlier=earlier[-3:])
    return strips


def _photo(uow: UnitOfWork, actor: Actor, photo_id: int) -> CheckinPhoto:
    row = uow.session.get(CheckinPhoto, photo_id) if 1 <= photo_id <= 2**31 - 1 else None
    if row is None or row.clinic_id != actor.clinic_id:
        raise NotFound("no such photo")
    return row


def photo_image(
    uow: UnitOfWork, *, actor: Actor, store: PhotoStore, photo_id: int
) -> tuple[bytes, str]:
    with uow:
        row = _photo(uow, actor, photo_id)
        audit(uow, actor, "read", "checkin_photo", row.id)
        uow.commit()
        key, content_type = row.storage_key, row.content_type
    try:
        return store.get(key), content_type
    except FileNotFoundError:  # the record outlived its file (a restored database)
        raise NotFound("this photo's file is missing") from None


def measure_photo(
    uow: UnitOfWork,
    *,
    actor: Actor,
    store: PhotoStore,
    photo_id: int,
    treated: Box,
    reference: Box,
    use_card: bool = False,
) -> PhotoPublic:
    """Measure the marked areas of a stored photo and keep the numbers with it."""
    with uow:
        row = _photo(uow, actor, photo_id)
        result = measure_image(
            store.get(row.storage_key), treated=treated, reference=reference, use_card=use_card
        )
        row.measurement = {
            "treated_box": list(treated),
            "reference_box": list(reference),
            "marked_by": "staff",
            **result.as_dict(),
        }
        row.measured_at = dt.datetime.now(dt.UTC)
        audit(uow, actor, "update", "checkin_photo", row.id)
        uow.commit()
        return _public(row)


@dataclass(frozen=True)
class RednessPoint:
    day: int
    delta_a_star: float
    delta_ita: float
    photo_id: int


@dataclass(frozen=True)
class RednessTrend:
    points: list[RednessPoint]  # one per measured photo, by day
    normal_until_day: int | None  # the day normal redness should be over
    finding: str | None  # for the clinic, with its numbers; never a triage answer
    note: str  # how far phone photos can be trusted


def redness_trend(
    uow: UnitOfWork, *, actor: Actor, treatment_id: int, knowledge: Knowledge
) -> RednessTrend:
    from needlesafe.knowledge.aftercare_schema import DEPTH_BANDS

    photos = list_photos(uow, actor=actor, treatment_id=treatment_id)
    points = [
        RednessPoint(
            day=p.days_since_treatment,
            delta_a_star=float(p.measurement["delta_a_star"]),
            delta_ita=float(p.measurement["delta_ita"]),
            photo_id=p.id,
        )
        for p in photos
        if p.measurement
    ]
    rules = knowledge.aftercare.photo_redness if knowledge.aftercare else None
    with uow:
        treatment = _treatment(uow, actor, treatment_id)
        depth = max((a.depth_mm for a in treatment.areas), default=0.5)
    band = knowledge.aftercare.depth_bands.band_for(depth) if knowledge.aftercare else "medium"
    until = normal_redness_until(knowledge, band if band in DEPTH_BANDS else "medium")
    finding = None
    late = [p for p in points if until is not None and p.day > until]
    if rules is not None and late:
        last = late[-1]
        earlier = [p for p in points if p.day < last.day]
        if last.delta_a_star > rules.min_delta_a:
            before = (
                f"; day {earlier[-1].day} was {earlier[-1].delta_a_star:+.1f}" if earlier else ""
            )
            finding = (
                f"Redness not settling: on day {last.day} the treated skin is still "
                f"a* {last.delta_a_star:+.1f} redder than untreated skin (over "
                f"{rules.min_delta_a:.1f}), after normal redness should have ended on day "
                f"{until}{before}."
            )
    return RednessTrend(
        points=points,
        normal_until_day=until,
        finding=finding,
        note=rules.agreement_note if rules else "",
    )
