"""Corners of drawn metal rounded the way photo-etching wants them.

Every corner of a polygon becomes an arc tangent to its two edges: convex corners with the
convex radius, concave ones with the concave radius, each as large as its edges allow (the
arc's tangent points stay within half of each edge, so neighbouring arcs never overlap). The
end of a lead narrower than twice the radius becomes a full round end, the end of a narrow
slot likewise: what the corner-local radius rules (drc/corners.py) ask for.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from . import geometry as geo

__all__ = ["fillet"]

_MIN_TURN = math.radians(0.5)


def _ring(c: np.ndarray, convex_um: float, concave_um: float, quad_segs: int) -> np.ndarray:
    """One ring (vertices, counter-clockwise for an outline, clockwise for a hole) filleted."""
    n = len(c)
    e_in = c - np.roll(c, 1, axis=0)
    e_out = np.roll(c, -1, axis=0) - c
    len_in, len_out = np.hypot(*e_in.T), np.hypot(*e_out.T)
    out = []
    for i in range(n):
        u_in, u_out = e_in[i] / len_in[i], e_out[i] / len_out[i]
        turn = math.atan2(u_in[0] * u_out[1] - u_in[1] * u_out[0], float(u_in @ u_out))
        if abs(turn) <= _MIN_TURN:
            out.append(c[i])
            continue
        half = math.tan(abs(turn) / 2)  # tangent length per unit radius
        r = min(convex_um if turn > 0 else concave_um,
                min(len_in[i], len_out[i]) / 2 / half)
        if r <= 0:
            out.append(c[i])
            continue
        a = c[i] - u_in * r * half
        side = 1.0 if turn > 0 else -1.0  # the centre lies on the side the ring turns to
        centre = a + side * r * np.array([-u_in[1], u_in[0]])
        start = math.atan2(a[1] - centre[1], a[0] - centre[0])
        k = max(1, math.ceil(abs(turn) / (math.pi / 2) * quad_segs))
        # Vertices outside the circle, on the tangents at k equal steps: the polygon keeps
        # the whole disc on the side it rounds, so a full round end is as wide (or a slot
        # end as open) as the part, never a sagitta less.
        t = start + turn * (np.arange(k) + 0.5) / k
        rv = r / math.cos(abs(turn) / (2 * k))
        b = c[i] + u_out * r * half
        out.append(a)
        out.extend(np.column_stack((centre[0] + rv * np.cos(t), centre[1] + rv * np.sin(t))))
        out.append(b)
    return np.array(out)


def fillet(geom, *, convex_um: float, concave_um: float, grid_um: float,
           quad_segs: int = 16):
    """The geometry with every corner rounded (see the module), snapped to the grid.

    Args:
        geom: a shapely polygon or multipolygon (um).
        convex_um: the radius of convex corners (0 keeps them sharp).
        concave_um: the radius of concave corners (0 keeps them sharp).
        grid_um: the manufacturing grid.
        quad_segs: arc segments per quarter circle.
    """
    parts = []
    for poly in shapely.get_parts(shapely.orient_polygons(geom)):
        shell = _ring(np.asarray(poly.exterior.coords)[:-1], convex_um, concave_um, quad_segs)
        holes = [_ring(np.asarray(h.coords)[:-1], convex_um, concave_um, quad_segs)
                 for h in poly.interiors]
        parts.append(shapely.Polygon(shell, holes))
    return geo.snap_geometry(shapely.make_valid(shapely.union_all(parts)), grid_um)
