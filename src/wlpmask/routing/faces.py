"""Faces of the fan-in plan: the routing area cut up between terminals, obstacles, boundary.

The faces are a Delaunay triangulation of the terminal centres, the obstacles' corners and
points along the boundary; triangles whose corners lie on one circle (the cells of a square
bump array) are merged into one cell and cut again along the diagonal that lies across the
fan-in's traffic (larger faces around their centre). The sides of the faces are the cuts of
the plan (cuts.py).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry

from ..errors import WlpmaskError
from .lattice import steps_within

PAD, BUMP, OTHER = 0, 1, 2  # vertex kinds: a cut between two non-pad vertices is a gap
# Points along the outlines of the obstacles and the boundary a plan may have (about 3 kB each
# in the triangulation and its faces: 1.5 GB). A 30 x 30 mm die at 2/2 um line/space has 7,500
# along its boundary (one every 4 pitches).
MAX_OUTLINE_POINTS = 500_000


@dataclass
class Faces:
    """The faces of a plan.

    Args:
        cycles: each face's vertex ids, counter-clockwise.
        centroid: (F, 2) each face's mean corner.
        edge_faces: side (u, v) with u < v -> the faces on it (one or two).
    """

    cycles: list[list[int]]
    centroid: np.ndarray
    edge_faces: dict[tuple[int, int], list[int]]


def vertices(centers: Sequence[tuple[float, float]], kinds: Sequence[int],
             obstacles: Sequence[BaseGeometry], boundary: Polygon, step: float,
             window: tuple[float, float, float, float]
             ) -> tuple[np.ndarray, list[int], list[list[int]]]:
    """Points of the triangulation, their kinds, and the terminals at each point.

    Args:
        centers: every terminal's centre, grid units.
        kinds: every terminal's vertex kind (PAD or BUMP).
        obstacles: obstacle shapes, grid units; points along their outlines are OTHER.
        boundary: routing boundary, grid units; points along it count as PAD (no gap ends).
        step: largest distance between outline points, grid units.
        window: (xmin, ymin, xmax, ymax), grid units: outline points outside it are left
            out (no wire crosses there; an obstacle far larger than the routing area would
            otherwise bring points in proportion to its outline).

    Raises:
        WlpmaskError: (key "obstacles") more than MAX_OUTLINE_POINTS outline points inside
            the window; counted before any is made.
    """
    pts: list[tuple[float, float]] = []
    kind: list[int] = []
    terms: list[list[int]] = []
    where: dict[tuple[float, float], int] = {}

    def add(x: float, y: float, k: int, t: int | None) -> None:
        key = (round(x, 3), round(y, 3))
        v = where.get(key)
        if v is None:
            v = where[key] = len(pts)
            pts.append((x, y))
            kind.append(k)
            terms.append([])
        elif k < kind[v]:
            kind[v] = k
        if t is not None:
            terms[v].append(t)

    for t, ((x, y), k) in enumerate(zip(centers, kinds)):
        add(x, y, k, t)

    rings = [(np.asarray(poly.exterior.coords), OTHER) for o in obstacles
             for poly in getattr(o, "geoms", [o]) if poly.geom_type == "Polygon"]
    rings.append((np.asarray(boundary.exterior.coords), PAD))  # boundary points: not gap ends
    x0, y0, x1, y1 = window
    edges = []  # (start, end, points on the edge, first and last that may lie in the window)
    for coords, k in rings:
        for a, b in zip(coords[:-1], coords[1:]):
            n = max(1, int(math.ceil(math.dist(a, b) / step)))
            sa, sb = steps_within(a[0], b[0], x0, x1, n)
            ta, tb = steps_within(a[1], b[1], y0, y1, n)
            edges.append((a, b, n, max(sa, ta), min(sb, tb, n - 1), k))
    count = sum(max(0, hi - lo + 1) for *_, lo, hi, _k in edges)
    if count > MAX_OUTLINE_POINTS:
        raise WlpmaskError(f"the fan-in plan would have {count:,} points along the outlines of "
                           f"the obstacles and the boundary (one every {step:g} grid units), "
                           f"more than the bound of {MAX_OUTLINE_POINTS:,}", key="obstacles")
    for a, b, n, lo, hi, k in edges:
        for s in range(lo, hi + 1):
            x, y = a[0] + (b[0] - a[0]) * s / n, a[1] + (b[1] - a[1]) * s / n
            if x0 <= x <= x1 and y0 <= y <= y1:
                add(x, y, k, None)
    return np.asarray(pts, dtype=float), kind, terms


def _angle(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    u, v = a - p, b - p
    return abs(math.atan2(u[0] * v[1] - u[1] * v[0], u[0] * v[0] + u[1] * v[1]))


def delaunay_faces(pts: np.ndarray) -> Faces:
    """Delaunay triangles, co-circular neighbours merged, as counter-clockwise cycles.

    Args:
        pts: (N, 2) vertex coordinates, grid units.
    """
    tri_geoms = shapely.get_parts(shapely.delaunay_triangles(MultiPoint(pts)))
    index = {(round(x, 3), round(y, 3)): k for k, (x, y) in enumerate(pts)}
    tris: list[tuple[int, int, int]] = []
    for g in tri_geoms:
        c = np.asarray(g.exterior.coords)[:3]
        a, b, d = (index[(round(x, 3), round(y, 3))] for x, y in c)
        area = ((pts[b] - pts[a])[0] * (pts[d] - pts[a])[1]
                - (pts[b] - pts[a])[1] * (pts[d] - pts[a])[0])
        if area == 0:
            continue
        tris.append((a, b, d) if area > 0 else (a, d, b))
    tris.sort()
    parent = list(range(len(tris)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[tuple[int, int], int] = {}
    for k, (a, b, c) in enumerate(tris):
        for e in ((a, b), (b, c), (c, a)):
            owner[e] = k
    for (a, b), k in owner.items():
        k2 = owner.get((b, a))
        if k2 is None or k2 < k:
            continue
        c = next(x for x in tris[k] if x not in (a, b))
        d = next(x for x in tris[k2] if x not in (a, b))
        if abs(_angle(pts[c], pts[a], pts[b]) + _angle(pts[d], pts[a], pts[b]) - math.pi) < 1e-9:
            parent[find(k2)] = find(k)
    groups: dict[int, list[int]] = defaultdict(list)
    for k in range(len(tris)):
        groups[find(k)].append(k)
    cycles: list[list[int]] = []
    for root in sorted(groups):
        members = groups[root]
        directed = {e for k in members for e in ((tris[k][0], tris[k][1]),
                                                   (tris[k][1], tris[k][2]),
                                                   (tris[k][2], tris[k][0]))}
        nxt = {a: b for a, b in directed if (b, a) not in directed}
        start = min(nxt)
        cyc = [start]
        while nxt[cyc[-1]] != start and len(cyc) <= len(nxt):
            cyc.append(nxt[cyc[-1]])
        cycles.append(cyc)
    return _index(cycles, pts)


def _index(cycles: list[list[int]], pts: np.ndarray) -> Faces:
    cents = [tuple(pts[cyc].mean(axis=0)) for cyc in cycles]
    edge_faces: dict[tuple[int, int], list[int]] = defaultdict(list)
    for f, cyc in enumerate(cycles):
        for a, b in zip(cyc, cyc[1:] + cyc[:1]):
            edge_faces[(min(a, b), max(a, b))].append(f)
    return Faces(cycles, np.asarray(cents, dtype=float), dict(edge_faces))


def _cos(t: np.ndarray, r: np.ndarray) -> float:
    """|cos| of the angle between two vectors (0 if either is zero)."""
    n = float(np.hypot(*t)) * float(np.hypot(*r))
    return abs(float(t @ r)) / n if n else 0.0


def split_cells(pts: np.ndarray, kind: list[int], vterms: list[list[int]], faces: Faces,
                towards: np.ndarray) -> tuple[np.ndarray, list[int], list[list[int]], Faces]:
    """Split every face of four or more corners (a cell of a bump array) into triangles.

    A cell's sides alone overstate its room: the wires that cross it and those that turn
    round its corners share the cell, and it holds fewer of them than its sides let in. A cell
    of four corners is cut along the diagonal more nearly across the fan-in's traffic, which
    runs towards `towards` (the boundary's centre): that diagonal, as a cut, caps how many
    wires pass between its two bumps. A larger face is split around a new vertex at its
    centre, with a cut from every corner.

    Args:
        pts: (N, 2) vertex coordinates, grid units.
        kind: each vertex's kind (PAD, BUMP or OTHER), as from vertices.
        vterms: each vertex's terminals, as from vertices.
        faces: the faces to split.
        towards: where the fan-in's traffic runs (grid units).

    Returns:
        (points, kinds, terminals, faces) with the new centre vertices added.
    """
    new_pts = [tuple(p) for p in pts]
    kind, vterms = list(kind), list(vterms)
    cycles: list[list[int]] = []
    for cyc in faces.cycles:
        if len(cyc) < 4:
            cycles.append(cyc)
            continue
        cen = pts[cyc].mean(axis=0)
        if len(cyc) == 4:
            a, b, c, d = cyc
            r = cen - towards
            ac_across = _cos(pts[c] - pts[a], r) < _cos(pts[d] - pts[b], r)
            cycles.extend([[a, b, c], [a, c, d]] if ac_across else [[b, c, d], [b, d, a]])
            continue
        m = len(new_pts)
        new_pts.append(tuple(cen))
        kind.append(OTHER)  # its spokes are gaps: wires cross them at slots
        vterms.append([])
        cycles.extend([u, v, m] for u, v in zip(cyc, cyc[1:] + cyc[:1]))
    out = np.asarray(new_pts, dtype=float)
    return out, kind, vterms, _index(cycles, out)
