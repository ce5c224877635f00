"""Rings stored flat (all vertices in one array, a ring id per vertex, rings contiguous).

Vectorised cleaning (repeated and collinear points), orientation, rotation to a canonical
start vertex, edges and convexity; rings of one vertex count are normalised as one block.
"""

from __future__ import annotations

import numpy as np

from .boxes import classes_of


def clean_rings(xy: np.ndarray, ring: np.ndarray, nring: int):
    """Drop repeated points and collinear points of rings stored flat.

    Args:
        xy: (N, 2) integer vertices (database units), rings contiguous.
        ring: (N,) ring id of each vertex, sorted.
        nring: the number of rings.

    Returns:
        (xy, ring) of the kept vertices.
    """
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
    """(start, vertex count) of each ring.

    Args:
        ring: (N,) ring id of each vertex, sorted.
        nring: the number of rings (a ring without vertices gets count 0).
    """
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
    """Twice the signed area of each ring (positive counter-clockwise), in square dbu.

    Args:
        xy: (N, 2) integer vertices (database units), rings contiguous.
        ring: (N,) ring id of each vertex, sorted.
        nring: the number of rings.
    """
    starts, lens = ring_layout(ring, nring)
    pos = np.arange(len(xy)) - starts[ring]
    nxt = starts[ring] + (pos + 1) % np.maximum(lens[ring], 1)
    cr = xy[:, 0] * xy[nxt, 1] - xy[nxt, 0] * xy[:, 1]
    return _ring_sum(cr, starts, lens)


def orient_and_rotate(xy: np.ndarray, ring: np.ndarray, nring: int, clockwise: np.ndarray):
    """Orient each ring (clockwise where asked) and start it at its lowest-leftmost vertex.

    Args:
        xy: (N, 2) integer vertices (database units), rings contiguous.
        ring: (N,) ring id of each vertex, sorted.
        nring: the number of rings.
        clockwise: (nring,) bool: turn the ring clockwise (else counter-clockwise).

    Returns:
        The (N, 2) vertices, reordered.
    """
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
    """(N, 4) int64 edges (x1, y1, x2, y2): each vertex to the next of its ring.

    Args:
        xy: (N, 2) integer vertices (database units), rings contiguous.
        ring: (N,) ring id of each vertex, sorted.
        nring: the number of rings.
    """
    starts, lens = ring_layout(ring, nring)
    pos = np.arange(len(xy)) - starts[ring]
    nxt = starts[ring] + (pos + 1) % np.maximum(lens[ring], 1)
    return np.column_stack([xy, xy[nxt]]).astype(np.int64)


def convex(xy: np.ndarray, ring: np.ndarray, nring: int) -> np.ndarray:
    """Rings (clean, no collinear points) that turn one way and wind once: simple and convex.

    Args:
        xy: (N, 2) integer vertices (database units), rings contiguous.
        ring: (N,) ring id of each vertex, sorted.
        nring: the number of rings.

    Returns:
        (nring,) bool array.
    """
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


