"""Rings stored flat (all vertices in one array, a ring id per vertex, rings contiguous).

Vectorised cleaning (repeated and collinear points), orientation, rotation to a canonical
start vertex, edges, convexity and shape classes equal up to a translation.
"""

from __future__ import annotations

import numpy as np

from .boxes import unique_rows


def clean_rings(xy: np.ndarray, ring: np.ndarray, nring: int):
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


def ring_layout(ring: np.ndarray, nring: int):
    starts = np.searchsorted(ring, np.arange(nring))
    ends = np.searchsorted(ring, np.arange(nring), side="right")
    return starts, ends - starts


def _ring_sum(values: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Sum of values over each ring (rings stored contiguously; empty rings give 0)."""
    out = np.zeros(len(starts), dtype=values.dtype)
    nz = lens > 0
    if len(values) and nz.any():
        out[nz] = np.add.reduceat(values, starts[nz])
    return out


def signed_area2(xy: np.ndarray, ring: np.ndarray, nring: int) -> np.ndarray:
    starts, lens = ring_layout(ring, nring)
    pos = np.arange(len(xy)) - starts[ring]
    nxt = starts[ring] + (pos + 1) % np.maximum(lens[ring], 1)
    cr = xy[:, 0] * xy[nxt, 1] - xy[nxt, 0] * xy[:, 1]
    return _ring_sum(cr, starts, lens)


def orient_and_rotate(xy: np.ndarray, ring: np.ndarray, nring: int, clockwise: np.ndarray):
    """Orient each ring (clockwise where asked) and start it at its lowest-leftmost vertex."""
    starts, lens = ring_layout(ring, nring)
    area2 = signed_area2(xy, ring, nring)
    flip = np.where(clockwise, area2 > 0, area2 < 0)
    pos = np.arange(len(xy)) - starts[ring]
    src = np.where(flip[ring], starts[ring] + lens[ring] - 1 - pos, starts[ring] + pos)
    xy = xy[src]
    if len(xy) == 0:
        return xy
    # lowest-leftmost vertex: smallest y, then smallest x (the reference's point order, which
    # fixes the order of a polygon's edges and so which edge of a pair comes first)
    key = (xy[:, 1] - xy[:, 1].min()) * (int(xy[:, 0].max() - xy[:, 0].min()) + 1) \
        + (xy[:, 0] - xy[:, 0].min())
    nz = lens > 0
    kmin = np.zeros(nring, dtype=np.int64)
    kmin[nz] = np.minimum.reduceat(key, starts[nz])
    cand = np.where(key == kmin[ring], pos, np.iinfo(np.int64).max)
    first = np.zeros(nring, dtype=np.int64)
    first[nz] = np.minimum.reduceat(cand, starts[nz])
    src = starts[ring] + (pos + first[ring]) % np.maximum(lens[ring], 1)
    return xy[src]


def ring_edges(xy: np.ndarray, ring: np.ndarray, nring: int) -> np.ndarray:
    starts, lens = ring_layout(ring, nring)
    pos = np.arange(len(xy)) - starts[ring]
    nxt = starts[ring] + (pos + 1) % np.maximum(lens[ring], 1)
    return np.column_stack([xy, xy[nxt]]).astype(np.int64)


def convex(xy: np.ndarray, ring: np.ndarray, nring: int) -> np.ndarray:
    """Rings (clean, no collinear points) that turn one way and wind once: simple and convex."""
    starts, lens = ring_layout(ring, nring)
    pos = np.arange(len(xy)) - starts[ring]
    nxt = starts[ring] + (pos + 1) % np.maximum(lens[ring], 1)
    d = (xy[nxt] - xy).astype(np.float64)
    d2 = d[starts[ring] + (pos + 1) % np.maximum(lens[ring], 1)]
    cross = d[:, 0] * d2[:, 1] - d[:, 1] * d2[:, 0]
    pos_t = _ring_sum((cross > 0).astype(np.int64), starts, lens)
    neg_t = _ring_sum((cross < 0).astype(np.int64), starts, lens)
    one_way = (pos_t == 0) | (neg_t == 0)
    turn = _ring_sum(np.arctan2(cross, d[:, 0] * d2[:, 0] + d[:, 1] * d2[:, 1]), starts, lens)
    return one_way & (np.abs(np.abs(turn) - 2 * np.pi) < 1e-6)


def shape_keys(rel: np.ndarray, ring: np.ndarray, lens: np.ndarray) -> np.ndarray:
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
        _, inv = unique_rows(rel[idx].reshape(len(rows), 2 * k))
        keys[rows] = next_id + inv
        next_id += int(inv.max()) + 1
    return keys
