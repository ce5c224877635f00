"""Pairs of nearby boxes and duplicate rows, with numpy only (no spatial-index objects).

Finding which shapes come near each other is the first step of every check; a uniform grid
hash is enough for layouts of similar-sized shapes and keeps the work in numpy.
"""

from __future__ import annotations

import numpy as np


def edge_boxes(edges: np.ndarray) -> np.ndarray:
    """The (n, 4) boxes (x0, y0, x1, y1) of edges (x1, y1, x2, y2).

    Args:
        edges: (n, 4) edges in database units.
    """
    e = np.asarray(edges)
    return np.column_stack([np.minimum(e[:, 0], e[:, 2]), np.minimum(e[:, 1], e[:, 3]),
                            np.maximum(e[:, 0], e[:, 2]), np.maximum(e[:, 1], e[:, 3])])


def unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of the first occurrence of each distinct row, row -> distinct id) of an int array.

    The distinct ids follow the order of first occurrence.

    Args:
        rows: (n, k) or (n,) integer array; a 1-d array is read as one column.

    Returns:
        (first, inv): first[c] is the row index where distinct row c first occurs; inv[r] is
        the distinct id of row r.
    """
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    if len(rows) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if rows.ndim == 1:
        rows = rows[:, None]
    h = _row_hash(rows)
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    inv = inv.ravel()
    rep = first[inv]
    if not all(np.array_equal(rows[:, c], rows[rep, c]) for c in range(rows.shape[1])):
        view = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
        _, first, inv = np.unique(view, return_index=True, return_inverse=True)
        inv = inv.ravel()
    # renumber by first occurrence for a deterministic, input-ordered numbering
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order].astype(np.int64), rank[inv].astype(np.int64)


def classes_of(rows_of, n: int, chunk: int = 1 << 17) -> np.ndarray:
    """Class id (numbered by first occurrence) of each of n integer rows, equal rows alike.

    Args:
        rows_of: rows_of(slice) returns those rows as a 2-d int64 array; the rows are built
            a chunk at a time and never held all at once.
        n: the number of rows.
        chunk: how many rows rows_of is asked for at a time.
    """
    if n == 0:
        return np.zeros(0, np.int64)
    h = np.concatenate([_row_hash(rows_of(slice(a, a + chunk))) for a in range(0, n, chunk)])
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    inv = inv.ravel()
    rep = first[inv]
    exact = all(np.array_equal(rows_of(slice(a, a + chunk)), rows_of(rep[a:a + chunk]))
                for a in range(0, n, chunk))
    if not exact:  # a hash collision: classify the rows exactly
        _, inv = unique_rows(rows_of(slice(0, n)))
        return inv
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[inv].astype(np.int64)


def _row_hash(rows: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row of an int64 array."""
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    h = np.zeros(len(rows), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in range(rows.shape[1]):
            h = h * np.uint64(0x9E3779B97F4A7C15) + rows[:, c].view(np.uint64)
            h ^= h >> np.uint64(29)
    return h


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
        a: (n, 4) int64 boxes (x0, y0, x1, y1) in database units.
        b: (m, 4) int64 boxes, as a.
        d: the distance in database units; d = 1 finds boxes that overlap or touch.
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
    tables = []
    for sel, whole in ((np.flatnonzero(small), False), (np.flatnonzero(~small), True)):
        if len(sel):
            bs = b[sel]
            reg = bs if whole else np.column_stack([bs[:, :2], bs[:, :2]])
            tables.append((sel, bs, whole, grid.register(reg)))
    out = []
    # queries in chunks: the candidate lists stay small
    step = 1 << 16
    for start in range(0, len(ga), step):
        gq = ga[start:start + step]
        part_a, part_b = [], []
        for sel, bs, whole, table in tables:
            query = gq if whole else np.column_stack([gq[:, :2] - cell, gq[:, 2:]])
            pa, pb, pc = grid.candidates(query, table)
            ba, bb = gq[pa], bs[pb]
            ok = ((ba[:, 0] <= bb[:, 2]) & (bb[:, 0] <= ba[:, 2])
                  & (ba[:, 1] <= bb[:, 3]) & (bb[:, 1] <= ba[:, 3]))
            if whole:
                ok &= grid.cell_of(np.maximum(ba[:, 0], bb[:, 0]),
                                   np.maximum(ba[:, 1], bb[:, 1])) == pc
            pa, pb = pa[ok] + start, sel[pb[ok]]
            if same:
                keep = pa < pb
                pa, pb = pa[keep], pb[keep]
            part_a.append(pa)
            part_b.append(pb)
        pa, pb = np.concatenate(part_a), np.concatenate(part_b)
        order = np.lexsort((pb, pa))
        out.append((pa[order], pb[order]))
    if not out:
        return empty
    return np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out])


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

    def register(self, reg: np.ndarray):
        """A lookup table of the registered boxes by cell: (box index, cell start or cells)."""
        ib, cb = self.cover(reg)
        order = np.argsort(cb, kind="stable")
        cb, ib = cb[order], ib[order]
        if self.ncell <= 4 * len(cb) + (1 << 20):
            first = np.zeros(self.ncell + 1, dtype=np.int64)
            np.cumsum(np.bincount(cb, minlength=self.ncell), out=first[1:])
            return ib, first, None
        return ib, None, cb

    def candidates(self, query: np.ndarray, table):
        """(query index, registered index, cell) for query and registered boxes sharing a cell."""
        ib, first, cb = table
        ia, ca = self.cover(query)
        if first is not None:
            left = first[ca]
            n = first[ca + 1] - left
        else:
            left = np.searchsorted(cb, ca, side="left")
            n = np.searchsorted(cb, ca, side="right") - left
        keep = n > 0
        ia, ca, left, n = ia[keep], ca[keep], left[keep], n[keep]
        return np.repeat(ia, n), ib[_expand(left, n)], np.repeat(ca, n)


def near_edges(ea: np.ndarray, eb: np.ndarray, edges: np.ndarray, d: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Candidate shields of edge pairs: (pair row, edge) near the box around the pair's edges.

    An edge is a candidate where its box comes within d of that box. Found by boxes, so a
    polygon of thousands of edges with many pairs does not make pairs x edges candidates;
    shield.shielded_rows applies the exact test.

    Args:
        ea: (m, 4) each pair's first edge.
        eb: (m, 4) each pair's second edge.
        edges: (n, 4) the edges that may shield.
        d: check distance in database units.
    """
    xs = np.concatenate([ea[:, 0::2], eb[:, 0::2]], axis=1)
    ys = np.concatenate([ea[:, 1::2], eb[:, 1::2]], axis=1)
    pair_box = np.column_stack((xs.min(axis=1), ys.min(axis=1), xs.max(axis=1),
                                ys.max(axis=1)))
    return box_pairs(pair_box, edge_boxes(edges), d)