def uniform_rings(xy: np.ndarray, starts: np.ndarray, k: int):
    """uniform_rings_block in chunks of rings (bounds the temporaries).

    Args:
        xy: (N, 2) integer vertices (database units) of all rings.
        starts: start of each ring of k vertices in xy.
        k: the vertex count of every ring.
    """
    step = max(1, (1 << 21) // k)
    if len(starts) <= step:
        return uniform_rings_block(xy, starts, k)
    parts = [uniform_rings_block(xy, starts[a:a + step], k)
             for a in range(0, len(starts), step)]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def uniform_rings_block(xy: np.ndarray, starts: np.ndarray, k: int):
    """Normalise rings of k vertices each at once, as an (m, k, 2) block.

    Args:
        xy: (N, 2) integer vertices (database units) of all rings.
        starts: start of each ring of k vertices in xy.
        k: the vertex count of every ring.

    Returns:
        (ok, block): ok marks the rings that are clean (no repeated or collinear points),
        convex and wind once; block holds those rings only, turned clockwise and starting
        at the lowest (smallest y, then x) vertex. The other rings need the general path.
    """
    p = xy[starts[:, None] + np.arange(k)[None, :]]
    d1 = np.roll(p, -1, axis=1) - p
    d0 = np.roll(d1, 1, axis=1)
    cr = d0[..., 0] * d1[..., 1] - d0[..., 1] * d1[..., 0]
    left = (cr > 0).all(axis=1)
    one_way = left | (cr < 0).all(axis=1)
    turn = np.arctan2(cr.astype(np.float64),
                      (d0[..., 0] * d1[..., 0] + d0[..., 1] * d1[..., 1]).astype(np.float64))
    ok = one_way & (np.abs(np.abs(turn.sum(axis=1)) - 2 * np.pi) < 1e-6)
    del d0, d1, cr, turn
    p = p[ok]
    ccw = left[ok]
    p[ccw] = p[ccw, ::-1]
    y = p[..., 1]
    low = y == y.min(axis=1)[:, None]
    first = np.argmin(np.where(low, p[..., 0], np.iinfo(np.int64).max), axis=1)
    order = (np.arange(k)[None, :] + first[:, None]) % k
    return ok, np.take_along_axis(p, order[..., None], axis=1)


def normalise_rings(xy: np.ndarray, lens: np.ndarray):
    """Clean and classify raw rings; returns the kept rings in input order.

    Rings with fewer than three points once repeated and collinear points are gone (no
    area) are dropped.

    Args:
        xy: (N, 2) integer vertices (database units), ring after ring.
        lens: the vertex count of each raw ring.

    Returns:
        (cxy, clen, done, valid): the vertices of the kept rings (contiguous, in input
        order), their counts, which are already oriented clockwise from their lowest vertex
        (clean convex rings, handled in blocks of equal vertex count), and which are known
        valid (the convex ones; the others may be valid too and are for the caller to test).
    """
    nraw = len(lens)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
    blocks = {}
    slow = np.ones(nraw, dtype=bool)
    for k in np.unique(lens):
        if k < 3:
            continue
        idx = np.flatnonzero(lens == k)
        ok, block = uniform_rings(xy, starts[idx], int(k))
        blocks[int(k)] = (idx[ok], block)
        slow[idx[ok]] = False
    # the general path: clean, drop degenerate rings, test validity
    sid = np.flatnonzero(slow)
    sxy = np.zeros((0, 2), np.int64)
    slen = np.zeros(0, np.int64)
    sconv = np.zeros(0, dtype=bool)
    if len(sid):
        cnt = lens[sid]
        rows = np.repeat(starts[sid], cnt) + (
            np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        ring = np.repeat(np.arange(len(sid)), cnt)
        sxy, ring = clean_rings(xy[rows], ring, len(sid))
        c = np.bincount(ring, minlength=len(sid))
        # a clean ring (no repeated or collinear points) of three or more points encloses
        # area even when its signed area is zero: a bow tie's lobes cancel in the sum
        ok = c >= 3
        keep = ok[ring]
        sxy, ring = sxy[keep], ring[keep]
        sid = sid[ok]
        slen = c[ok]
        remap = np.cumsum(ok) - 1
        sconv = convex(sxy, remap[ring], len(sid))
    kept = np.zeros(nraw, dtype=bool)
    kept[sid] = True
    for ids, _ in blocks.values():
        kept[ids] = True
    ids = np.flatnonzero(kept)
    pos = np.full(nraw, -1)
    pos[ids] = np.arange(len(ids))
    clen = np.zeros(len(ids), dtype=np.int64)
    clen[pos[sid]] = slen
    done = np.zeros(len(ids), dtype=bool)
    for k, (bid, _) in blocks.items():
        clen[pos[bid]] = k
        done[pos[bid]] = True
    coff = np.concatenate([[0], np.cumsum(clen)]).astype(np.int64)
    cxy = np.empty((int(coff[-1]), 2), dtype=np.int64)
    for k, (bid, block) in blocks.items():
        cxy[(coff[pos[bid]][:, None] + np.arange(k)[None, :]).ravel()] = block.reshape(-1, 2)
    if len(sid):
        srows = np.repeat(coff[pos[sid]], slen) + (
            np.arange(int(slen.sum())) - np.repeat(np.cumsum(slen) - slen, slen))
        cxy[srows] = sxy
    valid = done.copy()
    valid[pos[sid]] = sconv
    return cxy, clen, done, valid


def ring_next(off: np.ndarray) -> np.ndarray:
    """For rings stored contiguously, the index of each vertex's successor.

    Args:
        off: (P + 1,) start of each ring's vertices; off[-1] the vertex count.
    """
    nxt = np.arange(1, int(off[-1]) + 1)
    nz = off[1:] > off[:-1]
    nxt[off[1:][nz] - 1] = off[:-1][nz]
    return nxt


def shape_classes(sxy: np.ndarray, off: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Class ids of rings equal up to a translation (rings start at their reference point).

    Args:
        sxy: (N, 2) integer vertices (database units), rings contiguous.
        off: (P + 1,) start of each ring's vertices.
        ref: (P, 2) reference point of each ring (its first vertex).
    """
    lens = np.diff(off)
    keys = np.zeros(len(lens), dtype=np.int64)
    next_id = 0
    for k in np.unique(lens):
        rows = np.flatnonzero(lens == k)

        def rel(sel, rows=rows, k=k):
            idx = off[rows[sel]][:, None] + np.arange(k)[None, :]
            return (sxy[idx] - ref[rows[sel]][:, None, :]).reshape(-1, 2 * k)

        inv = classes_of(rel, len(rows))
        keys[rows] = next_id + inv
        next_id += int(inv.max()) + 1
    return keys
