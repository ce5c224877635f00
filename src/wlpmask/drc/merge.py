"""Per-layer merge with the reference DRC's merged semantics, in integer database units.

Shapes that overlap or touch become one polygon (corner-touching shapes too: maximum
coherence). Every polygon is described by its edges in the reference's order (hull first, from
its lowest vertex, clockwise; then the holes, counter-clockwise): an edge is split where the
contour turns at a touch point (contours.py). Only groups of shapes that touch are unioned; a
lone valid shape is just normalised (shapes of one vertex count as one block), which keeps a
layer of many disjoint pads cheap. Edges are int32 when the coordinates allow (edge_dtype).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from ..polys import filled
from .boxes import box_pairs
from .contours import group_edges
from .polyset import PolygonSet
from .rings import normalise_rings, orient_and_rotate, ring_next, shape_classes


@dataclass(frozen=True)
class MergedLayer:
    """The merged polygons of one layer.

    Args:
        edges: (E, 4) int32 (or int64, see edge_dtype) edges (x1, y1, x2, y2), grouped by
            polygon.
        offsets: (P + 1,) start of each polygon's edges in `edges`.
        bbox: (P, 4) int64 bounding boxes (x0, y0, x1, y1).
        key: (P,) int64 shape class: equal keys are the same shape up to a translation.
        ref: (P, 2) int64 reference point of each polygon (a vertex fixed by its shape: the
            start of its edges for a simple ring); two polygons of one class differ by
            ref[j] - ref[i].
        group_geoms: polygon index -> shapely geometry (dbu) of the polygons that came out of
            a union; every other polygon is one simple ring, its edges in order.
        unsplit: polygon index -> its maximal edges, for the polygons (from a union) whose
            edges are split where another part of the polygon touches them. The reference
            checks such a polygon on maximal edges against neighbouring shapes.
    """

    edges: np.ndarray
    offsets: np.ndarray
    bbox: np.ndarray
    key: np.ndarray
    ref: np.ndarray
    group_geoms: dict = field(default_factory=dict)
    unsplit: dict = field(default_factory=dict)
    # polygon pairs found so far: (other layer, d, same, pairs); see near()
    _near: list = field(default_factory=list, compare=False, repr=False)

    def near(self, other: MergedLayer, d: int, *, same: bool = False):
        """Index pairs (i, j) of polygons self[i], other[j] whose boxes come closer than d.

        Sorted by (i, j); with same (other is self) each unordered pair once, i < j. A search
        at a larger distance, or the other way round, is reused.

        Args:
            other: the other merged layer (self for pairs within one layer).
            d: the distance in database units; 1 finds boxes that overlap or touch.
            same: other is self: each unordered pair once.
        """
        d = int(d)
        for lay, d2, s2, (i, j) in self._near:
            if lay is other and s2 == same and d2 >= d:
                return _within(self.bbox, other.bbox, i, j, d, d2)
        if not same:
            for lay, d2, s2, (j, i) in other._near:
                if lay is self and not s2 and d2 >= d:
                    order = np.lexsort((j, i))
                    return _within(self.bbox, other.bbox, i[order], j[order], d, d2)
        i, j = box_pairs(self.bbox, other.bbox, d, same=same)
        self._near.append((other, d, same, (i, j)))
        return i, j

    def with_maximal_edges(self, mask: np.ndarray | None = None) -> MergedLayer:
        """The layer with the polygons where mask is set (default: all) on maximal edges.

        Args:
            mask: (P,) bool per polygon, or None for all; only polygons from a union whose
                edges were split (see unsplit) change.
        """
        polys = sorted(self.unsplit) if mask is None else \
            [p for p in sorted(self.unsplit) if mask[p]]
        if not polys:
            return self
        pieces, counts = [], np.diff(self.offsets).copy()
        last = 0
        for p in polys:
            pieces.append(self.edges[last:self.offsets[p]])
            pieces.append(self.unsplit[p])
            counts[p] = len(self.unsplit[p])
            last = self.offsets[p + 1]
        pieces.append(self.edges[last:])
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return MergedLayer(np.concatenate(pieces), offsets, self.bbox, self.key, self.ref,
                           self.group_geoms)

    @property
    def count(self) -> int:
        """The number of polygons."""
        return len(self.offsets) - 1

    @property
    def edge_poly(self) -> np.ndarray:
        """(E,) polygon index of each edge."""
        return np.repeat(np.arange(self.count), np.diff(self.offsets))

    def polygon_edges(self, i: int) -> np.ndarray:
        """The (n, 4) edges of one polygon (database units).

        Args:
            i: the polygon index.
        """
        return self.edges[self.offsets[i]:self.offsets[i + 1]]

    def geoms_of(self, idx: np.ndarray) -> np.ndarray:
        """Shapely geometries (database units) of the polygons idx, built on demand.

        Args:
            idx: polygon indices.
        """
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
        """Shapely geometries (database units) of all polygons, built on each call."""
        return self.geoms_of(np.arange(self.count))

    def areas(self) -> np.ndarray:
        """Area of each polygon in square database units (holes subtracted)."""
        e = self.edges.astype(np.float64)
        cr = e[:, 0] * e[:, 3] - e[:, 2] * e[:, 1]
        if len(cr) == 0:
            return np.zeros(self.count)
        return -np.add.reduceat(cr, self.offsets[:-1]) / 2.0 * (np.diff(self.offsets) > 0)


def edge_dtype(xy: np.ndarray) -> type:
    """The integer type for a layer's edges: int32 where the coordinates allow, else int64.

    int32 when every coordinate is far enough inside its range (differences of two
    coordinates, grown by any check distance, still fit): edges are the largest arrays of a
    check and are widened before any product is taken.

    Args:
        xy: (N, 2) integer vertices in database units.
    """
    if len(xy) and int(np.abs(xy).max()) < (1 << 29):
        return np.int32
    return np.int64


def _within(ba: np.ndarray, bb: np.ndarray, i: np.ndarray, j: np.ndarray, d: int, d2: int):
    """The pairs (i, j) whose boxes come closer than d (they are known closer than d2)."""
    if d == d2:
        return i, j
    a, b = ba[i], bb[j]
    ok = ((a[:, 0] < b[:, 2] + d) & (b[:, 0] < a[:, 2] + d)
          & (a[:, 1] < b[:, 3] + d) & (b[:, 1] < a[:, 3] + d))
    return i[ok], j[ok]


def empty_layer() -> MergedLayer:
    """A merged layer without polygons."""
    z4 = np.zeros((0, 4), np.int64)
    return MergedLayer(z4, np.zeros(1, np.int64), z4.copy(), np.zeros(0, np.int64),
                       np.zeros((0, 2), np.int64))


def flatten(polys: Sequence[np.ndarray], scale: float = 1.0):
    """Polygons as one (N, 2) int64 array of vertices plus the vertex count of each.

    Args:
        polys: (n_i, 2) arrays, or a PolygonSet (read without copying its polygons apart).
        scale: divide coordinates by this (the database unit in um) before rounding half away
            from zero.
    """
    if isinstance(polys, PolygonSet):
        xy, lens = polys.xy, polys.lens
    else:
        try:
            lens = np.fromiter(map(len, polys), dtype=np.int64, count=len(polys))
            xy = np.concatenate(polys, axis=0) if len(polys) else np.zeros((0, 2))
            if xy.ndim != 2 or xy.shape[1] != 2:
                raise ValueError
        except ValueError:
            polys = [np.asarray(p).reshape(-1, 2) for p in polys]
            lens = np.array([len(p) for p in polys], dtype=np.int64)
            xy = np.concatenate(polys) if len(polys) else np.zeros((0, 2))
    if lens.sum() == 0:
        return np.zeros((0, 2), np.int64), lens
    if scale == 1.0 and xy.dtype.kind in "iu":
        return xy.astype(np.int64, copy=False), lens
    out = np.empty(xy.shape, dtype=np.int64)
    # in chunks: the float temporaries stay small
    step = 1 << 20
    for a in range(0, len(xy), step):
        v = np.asarray(xy[a:a + step], dtype=np.float64) / scale
        v += np.copysign(0.5, v)
        out[a:a + step] = np.trunc(v)
    return out, lens


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
        xy: (N, 2) integer vertices (database units), polygon after polygon.
        lens: the vertex count of each polygon.
        merge: False keeps every shape a polygon of its own even where shapes overlap (the
            reference with merged semantics off); each is still normalised.
    """
    if len(lens) == 0 or len(xy) == 0:
        return empty_layer()
    return _merge_rings(*normalise_rings(np.asarray(xy, np.int64), np.asarray(lens, np.int64)),
                        merge=merge)


