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


def box_pairs(a: np.ndarray, b: np.ndarray, d: int, *, same: bool = False):
    """Index pairs (i, j) of boxes a[i], b[j] closer than d on both axes (gap < d).

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
    size = np.concatenate([a[:, 2] - a[:, 0], a[:, 3] - a[:, 1], b[:, 2] - b[:, 0],
                           b[:, 3] - b[:, 1]])
    cell = int(max(np.median(size), 1)) + max(int(d), 1)
    lo = np.minimum(a[:, :2].min(axis=0), b[:, :2].min(axis=0)) - d

    def cells(boxes, grow):
        c0 = (boxes[:, :2] - grow - lo) // cell
        c1 = (boxes[:, 2:] + grow - lo) // cell
        nx = c1[:, 0] - c0[:, 0] + 1
        ny = c1[:, 1] - c0[:, 1] + 1
        cnt = nx * ny
        owner = np.repeat(np.arange(len(boxes)), cnt)
        k = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        cx = c0[owner, 0] + k % nx[owner]
        cy = c0[owner, 1] + k // nx[owner]
        return owner, cx * (1 << 31) + cy

    ia, ca = cells(a, d)
    ib, cb = cells(b, 0)
    order = np.argsort(cb, kind="stable")
    cb, ib = cb[order], ib[order]
    left = np.searchsorted(cb, ca, side="left")
    right = np.searchsorted(cb, ca, side="right")
    n = right - left
    if n.sum() == 0:
        return empty
    pa = np.repeat(ia, n)
    pb = ib[np.repeat(left, n) + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))]
    ok = ((a[pa, 0] < b[pb, 2] + d) & (b[pb, 0] < a[pa, 2] + d)
          & (a[pa, 1] < b[pb, 3] + d) & (b[pb, 1] < a[pa, 3] + d))
    if same:
        ok &= pa < pb
    pa, pb = pa[ok], pb[ok]
    code = pa * len(b) + pb
    code = np.unique(code)
    return code // len(b), code % len(b)
