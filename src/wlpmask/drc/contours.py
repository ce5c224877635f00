"""Contours of merged groups: the polygon edges the reference merge produces where shapes touch.

A group of overlapping or touching shapes is unioned by shapely; its rings are turned into the
reference's polygon: off-grid intersection points rounded half down, every boundary edge cut
at every vertex of the group that lies on it, and the contour walked with maximum coherence.
Where the boundary passes a vertex more than once, the walk leaves it along the outgoing edge
that closes the outside sector on the left of the incoming edge (the next edge clockwise from
the incoming one), so shapes touching at a point become one polygon. Collinear steps of the
walk are then joined: an edge is split at a touch point exactly when the walk turns there.
"""

from __future__ import annotations

from collections import Counter
from functools import cmp_to_key

import numpy as np
import shapely

from .rings import clean_rings, orient_and_rotate, ring_edges, ring_layout


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


def _join_collinear(edges: np.ndarray) -> np.ndarray:
    """Join edges that continue each other on one line in one direction (maximal edges)."""
    if len(edges) == 0:
        return edges.reshape(-1, 4)
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


def _split_at_points(edges: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Split edges at the given points where they lie strictly inside an edge.

    Only the points within an edge's box are tested against it (found by boxes), so the work
    follows the edges and points that meet, not their product.
    """
    if len(edges) == 0 or len(pts) == 0:
        return edges.reshape(-1, 4)
    edges = np.asarray(edges, dtype=np.int64)
    pts = np.asarray(pts, dtype=np.int64)
    tree = shapely.STRtree(shapely.points(pts.astype(np.float64)))
    k, j = tree.query(shapely.linestrings(edges.astype(np.float64).reshape(-1, 2, 2)))
    if not len(k):
        return edges
    big = np.abs(edges).max() > (1 << 30)
    e = edges[k].astype(object) if big else edges[k]
    p = pts[j].astype(object) if big else pts[j]
    x1, y1 = e[:, 0], e[:, 1]
    dx, dy = e[:, 2] - x1, e[:, 3] - y1
    px, py = p[:, 0] - x1, p[:, 1] - y1
    t = px * dx + py * dy
    inside = (px * dy - py * dx == 0) & (t > 0) & (t < dx * dx + dy * dy)
    if not inside.any():
        return edges
    k, j, t = k[inside], j[inside], t[inside].astype(np.float64)
    order = np.lexsort((t, k))
    k, j = k[order], j[order]
    out = []
    cuts = {int(e): [] for e in np.unique(k)}
    for e_i, p_i in zip(k.tolist(), j.tolist()):
        cuts[e_i].append(p_i)
    for i in range(len(edges)):
        if i not in cuts:
            out.append(edges[i])
            continue
        chain = np.vstack([edges[i, :2], pts[cuts[i]], edges[i, 2:]])
        out.extend(np.column_stack([chain[:-1], chain[1:]]))
    return np.asarray(out, dtype=np.int64).reshape(-1, 4)


def _cancel_opposite(edges: list[tuple]) -> list[tuple]:
    """Drop pairs of coincident opposite edges (zero-width slivers left by rounding)."""
    left = Counter(edges)
    for e in list(left):
        r = (e[2], e[3], e[0], e[1])
        if e < r and r in left:
            m = min(left[e], left[r])
            left[e] -= m
            left[r] -= m
    out = []
    for e in edges:
        if left[e] > 0:
            left[e] -= 1
            out.append(e)
    return out


def _half(v: tuple[int, int]) -> int:
    """0 for directions in [0, 180) degrees, 1 for [180, 360)."""
    return 0 if (v[1] > 0 or (v[1] == 0 and v[0] > 0)) else 1


def _ccw_order(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Exact counter-clockwise angular order of two integer directions (from 0 degrees)."""
    ha, hb = _half(a), _half(b)
    if ha != hb:
        return ha - hb
    cr = a[0] * b[1] - a[1] * b[0]
    return -1 if cr > 0 else (1 if cr < 0 else 0)


def _walk(edges: list[tuple]) -> list[list[tuple]]:
    """Closed loops of directed edges, paired at each vertex with maximum coherence."""
    outgoing: dict[tuple[int, int], list[int]] = {}
    for k, (x1, y1, _, _) in enumerate(edges):
        outgoing.setdefault((x1, y1), []).append(k)
    key = cmp_to_key(_ccw_order)
    for v, ks in outgoing.items():
        if len(ks) > 1:
            ks.sort(key=lambda k, v=v: key((edges[k][2] - v[0], edges[k][3] - v[1])))
    # each incoming edge continues along the next outgoing edge clockwise from the
    # direction back along itself: the edge that closes the outside sector on its left
    succ = [-1] * len(edges)
    taken: set[int] = set()
    for k, (x1, y1, x2, y2) in enumerate(edges):
        cand = outgoing.get((x2, y2), [])
        if len(cand) == 1:
            succ[k] = cand[0]
            continue
        back = key((x1 - x2, y1 - y2))
        below = [c for c in cand if key((edges[c][2] - x2, edges[c][3] - y2)) < back]
        order = below[::-1] + [c for c in cand if c not in below][::-1]
        succ[k] = next((c for c in order if c not in taken), order[0] if order else -1)
        taken.add(succ[k])
    used = [False] * len(edges)
    loops = []
    for start in range(len(edges)):
        if used[start]:
            continue
        loop, k = [], start
        while k >= 0 and not used[k]:
            used[k] = True
            loop.append(edges[k])
            k = succ[k]
        loops.append(loop)
    return loops


def _compressed(loop: list[tuple]) -> list[tuple]:
    """The loop with straight steps joined (vertices where the walk goes on straight removed)."""
    pts = [(e[0], e[1]) for e in loop]
    changed = True
    while changed and len(pts) >= 3:
        changed = False
        keep = []
        n = len(pts)
        for i in range(n):
            ax, ay = pts[i - 1]
            bx, by = pts[i]
            cx, cy = pts[(i + 1) % n]
            ux, uy, wx, wy = bx - ax, by - ay, cx - bx, cy - by
            if (ux == 0 and uy == 0) or (ux * wy - uy * wx == 0 and ux * wx + uy * wy > 0):
                changed = True
                continue
            keep.append(pts[i])
        pts = keep
    if len(pts) < 3:
        return []
    return [(*pts[i], *pts[(i + 1) % len(pts)]) for i in range(len(pts))]


def _reference_order(loops: list[list[tuple]]) -> list[list[tuple]]:
    """Loops as the reference stores a polygon.

    Each loop starts from its lowest (then leftmost) point; the hull comes first, then the
    holes by vertex count, then by their points (y before x). The edge order decides which
    edge of a pair the reference meets first.
    """
    out = []
    for lp in loops:
        if not lp:
            continue
        start = min(range(len(lp)), key=lambda k: (lp[k][1], lp[k][0]))
        lp = lp[start:] + lp[:start]
        area2 = sum(e[0] * e[3] - e[2] * e[1] for e in lp)
        out.append((area2 >= 0, len(lp), [(e[1], e[0]) for e in lp], lp))
    out.sort(key=lambda t: (t[0], t[1], t[2]))
    return [t[3] for t in out]


def _ring_loops(edges: np.ndarray, ring_id: np.ndarray, hull: np.ndarray) -> np.ndarray:
    """The polygon edges of clean rings whose vertices are all distinct and lie on no other edge.

    Then every vertex has one edge out, so the walk goes round each ring as it is; the rings
    have no repeated or collinear points (clean_rings) and start at their lowest-leftmost
    vertex (orient_and_rotate), so nothing is compressed, cancelled or joined: what is left of
    the reference's order is the order of the loops (_reference_order).

    Args:
        edges: (n, 4) each vertex to the next of its ring, rings contiguous.
        ring_id: (n,) the ring of each edge, sorted.
        hull: (nring,) bool: the ring is a hull (clockwise), else a hole.
    """
    starts, lens = ring_layout(ring_id, len(hull))
    yx = edges[:, 1::-1].tolist()
    order = sorted(range(len(hull)), key=lambda r: (not hull[r], int(lens[r]),
                                                    yx[starts[r]:starts[r] + lens[r]]))
    rows = np.concatenate([np.arange(starts[r], starts[r] + lens[r]) for r in order])
    return edges[rows]


def _area2(pts: np.ndarray) -> int:
    x, y = pts[:, 0], pts[:, 1]
    return int(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def group_edges(geom) -> tuple[np.ndarray, np.ndarray]:
    """(polygon, maximal) edges of a merged group.

    The first are the reference polygon's edges (split where the contour turns at a touch
    point); the second join every pair of those that continue each other on one line.

    Args:
        geom: a shapely Polygon or MultiPolygon with integer coordinates (database units).

    Returns:
        Two (n, 4) int64 edge arrays; the second is the first itself when nothing joins.
    """
    rings = []
    for ring, is_hull in _geom_rings(geom):
        ring = ring[np.any(ring != np.roll(ring, 1, axis=0), axis=1)]
        if len(ring) < 3 or _area2(ring) == 0:
            continue
        rings.append((ring, is_hull))
    if not rings:
        return np.zeros((0, 4), np.int64), np.zeros((0, 4), np.int64)
    xy = np.vstack([r for r, _ in rings])
    ring_id = np.repeat(np.arange(len(rings)), [len(r) for r, _ in rings])
    xy, ring_id = clean_rings(xy, ring_id, len(rings))
    keep = np.unique(ring_id)
    remap = np.full(len(rings), -1)
    remap[keep] = np.arange(len(keep))
    ring_id = remap[ring_id]
    hull = np.array([h for _, h in rings])[keep]
    # hulls clockwise, holes counter-clockwise: the inside is on the right of every edge
    xy = orient_and_rotate(xy, ring_id, len(keep), hull)
    edges = ring_edges(xy, ring_id, len(keep))
    edges = edges[np.any(edges[:, :2] != edges[:, 2:], axis=1)]
    points = np.unique(xy, axis=0)
    split = _split_at_points(edges, points)
    if len(points) == len(xy) == len(split) and np.all(ring_layout(ring_id, len(keep))[1] >= 3):
        loops = _ring_loops(split, ring_id, hull)
        return loops, loops
    loops = [_compressed(lp) for lp in _walk(_cancel_opposite(list(map(tuple, split.tolist()))))]
    loops = _reference_order(loops)
    split = np.asarray([e for lp in loops for e in lp], dtype=np.int64).reshape(-1, 4)
    joined = _join_collinear(split)
    # joining only ever merges edges: the same count means the same edges
    return split, (split if len(joined) == len(split) else joined)
