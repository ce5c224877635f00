"""Candidate edge pairs and their exact check, inside one polygon or between polygons (dbu).

Candidates come from a grid hash over polygon boxes, never from all pairs; polygons equal up
to a translation are checked against themselves once, and identical (shape, shape, offset)
pairs are checked once, the results translated back to every copy. The exact decision per
edge pair is edges.check_pairs; shielding (shield.py) is applied by the callers (checks.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from .boxes import box_pairs, edge_boxes, near_edges, unique_rows
from .edges import check_pairs, segment_distance
from .merge import MergedLayer
from .shield import shielded_rows

# Polygons with more edges than this get their intra-polygon candidates from an edge index
# rather than from all edge pairs.
_DENSE_LIMIT = 160


@dataclass(frozen=True)
class EdgePairs:
    """Violating edge pairs in database units.

    Args:
        first, second: (m, 4) int64 edge parts (x1, y1, x2, y2) as the reference reports them.
        poly_a, poly_b: (m,) merged-polygon index of each edge (layer a / layer b).
        distance: (m,) float64 smallest distance between the two parts.
    """

    first: np.ndarray
    second: np.ndarray
    poly_a: np.ndarray
    poly_b: np.ndarray
    distance: np.ndarray

    def __len__(self) -> int:
        return len(self.first)


def _empty_pairs() -> EdgePairs:
    z4 = np.zeros((0, 4), np.int64)
    zi = np.zeros(0, np.int64)
    return EdgePairs(z4, z4.copy(), zi, zi.copy(), np.zeros(0))


def _box_gap_ok(ea: np.ndarray, eb: np.ndarray, d: int) -> np.ndarray:
    """Edge-box pairs closer than d on both axes (the reference's scanner test)."""
    ax0 = np.minimum(ea[:, 0], ea[:, 2])
    ax1 = np.maximum(ea[:, 0], ea[:, 2])
    ay0 = np.minimum(ea[:, 1], ea[:, 3])
    ay1 = np.maximum(ea[:, 1], ea[:, 3])
    bx0 = np.minimum(eb[:, 0], eb[:, 2])
    bx1 = np.maximum(eb[:, 0], eb[:, 2])
    by0 = np.minimum(eb[:, 1], eb[:, 3])
    by1 = np.maximum(eb[:, 1], eb[:, 3])
    return (ax0 < bx1 + d) & (bx0 < ax1 + d) & (ay0 < by1 + d) & (by0 < ay1 + d)


# ---------------------------------------------------------------- candidate generation

def _octant(e: np.ndarray) -> np.ndarray:
    """The octant of each edge's direction: k for angles in [45 k, 45 (k + 1)) degrees."""
    dx, dy = e[:, 2] - e[:, 0], e[:, 3] - e[:, 1]
    q = np.select([(dx > 0) & (dy >= 0), (dx <= 0) & (dy > 0), (dx < 0) & (dy <= 0)],
                  [0, 1, 2], 3)
    # turned back by q right angles into [0, 90): (u, v)
    u = np.choose(q, [dx, dy, -dx, -dy])
    v = np.choose(q, [dy, -dx, -dy, dx])
    return 2 * q + (v >= u)


def _facing_box_pairs(e: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j, sorted) of edges near each other that may face each other.

    Their boxes come closer than d and their directions are two octants or more apart. Edges
    in one octant or in neighbouring octants are less than 90 degrees apart and never violate
    a width or space (check_pairs drops them): along an arc, most near edges are such.
    """
    octant = _octant(e)
    bx = edge_boxes(e)
    members = [np.flatnonzero(octant == k) for k in range(8)]
    out_i, out_j = [], []
    for k in range(8):
        # each unordered pair of octants two, three or four apart once
        other = [(k + 2) % 8, (k + 3) % 8] + ([k + 4] if k < 4 else [])
        a = members[k]
        b = np.concatenate([members[o] for o in other])
        if len(a) == 0 or len(b) == 0:
            continue
        i, j = box_pairs(bx[a], bx[b], d)
        out_i.append(a[i])
        out_j.append(b[j])
    if not out_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i, j = np.concatenate(out_i), np.concatenate(out_j)
    i, j = np.minimum(i, j), np.maximum(i, j)
    order = np.lexsort((j, i))
    return i[order], j[order]


def _intra_candidates(layer: MergedLayer, polys: np.ndarray, d: int):
    """Edge index pairs (i < j) inside each of the given polygons, boxes closer than d."""
    offs = layer.offsets
    ks = offs[polys + 1] - offs[polys]
    ia_all, ib_all = [], []
    for k in np.unique(ks):
        rows = polys[ks == k]
        if k < 2:
            continue
        if k <= _DENSE_LIMIT:
            ti, tj = np.triu_indices(int(k), 1)
            base = offs[rows][:, None]
            ia_all.append((base + ti[None, :]).ravel())
            ib_all.append((base + tj[None, :]).ravel())
        else:
            for p in rows:
                i, j = _facing_box_pairs(layer.edges[offs[p]:offs[p + 1]], d)
                ia_all.append(offs[p] + i)
                ib_all.append(offs[p] + j)
    if not ia_all:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ia = np.concatenate(ia_all)
    ib = np.concatenate(ib_all)
    keep = _box_gap_ok(layer.edges[ia], layer.edges[ib], d)
    return ia[keep], ib[keep]


def _cross_edges(la: MergedLayer, lb: MergedLayer, pa: np.ndarray, pb: np.ndarray, d: int):
    """All edge index pairs between polygon pa[k] of la and pb[k] of lb, boxes closer than d.

    Returns (edge index in la, edge index in lb, k).
    """
    z = np.zeros(0, np.int64)
    if len(pa) == 0:
        return z, z, z
    ka = la.offsets[pa + 1] - la.offsets[pa]
    kb = lb.offsets[pb + 1] - lb.offsets[pb]
    n = ka * kb
    out_a, out_b, out_k = [], [], []
    # chunks of polygon pairs bound the memory of the expanded edge pairs
    csum = np.cumsum(n)
    start = 0
    while start < len(pa):
        stop = int(np.searchsorted(csum, csum[start] - n[start] + 2_000_000, side="right"))
        stop = max(stop, start + 1)
        nn = n[start:stop]
        rep = np.repeat(np.arange(start, stop), nn)
        local = np.arange(int(nn.sum())) - np.repeat(np.cumsum(nn) - nn, nn)
        ea = la.offsets[pa[rep]] + local // kb[rep]
        eb = lb.offsets[pb[rep]] + local % kb[rep]
        keep = _box_gap_ok(la.edges[ea], lb.edges[eb], d)
        out_a.append(ea[keep])
        out_b.append(eb[keep])
        out_k.append(rep[keep])
        start = stop
    return np.concatenate(out_a), np.concatenate(out_b), np.concatenate(out_k)


def _poly_pairs(la: MergedLayer, lb: MergedLayer, d: int, same: bool):
    """Polygon index pairs whose boxes come closer than d (i < j on one layer)."""
    return box_pairs(la.bbox, lb.bbox, d, same=same)


# ---------------------------------------------------------------- dedupe helpers

def _dedupe_intra(layer: MergedLayer):
    """One representative polygon per shape class; returns (reps, class of each polygon)."""
    return unique_rows(layer.key)


def _dedupe_cross(la: MergedLayer, lb: MergedLayer, pa: np.ndarray, pb: np.ndarray,
                  d: float):
    """Representative polygon pairs for identical (shape, shape, offset) pairs, closer than d.

    Returns (rep_a, rep_b, inv, keep): the representatives that really come closer than d,
    and for every input pair the index of its representative (-1 where that one is not close).
    """
    if len(pa) == 0:
        z = np.zeros(0, np.int64)
        return z, z, z
    off = lb.ref[pb] - la.ref[pa]
    first, inv = unique_rows(np.column_stack([la.key[pa], lb.key[pb], off]))
    ra, rb = pa[first], pb[first]
    close = shapely.dwithin(la.geoms_of(ra), lb.geoms_of(rb), float(d))
    new = np.full(len(ra), -1)
    new[close] = np.arange(int(close.sum()))
    return ra[close], rb[close], new[inv]


# ---------------------------------------------------------------- core

def dedupe_pairs(first, second, pa, pb, symmetric: bool):
    """Drop repeated edge pairs, keeping the first occurrence of each (first, second).

    Args:
        first: (m, 4) int64 first edge parts (database units).
        second: (m, 4) int64 second edge parts.
        pa: (m,) polygon index of each first part.
        pb: (m,) polygon index of each second part.
        symmetric: (a, b) and (b, a) are the same pair (a check within one layer).

    Returns:
        (first, second, pa, pb) of the distinct pairs, in input order.
    """
    if len(first) == 0:
        return first, second, pa, pb
    f, s = first, second
    if symmetric:
        fk = np.column_stack([f, s])
        sk = np.column_stack([s, f])
        less = _row_less(sk, fk)
        key = np.where(less[:, None], sk, fk)
    else:
        key = np.column_stack([f, s])
    idx, _ = unique_rows(key)
    return first[idx], second[idx], pa[idx], pb[idx]


def _row_less(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    diff = a != b
    first = np.argmax(diff, axis=1)
    r = np.arange(len(a))
    return diff.any(axis=1) & (a[r, first] < b[r, first])


def to_edge_pairs(first, second, pa, pb) -> EdgePairs:
    """EdgePairs of the given parts, with the distance between the two parts of each pair.

    Args:
        first: (m, 4) first edge parts (database units).
        second: (m, 4) second edge parts.
        pa: (m,) polygon index of each first part.
        pb: (m,) polygon index of each second part.
    """
    dist = segment_distance(first, second) if len(first) else np.zeros(0)
    return EdgePairs(first.astype(np.int64), second.astype(np.int64), pa.astype(np.int64),
                     pb.astype(np.int64), dist)


def _shift(e: np.ndarray, off: np.ndarray) -> np.ndarray:
    return e + np.column_stack([off, off])


def intra_check(layer: MergedLayer, d: int, relation: str, *, shield: bool,
                metric: str = "euclidian", first_side=None):
    """Violations between edges of one polygon (width, notch), each polygon class checked once.

    Args:
        layer: the merged layer.
        d: the distance in database units.
        relation: edges.WIDTH or edges.SPACE (notches).
        shield: the polygon's own edges shield (width); else shielding is left to the caller
            (notches: neighbours may shield).
        metric: "euclidian", "projection" or "square".
        first_side: (layer, ia, ib) -> bool array: which pairs have edge ib first (that
            orients the pair for the shielding test); default: polygon order (ia first).

    Returns:
        Arrays (first, second, poly, ia, ib): edge parts, polygon, global edge indices.
    """
    reps, cls = _dedupe_intra(layer)
    ia, ib = _intra_candidates(layer, reps, d)
    if first_side is not None and len(ia):
        swap = first_side(layer, ia, ib)
        ia, ib = np.where(swap, ib, ia), np.where(swap, ia, ib)
    ok, first, second = check_pairs(layer.edges[ia], layer.edges[ib], d, relation, metric)
    ia, ib, first, second = ia[ok], ib[ok], first[ok], second[ok]
    ep = layer.edge_poly
    rep_poly = ep[ia]
    if shield and len(ia):
        # width: only the polygon's own edges near the pair can shield
        row, q = near_edges(layer.edges[ia], layer.edges[ib], layer.edges, d)
        mine = ep[q] == rep_poly[row]
        keep = ~shielded_rows(layer.edges, ia, ib, first, second, row[mine], q[mine], d)
        ia, ib, first, second, rep_poly = ia[keep], ib[keep], first[keep], second[keep], \
            rep_poly[keep]
    # replicate each representative's violations to every polygon of its class
    if len(ia) == 0:
        z = np.zeros(0, np.int64)
        return np.zeros((0, 4), np.int64), np.zeros((0, 4), np.int64), z, z, z
    v, tgt = _class_members(cls, cls[rep_poly])
    off = layer.ref[tgt] - layer.ref[rep_poly[v]]
    first_all = _shift(first[v], off)
    second_all = _shift(second[v], off)
    # edge indices move with the polygon: same position within the polygon
    ia_all = layer.offsets[tgt] + (ia[v] - layer.offsets[rep_poly[v]])
    ib_all = layer.offsets[tgt] + (ib[v] - layer.offsets[rep_poly[v]])
    return first_all, second_all, tgt, ia_all, ib_all


def _class_members(keys: np.ndarray, rep_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expand rows found on class representatives to every member of their class.

    Args:
        keys: the class of each item.
        rep_keys: the class of each found row.

    Returns:
        (v, members): row v[k] of the found rows belongs to item members[k]; members of a
        class in item order.
    """
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    lo = np.searchsorted(sorted_keys, rep_keys)
    n = np.searchsorted(sorted_keys, rep_keys, side="right") - lo
    v = np.repeat(np.arange(len(rep_keys)), n)
    starts = np.repeat(lo - (np.cumsum(n) - n), n)
    return v, order[starts + np.arange(int(n.sum()))]


def cross_check(la: MergedLayer, lb: MergedLayer, d: int, relation: str, same: bool,
                pairs=None, metric: str = "euclidian"):
    """Violations between edges of different polygons (of one or two layers), unshielded.

    Args:
        la: the first merged layer.
        lb: the second merged layer (la itself for a space check).
        d: the distance in database units.
        relation: edges.SPACE or edges.OVERLAP (la encloses lb).
        same: lb is la: each unordered polygon pair once.
        pairs: the polygon pairs (i, j) whose boxes come closer than d, if already known.
        metric: "euclidian", "projection" or "square".

    Returns:
        Arrays (first, second, poly_a, poly_b, ia, ib): edge parts, polygons, global edge
        indices in la and lb.
    """
    pa, pb = pairs if pairs is not None else _poly_pairs(la, lb, d, same)
    # the square metric reaches corners up to d * sqrt(2) away
    reach = d * 1.5 if metric == "square" else d
    ra, rb, inv = _dedupe_cross(la, lb, pa, pb, reach)
    ia, ib, rep_of = _cross_edges(la, lb, ra, rb, d)
    ok, first, second = check_pairs(la.edges[ia], lb.edges[ib], d, relation, metric)
    ia, ib, first, second, rep_of = ia[ok], ib[ok], first[ok], second[ok], rep_of[ok]
    if len(ia) == 0:
        z = np.zeros(0, np.int64)
        return np.zeros((0, 4), np.int64), np.zeros((0, 4), np.int64), z, z, z, z
    rpa, rpb = ra[rep_of], rb[rep_of]
    # every pair of the same (shape, shape, offset) class gets the violation, translated
    v, sel = _class_members(inv, rep_of)
    tpa, tpb = pa[sel], pb[sel]
    off = la.ref[tpa] - la.ref[rpa[v]]
    first_all = _shift(first[v], off)
    second_all = _shift(second[v], off)
    ia_all = la.offsets[tpa] + (ia[v] - la.offsets[rpa[v]])
    ib_all = lb.offsets[tpb] + (ib[v] - lb.offsets[rpb[v]])
    return first_all, second_all, tpa, tpb, ia_all, ib_all
