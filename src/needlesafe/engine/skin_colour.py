"""Skin colour from photo pixels: CIELAB a* (redness) and the individual typology angle ITA°
(pigment), treated area against an untreated reference area of the same photo.

Pure maths, no I/O: pixels come in as arrays of 8-bit sRGB values. sRGB is taken as IEC
61966-2-1 under D65 and converted to CIE 1976 L*a*b* with the D65 white (CIE 15:2004);
ITA° = atan2(L* - 50, b*) in degrees (Chardon 1991; atan2 keeps the angle right when b* is 0
or negative). Comparing two areas of one photo cancels much of the light and the camera;
a colour card in the frame can cancel more: `fit_colour_correction` fits the 3x3 matrix that
maps the card's measured patches onto their known values (least squares in linear RGB), and
`measure` applies it before converting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# sRGB (linear) to CIE XYZ, D65 (IEC 61966-2-1)
SRGB_TO_XYZ: FloatArray = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
D65_WHITE: FloatArray = SRGB_TO_XYZ.sum(axis=1)  # XYZ of sRGB white, Y = 1
MIN_PIXELS = 16  # an area smaller than 4 x 4 pixels says nothing reliable


@dataclass(frozen=True)
class AreaColour:
    l_star: float
    a_star: float
    b_star: float
    ita: float  # degrees
    pixels: int


@dataclass(frozen=True)
class ColourMeasurement:
    treated: AreaColour
    reference: AreaColour
    delta_a_star: float  # treated minus reference: redder is positive
    delta_ita: float  # treated minus reference: darker is negative
    delta_e: float  # CIE76 colour difference between the two areas
    corrected: bool  # a colour-card correction was applied

    def as_dict(self) -> dict[str, object]:
        def area(a: AreaColour) -> dict[str, float | int]:
            return {
                "l_star": round(a.l_star, 2),
                "a_star": round(a.a_star, 2),
                "b_star": round(a.b_star, 2),
                "ita": round(a.ita, 2),
                "pixels": a.pixels,
            }

        return {
            "treated": area(self.treated),
            "reference": area(self.reference),
            "delta_a_star": round(self.delta_a_star, 2),
            "delta_ita": round(self.delta_ita, 2),
            "delta_e": round(self.delta_e, 2),
            "corrected": self.corrected,
        }


def srgb_to_linear(rgb8: FloatArray) -> FloatArray:
    """8-bit sRGB values (any shape, last axis RGB) to linear RGB in 0..1."""
    c = np.asarray(rgb8, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_lab(linear: FloatArray) -> FloatArray:
    """Linear sRGB (N x 3) to CIELAB (N x 3), D65."""
    xyz = linear @ SRGB_TO_XYZ.T / D65_WHITE
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.stack(
        [116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1
    )


def lab_to_linear(lab: FloatArray) -> FloatArray:
    """CIELAB (N x 3) back to linear sRGB (N x 3), D65 (to make test colours)."""
    lab = np.atleast_2d(np.asarray(lab, dtype=np.float64))
    fy = (lab[:, 0] + 16) / 116
    fx, fz = fy + lab[:, 1] / 500, fy - lab[:, 2] / 200
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.stack([fx, fy, fz], axis=1)
    xyz = np.where(f**3 > eps, f**3, (116 * f - 16) / kappa)
    xyz[:, 1] = np.where(lab[:, 0] > kappa * eps, fy**3, lab[:, 0] / kappa)
    result: FloatArray = (xyz * D65_WHITE) @ np.linalg.inv(SRGB_TO_XYZ).T
    return result


def linear_to_srgb8(linear: FloatArray) -> FloatArray:
    c = np.clip(linear, 0.0, 1.0)
    encoded = np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)
    result: FloatArray = np.round(encoded * 255.0)
    return result


def ita_degrees(l_star: float, b_star: float) -> float:
    return math.degrees(math.atan2(l_star - 50.0, b_star))


def _area(pixels: FloatArray, correction: FloatArray | None) -> AreaColour:
    rgb = np.asarray(pixels, dtype=np.float64).reshape(-1, 3)
    if rgb.shape[0] < MIN_PIXELS:
        raise ValueError(f"an area needs at least {MIN_PIXELS} pixels, got {rgb.shape[0]}")
    linear = srgb_to_linear(rgb)
    if correction is not None:
        linear = np.clip(linear @ correction.T, 0.0, None)
    # the mean colour in linear light (what a colour meter averages), then to Lab
    l_star, a_star, b_star = linear_to_lab(linear.mean(axis=0, keepdims=True))[0]
    return AreaColour(
        l_star=float(l_star),
        a_star=float(a_star),
        b_star=float(b_star),
        ita=ita_degrees(float(l_star), float(b_star)),
        pixels=int(rgb.shape[0]),
    )


def measure(
    treated: FloatArray, reference: FloatArray, *, correction: FloatArray | None = None
) -> ColourMeasurement:
    """Compare the treated area's pixels with the reference area's (8-bit sRGB, any shape
    ending in 3), optionally after a colour-card correction matrix."""
    t, r = _area(treated, correction), _area(reference, correction)
    return ColourMeasurement(
        treated=t,
        reference=r,
        delta_a_star=t.a_star - r.a_star,
        delta_ita=t.ita - r.ita,
        delta_e=math.dist((t.l_star, t.a_star, t.b_star), (r.l_star, r.a_star, r.b_star)),
        corrected=correction is not None,
    )


def fit_colour_correction(measured_rgb8: FloatArray, reference_rgb8: FloatArray) -> FloatArray:
    """The 3x3 matrix M (linear RGB) with M @ measured ~ reference over a colour card's
    patches, by least squares. Needs at least 3 patches that are not all one grey."""
    measured = srgb_to_linear(np.asarray(measured_rgb8, dtype=np.float64).reshape(-1, 3))
    reference = srgb_to_linear(np.asarray(reference_rgb8, dtype=np.float64).reshape(-1, 3))
    if measured.shape != reference.shape or measured.shape[0] < 3:
        raise ValueError("need the same number (3 or more) of measured and reference patches")
    if np.linalg.matrix_rank(measured) < 3:
        raise ValueError("the measured patches do not span the colours (all grey?)")
    solution = np.linalg.lstsq(measured, reference, rcond=None)[0]
    matrix: FloatArray = np.asarray(solution.T, dtype=np.float64)
    return matrix


def crop(image: FloatArray, box: tuple[int, int, int, int]) -> FloatArray:
    """The pixels of `box` (x, y, width, height) of an H x W x 3 image; ValueError when the
    box is empty or outside the image."""
    x, y, w, h = box
    height, width = image.shape[:2]
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > width or y + h > height:
        raise ValueError(f"the box {x},{y},{w},{h} is not inside the {width} x {height} image")
    result: FloatArray = image[y : y + h, x : x + w, :3]
    return result
