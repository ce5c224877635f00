"""Tie bars: what holds each heat sink to the frame until singulation cuts it free.

A corner tie runs diagonally from the heat sink's corner vertex, centred on it, to the convex
corner of a block that fills the rail's corner beyond the package: both ends meet a convex
90-degree corner, so every notch the bar makes is 135 degrees (no acute notch, which a
photo-etch space rule would flag and the etch would not resolve). A side tie runs straight from
the end of one of the heat sink's sides to the rail; a tie between two heat sinks runs straight
across the gap between their facing sides. Boxes are (x0, y0, x1, y1) in um.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ... import geometry as geo
from ...errors import WlpmaskError

__all__ = ["CORNER_DIRS", "Tie", "corner_tie", "side_tie", "sink_tie"]

Box = tuple[float, float, float, float]
CORNER_DIRS = {"lower_left": (-1, -1), "lower_right": (1, -1), "upper_left": (-1, 1),
               "upper_right": (1, 1)}


@dataclass(frozen=True, eq=False)
class Tie:
    """One tie bar.

    Args:
        polygons: the bar and, for a corner tie, the rail-corner block (um).
        bar: the bar alone (it is half-etched from the bottom).
        what: e.g. "HS1 upper_left" for messages.
    """

    polygons: tuple[np.ndarray, ...]
    bar: np.ndarray
    what: str


def corner_tie(sink: Box, corner: str, *, package: Box, rail_inner: Box, rail_um: float,
               width_um: float, gap_um: float, grid_um: float, what: str) -> Tie:
    """A diagonal tie from a heat sink's corner to a block in the rail's corner.

    Args:
        sink: the heat sink's box.
        corner: one of CORNER_DIRS.
        package: the package outline's box.
        rail_inner: the box inside the rail ring.
        rail_um: the rail's width (the block reaches half into it).
        width_um: the bar's width.
        gap_um: how far beyond the package outline the block's corner lies.
        grid_um: the manufacturing grid.
        what: the tie's name for messages.
    """
    sx, sy = CORNER_DIRS[corner]
    s = np.array([sink[2] if sx > 0 else sink[0], sink[3] if sy > 0 else sink[1]])
    tx = (package[2] + gap_um - s[0]) if sx > 0 else (s[0] - package[0] + gap_um)
    ty = (package[3] + gap_um - s[1]) if sy > 0 else (s[1] - package[1] + gap_um)
    t = geo.ceil_value(min(tx, ty), grid_um)
    if t <= 0:
        raise WlpmaskError(f"tie bar {what}: the heat sink reaches past the package outline")
    v = s + t * np.array([sx, sy])
    rc = np.array([rail_inner[2] if sx > 0 else rail_inner[0],
                   rail_inner[3] if sy > 0 else rail_inner[1]])
    a = geo.ceil_value(width_um / math.sqrt(2.0), grid_um)
    room = (rc - v) * np.array([sx, sy])
    if room.min() < a:
        raise WlpmaskError(f"tie bar {what}: it meets the rail before it leaves the package "
                           f"corner ({room.min():g} um left); tie this heat sink by a side")
    bar = np.array([(s[0] - sx * a, s[1]), (s[0], s[1] - sy * a), (v[0] + sx * a, v[1]),
                    (v[0], v[1] + sy * a)])
    far = rc + np.array([sx, sy]) * rail_um / 2
    block = geo.box(v[0], v[1], far[0], far[1])
    return Tie((geo.snap(bar, grid_um), block), geo.snap(bar, grid_um), what)


def side_tie(sink: Box, side: str, *, centre: tuple[float, float], rail_inner: Box,
             rail_um: float, width_um: float, what: str) -> Tie:
    """A straight tie from the end of a heat sink's side to the rail.

    The tie leaves the end away from the package's middle, flush with the heat sink's corner.

    Args:
        sink: the heat sink's box (um).
        side: "left", "right", "bottom" or "top".
        centre: the package's centre (um).
        rail_inner: the box inside the rail ring (um).
        rail_um: the rail's width, um (the bar reaches half into it).
        width_um: the bar's width, um.
        what: the tie's name for messages.
    """
    x0, y0, x1, y1 = sink
    w, half = width_um, rail_um / 2
    if side in ("top", "bottom"):
        xa, xb = (x1 - w, x1) if (x0 + x1) / 2 >= centre[0] else (x0, x0 + w)
        ya, yb = (y1, rail_inner[3] + half) if side == "top" else (rail_inner[1] - half, y0)
    else:
        ya, yb = (y1 - w, y1) if (y0 + y1) / 2 >= centre[1] else (y0, y0 + w)
        xa, xb = (x1, rail_inner[2] + half) if side == "right" else (rail_inner[0] - half, x0)
    bar = geo.box(xa, ya, xb, yb)
    return Tie((bar,), bar, what)


def sink_tie(a: Box, b: Box, *, width_um: float, grid_um: float, what: str) -> Tie | None:
    """A straight tie across the gap between two heat sinks' facing sides (None: they touch).

    Args:
        a: the first heat sink's box (um).
        b: the second heat sink's box (um).
        width_um: the bar's width, um.
        grid_um: the manufacturing grid, um.
        what: the tie's name for messages.
    """
    for axis in (0, 1):
        lo, hi = (a, b) if a[axis] <= b[axis] else (b, a)
        if lo[axis + 2] < hi[axis]:
            o = 1 - axis
            overlap = (max(a[o], b[o]), min(a[o + 2], b[o + 2]))
            if overlap[1] - overlap[0] < width_um:
                raise WlpmaskError(f"tie bar {what}: the heat sinks face each other over less "
                                   f"than the bar's {width_um:g} um")
            c = geo.snap_value((overlap[0] + overlap[1]) / 2 - width_um / 2, grid_um)
            span = (lo[axis + 2], hi[axis])
            bar = geo.box(span[0], c, span[1], c + width_um) if axis == 0 else \
                geo.box(c, span[0], c + width_um, span[1])
            return Tie((bar,), bar, what)
    return None
