"""Wafer maps for people and spreadsheets: a CSV of the die sites and a PNG picture.

The CSV states its convention in its header lines (the same as the G85 map's, io.g85): row 0
is the top row, column 0 the left one, on the wafer front with the flat or notch down; x_um,
y_um are die centres relative to the wafer centre. The PNG draws the wafer, its usable area,
the dies (full and partial) and the alignment-mark sites, with a legend; zlib only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .font import draw_text
from .preview import png_bytes
from .raster import fill_polygons

__all__ = ["CSV_COLUMNS", "MapSite", "wafermap_csv", "wafermap_png"]

CSV_COLUMNS = ("row", "column", "x_um", "y_um", "state")
_PX = 900
_TITLE = 40
_LEGEND = 280
_COLORS = {"full": (48, 160, 48), "partial": (230, 190, 40), "mark": (208, 64, 64),
           "wafer": (225, 225, 225), "usable": (120, 120, 120)}

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class MapSite:
    """One die site of the map.

    Args:
        row, column: map position (row 0 at the top, column 0 at the left).
        x_um, y_um: die centre relative to the wafer centre.
        state: "full" or "partial".
    """

    row: int
    column: int
    x_um: float
    y_um: float
    state: str


def wafermap_csv(sites: Sequence[MapSite], *, name: str) -> str:
    """The sites as CSV with the convention in '#' header lines.

    Args:
        sites: the die sites.
        name: the design name.
    """
    lines = [f"# wafer map of {name}: row 0 = top row (farthest from the flat or notch), "
             "column 0 = left column, on the wafer front with the flat or notch down",
             "# x_um, y_um = die centre relative to the wafer centre (+x right, +y up); "
             "state = full (whole step in the usable area) or partial",
             ",".join(CSV_COLUMNS)]
    lines += [f"{s.row},{s.column},{s.x_um:g},{s.y_um:g},{s.state}" for s in sites]
    return "\n".join(lines) + "\n"


def wafermap_png(sites: Sequence[MapSite], *, step_um: tuple[float, float],
                 wafer: np.ndarray, usable: np.ndarray, marks: Sequence[Box],
                 radius_um: float, title: str) -> bytes:
    """The map as a PNG picture.

    Args:
        sites: the die sites.
        step_um: the die step.
        wafer: the wafer outline polygon (um, wafer centre at the origin).
        usable: the usable-area outline polygon.
        marks: the alignment-mark site boxes.
        radius_um: the wafer radius (the picture holds the wafer and every site).
        title: the caption.
    """
    hx, hy = step_um[0] / 2, step_um[1] / 2
    reach = max([radius_um, *(max(abs(x.x_um) + hx, abs(x.y_um) + hy) for x in sites),
                 *(max(abs(v) for v in b) for b in marks)])
    s = (_PX - 20) / (2 * reach)
    img = np.full((_PX + _TITLE, _PX + _LEGEND, 3), 255, dtype=np.uint8)
    view = img[_TITLE:, :_PX]

    def px(p: np.ndarray) -> np.ndarray:
        return np.column_stack([_PX / 2 + p[:, 0] * s, _PX / 2 - p[:, 1] * s])

    mask = np.zeros(view.shape[:2], dtype=bool)
    fill_polygons(mask, [px(np.asarray(wafer, float))])
    view[mask] = _COLORS["wafer"]

    def box(b: Box, color: tuple[int, int, int]) -> None:
        x0, x1 = int(math.floor(_PX / 2 + b[0] * s)), int(math.ceil(_PX / 2 + b[2] * s))
        y0, y1 = int(math.floor(_PX / 2 - b[3] * s)), int(math.ceil(_PX / 2 - b[1] * s))
        x0, y0 = max(x0, 0), max(y0, 0)
        view[y0:y1, x0:x1] = (40, 40, 40)
        if x1 - x0 > 2 and y1 - y0 > 2:
            view[y0 + 1:y1 - 1, x0 + 1:x1 - 1] = color

    for site in sites:
        box((site.x_um - hx, site.y_um - hy, site.x_um + hx, site.y_um + hy),
            _COLORS[site.state])
    for b in marks:
        box(b, _COLORS["mark"])
    ring = px(np.asarray(usable, float))
    for a, b in zip(ring, np.roll(ring, -1, axis=0)):
        t = np.linspace(0, 1, 2 + int(2 * np.hypot(*(b - a))))[:, None]
        pts = (a + t * (b - a)).astype(int)
        ok = (pts[:, 0] >= 0) & (pts[:, 0] < _PX) & (pts[:, 1] >= 0) & (pts[:, 1] < _PX)
        view[pts[ok, 1], pts[ok, 0]] = _COLORS["usable"]
    draw_text(img, 12, 12, title, scale=2)
    n = {k: sum(1 for x in sites if x.state == k) for k in ("full", "partial")}
    legend = [("full", f"full dies ({n['full']})"), ("partial", f"partial ({n['partial']})"),
              ("mark", f"mark sites ({len(marks)})"), ("usable", "usable area")]
    for k, (key, text) in enumerate(legend):
        y = _TITLE + 20 + 26 * k
        img[y:y + 14, _PX + 10:_PX + 28] = _COLORS[key]
        draw_text(img, _PX + 36, y, text, scale=2)
    return png_bytes(img)
