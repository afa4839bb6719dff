"""Redness and pigment measured on photos of known colour: generated images whose areas have
known CIELAB values (converted to sRGB by colour-science, an independent implementation),
measured within 1 unit of a* and 2 degrees of ITA, by the engine, the command line and the
API after the photo is re-encoded."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from needlesafe.cli import app as cli
from needlesafe.engine import skin_colour
from needlesafe.services.photos import Box
from tests.followup.colourkit import colour, srgb8

# (treated, reference) skin colours as CIELAB: light, medium and dark skin, red and less red
Lab = tuple[float, float, float]
CASES: list[tuple[Lab, Lab]] = [
    ((62.0, 18.0, 16.0), (66.0, 9.0, 17.0)),
    ((50.0, 16.0, 20.0), (53.0, 10.0, 21.0)),
    ((38.0, 14.0, 18.0), (40.0, 9.0, 17.0)),
    ((70.0, 12.0, 14.0), (71.0, 11.5, 14.5)),
]
TREATED, REFERENCE = (10, 10, 60, 40), (90, 10, 50, 40)


def image_of(treated: Lab, reference: Lab, fmt: str = "PNG") -> bytes:
    image = Image.new("RGB", (160, 80), (128, 128, 128))
    image.paste(srgb8(treated), (10, 10, 70, 50))
    image.paste(srgb8(reference), (90, 10, 140, 50))
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 92, "subsampling": 0} if fmt == "JPEG" else {}))
    return out.getvalue()


def ita(lab: Lab) -> float:
    return math.degrees(math.atan2(lab[0] - 50, lab[2]))


def test_ita_follows_chardon_and_handles_a_zero_b() -> None:
    assert skin_colour.ita_degrees(60.0, 10.0) == pytest.approx(45.0)
    assert skin_colour.ita_degrees(60.0, 0.0) == pytest.approx(90.0)
    assert skin_colour.ita_degrees(40.0, 10.0) == pytest.approx(-45.0)


@pytest.mark.parametrize(("treated", "reference"), CASES)
def test_the_command_line_measures_known_colours_within_1_a_star_and_2_degrees_ita(
    tmp_path: Path, treated: Lab, reference: Lab
) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(image_of(treated, reference))
    box = ",".join(map(str, TREATED)), ",".join(map(str, REFERENCE))
    result = CliRunner().invoke(
        cli, ["photo", "measure", str(path), "--treated", box[0], "--reference", box[1], "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["treated"]["a_star"] == pytest.approx(treated[1], abs=1.0)
    assert out["treated"]["ita"] == pytest.approx(ita(treated), abs=2.0)
    assert out["reference"]["ita"] == pytest.approx(ita(reference), abs=2.0)
    assert out["delta_a_star"] == pytest.approx(treated[1] - reference[1], abs=1.0)
    assert out["delta_ita"] == pytest.approx(ita(treated) - ita(reference), abs=2.0)


def test_a_re_encoded_jpeg_still_measures_within_tolerance() -> None:
    treated, reference = CASES[0]
    from needlesafe.services.photos import Limits, measure_image, reencode

    jpeg, _, _ = reencode(
        image_of(treated, reference, "JPEG"), path="p", limits=Limits(10**7, 10**7)
    )

    # the areas shrink by 4 pixels at each edge: JPEG blurs their borders
    def inner(b: Box) -> Box:
        return (b[0] + 4, b[1] + 4, b[2] - 8, b[3] - 8)

    result = measure_image(jpeg, treated=inner(TREATED), reference=inner(REFERENCE))
    assert result.delta_a_star == pytest.approx(treated[1] - reference[1], abs=1.0)
    assert result.delta_ita == pytest.approx(ita(treated) - ita(reference), abs=2.0)


def test_a_colour_card_correction_undoes_a_colour_cast() -> None:
    rng = np.random.default_rng(7)
    patches = rng.integers(30, 230, size=(24, 3)).astype(float)  # the card's known colours
    cast = np.array([[1.15, 0.05, 0.0], [0.02, 0.92, 0.03], [0.0, 0.06, 0.8]])  # warm light
    seen = skin_colour.linear_to_srgb8(skin_colour.srgb_to_linear(patches) @ cast.T)
    matrix = skin_colour.fit_colour_correction(seen, patches)
    skin = np.array([[200.0, 140.0, 120.0]])
    skin_seen = skin_colour.linear_to_srgb8(skin_colour.srgb_to_linear(skin) @ cast.T)
    truth = skin_colour.measure(np.repeat(skin, 16, 0), np.repeat(skin, 16, 0)).treated
    raw = skin_colour.measure(np.repeat(skin_seen, 16, 0), np.repeat(skin_seen, 16, 0)).treated
    fixed = skin_colour.measure(
        np.repeat(skin_seen, 16, 0), np.repeat(skin_seen, 16, 0), correction=matrix
    ).treated
    assert abs(raw.a_star - truth.a_star) > 2  # the cast moves a* ...
    assert fixed.a_star == pytest.approx(truth.a_star, abs=1.0)  # ... the card takes it back
    assert fixed.ita == pytest.approx(truth.ita, abs=2.0)
    with pytest.raises(ValueError, match="span"):
        skin_colour.fit_colour_correction(np.full((24, 3), 128.0), patches)


def test_bad_boxes_and_files_are_named_with_exit_status_2(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(image_of(*CASES[0]))
    runner = CliRunner()
    outside = runner.invoke(
        cli,
        ["photo", "measure", str(path), "--treated", "150,10,60,40", "--reference", "90,10,5,5"],
    )
    assert outside.exit_code == 2 and "treated" in outside.output
    malformed = runner.invoke(
        cli, ["photo", "measure", str(path), "--treated", "1,2,3", "--reference", "90,10,5,5"]
    )
    assert malformed.exit_code == 2 and "--treated" in malformed.output
    (tmp_path / "notes.txt").write_text("hello")
    not_image = runner.invoke(
        cli,
        [
            "photo",
            "measure",
            str(tmp_path / "notes.txt"),
            "--treated",
            "1,1,8,8",
            "--reference",
            "10,10,8,8",
        ],
    )
    assert not_image.exit_code == 2 and "not a photo" in not_image.output


def _card_photo(cast: np.ndarray) -> tuple[bytes, Lab, Lab]:
    """A photo of a 24-patch colour card and two skin areas of known Lab, all under one
    colour cast (applied in linear light, as a lamp would)."""
    card = colour.CCS_COLOURCHECKERS["ColorChecker24 - After November 2014"]
    xyz = colour.xyY_to_XYZ(np.array(list(card.data.values())))
    patches = np.clip(colour.XYZ_to_sRGB(xyz, illuminant=card.illuminant), 0, 1)
    treated: Lab = (60.0, 17.0, 17.0)
    reference: Lab = (64.0, 9.0, 18.0)
    image = np.full((700, 1000, 3), 0.45)
    x0, y0, p, g = 80, 150, 60, 12
    image[y0 - g : y0 + 4 * (p + g), x0 - g : x0 + 6 * (p + g)] = 0.05
    for i, rgb in enumerate(patches):
        r, c = divmod(i, 6)
        image[y0 + r * (p + g) : y0 + r * (p + g) + p, x0 + c * (p + g) : x0 + c * (p + g) + p] = (
            rgb
        )
    for lab, x in ((treated, 650), (reference, 820)):
        image[200:400, x : x + 120] = np.array(srgb8(lab)) / 255
    linear = skin_colour.srgb_to_linear(image * 255) @ cast.T
    shown = skin_colour.linear_to_srgb8(linear).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(shown).save(out, "PNG")
    return out.getvalue(), treated, reference


def test_a_colour_card_in_the_photo_corrects_a_lamps_colour_cast() -> None:
    pytest.importorskip("colour_checker_detection")
    from needlesafe.services.photos import measure_image

    cast = np.array([[1.0, 0.08, 0.0], [0.0, 0.85, 0.02], [0.0, 0.05, 0.65]])  # warm lamp
    data, treated, reference = _card_photo(cast)
    boxes: dict[str, Box] = {"treated": (670, 220, 80, 160), "reference": (840, 220, 80, 160)}
    raw = measure_image(data, treated=boxes["treated"], reference=boxes["reference"])
    fixed = measure_image(
        data, treated=boxes["treated"], reference=boxes["reference"], use_card=True
    )
    assert abs(raw.treated.a_star - treated[1]) > 2  # the lamp moves a* ...
    assert fixed.corrected
    assert fixed.treated.a_star == pytest.approx(treated[1], abs=1.0)  # ... the card undoes it
    assert fixed.reference.a_star == pytest.approx(reference[1], abs=1.0)
    assert fixed.treated.ita == pytest.approx(ita(treated), abs=2.0)
    assert fixed.delta_ita == pytest.approx(ita(treated) - ita(reference), abs=2.0)
