"""Per-layer merge with the reference DRC's merged semantics, in integer database units.

Shapes that overlap or touch become one polygon (corner-touching shapes too: maximum
coherence). Every polygon is described by its edges: each maximal straight edge is one edge,
hulls run clockwise and holes counter-clockwise, and an edge is split where another part of the
same polygon touches it. Only groups of shapes that touch are unioned; a lone valid shape is
just normalised, which keeps a layer of many disjoint pads cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from .edges import round_away


@dataclass(frozen=True)
class MergedLayer:
    """The merged polygons of one layer.

    Args:
        edges: (E, 4) int64 edges (x1, y1, x2, y2), grouped by polygon.
        offsets: (P + 1,) start of each polygon's edges in `edges`.
        bbox: (P, 4) int64 bounding boxes (x0, y0, x1, y1).
        geoms: (P,) shapely geometries in database units (Polygon or MultiPolygon).
        key: (P,) int64 shape class: equal keys are the same shape up to a translation.
        ref: (P, 2) int64 reference point of each polygon (its lowest-leftmost vertex);
            two polygons of one class differ by ref[j] - ref[i].
    """

    edges: np.ndarray
    offsets: np.ndarray
    bbox: np.ndarray
    geoms: np.ndarray
    key: np.ndarray
    ref: np.ndarray

    @property
    def count(self) -> int:
        return len(self.offsets) - 1

    @property
    def edge_poly(self) -> np.ndarray:
        return np.repeat(np.arange(self.count), np.diff(self.offsets))

    def polygon_edges(self, i: int) -> np.ndarray:
        return self.edges[self.offsets[i]:self.offsets[i + 1]]


def empty_layer() -> MergedLayer:
    return MergedLayer(np.zeros((0, 4), np.int64), np.zeros(1, np.int64), np.zeros((0, 4), np.int64),
                       np.empty(0, dtype=object), np.zeros(0, np.int64), np.zeros((0, 2), np.int64))


def to_dbu(polys: Sequence[np.ndarray], dbu_um: float) -> list[np.ndarray]:
    """Float micrometre polygons to int64 database-unit polygons."""
    return [round_away(np.asarray(p, dtype=np.float64).reshape(-1, 2) / dbu_um) for p in polys]


# ---------------------------------------------------------------- flat ring helpers

def _clean_rings(xy: np.ndarray, ring: np.ndarray, nring: int):
    """Drop repeated points and collinear points of rings stored flat (xy, ring id, sorted)."""
    while True:
        if len(xy) == 0:
            return xy, ring
        starts = np.searchsorted(ring, np.arange(nring))
        ends = np.searchsorted(ring, np.arange(nring), side="right")
        lens = ends - starts
        pos = np.arange(len(xy)) - starts[ring]
        ln = lens[ring]
        nxt = starts[ring] + (pos + 1) % np.maximum(ln, 1)
        prv = starts[ring] + (pos - 1) % np.maximum(ln, 1)
        dup = np.all(xy == xy[nxt], axis=1) & (ln > 1)
        if dup.any():
            keep = ~dup
            xy, ring = xy[keep], ring[keep]
            continue
        a = xy - xy[prv]
        b = xy[nxt] - xy
        col = (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]) == 0
        col &= ln > 2
        if not col.any():
            return xy, ring
        # remove one vertex of each collinear run at a time is not needed: removing all
        # collinear vertices at once keeps the corners, which are not collinear
        keep = ~col
        xy, ring = xy[keep], ring[keep]


def _ring_layout(ring: np.ndarray, nring: int):
    starts = np.searchsorted(ring, np.arange(nring))
    ends = np.searchsorted(ring, np.arange(nring), side="right")
    return starts, ends - starts


def _signed_area2(xy: np.ndarray, ring: np.ndarray, nring: int) -> np.ndarray:
    starts, lens = _ring_layout(ring, nring)
    pos = np.arange(len(xy)) - starts[ring]
    nxt = starts[ring] + (pos + 1) % np.maximum(lens[ring], 1)
    cr = xy[:, 0] * xy[nxt, 1] - xy[nxt, 0] * xy[:, 1]
    out = np.zeros(nring, dtype=np.int64)
    np.add.at(out, ring, cr)
    return out


def _orient_and_rotate(xy: np.ndarray, ring: np.ndarray, nring: int, clockwise: np.ndarray):
    """Orient each ring (clockwise where asked) and start it at its lowest-leftmost vertex."""
    starts, lens = _ring_layout(ring, nring)
    area2 = _signed_area2(xy, ring, nring)
    flip = np.where(clockwise, area2 > 0, area2 < 0)
    pos = np.arange(len(xy)) - starts[ring]
    src = np.where(flip[ring], starts[ring] + lens[ring] - 1 - pos, starts[ring] + pos)
    xy = xy[src]
    order = np.lexsort((xy[:, 1], xy[:, 0], ring))
    first = np.full(nring, -1, dtype=np.int64)
    rs = ring[order]
    isfirst = np.ones(len(order), dtype=bool)
    isfirst[1:] = rs[1:] != rs[:-1]
    first[rs[isfirst]] = order[isfirst] - starts[rs[isfirst]]
    src = starts[ring] + (pos + first[ring]) % np.maximum(lens[ring], 1)
    return xy[src]


def _ring_edges(xy: np.ndarray, ring: np.ndarray, nring: int) -> np.ndarray:
    starts, lens = _ring_layout(ring, nring)
    pos = np.arange(len(xy)) - starts[ring]
    nxt = starts[ring] + (pos + 1) % np.maximum(lens[ring], 1)
    return np.column_stack([xy, xy[nxt]]).astype(np.int64)


# ---------------------------------------------------------------- groups (union path)

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


def _split_at_touch_points(edges: np.ndarray) -> np.ndarray:
    """Split edges where a vertex of the same polygon lies strictly inside them."""
    pts = np.unique(edges[:, :2], axis=0)
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
        tt = t[inside]
        order = np.argsort(tt)
        chain = np.vstack([[x1, y1], sel[order], [x2, y2]])
        out.extend(np.column_stack([chain[:-1], chain[1:]]))
    return np.asarray(out, dtype=np.int64).reshape(-1, 4)


def _group_edges(geom) -> np.ndarray:
    rings = _geom_rings(geom)
    if not rings:
        return np.zeros((0, 4), np.int64)
    xy = np.vstack([r for r, _ in rings])
    ring = np.repeat(np.arange(len(rings)), [len(r) for r, _ in rings])
    xy, ring = _clean_rings(xy, ring, len(rings))
    hull = np.array([h for _, h in rings])
    keep = np.unique(ring)
    remap = np.full(len(rings), -1)
    remap[keep] = np.arange(len(keep))
    ring = remap[ring]
    xy = _orient_and_rotate(xy, ring, len(keep), hull[keep])
    return _split_at_touch_points(_ring_edges(xy, ring, len(keep)))


# ---------------------------------------------------------------- main entry

def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Connected components (union-find, vectorised label propagation) of n nodes."""
    label = np.arange(n)
    if len(i) == 0:
        return label
    while True:
        li, lj = label[i], label[j]
        m = np.minimum(li, lj)
        new = label.copy()
        np.minimum.at(new, i, m)
        np.minimum.at(new, j, m)
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def merge_layer(polys: Sequence[np.ndarray]) -> MergedLayer:
    """Merge one layer's raw polygons (int64 database units) into reference-DRC polygons.

    Args:
        polys: raw polygons as (N, 2) integer arrays; fewer than three distinct points or zero
            area are dropped.
    """
    polys = [np.asarray(p, dtype=np.int64).reshape(-1, 2) for p in polys]
    polys = [p for p in polys if len(p) >= 3]
    if not polys:
        return empty_layer()
    lens = np.array([len(p) for p in polys])
    xy = np.concatenate(polys)
    ring = np.repeat(np.arange(len(polys)), lens)
    nraw = len(polys)
    xy, ring = _clean_rings(xy, ring, nraw)
    present = np.zeros(nraw, dtype=bool)
    present[ring] = True
    _, cnt = np.unique(ring, return_counts=True)
    ok_ring = np.zeros(nraw, dtype=bool)
    ok_ring[np.unique(ring)[cnt >= 3]] = True
    area2 = _signed_area2(xy, ring, nraw)
    ok_ring &= present & (area2 != 0)
    keep_pt = ok_ring[ring]
    xy, ring = xy[keep_pt], ring[keep_pt]
    ids = np.flatnonzero(ok_ring)
    if len(ids) == 0:
        return empty_layer()
    remap = np.full(nraw, -1)
    remap[ids] = np.arange(len(ids))
    ring = remap[ring]
    n = len(ids)

    geoms = shapely.polygons(shapely.linearrings(xy.astype(np.float64), indices=ring))
    valid = shapely.is_valid(geoms)
    tree = shapely.STRtree(geoms)
    qi, qj = tree.query(geoms, predicate="intersects")
    sel = qi < qj
    comp = _components(n, qi[sel], qj[sel])
    _, inv, csize = np.unique(comp, return_inverse=True, return_counts=True)
    simple = (csize[inv] == 1) & valid

    # simple shapes: orient clockwise, rotate, key by shape
    s_ids = np.flatnonzero(simple)
    s_mask = simple[ring]
    sxy = xy[s_mask]
    sring = np.searchsorted(s_ids, ring[s_mask])
    ns = len(s_ids)
    sxy = _orient_and_rotate(sxy, sring, ns, np.ones(ns, dtype=bool))
    s_edges = _ring_edges(sxy, sring, ns)
    s_starts, s_lens = _ring_layout(sring, ns)
    s_ref = sxy[s_starts]
    s_key = _shape_keys(sxy - s_ref[sring], sring, s_lens)

    # groups and invalid shapes: union each
    g_roots = np.unique(comp[~simple])
    g_edges, g_geoms = [], []
    for root in g_roots:
        members = geoms[comp == root]
        merged = shapely.union_all(shapely.make_valid(members))
        merged = shapely.get_parts(merged)
        merged = merged[shapely.get_type_id(merged) == 3]
        if len(merged) == 0:
            continue
        geom = shapely.multipolygons(merged) if len(merged) > 1 else merged[0]
        e = _group_edges(geom)
        if len(e):
            g_edges.append(e)
            g_geoms.append(geom)

    all_edges = [s_edges] + g_edges
    counts = np.concatenate([s_lens, [len(e) for e in g_edges]]).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    edges = np.concatenate(all_edges) if all_edges else np.zeros((0, 4), np.int64)
    poly_geoms = np.concatenate([geoms[s_ids], np.array(g_geoms, dtype=object)])
    nk = int(s_key.max()) + 1 if len(s_key) else 0
    keys = np.concatenate([s_key, nk + np.arange(len(g_edges))]).astype(np.int64)
    g_ref = np.array([e[np.lexsort((e[:, 1], e[:, 0]))[0], :2] for e in g_edges],
                     dtype=np.int64).reshape(-1, 2)
    ref = np.concatenate([s_ref, g_ref]).astype(np.int64)
    ep = np.repeat(np.arange(len(counts)), counts)
    bbox = np.zeros((len(counts), 4), dtype=np.int64)
    if len(edges):
        bbox[:, 0] = np.minimum.reduceat(np.minimum(edges[:, 0], edges[:, 2]), offsets[:-1])
        bbox[:, 1] = np.minimum.reduceat(np.minimum(edges[:, 1], edges[:, 3]), offsets[:-1])
        bbox[:, 2] = np.maximum.reduceat(np.maximum(edges[:, 0], edges[:, 2]), offsets[:-1])
        bbox[:, 3] = np.maximum.reduceat(np.maximum(edges[:, 1], edges[:, 3]), offsets[:-1])
    del ep
    return MergedLayer(edges, offsets, bbox, poly_geoms, keys, ref)


def _shape_keys(rel: np.ndarray, ring: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Class ids of rings equal up to translation (rel: vertices relative to the ring start)."""
    n = len(lens)
    keys = np.zeros(n, dtype=np.int64)
    if n == 0:
        return keys
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    next_id = 0
    for k in np.unique(lens):
        rows = np.flatnonzero(lens == k)
        idx = starts[rows][:, None] + np.arange(k)[None, :]
        block = np.ascontiguousarray(rel[idx].reshape(len(rows), 2 * k))
        _, inv = np.unique(block, axis=0, return_inverse=True)
        inv = inv.reshape(-1)
        keys[rows] = next_id + inv
        next_id += int(inv.max()) + 1
    return keys
