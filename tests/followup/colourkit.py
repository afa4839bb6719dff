"""Known colours for the photo tests: CIELAB to 8-bit sRGB by colour-science, an
implementation independent of needlesafe's own."""

from __future__ import annotations

import warnings

import numpy as np

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import colour as colour  # colour-science: the reference conversion (re-exported)


def srgb8(lab: tuple[float, float, float]) -> tuple[int, int, int]:
    rgb = colour.XYZ_to_sRGB(colour.Lab_to_XYZ(np.array(lab)))
    r, g, b = (int(round(v)) for v in np.clip(rgb, 0, 1) * 255)
    return r, g, b
