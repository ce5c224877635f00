"""Pairs of nearby boxes and duplicate rows, with numpy only (no spatial-index objects).

Finding which shapes come near each other is the first step of every check; a uniform grid
hash is enough for layouts of similar-sized shapes and keeps the work in numpy.
"""

from __future__ import annotations

import numpy as np


def unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of the first occurrence of each distinct row, row -> distinct id) of an int array.

    The distinct ids follow the order of first occurrence.
    """
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    if len(rows) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if rows.ndim == 1:
        rows = rows[:, None]
    view = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, first, inv = np.unique(view, return_index=True, return_inverse=True)
    # renumber by first occurrence for a deterministic, input-ordered numbering
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order].astype(np.int64), rank[inv.ravel()].astype(np.int64)


def _expand(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Concatenated ranges start[k] .. start[k] + count[k] - 1."""
    total = int(count.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    return np.repeat(start - np.cumsum(count) + count, count) + np.arange(total)


def box_pairs(a: np.ndarray, b: np.ndarray, d: int, *, same: bool = False):
    """Index pairs (i, j) of boxes a[i], b[j] closer than d on both axes (gap < d).

    Sorted by (i, j).

    Args:
        a, b: (n, 4) int64 boxes (x0, y0, x1, y1).
        d: the distance; d = 1 finds boxes that overlap or touch.
        same: a and b are the same boxes: report each unordered pair once (i < j), no (i, i).
    """
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if len(a) == 0 or len(b) == 0:
        return empty
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    # integer coordinates: a gap below d is a closed overlap of a grown by d - 1
    g = int(d) - 1
    ga = a + np.array([-g, -g, g, g])
    bsize = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
    size = np.concatenate([np.maximum(a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]), bsize])
    cell = int(max(np.median(size), 1)) + max(int(d), 1)
    lo = np.minimum(ga[:, :2].min(axis=0), b[:, :2].min(axis=0)) - cell
    grid = _Grid(lo, np.maximum(ga[:, 2:].max(axis=0), b[:, 2:].max(axis=0)), cell)
    # boxes no larger than a cell sit in the cell of their lower-left corner only; a query
    # then looks one cell further down and left. Larger boxes sit in every cell they cover
    # and a pair is kept in the cell of the lower-left corner of the overlap.
    small = bsize <= cell
    out = []
    for sel, whole in ((np.flatnonzero(small), False), (np.flatnonzero(~small), True)):
        if len(sel) == 0:
            continue
        bs = b[sel]
        reg = bs if whole else np.column_stack([bs[:, :2], bs[:, :2]])
        query = ga if whole else np.column_stack([ga[:, :2] - cell, ga[:, 2:]])
        pa, pb, pc = grid.candidates(query, reg)
        ba, bb = ga[pa], bs[pb]
        ok = ((ba[:, 0] <= bb[:, 2]) & (bb[:, 0] <= ba[:, 2])
              & (ba[:, 1] <= bb[:, 3]) & (bb[:, 1] <= ba[:, 3]))
        if whole:
            ok &= grid.cell_of(np.maximum(ba[:, 0], bb[:, 0]),
                               np.maximum(ba[:, 1], bb[:, 1])) == pc
        pa, pb = pa[ok], sel[pb[ok]]
        if same:
            keep = pa < pb
            pa, pb = pa[keep], pb[keep]
        out.append((pa, pb))
    if not out:
        return empty
    pa = np.concatenate([o[0] for o in out])
    pb = np.concatenate([o[1] for o in out])
    order = np.lexsort((pb, pa))
    return pa[order], pb[order]


class _Grid:
    """A uniform grid of square cells over a region, cells numbered column by column."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray, cell: int):
        self.lo, self.cell = lo, cell
        self.ny = int((hi[1] - lo[1]) // cell) + 1
        self.ncell = (int((hi[0] - lo[0]) // cell) + 1) * self.ny

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return ((x - self.lo[0]) // self.cell) * self.ny + (y - self.lo[1]) // self.cell

    def cover(self, boxes: np.ndarray):
        """(box index, cell) for every cell each box covers."""
        c0 = (boxes[:, :2] - self.lo) // self.cell
        c1 = (boxes[:, 2:] - self.lo) // self.cell
        nyb = c1[:, 1] - c0[:, 1] + 1
        cnt = (c1[:, 0] - c0[:, 0] + 1) * nyb
        if np.all(cnt == 1):
            return np.arange(len(boxes)), c0[:, 0] * self.ny + c0[:, 1]
        owner = np.repeat(np.arange(len(boxes)), cnt)
        k = _expand(np.zeros(len(boxes), np.int64), cnt)
        nyo = nyb[owner]
        return owner, (c0[owner, 0] + k // nyo) * self.ny + c0[owner, 1] + k % nyo

    def candidates(self, query: np.ndarray, reg: np.ndarray):
        """(query index, registered index, cell) for query and registered boxes sharing a cell."""
        ib, cb = self.cover(reg)
        order = np.argsort(cb, kind="stable")
        cb, ib = cb[order], ib[order]
        ia, ca = self.cover(query)
        if self.ncell <= 4 * (len(cb) + len(ca)) + (1 << 20):
            first = np.zeros(self.ncell + 1, dtype=np.int64)
            np.cumsum(np.bincount(cb, minlength=self.ncell), out=first[1:])
            left = first[ca]
            n = first[ca + 1] - left
        else:
            left = np.searchsorted(cb, ca, side="left")
            n = np.searchsorted(cb, ca, side="right") - left
        keep = n > 0
        ia, ca, left, n = ia[keep], ca[keep], left[keep], n[keep]
        return np.repeat(ia, n), ib[_expand(left, n)], np.repeat(ca, n)
