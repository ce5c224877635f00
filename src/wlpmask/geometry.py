"""Geometric primitives in micrometres: pads, rounded rectangles, teardrops, grid snap, 45 degrees.

Every shape function returns a polygon as a float numpy array of shape (N, 2), counter-clockwise,
without a repeated closing vertex. Round shapes are described by their width across flats
(``diameter_um``): the polygon circumscribes the nominal circle, so its measured width is never
below the nominal diameter. Shapes whose vertices have to be rounded onto the manufacturing grid
keep their apothems within [d/2, d/2 + 2 grid], which is what ``ROUND_SLACK_GRIDS`` tells the
callers that derive enclosures from rules. A few helpers at the end work on shapely geometry:
growing by an exact distance, snapping to the grid, splitting into hole-free outlines.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from .polys import hole_free_rings, polygon_parts  # noqa: F401 - re-exported

# Round shapes may be up to this many grid steps larger (per side) than nominal after snapping;
# an enclosure between two round shapes adds this many grid steps to the rule value.
ROUND_SLACK_GRIDS = 2

_TAN_22_5 = math.sqrt(2.0) - 1.0
# The eight octilinear directions, index k is k * 45 degrees.
DIRECTIONS45 = np.array(
    [(math.cos(k * math.pi / 4), math.sin(k * math.pi / 4)) for k in range(8)]
).round(15)


def snap_value(value_um: float, grid_um: float) -> float:
    """Round a length to the nearest multiple of the grid.

    Args:
        value_um: the length in um.
        grid_um: the manufacturing grid in um.
    """
    return round(round(value_um / grid_um) * grid_um, 9) + 0.0  # + 0.0: no -0.0


def ceil_value(value_um: float, grid_um: float) -> float:
    """Round a length up to a multiple of the grid (tolerating float noise of 1e-6 grid).

    Args:
        value_um: the length in um.
        grid_um: the manufacturing grid in um.
    """
    return round(math.ceil(value_um / grid_um - 1e-6) * grid_um, 9)


def snap(points: np.ndarray | Sequence, grid_um: float) -> np.ndarray:
    """Round every coordinate to the nearest grid point.

    Args:
        points: (N, 2) coordinates in um.
        grid_um: the manufacturing grid in um.
    """
    pts = np.asarray(points, dtype=float)
    return np.round(np.round(pts / grid_um) * grid_um, 9) + 0.0  # + 0.0: no -0.0


def ccw(points: np.ndarray) -> np.ndarray:
    """The polygon with counter-clockwise orientation (positive signed area).

    Args:
        points: (N, 2) vertices in um; returned as they are when already counter-clockwise.
    """
    pts = np.asarray(points, dtype=float)
    return pts if signed_area(pts) >= 0 else pts[::-1].copy()


def signed_area(points: np.ndarray) -> float:
    """Signed area in um2 (positive for counter-clockwise).

    Args:
        points: (N, 2) vertices in um, not closed.
    """
    x, y = points[:, 0], points[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def rect(*, width_um: float, height_um: float, center: Sequence[float] = (0.0, 0.0)) -> np.ndarray:
    """An axis-aligned rectangle.

    Args:
        width_um: size along x.
        height_um: size along y.
        center: centre (x, y) in um.
    """
    cx, cy = center
    w, h = width_um / 2.0, height_um / 2.0
    return np.array([(cx - w, cy - h), (cx + w, cy - h), (cx + w, cy + h), (cx - w, cy + h)])


def box(x0_um: float, y0_um: float, x1_um: float, y1_um: float) -> np.ndarray:
    """An axis-aligned rectangle from two corners (any order), in um.

    Args:
        x0_um: x of one corner.
        y0_um: y of that corner.
        x1_um: x of the opposite corner.
        y1_um: y of the opposite corner.
    """
    xa, xb = sorted((x0_um, x1_um))
    ya, yb = sorted((y0_um, y1_um))
    return np.array([(xa, ya), (xb, ya), (xb, yb), (xa, yb)], dtype=float)


def frame(*, outer: Sequence[float], width_um: float) -> list[np.ndarray]:
    """A rectangular band as four non-overlapping rectangles (no polygon with a hole).

    Args:
        outer: (x0, y0, x1, y1) of the outer edge in um.
        width_um: the band width, measured inward.
    """
    x0, y0, x1, y1 = outer
    w = width_um
    return [
        box(x0, y0, x1, y0 + w),
        box(x0, y1 - w, x1, y1),
        box(x0, y0 + w, x0 + w, y1 - w),
        box(x1 - w, y0 + w, x1, y1 - w),
    ]


def rounded_rect(*, width_um: float, height_um: float, radius_um: float,
                 center: Sequence[float] = (0.0, 0.0), grid_um: float = 0.001,
                 segments_per_corner: int = 8) -> np.ndarray:
    """A rectangle with circular corners, vertices on the grid.

    Args:
        width_um: size along x.
        height_um: size along y.
        radius_um: corner radius, at most half the shorter side.
        center: centre (x, y) in um.
        grid_um: manufacturing grid in um.
        segments_per_corner: straight segments per quarter circle.
    """
    r = min(radius_um, width_um / 2.0, height_um / 2.0)
    if r <= 0:
        return snap(rect(width_um=width_um, height_um=height_um, center=center), grid_um)
    cx, cy = center
    hx, hy = width_um / 2.0 - r, height_um / 2.0 - r
    pts = []
    for qx, qy, a0 in ((hx, -hy, -90.0), (hx, hy, 0.0), (-hx, hy, 90.0), (-hx, -hy, 180.0)):
        for k in range(segments_per_corner + 1):
            a = math.radians(a0 + 90.0 * k / segments_per_corner)
            pts.append((cx + qx + r * math.cos(a), cy + qy + r * math.sin(a)))
    return _dedupe(snap(np.array(pts), grid_um))


def octagon(*, diameter_um: float, center: Sequence[float] = (0.0, 0.0),
            grid_um: float = 0.001) -> np.ndarray:
    """An octagon with flats on the axes, exactly octilinear after snapping to the grid.

    The orthogonal apothem is diameter/2 (rounded up to the grid); the corner cut is rounded up,
    so the diagonal apothem lies between diameter/2 and diameter/2 + grid.

    Args:
        diameter_um: width across flats in um.
        center: centre (x, y) in um, snapped to the grid.
        grid_um: manufacturing grid in um.
    """
    a = ceil_value(diameter_um / 2.0, grid_um)
    c = ceil_value(a * _TAN_22_5, grid_um)
    cx, cy = (snap_value(v, grid_um) for v in center)
    base = np.array([(a, -c), (a, c), (c, a), (-c, a), (-a, c), (-a, -c), (-c, -a), (c, -a)])
    return np.round(base + (cx, cy), 9)


def regular_polygon(*, diameter_um: float, vertices: int, center: Sequence[float] = (0.0, 0.0),
                    grid_um: float = 0.001) -> np.ndarray:
    """A regular polygon approximating a circle, every apothem >= diameter/2 after snapping.

    The polygon is inflated by one grid step before its vertices are snapped, so the apothems
    stay within [diameter/2, diameter/2 + 2 grid].

    Args:
        diameter_um: width across flats in um.
        vertices: number of vertices (>= 8, a multiple of 4 keeps flats on the axes).
        center: centre (x, y) in um, snapped to the grid.
        grid_um: manufacturing grid in um.
    """
    if vertices < 8:
        raise ValueError("a round pad needs at least 8 vertices")
    apothem = diameter_um / 2.0 + grid_um
    radius = apothem / math.cos(math.pi / vertices)
    # Offset by half a step so flats (not vertices) face the axes, as on the octagon.
    ang = (np.arange(vertices) + 0.5) * 2.0 * math.pi / vertices
    pts = np.column_stack((radius * np.cos(ang), radius * np.sin(ang)))
    cx, cy = (snap_value(v, grid_um) for v in center)
    return snap(pts + (cx, cy), grid_um)


def round_pad(*, diameter_um: float, shape: str = "octagon", center: Sequence[float] = (0.0, 0.0),
              grid_um: float = 0.001, vertices: int = 32) -> np.ndarray:
    """A round pad or opening: an octagon or a regular polygon (``shape`` "circle").

    Args:
        diameter_um: width across flats in um.
        shape: "octagon" or "circle".
        center: centre (x, y) in um.
        grid_um: manufacturing grid in um.
        vertices: vertex count of a "circle".
    """
    if shape == "octagon":
        return octagon(diameter_um=diameter_um, center=center, grid_um=grid_um)
    if shape == "circle":
        return regular_polygon(diameter_um=diameter_um, vertices=vertices, center=center,
                               grid_um=grid_um)
    raise ValueError(f"unknown round shape {shape!r}; expected octagon or circle")


def teardrop(*, pad: np.ndarray, center: Sequence[float], path: np.ndarray, chord_um: float,
             trace_width_um: float, grid_um: float = 0.001) -> np.ndarray | None:
    """The fillet between a convex pad and a trace leaving it, following the trace's path.

    The fillet is the convex hull of a chord of the pad and the trace's outline along ``path``. The
    chord is ``chord_um`` wide, perpendicular to the direction in which the trace crosses the pad
    outline (any angle, 45 degrees included), centred on ``center`` across that direction and placed
    as close to the pad's edge as it fits inside the pad. Its union with the pad and the trace has
    no acute corner: at the pad its flanks leave the outline outward, at the trace they meet the
    trace's edges at an obtuse angle as long as the path turns by at most 45 degrees (the caller
    ends it before a sharper turn).

    Args:
        pad: the pad outline (convex), (N, 2) um.
        center: the pad's middle (x, y) in um.
        path: the trace centre-line, (M >= 2, 2) um, from inside the pad to the fillet's end.
        chord_um: fillet width where it meets the pad (Deca: 0.9 x the pad diameter).
        trace_width_um: the trace width.
        grid_um: manufacturing grid in um.

    Returns:
        The fillet polygon (without pad and trace), or None when the path never leaves the pad.
    """
    import shapely

    poly = shapely.Polygon(pad)
    path = np.asarray(path, dtype=float)
    exit_dir = None
    for a, b in zip(path[:-1], path[1:]):
        if not poly.covers(shapely.Point(b)):
            exit_dir = b - a
            break
    if exit_dir is None or not np.hypot(*exit_dir) > 0:
        return None
    u = exit_dir / np.hypot(*exit_dir)
    n = np.array((-u[1], u[0]))
    c = np.asarray(center, dtype=float)
    # Two grid steps of margin keep the chord's ends inside the pad after snapping.
    depth, half = _chord_depth(np.asarray(pad, dtype=float) - c, u, n, chord_um / 2.0,
                               2 * grid_um)
    chord = [c + depth * u - half * n, c + depth * u + half * n]
    trace = shapely.LineString(path).buffer(trace_width_um / 2.0, cap_style="flat",
                                            join_style="mitre")
    pts = np.concatenate([np.array(chord), np.asarray(trace.exterior.coords)])
    hull = shapely.MultiPoint(pts).convex_hull
    return ccw(snap(np.asarray(hull.exterior.coords[:-1]), grid_um))


def _chord_depth(pad: np.ndarray, u: np.ndarray, n: np.ndarray, half: float,
                 margin: float) -> tuple[float, float]:
    """(depth, half width) of the deepest chord t u + [-half, half] n in convex `pad` - margin."""
    pts = ccw(pad)
    e = np.roll(pts, -1, axis=0) - pts
    keep = np.hypot(e[:, 0], e[:, 1]) > 0
    pts, e = pts[keep], e[keep]
    m = np.column_stack((e[:, 1], -e[:, 0])) / np.hypot(e[:, 0], e[:, 1])[:, None]  # outward
    mu, mn = m @ u, m @ n
    room = np.sum(m * pts, axis=1) - margin
    for _ in range(40):
        # inside: t (m.u) <= room - s (m.n) for both ends s = -half, +half
        rhs = room - half * np.abs(mn)
        up, down = mu > 1e-12, mu < -1e-12
        flat = ~(up | down)
        t_max = float(np.min(rhs[up] / mu[up])) if up.any() else math.inf
        t_min = float(np.max(rhs[down] / mu[down])) if down.any() else -math.inf
        if t_min <= t_max and np.all(rhs[flat] >= 0):
            return t_max, half
        half *= 0.9  # the chord narrows only where it fits at no depth
    return 0.0, 0.0


def grow(geom, distance_um: float, *, quad_segs: int = 8):
    """A shapely geometry grown by at least `distance_um` everywhere.

    A buffer's round joins are polygons inscribed in the circle, which fall short of the
    distance by up to 1 - cos(pi / (4 quad_segs)) between their vertices; the radius is raised
    by that factor, so a shape outside the result keeps the distance exactly.

    Args:
        geom: the shapely geometry (um).
        distance_um: the distance.
        quad_segs: segments per quarter circle.
    """
    return geom.buffer(distance_um / math.cos(math.pi / (4 * quad_segs)), quad_segs=quad_segs)


def snap_geometry(geom, grid_um: float):
    """A shapely geometry with every vertex on the grid, valid, without a precision model.

    A geometry carrying one snaps later results to it (a sub-grid buffer would come back empty).

    Args:
        geom: the shapely geometry (um).
        grid_um: the manufacturing grid.
    """
    import shapely

    return shapely.set_precision(shapely.set_precision(geom, grid_um), 0.0)


def octilinear_direction(vector: Sequence[float]) -> int:
    """Index k (angle k x 45 degrees, 0..7) of the octilinear direction nearest to vector.

    Args:
        vector: (dx, dy), any unit.
    """
    ang = math.atan2(vector[1], vector[0])
    return int(round(ang / (math.pi / 4))) % 8


def is_octilinear(points: np.ndarray, *, tol_um: float = 1e-9) -> bool:
    """True when every edge of the closed polygon is horizontal, vertical or at 45 degrees.

    Args:
        points: (N, 2) vertices in um, not closed (the last edge returns to the first).
        tol_um: how far an edge may be off in x or y, um.
    """
    pts = np.asarray(points, dtype=float)
    d = np.roll(pts, -1, axis=0) - pts
    dx, dy = np.abs(d[:, 0]), np.abs(d[:, 1])
    return bool(np.all((dx <= tol_um) | (dy <= tol_um) | (np.abs(dx - dy) <= tol_um)))


def interior_angles_deg(points: np.ndarray) -> np.ndarray:
    """Interior angle at every vertex of a simple polygon, in degrees (reflex > 180).

    Args:
        points: (N, 2) vertices in um; angles follow ccw(points), a clockwise input reversed.
    """
    pts = ccw(np.asarray(points, dtype=float))
    prev = np.roll(pts, 1, axis=0) - pts
    nxt = np.roll(pts, -1, axis=0) - pts
    a_prev = np.arctan2(prev[:, 1], prev[:, 0])
    a_next = np.arctan2(nxt[:, 1], nxt[:, 0])
    # For a CCW polygon the interior is on the left: sweep from `next` to `prev` counter-clockwise.
    return np.degrees((a_prev - a_next) % (2 * math.pi))


def _dedupe(points: np.ndarray) -> np.ndarray:
    keep = np.any(np.abs(points - np.roll(points, 1, axis=0)) > 0, axis=1)
    return points[keep]


def bbox(polygons: Iterable[np.ndarray]) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) of a set of polygons, None when empty.

    Args:
        polygons: (N, 2) vertex arrays in um.
    """
    arrs = [np.asarray(p) for p in polygons]
    if not arrs:
        return None
    allp = np.concatenate(arrs)
    return (float(allp[:, 0].min()), float(allp[:, 1].min()),
            float(allp[:, 0].max()), float(allp[:, 1].max()))
