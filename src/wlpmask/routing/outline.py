"""Wire metal from centre-lines: flat-ended segments plus octagonal joints, on integer grid units.

Axis segments are rectangles of half width `half`; diagonal segments are rectangles whose sides
are offset by (diag, -diag): both exactly 45 degrees on grid points. Every interior vertex gets
the octagon |x|, |y| <= half, |x +- y| <= 2 * diag, which mitres 45-degree turns and chamfers
90-degree turns (a square outer corner would break spacing to a diagonal neighbour). The lattice
pitch is even, so every diagonal outline edge lies on a line x +- y = k of one parity and all
intersections of the union are grid points.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry import Polygon

from .lattice import Rules


def _sign(v: int) -> int:
    return (v > 0) - (v < 0)


def segment_polygon(a: Sequence[int], b: Sequence[int], rules: Rules) -> Polygon:
    """The metal of one octilinear centre-line segment from a to b (flat ends), grid units.

    Args:
        a: the segment's start, grid units.
        b: the segment's end, grid units.
        rules: wire rules (half and diag widths).

    Raises:
        ValueError: a to b is neither axis-parallel nor at 45 degrees.
    """
    ax, ay = int(a[0]), int(a[1])
    bx, by = int(b[0]), int(b[1])
    dx, dy = bx - ax, by - ay
    h, d = rules.half, rules.diag
    if dy == 0:
        x0, x1 = min(ax, bx), max(ax, bx)
        return Polygon([(x0, ay - h), (x1, ay - h), (x1, ay + h), (x0, ay + h)])
    if dx == 0:
        y0, y1 = min(ay, by), max(ay, by)
        return Polygon([(ax - h, y0), (ax + h, y0), (ax + h, y1), (ax - h, y1)])
    if abs(dx) != abs(dy):
        raise ValueError(f"segment {a} -> {b} is not octilinear")
    sx, sy = _sign(dx), _sign(dy)
    ox, oy = -sy * d, sx * d  # perpendicular offset, half width d * sqrt(2)
    return Polygon([(ax + ox, ay + oy), (bx + ox, by + oy), (bx - ox, by - oy), (ax - ox, ay - oy)])


def joint_polygon(p: Sequence[int], rules: Rules) -> Polygon:
    """The octagonal joint metal at a centre-line vertex, grid units.

    Args:
        p: the vertex, grid units.
        rules: wire rules (half and diag widths).
    """
    x, y = int(p[0]), int(p[1])
    h, e = rules.half, 2 * rules.diag - rules.half
    return Polygon([(x + h, y - e), (x + h, y + e), (x + e, y + h), (x - e, y + h),
                    (x - h, y + e), (x - h, y - e), (x - e, y - h), (x + e, y - h)])


def simplify_polyline(points: Iterable[Sequence[int]]) -> list[tuple[int, int]]:
    """Drop repeated points and interior points on a straight run (same direction on).

    Args:
        points: the polyline's vertices, integer grid units.
    """
    out: list[tuple[int, int]] = []
    for p in points:
        q = (int(p[0]), int(p[1]))
        if out and out[-1] == q:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            if (bx - ax) * (q[1] - by) == (by - ay) * (q[0] - bx) and \
                    (bx - ax) * (q[0] - bx) + (by - ay) * (q[1] - by) > 0:
                out[-1] = q
                continue
        out.append(q)
    return out


def polyline_pieces(points: Sequence[Sequence[int]], rules: Rules) -> list[Polygon]:
    """Segment rectangles and interior joints of one centre-line polyline.

    Args:
        points: the polyline's vertices, grid units (simplified first).
        rules: wire rules (half and diag widths).
    """
    pts = simplify_polyline(points)
    pieces = [segment_polygon(pts[k], pts[k + 1], rules) for k in range(len(pts) - 1)]
    pieces += [joint_polygon(p, rules) for p in pts[1:-1]]
    return pieces


def wire_metal(polylines: Iterable[Sequence[Sequence[int]]], rules: Rules) -> shapely.Geometry:
    """The merged metal of centre-line polylines, snapped to the grid (grid units).

    Args:
        polylines: one net's centre-line polylines, grid units; where two end at the same
            point a joint is added there.
        rules: wire rules (half and diag widths).
    """
    pieces: list[Polygon] = []
    lines = [simplify_polyline(pl) for pl in polylines]
    ends: dict[tuple[int, int], int] = {}
    for pl in lines:
        pieces.extend(polyline_pieces(pl, rules))
        for p in (pl[0], pl[-1]):
            ends[p] = ends.get(p, 0) + 1
    # branches that meet end to end (two stubs into one terminal) get a joint there
    pieces += [joint_polygon(p, rules) for p, count in sorted(ends.items()) if count > 1]
    if not pieces:
        return Polygon()
    return shapely.set_precision(shapely.union_all(pieces), 1.0)


def polyline_length(points: Sequence[Sequence[int]]) -> float:
    """Centre-line length in grid units.

    Args:
        points: the polyline's vertices, grid units.
    """
    a = np.asarray(points, dtype=float)
    if len(a) < 2:
        return 0.0
    return float(np.sum(np.hypot(*np.diff(a, axis=0).T)))


def to_um(geom: shapely.Geometry, grid_um: float) -> shapely.Geometry:
    """Scale a grid-unit geometry to um (coordinates rounded to 1e-9 um).

    Args:
        geom: the geometry, grid units.
        grid_um: the grid unit in um.
    """
    return shapely.transform(geom, lambda c: np.round(c * grid_um, 9))