def merge_polygons(polys: Sequence[np.ndarray], scale: float = 1.0) -> MergedLayer:
    """merge_layer on polygons in um (or any unit): divided by scale, rounded, merged.

    The rounded input is released as soon as the rings are normalised.

    Args:
        polys: (n_i, 2) vertex arrays, or a PolygonSet, in um (or the unit of scale).
        scale: the database unit in the polygons' unit (um per dbu); 1.0 for dbu input.
    """
    xy, lens = flatten(polys, scale)
    if len(lens) == 0 or len(xy) == 0:
        return empty_layer()
    rings = normalise_rings(xy, lens)
    del xy
    return _merge_rings(*rings)


def _merge_rings(cxy: np.ndarray, rlens: np.ndarray, done: np.ndarray, valid: np.ndarray, *,
                 merge: bool = True) -> MergedLayer:
    """Merge normalised rings (see _normalise) into the layer's polygons."""
    n = len(rlens)
    if n == 0:
        return empty_layer()
    starts = np.concatenate([[0], np.cumsum(rlens)[:-1]]).astype(np.int64)
    rbox = np.column_stack([np.minimum.reduceat(cxy[:, 0], starts),
                            np.minimum.reduceat(cxy[:, 1], starts),
                            np.maximum.reduceat(cxy[:, 0], starts),
                            np.maximum.reduceat(cxy[:, 1], starts)])

    def geoms(idx):
        cnt_i = rlens[idx]
        rows = np.repeat(starts[idx], cnt_i) + (
            np.arange(int(cnt_i.sum())) - np.repeat(np.cumsum(cnt_i) - cnt_i, cnt_i))
        return shapely.polygons(shapely.linearrings(
            cxy[rows].astype(np.float64), indices=np.repeat(np.arange(len(idx)), cnt_i)))

    # valid: convex rings are; the others are asked
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
        del g
    comp = _components(n, ci, cj)
    csize = np.bincount(comp, minlength=n)
    simple = (csize[comp] == 1) & valid

    # groups and invalid shapes: union each
    g_edges, g_unsplit, g_geoms = [], [], []
    rest = np.flatnonzero(~simple)
    for members in np.split(rest[np.argsort(comp[rest], kind="stable")],
                            np.flatnonzero(np.diff(np.sort(comp[rest]))) + 1) if len(rest) else []:
        parts = geoms(members)
        bad = ~valid[members]
        if bad.any():  # valid shapes are unioned as they are
            parts[bad] = filled(parts[bad])
        merged = shapely.union_all(parts)
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

    # simple shapes: orient clockwise, rotate, key by shape
    s_ids = np.flatnonzero(simple)
    s_lens = rlens[s_ids]
    s_off = np.concatenate([[0], np.cumsum(s_lens)]).astype(np.int64)
    srows = np.repeat(starts[s_ids], s_lens) + (
        np.arange(int(s_off[-1])) - np.repeat(s_off[:-1], s_lens))
    sxy = cxy if len(s_ids) == n else cxy[srows]
    del srows
    todo = np.flatnonzero(~done[s_ids])
    if len(todo):
        # rings of the general path: orient and rotate those
        t_lens = s_lens[todo]
        trows = np.repeat(s_off[todo], t_lens) + (
            np.arange(int(t_lens.sum())) - np.repeat(np.cumsum(t_lens) - t_lens, t_lens))
        tring = np.repeat(np.arange(len(todo)), t_lens)
        sxy[trows] = orient_and_rotate(sxy[trows], tring, len(todo),
                                       np.ones(len(todo), dtype=bool))
    total = int(s_off[-1]) + sum(len(e) for e in g_edges)
    edges = np.empty((total, 4), dtype=edge_dtype(cxy))
    edges[:s_off[-1], :2] = sxy
    edges[:s_off[-1], 2:] = sxy[ring_next(s_off)]
    ge = int(s_off[-1])
    for e in g_edges:
        edges[ge:ge + len(e)] = e
        ge += len(e)
    s_ref = sxy[s_off[:-1]]
    s_key = shape_classes(sxy, s_off, s_ref)
    del sxy

    ns = len(s_ids)
    counts = np.concatenate([s_lens, [len(e) for e in g_edges]]).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    nk = int(s_key.max()) + 1 if len(s_key) else 0
    keys = np.concatenate([s_key, nk + np.arange(len(g_edges))]).astype(np.int64)
    g_ref = np.array([e[np.lexsort((e[:, 1], e[:, 0]))[0], :2] for e in g_edges],
                     dtype=np.int64).reshape(-1, 2)
    ref = np.concatenate([s_ref, g_ref]).astype(np.int64)
    bbox = np.zeros((len(counts), 4), dtype=np.int64)
    if len(edges):
        bbox[:, 0] = np.minimum.reduceat(edges[:, 0], offsets[:-1])
        bbox[:, 1] = np.minimum.reduceat(edges[:, 1], offsets[:-1])
        bbox[:, 2] = np.maximum.reduceat(edges[:, 0], offsets[:-1])
        bbox[:, 3] = np.maximum.reduceat(edges[:, 1], offsets[:-1])
    group_geoms = {ns + k: g for k, g in enumerate(g_geoms)}
    unsplit = {ns + k: u.astype(edges.dtype)
               for k, (e, u) in enumerate(zip(g_edges, g_unsplit)) if u is not e}
    return MergedLayer(edges, offsets, bbox, keys, ref, group_geoms, unsplit)
