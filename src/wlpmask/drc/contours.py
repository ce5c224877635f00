"""Contours of merged groups: which edges the reference merge produces where shapes touch.

A group of overlapping or touching shapes is unioned by shapely; its rings are turned into the
reference's polygon edges: off-grid intersection points rounded half down, maximal straight
edges, and an edge split where another part of the same contour touches it.
"""

from __future__ import annotations

import numpy as np
import shapely

from .rings import clean_rings, orient_and_rotate, ring_edges


def _geom_rings(geom) -> list[tuple[np.ndarray, bool]]:
    """Rings of a polygonal geometry as (int64 points without closing point, is_hull)."""
    out = []
    for part in getattr(geom, "geoms", [geom]):
        if part.is_empty or part.geom_type != "Polygon":
            continue
        out.append((np.asarray(part.exterior.coords, dtype=np.float64)[:-1], True))
        for hole in part.interiors:
            out.append((np.asarray(hole.coords, dtype=np.float64)[:-1], False))
    # intersection points off the grid are rounded half down, as the reference merge does
    return [(np.ceil(c - 0.5).astype(np.int64), h) for c, h in out if len(c) >= 3]


def _split_loops(pts: np.ndarray) -> list[np.ndarray]:
    """Split a ring that passes a vertex more than once into simple loops."""
    loops, path, seen = [], [], {}
    for p in map(tuple, pts.tolist()):
        if p in seen:
            k = seen[p]
            loops.append(np.array(path[k:], dtype=np.int64))
            for q in path[k + 1:]:
                del seen[q]
            path = path[:k + 1]
        else:
            seen[p] = len(path)
            path.append(p)
    loops.append(np.array(path, dtype=np.int64))
    return [lp for lp in loops if len(lp) >= 3]


def _area2(pts: np.ndarray) -> int:
    x, y = pts[:, 0], pts[:, 1]
    return int(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _join_collinear(edges: np.ndarray) -> np.ndarray:
    """Join edges that continue each other on one line in one direction (maximal edges)."""
    d = edges[:, 2:] - edges[:, :2]
    g = np.gcd(d[:, 0], d[:, 1])
    u = d // g[:, None]
    c = u[:, 0] * edges[:, 1] - u[:, 1] * edges[:, 0]
    t1 = u[:, 0] * edges[:, 0] + u[:, 1] * edges[:, 1]
    order = np.lexsort((t1, c, u[:, 1], u[:, 0]))
    out = []
    cur = None
    for k in order:
        e = edges[k]
        key = (u[k, 0], u[k, 1], c[k])
        if cur is not None and cur[0] == key and cur[1][2] == e[0] and cur[1][3] == e[1]:
            cur[1][2], cur[1][3] = e[2], e[3]
            continue
        if cur is not None:
            out.append(cur[1])
        cur = (key, e.copy())
    out.append(cur[1])
    return np.asarray(out, dtype=np.int64).reshape(-1, 4)


def _winding(px: float, py: float, edges: np.ndarray) -> int:
    x1, y1, x2, y2 = (edges[:, k].astype(np.float64) for k in range(4))
    up = (y1 <= py) & (y2 > py)
    down = (y1 > py) & (y2 <= py)
    cr = (x2 - x1) * (py - y1) - (px - x1) * (y2 - y1)
    return int(np.sum(up & (cr > 0)) - np.sum(down & (cr < 0)))


def _split_by_face(edges: np.ndarray) -> np.ndarray:
    """Split each edge at the vertices of the contour it belongs to.

    Contours are the boundaries of the areas outside the polygon: the outer one (the hull) and
    each enclosed one (a hole), areas touching at a point counting as separate. The reference
    merge joins everything touching one such area into one contour, which splits an edge
    where another part of that contour touches it.
    """
    lines = shapely.linestrings(edges.reshape(-1, 2, 2).astype(np.float64))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(
        shapely.node(shapely.multilinestrings(lines)))))
    face_of = np.full(len(edges), -1)
    for f_id, face in enumerate(faces):
        p = shapely.point_on_surface(face)
        # a face to the left of the edges (outside the polygon) has winding number 0
        if _winding(p.x, p.y, edges) != 0:
            continue
        on = shapely.covers(face.boundary, lines)
        face_of[on & (face_of < 0)] = f_id
    out = []
    for f_id in np.unique(face_of):
        sel = edges[face_of == f_id]
        pts = np.unique(np.vstack([sel[:, :2], sel[:, 2:]]), axis=0)
        out.append(_split_at_points(sel, pts))
    return np.concatenate(out) if out else edges


def _split_at_points(edges: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Split edges at the given points where they lie strictly inside an edge."""
    out = []
    for e in edges:
        x1, y1, x2, y2 = (int(v) for v in e)
        dx, dy = x2 - x1, y2 - y1
        px, py = pts[:, 0] - x1, pts[:, 1] - y1
        on = (px * dy - py * dx == 0)
        t = px * dx + py * dy
        inside = on & (t > 0) & (t < dx * dx + dy * dy)
        if not inside.any():
            out.append(e)
            continue
        sel = pts[inside]
        order = np.argsort(t[inside])
        chain = np.vstack([[x1, y1], sel[order], [x2, y2]])
        out.extend(np.column_stack([chain[:-1], chain[1:]]))
    return np.asarray(out, dtype=np.int64).reshape(-1, 4)


def group_edges(geom) -> tuple[np.ndarray, np.ndarray]:
    """(split, unsplit) edges of a merged group."""
    loops = []
    for ring, is_hull in _geom_rings(geom):
        ring = ring[np.any(ring != np.roll(ring, 1, axis=0), axis=1)]
        if len(ring) < 3:
            continue
        sign = _area2(ring)
        for lp in _split_loops(ring):
            a = _area2(lp)
            if a == 0:
                continue
            # a loop turning against its ring is the other kind (an inverted hole)
            loops.append((lp, is_hull if (a > 0) == (sign > 0) else not is_hull))
    if not loops:
        return np.zeros((0, 4), np.int64), np.zeros((0, 4), np.int64)
    xy = np.vstack([lp for lp, _ in loops])
    ring = np.repeat(np.arange(len(loops)), [len(lp) for lp, _ in loops])
    xy, ring = clean_rings(xy, ring, len(loops))
    hull = np.array([h for _, h in loops])
    keep = np.unique(ring)
    remap = np.full(len(loops), -1)
    remap[keep] = np.arange(len(keep))
    ring = remap[ring]
    xy = orient_and_rotate(xy, ring, len(keep), hull[keep])
    unsplit = _join_collinear(ring_edges(xy, ring, len(keep)))
    return _split_by_face(unsplit), unsplit
