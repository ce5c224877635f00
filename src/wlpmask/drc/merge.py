"""Per-layer merge with the reference DRC's merged semantics, in integer database units.

Shapes that overlap or touch become one polygon (corner-touching shapes too: maximum
coherence). Every polygon is described by its edges: each maximal straight edge is one edge,
hulls run clockwise and holes counter-clockwise, and an edge is split where another part of the
same polygon touches it. Only groups of shapes that touch are unioned; a lone valid shape is
just normalised, which keeps a layer of many disjoint pads cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from .boxes import box_pairs
from .contours import group_edges
from .edges import round_away
from .rings import (
    clean_rings,
    convex,
    orient_and_rotate,
    ring_edges,
    ring_layout,
    shape_keys,
    signed_area2,
)


@dataclass(frozen=True)
class MergedLayer:
    """The merged polygons of one layer.

    Args:
        edges: (E, 4) int64 edges (x1, y1, x2, y2), grouped by polygon.
        offsets: (P + 1,) start of each polygon's edges in `edges`.
        bbox: (P, 4) int64 bounding boxes (x0, y0, x1, y1).
        key: (P,) int64 shape class: equal keys are the same shape up to a translation.
        ref: (P, 2) int64 reference point of each polygon (its lowest-leftmost vertex);
            two polygons of one class differ by ref[j] - ref[i].
        joined: the same polygons with edges not split where another part of the polygon
            touches them (None when no edge is split). The reference checks space against
            neighbouring shapes on such maximal edges.
        group_geoms: polygon index -> shapely geometry (dbu) of the polygons that came out of
            a union; every other polygon is one simple ring, its edges in order.
    """

    def unsplit(self) -> MergedLayer:
        """The layer with maximal (unsplit) edges."""
        return self.joined if self.joined is not None else self

    edges: np.ndarray
    offsets: np.ndarray
    bbox: np.ndarray
    key: np.ndarray
    ref: np.ndarray
    group_geoms: dict = field(default_factory=dict)
    joined: MergedLayer | None = None

    def with_maximal_edges(self, mask: np.ndarray) -> MergedLayer:
        """The layer with the polygons where mask is set on maximal (unsplit) edges."""
        j = self.joined
        mask = np.asarray(mask, dtype=bool)
        if j is None or not mask.any():
            return self
        if mask.all():
            return j
        cnt = np.where(mask, np.diff(j.offsets), np.diff(self.offsets))
        offsets = np.concatenate([[0], np.cumsum(cnt)]).astype(np.int64)
        src_off = np.where(mask, j.offsets[:-1], self.offsets[:-1])
        local = np.arange(int(cnt.sum())) - np.repeat(offsets[:-1], cnt)
        rows = np.repeat(src_off, cnt) + local
        from_j = np.repeat(mask, cnt)
        edges = np.where(from_j[:, None], j.edges[np.where(from_j, rows, 0)],
                         self.edges[np.where(from_j, 0, rows)])
        return MergedLayer(edges, offsets, self.bbox, self.key, self.ref, self.group_geoms)

    @property
    def count(self) -> int:
        return len(self.offsets) - 1

    @property
    def edge_poly(self) -> np.ndarray:
        return np.repeat(np.arange(self.count), np.diff(self.offsets))

    def polygon_edges(self, i: int) -> np.ndarray:
        return self.edges[self.offsets[i]:self.offsets[i + 1]]

    def geoms_of(self, idx: np.ndarray) -> np.ndarray:
        """Shapely geometries (database units) of the polygons idx, built on demand."""
        idx = np.asarray(idx, dtype=np.int64).reshape(-1)
        out = np.empty(len(idx), dtype=object)
        grouped = np.array([int(i) in self.group_geoms for i in idx], dtype=bool) \
            if self.group_geoms else np.zeros(len(idx), dtype=bool)
        simple = np.flatnonzero(~grouped)
        if len(simple):
            p = idx[simple]
            cnt = self.offsets[p + 1] - self.offsets[p]
            rows = np.repeat(self.offsets[p], cnt) + (
                np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt))
            ring = np.repeat(np.arange(len(p)), cnt)
            out[simple] = shapely.polygons(shapely.linearrings(
                self.edges[rows, :2].astype(np.float64), indices=ring))
        for k in np.flatnonzero(grouped):
            out[k] = self.group_geoms[int(idx[k])]
        return out

    @property
    def geoms(self) -> np.ndarray:
        return self.geoms_of(np.arange(self.count))

    def areas(self) -> np.ndarray:
        """Area of each polygon in square database units (holes subtracted)."""
        e = self.edges.astype(np.float64)
        cr = e[:, 0] * e[:, 3] - e[:, 2] * e[:, 1]
        if len(cr) == 0:
            return np.zeros(self.count)
        return -np.add.reduceat(cr, self.offsets[:-1]) / 2.0 * (np.diff(self.offsets) > 0)


def empty_layer() -> MergedLayer:
    z4 = np.zeros((0, 4), np.int64)
    return MergedLayer(z4, np.zeros(1, np.int64), z4.copy(), np.zeros(0, np.int64),
                       np.zeros((0, 2), np.int64))


def flatten(polys: Sequence[np.ndarray], scale: float = 1.0):
    """Polygons as one (N, 2) int64 array of vertices plus the vertex count of each.

    Args:
        polys: (n_i, 2) arrays.
        scale: divide coordinates by this (the database unit in um) before rounding.
    """
    try:
        lens = np.fromiter((len(p) for p in polys), dtype=np.int64, count=len(polys))
        xy = np.concatenate(polys, axis=0) if len(polys) else np.zeros((0, 2))
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError
    except ValueError:
        polys = [np.asarray(p).reshape(-1, 2) for p in polys]
        lens = np.array([len(p) for p in polys], dtype=np.int64)
        xy = np.concatenate(polys) if len(polys) else np.zeros((0, 2))
    if lens.sum() == 0:
        return np.zeros((0, 2), np.int64), lens
    if scale != 1.0 or xy.dtype.kind == "f":
        xy = round_away(xy.astype(np.float64) / scale)
    return xy.astype(np.int64), lens


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
    return merge_flat(*flatten(polys))


def merge_flat(xy: np.ndarray, lens: np.ndarray, *, merge: bool = True) -> MergedLayer:
    """merge_layer on polygons given as one vertex array and the vertex count of each.

    Args:
        merge: False keeps every shape a polygon of its own even where shapes overlap (the
            reference with merged semantics off); each is still normalised.
    """
    nraw = len(lens)
    if nraw == 0 or len(xy) == 0:
        return empty_layer()
    ring = np.repeat(np.arange(nraw), lens)
    xy, ring = clean_rings(xy, ring, nraw)
    cnt = np.bincount(ring, minlength=nraw)
    area2 = signed_area2(xy, ring, nraw)
    ok_ring = (cnt >= 3) & (area2 != 0)
    keep_pt = ok_ring[ring]
    xy, ring = xy[keep_pt], ring[keep_pt]
    ids = np.flatnonzero(ok_ring)
    if len(ids) == 0:
        return empty_layer()
    remap = np.full(nraw, -1)
    remap[ids] = np.arange(len(ids))
    ring = remap[ring]
    n = len(ids)
    starts, rlens = ring_layout(ring, n)
    rbox = np.column_stack([np.minimum.reduceat(xy[:, 0], starts),
                            np.minimum.reduceat(xy[:, 1], starts),
                            np.maximum.reduceat(xy[:, 0], starts),
                            np.maximum.reduceat(xy[:, 1], starts)])

    def geoms(idx):
        cnt_i = rlens[idx]
        rows = np.repeat(starts[idx], cnt_i) + (
            np.arange(int(cnt_i.sum())) - np.repeat(np.cumsum(cnt_i) - cnt_i, cnt_i))
        return shapely.polygons(shapely.linearrings(
            xy[rows].astype(np.float64), indices=np.repeat(np.arange(len(idx)), cnt_i)))

    # valid: convex rings are; the others are asked
    valid = convex(xy, ring, n)
    other = np.flatnonzero(~valid)
    if len(other):
        valid[other] = shapely.is_valid(geoms(other))
    # shapes that overlap or touch: box candidates, then the exact test
    ci, cj = box_pairs(rbox, rbox, 1, same=True) if merge else (np.zeros(0, np.int64),) * 2
    if len(ci):
        involved = np.unique(np.concatenate([ci, cj]))
        g = np.empty(n, dtype=object)
        g[involved] = geoms(involved)
        hit = shapely.intersects(g[ci], g[cj])
        ci, cj = ci[hit], cj[hit]
    comp = _components(n, ci, cj)
    csize = np.bincount(comp, minlength=n)
    simple = (csize[comp] == 1) & valid

    # simple shapes: orient clockwise, rotate, key by shape
    s_ids = np.flatnonzero(simple)
    s_mask = simple[ring]
    sxy = xy[s_mask]
    sring = np.searchsorted(s_ids, ring[s_mask])
    ns = len(s_ids)
    sxy = orient_and_rotate(sxy, sring, ns, np.ones(ns, dtype=bool))
    s_edges = ring_edges(sxy, sring, ns)
    s_starts, s_lens = ring_layout(sring, ns)
    s_ref = sxy[s_starts]
    s_key = shape_keys(sxy - s_ref[sring], sring, s_lens)

    # groups and invalid shapes: union each
    g_edges, g_unsplit, g_geoms = [], [], []
    rest = np.flatnonzero(~simple)
    for members in np.split(rest[np.argsort(comp[rest], kind="stable")],
                            np.flatnonzero(np.diff(np.sort(comp[rest]))) + 1) if len(rest) else []:
        merged = shapely.union_all(shapely.make_valid(geoms(members)))
        merged = shapely.get_parts(merged)
        merged = merged[shapely.get_type_id(merged) == 3]
        if len(merged) == 0:
            continue
        geom = shapely.multipolygons(merged) if len(merged) > 1 else merged[0]
        e, u = group_edges(geom)
        if len(e):
            g_edges.append(e)
            g_unsplit.append(u)
            g_geoms.append(geom)

    counts = np.concatenate([s_lens, [len(e) for e in g_edges]]).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    edges = np.concatenate([s_edges] + g_edges)
    nk = int(s_key.max()) + 1 if len(s_key) else 0
    keys = np.concatenate([s_key, nk + np.arange(len(g_edges))]).astype(np.int64)
    g_ref = np.array([e[np.lexsort((e[:, 1], e[:, 0]))[0], :2] for e in g_edges],
                     dtype=np.int64).reshape(-1, 2)
    ref = np.concatenate([s_ref, g_ref]).astype(np.int64)
    bbox = np.zeros((len(counts), 4), dtype=np.int64)
    if len(edges):
        bbox[:, 0] = np.minimum.reduceat(np.minimum(edges[:, 0], edges[:, 2]), offsets[:-1])
        bbox[:, 1] = np.minimum.reduceat(np.minimum(edges[:, 1], edges[:, 3]), offsets[:-1])
        bbox[:, 2] = np.maximum.reduceat(np.maximum(edges[:, 0], edges[:, 2]), offsets[:-1])
        bbox[:, 3] = np.maximum.reduceat(np.maximum(edges[:, 1], edges[:, 3]), offsets[:-1])
    group_geoms = {ns + k: g for k, g in enumerate(g_geoms)}
    joined = None
    if any(len(e) != len(u) or np.any(e != u) for e, u in zip(g_edges, g_unsplit)):
        ucounts = np.concatenate([s_lens, [len(u) for u in g_unsplit]]).astype(np.int64)
        joined = MergedLayer(np.concatenate([s_edges] + g_unsplit),
                             np.concatenate([[0], np.cumsum(ucounts)]), bbox, keys, ref,
                             group_geoms)
    return MergedLayer(edges, offsets, bbox, keys, ref, group_geoms, joined)
