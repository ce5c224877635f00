"""Where dies go on a wafer: the usable area, full and partial dies, the offset search.

The wafer frame has the wafer centre at the origin, um, with the flat or notch at the bottom
(-y). A die is full when its whole step rectangle lies in the usable area: the wafer disc
shrunk by the edge exclusion, above the flat moved inward by the edge exclusion, and clear of
the notch keep-out disc (centred on the notch, at the bottom of the wafer edge). A die is
partial when it is not full but its step rectangle overlaps the wafer. Die centres sit on the
grid (offset_x + i * step_x, offset_y + j * step_y).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..designfile import WaferSpec

__all__ = ["DieSites", "Outline", "candidate_offsets", "die_sites", "outline_of",
           "search_offset"]

Box = tuple[float, float, float, float]
# Floating-point slack (um) of the containment tests: a corner on the boundary is inside.
_EPS_UM = 1e-6


@dataclass(frozen=True)
class Outline:
    """The wafer's outline and usable area, um.

    Args:
        radius_um: the wafer radius.
        edge_um: the edge exclusion.
        flat_um: the flat's length (None: a notch).
        notch_keepout_um: the radius of the notch keep-out disc (None: a flat).
    """

    radius_um: float
    edge_um: float
    flat_um: float | None = None
    notch_keepout_um: float | None = None

    @property
    def usable_radius_um(self) -> float:
        """The radius of the wafer disc shrunk by the edge exclusion."""
        return self.radius_um - self.edge_um

    @property
    def flat_y_um(self) -> float | None:
        """The y of the flat (negative), or None."""
        if self.flat_um is None:
            return None
        return -math.sqrt(self.radius_um ** 2 - (self.flat_um / 2) ** 2)

    @property
    def notch_um(self) -> tuple[float, float]:
        """The notch: the bottom point of the wafer edge."""
        return (0.0, -self.radius_um)

    def full(self, boxes: np.ndarray) -> np.ndarray:
        """Which (n, 4) boxes (x0, y0, x1, y1) lie wholly in the usable area.

        Args:
            boxes: die step rectangles, um.
        """
        b = np.asarray(boxes, dtype=float).reshape(-1, 4)
        r = self.usable_radius_um + _EPS_UM
        fx = np.maximum(np.abs(b[:, 0]), np.abs(b[:, 2]))
        fy = np.maximum(np.abs(b[:, 1]), np.abs(b[:, 3]))
        ok = fx * fx + fy * fy <= r * r
        if self.flat_um is not None:
            ok &= b[:, 1] >= self.flat_y_um + self.edge_um - _EPS_UM
        if self.notch_keepout_um is not None and self.notch_keepout_um > 0:
            ok &= _box_distance(b, self.notch_um) >= self.notch_keepout_um - _EPS_UM
        return ok

    def touches(self, boxes: np.ndarray) -> np.ndarray:
        """Which boxes overlap the wafer (its disc above the flat), with some area.

        Args:
            boxes: rectangles, um.
        """
        b = np.asarray(boxes, dtype=float).reshape(-1, 4)
        ok = _box_distance(b, (0.0, 0.0)) < self.radius_um
        if self.flat_um is not None:
            ok &= b[:, 3] > self.flat_y_um
        return ok

    def polygon(self, *, usable: bool = False, segments: int = 720) -> np.ndarray:
        """The wafer outline (or the usable area's) as a polygon, um.

        Args:
            usable: the usable area (shrunk by the edge exclusion) instead of the wafer.
            segments: vertices of the full circle.
        """
        r = self.usable_radius_um if usable else self.radius_um
        t = np.linspace(0.0, 2 * np.pi, segments, endpoint=False) - np.pi / 2
        pts = np.column_stack([r * np.cos(t), r * np.sin(t)])
        if self.flat_um is not None:
            y = self.flat_y_um + (self.edge_um if usable else 0.0)
            pts = _clip_below(pts, r, y)
        elif not usable:
            pts = _notched(pts, r)
        return pts


def _box_distance(b: np.ndarray, p: Sequence[float]) -> np.ndarray:
    """Distance of each box from a point (0 inside)."""
    dx = np.maximum(np.maximum(b[:, 0] - p[0], p[0] - b[:, 2]), 0.0)
    dy = np.maximum(np.maximum(b[:, 1] - p[1], p[1] - b[:, 3]), 0.0)
    return np.hypot(dx, dy)


def _clip_below(pts: np.ndarray, r: float, y: float) -> np.ndarray:
    """The circle polygon (counter-clockwise from its bottom point) cut by the line y."""
    x = math.sqrt(max(r * r - y * y, 0.0))
    return np.vstack([[[x, y]], pts[pts[:, 1] > y], [[-x, y]]])


def _notched(pts: np.ndarray, r: float) -> np.ndarray:
    """A small V notch at the bottom point of the circle, half a segment wide and deep."""
    d = abs(pts[1, 0]) / 2
    return np.vstack([[[-d, -r], [0.0, -r + d], [d, -r]], pts[1:]])


def outline_of(spec: WaferSpec) -> Outline:
    """The outline of a [wafer] section.

    Args:
        spec: the wafer section.
    """
    mm = 1000.0
    return Outline(spec.radius_um, spec.edge_exclusion_mm * mm,
                   None if spec.flat_length_mm is None else spec.flat_length_mm * mm,
                   None if spec.notch_keepout_mm is None else spec.notch_keepout_mm * mm)


@dataclass(frozen=True)
class DieSites:
    """The dies of one grid: index, centre and state of each.

    Args:
        step_um: the die step (x, y).
        offset_um: the centre of one die of the grid relative to the wafer centre.
        i, j: grid indices (centre = offset + (i * step_x, j * step_y)).
        full: True for full dies, False for partial ones.
    """

    step_um: tuple[float, float]
    offset_um: tuple[float, float]
    i: np.ndarray
    j: np.ndarray
    full: np.ndarray

    @property
    def centres(self) -> np.ndarray:
        """(n, 2) die centres, um."""
        return np.column_stack([self.offset_um[0] + self.i * self.step_um[0],
                                self.offset_um[1] + self.j * self.step_um[1]])

    @property
    def boxes(self) -> np.ndarray:
        """(n, 4) die step rectangles, um."""
        c = self.centres
        hx, hy = self.step_um[0] / 2, self.step_um[1] / 2
        return np.column_stack([c[:, 0] - hx, c[:, 1] - hy, c[:, 0] + hx, c[:, 1] + hy])

    @property
    def count(self) -> int:
        """The full dies."""
        return int(np.count_nonzero(self.full))

    def select(self, keep: np.ndarray) -> DieSites:
        """The sites where keep is set.

        Args:
            keep: one bool per site.
        """
        return DieSites(self.step_um, self.offset_um, self.i[keep], self.j[keep],
                        self.full[keep])


def die_sites(outline: Outline, step_um: tuple[float, float], offset_um: tuple[float, float],
              *, keepouts: Sequence[Box] = (), partial: bool = False) -> DieSites:
    """The full (and partial) dies of a grid, less those that overlap a keep-out box.

    Args:
        outline: the wafer.
        step_um: the die step (x, y) incl. the dicing lane.
        offset_um: the centre of one die relative to the wafer centre.
        keepouts: boxes (x0, y0, x1, y1) no die may overlap (alignment-mark sites).
        partial: keep partial dies too (not full, overlapping the wafer).
    """
    sx, sy = step_um
    ox, oy = offset_um
    r = outline.radius_um
    ii = np.arange(math.floor((-r - ox) / sx) - 1, math.ceil((r - ox) / sx) + 2)
    jj = np.arange(math.floor((-r - oy) / sy) - 1, math.ceil((r - oy) / sy) + 2)
    gi, gj = (a.ravel() for a in np.meshgrid(ii, jj))
    sites = DieSites(step_um, offset_um, gi, gj, np.zeros(len(gi), dtype=bool))
    boxes = sites.boxes
    full = outline.full(boxes)
    keep = full | (outline.touches(boxes) if partial else False)
    for k in keepouts:
        keep &= ~((boxes[:, 0] < k[2]) & (boxes[:, 2] > k[0])
                  & (boxes[:, 1] < k[3]) & (boxes[:, 3] > k[1]))
    order = np.lexsort((gi[keep], -gj[keep]))
    return DieSites(step_um, offset_um, gi[keep][order], gj[keep][order], full[keep][order])


def candidate_offsets(step_um: tuple[float, float]) -> list[tuple[float, float]]:
    """The four half-step grid shifts, um.

    A die centred on the wafer, shifted half a step in x, in y, and in both (a die corner at
    the wafer centre).

    Args:
        step_um: the die step (x, y), um.
    """
    hx, hy = step_um[0] / 2, step_um[1] / 2
    return [(0.0, 0.0), (hx, 0.0), (0.0, hy), (hx, hy)]


def search_offset(outline: Outline, step_um: tuple[float, float], *,
                  keepouts: Sequence[Box] = ()) -> tuple[tuple[float, float], list[dict]]:
    """The candidate offset with the most full dies (the first of equals) and every candidate.

    Args:
        outline: the wafer.
        step_um: the die step.
        keepouts: boxes no die may overlap.

    Returns:
        (best offset, [{"offset_um": [x, y], "dies": full dies clear of the keep-outs,
        "gross": full dies}]).
    """
    out = []
    for off in candidate_offsets(step_um):
        gross = die_sites(outline, step_um, off).count
        net = die_sites(outline, step_um, off, keepouts=keepouts).count
        out.append({"offset_um": [off[0], off[1]], "dies": net, "gross": gross})
    best = max(range(len(out)), key=lambda k: (out[k]["dies"], -k))
    return tuple(out[best]["offset_um"]), out
