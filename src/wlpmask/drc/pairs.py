"""Edge-pair checks on merged layers: width, space, separation, enclosing (integer dbu).

Candidate edge pairs come from a spatial index over polygons, never from all pairs; polygons
equal up to a translation are checked against themselves once, and identical (shape, shape,
offset) pairs are checked once, the results translated back. The exact decision per edge pair
is edges.check_pairs, then shielding (shield.py) removes pairs seen through another edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from .edges import OVERLAP, SPACE, WIDTH, check_pairs, segment_distance
from .merge import MergedLayer, merge_layer
from .shield import shielded_mask

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


def _edge_boxes(e: np.ndarray) -> np.ndarray:
    return np.column_stack([np.minimum(e[:, 0], e[:, 2]), np.minimum(e[:, 1], e[:, 3]),
                            np.maximum(e[:, 0], e[:, 2]), np.maximum(e[:, 1], e[:, 3])])


def _box_query(boxes_a: np.ndarray, boxes_b: np.ndarray, d: int):
    """Index pairs (i, j) of boxes whose gap is at most d (a superset of the scanner test)."""
    if len(boxes_a) == 0 or len(boxes_b) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    tree = shapely.STRtree(shapely.box(*boxes_b.T.astype(np.float64)))
    grown = boxes_a.astype(np.float64) + np.array([-d, -d, d, d], dtype=np.float64)
    i, j = tree.query(shapely.box(*grown.T), predicate="intersects")
    return i.astype(np.int64), j.astype(np.int64)


# ---------------------------------------------------------------- candidate generation

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
                e = layer.edges[offs[p]:offs[p + 1]]
                bx = _edge_boxes(e)
                i, j = _box_query(bx, bx, d)
                s = i < j
                ia_all.append(offs[p] + i[s])
                ib_all.append(offs[p] + j[s])
    if not ia_all:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ia = np.concatenate(ia_all)
    ib = np.concatenate(ib_all)
    keep = _box_gap_ok(layer.edges[ia], layer.edges[ib], d)
    return ia[keep], ib[keep]


def _cross_edges(la: MergedLayer, lb: MergedLayer, pa: np.ndarray, pb: np.ndarray, d: int):
    """All edge index pairs between polygon pa[k] of la and pb[k] of lb, boxes closer than d."""
    if len(pa) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ka = la.offsets[pa + 1] - la.offsets[pa]
    kb = lb.offsets[pb + 1] - lb.offsets[pb]
    out_a, out_b = [], []
    chunk = 2_000_000
    tot = ka * kb
    # process in chunks to bound memory
    bounds = np.searchsorted(np.cumsum(tot), np.arange(chunk, int(tot.sum()) + chunk, chunk))
    start = 0
    for stop in list(bounds) + [len(pa)]:
        stop = min(int(stop) + 1, len(pa))
        if stop <= start:
            continue
        sa, sb = pa[start:stop], pb[start:stop]
        kka, kkb = ka[start:stop], kb[start:stop]
        n = kka * kkb
        rep = np.repeat(np.arange(len(sa)), n)
        local = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        ea = la.offsets[sa][rep] + local // kkb[rep]
        eb = lb.offsets[sb][rep] + local % kkb[rep]
        keep = _box_gap_ok(la.edges[ea], lb.edges[eb], d)
        out_a.append(ea[keep])
        out_b.append(eb[keep])
        start = stop
    if not out_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_a), np.concatenate(out_b)


def _poly_pairs(la: MergedLayer, lb: MergedLayer, d: int, same: bool):
    """Polygon index pairs closer than d (different polygons; i < j on one layer)."""
    if la.count == 0 or lb.count == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i, j = _box_query(la.bbox, lb.bbox, d)
    if same:
        s = i < j
        i, j = i[s], j[s]
    if len(i):
        close = shapely.dwithin(la.geoms[i], lb.geoms[j], float(d))
        i, j = i[close], j[close]
    return i, j


# ---------------------------------------------------------------- dedupe helpers

def _dedupe_intra(layer: MergedLayer):
    """One representative polygon per shape class; returns (reps, class of each polygon)."""
    _, first, inv = np.unique(layer.key, return_index=True, return_inverse=True)
    return first.astype(np.int64), inv.reshape(-1)


def _dedupe_cross(la: MergedLayer, lb: MergedLayer, pa: np.ndarray, pb: np.ndarray):
    """Representative polygon pairs for identical (shape, shape, offset) pairs."""
    if len(pa) == 0:
        return pa, pb, np.zeros(0, np.int64)
    off = lb.ref[pb] - la.ref[pa]
    sig = np.column_stack([la.key[pa], lb.key[pb], off])
    _, first, inv = np.unique(sig, axis=0, return_index=True, return_inverse=True)
    return pa[first], pb[first], inv.reshape(-1)


# ---------------------------------------------------------------- core

class _EdgeIndex:
    """Finds the edges of one or two merged layers near a box (for shielding)."""

    def __init__(self, layers: Sequence[MergedLayer]):
        self.edges = np.concatenate([la.edges for la in layers]) if layers else np.zeros((0, 4))
        boxes, starts, stops = [], [], []
        base = 0
        for la in layers:
            boxes.append(la.bbox)
            starts.append(base + la.offsets[:-1])
            stops.append(base + la.offsets[1:])
            base += len(la.edges)
        self.boxes = np.concatenate(boxes) if boxes else np.zeros((0, 4), np.int64)
        self.starts = np.concatenate(starts) if starts else np.zeros(0, np.int64)
        self.stops = np.concatenate(stops) if stops else np.zeros(0, np.int64)
        self._tree = None

    def near(self, box) -> np.ndarray:
        if self._tree is None:
            self._tree = shapely.STRtree(shapely.box(*self.boxes.T.astype(np.float64)))
        hits = self._tree.query(shapely.box(*box))
        if len(hits) == 0:
            return np.zeros(0, np.int64)
        return np.concatenate([np.arange(self.starts[h], self.stops[h]) for h in hits])


def _dedupe_result(first, second, pa, pb, symmetric: bool):
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
    _, idx = np.unique(key, axis=0, return_index=True)
    idx = np.sort(idx)
    return first[idx], second[idx], pa[idx], pb[idx]


def _row_less(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    diff = a != b
    first = np.argmax(diff, axis=1)
    r = np.arange(len(a))
    return diff.any(axis=1) & (a[r, first] < b[r, first])


def _result(first, second, pa, pb) -> EdgePairs:
    dist = segment_distance(first, second) if len(first) else np.zeros(0)
    return EdgePairs(first.astype(np.int64), second.astype(np.int64), pa.astype(np.int64),
                     pb.astype(np.int64), dist)


def _shift(e: np.ndarray, off: np.ndarray) -> np.ndarray:
    return e + np.column_stack([off, off])


def intra_check(layer: MergedLayer, d: int, relation: str, *, index: _EdgeIndex | None):
    """Violations between edges of one polygon (width, notch), each polygon class checked once.

    Returns arrays (first, second, poly, ia, ib) before global shielding when `index` is given
    (the notch case: other polygons may shield), else already shielded within the polygon.
    """
    reps, cls = _dedupe_intra(layer)
    ia, ib = _intra_candidates(layer, reps, d)
    ok, first, second = check_pairs(layer.edges[ia], layer.edges[ib], d, relation)
    ia, ib, first, second = ia[ok], ib[ok], first[ok], second[ok]
    ep = layer.edge_poly
    rep_poly = ep[ia]
    if index is None and len(ia):
        # width: only the polygon's own edges can shield
        sh = np.zeros(len(ia), dtype=bool)
        for p in np.unique(rep_poly):
            sel = np.flatnonzero(rep_poly == p)
            lo, hi = layer.offsets[p], layer.offsets[p + 1]
            sh[sel] = shielded_mask(layer.edges[lo:hi], ia[sel] - lo, ib[sel] - lo,
                                    first[sel], second[sel], d)
        keep = ~sh
        ia, ib, first, second, rep_poly = ia[keep], ib[keep], first[keep], second[keep], \
            rep_poly[keep]
    # replicate each representative's violations to every polygon of its class
    if len(ia) == 0:
        z = np.zeros(0, np.int64)
        return np.zeros((0, 4), np.int64), np.zeros((0, 4), np.int64), z, z, z
    rep_cls = cls[rep_poly]
    members = np.argsort(cls, kind="stable")
    cls_sorted = cls[members]
    lo = np.searchsorted(cls_sorted, rep_cls)
    hi = np.searchsorted(cls_sorted, rep_cls, side="right")
    n = hi - lo
    v = np.repeat(np.arange(len(ia)), n)
    tgt = members[np.concatenate([np.arange(a, b) for a, b in zip(lo, hi)])]
    off = layer.ref[tgt] - layer.ref[rep_poly[v]]
    first_all = _shift(first[v], off)
    second_all = _shift(second[v], off)
    # edge indices move with the polygon: same position within the polygon
    ia_all = layer.offsets[tgt] + (ia[v] - layer.offsets[rep_poly[v]])
    ib_all = layer.offsets[tgt] + (ib[v] - layer.offsets[rep_poly[v]])
    return first_all, second_all, tgt, ia_all, ib_all


def cross_check(la: MergedLayer, lb: MergedLayer, d: int, relation: str, same: bool):
    """Violations between edges of different polygons (of one or two layers), unshielded."""
    pa, pb = _poly_pairs(la, lb, d, same)
    ra, rb, inv = _dedupe_cross(la, lb, pa, pb)
    ia, ib = _cross_edges(la, lb, ra, rb, d)
    ok, first, second = check_pairs(la.edges[ia], lb.edges[ib], d, relation)
    ia, ib, first, second = ia[ok], ib[ok], first[ok], second[ok]
    if len(ia) == 0:
        z = np.zeros(0, np.int64)
        return np.zeros((0, 4), np.int64), np.zeros((0, 4), np.int64), z, z, z, z
    epa, epb = la.edge_poly, lb.edge_poly
    rpa, rpb = epa[ia], epb[ib]
    # which representative pair each violation came from
    rep_index = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(ra, rb))}
    rep_of = np.array([rep_index[(int(a), int(b))] for a, b in zip(rpa, rpb)], dtype=np.int64)
    order = np.argsort(inv, kind="stable")
    inv_sorted = inv[order]
    lo = np.searchsorted(inv_sorted, rep_of)
    hi = np.searchsorted(inv_sorted, rep_of, side="right")
    n = hi - lo
    v = np.repeat(np.arange(len(ia)), n)
    sel = order[np.concatenate([np.arange(a, b) for a, b in zip(lo, hi)])]
    tpa, tpb = pa[sel], pb[sel]
    off = la.ref[tpa] - la.ref[rpa[v]]
    first_all = _shift(first[v], off)
    second_all = _shift(second[v], off)
    ia_all = la.offsets[tpa] + (ia[v] - la.offsets[rpa[v]])
    ib_all = lb.offsets[tpb] + (ib[v] - lb.offsets[rpb[v]])
    return first_all, second_all, tpa, tpb, ia_all, ib_all


def _global_shield(layers: Sequence[MergedLayer], first, second, ia_g, ib_g, d):
    index = _EdgeIndex(layers)
    return shielded_mask(index.edges, ia_g, ib_g, first, second, d, candidates=index.near)


# ---------------------------------------------------------------- public checks

def width_layer(layer: MergedLayer, d: int) -> EdgePairs:
    """Width violations of a merged layer (inside each polygon)."""
    first, second, poly, _, _ = intra_check(layer, d, WIDTH, index=None)
    first, second, poly, poly2 = _dedupe_result(first, second, poly, poly, True)
    return _result(first, second, poly, poly2)


def space_layer(layer: MergedLayer, d: int) -> EdgePairs:
    """Space violations of a merged layer: between polygons and notches inside one."""
    f1, s1, p1, ia1, ib1 = intra_check(layer, d, SPACE, index=_EdgeIndex([layer]))
    f2, s2, pa2, pb2, ia2, ib2 = cross_check(layer, layer, d, SPACE, True)
    first = np.concatenate([f1, f2])
    second = np.concatenate([s1, s2])
    pa = np.concatenate([p1, pa2])
    pb = np.concatenate([p1, pb2])
    ia = np.concatenate([ia1, ia2])
    ib = np.concatenate([ib1, ib2])
    sh = _global_shield([layer], first, second, ia, ib, d)
    keep = ~sh
    first, second, pa, pb = _dedupe_result(first[keep], second[keep], pa[keep], pb[keep], True)
    return _result(first, second, pa, pb)


def _two_layer(la: MergedLayer, lb: MergedLayer, d: int, relation: str) -> EdgePairs:
    first, second, pa, pb, ia, ib = cross_check(la, lb, d, relation, False)
    sh = _global_shield([la, lb], first, second, ia, ib + len(la.edges), d)
    keep = ~sh
    first, second, pa, pb = _dedupe_result(first[keep], second[keep], pa[keep], pb[keep], False)
    return _result(first, second, pa, pb)


def separation_layers(la: MergedLayer, lb: MergedLayer, d: int) -> EdgePairs:
    """Separation violations between polygons of two merged layers."""
    return _two_layer(la, lb, d, SPACE)


def enclosing_layers(outer: MergedLayer, inner: MergedLayer, d: int) -> EdgePairs:
    """Enclosure violations: outer edges closer than d outside inner edges."""
    return _two_layer(outer, inner, d, OVERLAP)


def _merge(polys: Sequence[np.ndarray]) -> MergedLayer:
    return merge_layer(polys)


def width_pairs(polys: Sequence[np.ndarray], d: int) -> EdgePairs:
    """Width check on raw polygons in integer database units (merged first).

    Args:
        polys: (N, 2) integer arrays.
        d: minimum width in database units; a distance strictly below it is a violation.
    """
    return width_layer(_merge(polys), int(d))


def space_pairs(polys: Sequence[np.ndarray], d: int) -> EdgePairs:
    """Space check (notches included) on raw polygons in integer database units."""
    return space_layer(_merge(polys), int(d))


def separation_pairs(polys_a: Sequence[np.ndarray], polys_b: Sequence[np.ndarray],
                     d: int) -> EdgePairs:
    """Separation check between two layers' raw polygons in integer database units."""
    return separation_layers(_merge(polys_a), _merge(polys_b), int(d))


def enclosing_pairs(outer: Sequence[np.ndarray], inner: Sequence[np.ndarray],
                    d: int) -> EdgePairs:
    """Enclosing check (outer encloses inner by d) on raw polygons in database units."""
    return enclosing_layers(_merge(outer), _merge(inner), int(d))
