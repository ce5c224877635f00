"""Polygons on a pixel grid: packed vertex arrays, cutting to a box, filling and stroking.

Many polygons are handled as one (N, 2) vertex array with the vertex count of each
(`pack`), so filling, stroking and cutting run as a few numpy passes whatever the count.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Box = tuple[float, float, float, float]


def pack(polys: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The polygons as one (N, 2) vertex array, the vertex count of each and its first index.

    Args:
        polys: (n_i, 2) vertex arrays.
    """
    sizes = np.array([len(p) for p in polys], dtype=np.int64)
    pts = np.concatenate(polys).astype(float) if len(polys) else np.zeros((0, 2))
    return pts, sizes, np.cumsum(sizes) - sizes


def successor(sizes: np.ndarray, start: np.ndarray) -> np.ndarray:
    """For each packed vertex, the index of the next one along its polygon.

    The last vertex of a polygon is followed by its first.

    Args:
        sizes: the vertex count of each polygon (see pack).
        start: the index of each polygon's first vertex.
    """
    nxt = np.arange(int(sizes.sum())) + 1
    nxt[start + sizes - 1] = start
    return nxt


def in_box(pts: np.ndarray, sizes: np.ndarray, start: np.ndarray, box: Box,
           *, whole: bool) -> np.ndarray:
    """Per polygon: does its bounding box meet the box (lie wholly in it when `whole`)?

    Args:
        pts: the packed vertices (see pack).
        sizes: the vertex count of each polygon.
        start: the index of each polygon's first vertex.
        box: (x0, y0, x1, y1) in the vertices' unit.
        whole: ask for lying wholly inside instead of meeting.
    """
    if not len(sizes):
        return np.zeros(0, dtype=bool)
    lo = np.minimum.reduceat(pts, start, axis=0)
    hi = np.maximum.reduceat(pts, start, axis=0)
    if whole:
        return ((lo[:, 0] >= box[0]) & (lo[:, 1] >= box[1])
                & (hi[:, 0] <= box[2]) & (hi[:, 1] <= box[3]))
    return ((hi[:, 0] >= box[0]) & (lo[:, 0] <= box[2])
            & (hi[:, 1] >= box[1]) & (lo[:, 1] <= box[3]))


def fill_polygons(mask: np.ndarray, polys: Sequence[np.ndarray]) -> None:
    """Set the pixels whose centres lie inside any of the polygons (pixel coordinates).

    All edges at once: each edge adds its winding (+1 or -1, the polygon turned
    counter-clockwise first) at the first pixel of every row it crosses, and a running sum
    along each row is the winding number of each pixel centre; where it is not zero the pixel
    is inside. Work and memory grow with the edge-row crossings, not with a loop per polygon.

    Args:
        mask: (H, W) booleans, set where filled.
        polys: (n_i, 2) vertex arrays in pixels (x right, y down).
    """
    if polys:
        fill_packed(mask, *pack(polys))


def fill_packed(mask: np.ndarray, p: np.ndarray, sizes: np.ndarray, start: np.ndarray) -> None:
    """fill_polygons on packed polygons.

    Args:
        mask: (H, W) booleans, set where filled.
        p: the packed vertices in pixels (see pack).
        sizes: the vertex count of each polygon.
        start: the index of each polygon's first vertex.
    """
    h, w = mask.shape
    if not len(sizes):
        return
    q = p[successor(sizes, start)]
    area = np.add.reduceat(p[:, 0] * q[:, 1] - q[:, 0] * p[:, 1], start)
    turn = np.repeat(np.where(area < 0, -1, 1), sizes)
    lo, hi = np.minimum(p[:, 1], q[:, 1]), np.maximum(p[:, 1], q[:, 1])
    r0 = np.maximum(np.ceil(lo - 0.5), 0).astype(np.int64)
    r1 = np.minimum(np.ceil(hi - 0.5) - 1, h - 1).astype(np.int64)
    n = np.maximum(r1 - r0 + 1, 0)
    edge = np.repeat(np.arange(len(p)), n)
    if not len(edge):
        return
    row = r0[edge] + np.arange(len(edge)) - np.repeat(np.cumsum(n) - n, n)
    pe, qe = p[edge], q[edge]
    yc = row + 0.5
    x = pe[:, 0] + (yc - pe[:, 1]) * (qe[:, 0] - pe[:, 0]) / (qe[:, 1] - pe[:, 1])
    col = np.clip(np.ceil(x - 0.5), 0, w).astype(np.int64)
    wind = np.where(qe[:, 1] > pe[:, 1], 1, -1) * turn[edge]
    acc = np.bincount(row * (w + 1) + col, weights=wind, minlength=h * (w + 1))
    mask |= np.cumsum(acc.reshape(h, w + 1)[:, :w], axis=1) != 0


def clip_segments(p: np.ndarray, q: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
    """The parts of the segments p[i] -> q[i] inside the box (Liang-Barsky).

    Segments wholly outside are dropped.

    Args:
        p: (N, 2) start points.
        q: (N, 2) end points.
        box: (x0, y0, x1, y1) in the points' unit.
    """
    d = q - p
    t0, t1 = np.zeros(len(p)), np.ones(len(p))
    keep = np.ones(len(p), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for step, gap in ((-d[:, 0], p[:, 0] - box[0]), (d[:, 0], box[2] - p[:, 0]),
                          (-d[:, 1], p[:, 1] - box[1]), (d[:, 1], box[3] - p[:, 1])):
            keep &= (step != 0) | (gap >= 0)  # parallel to this side and outside it
            r = gap / step
            t0 = np.where(step < 0, np.maximum(t0, r), t0)
            t1 = np.where(step > 0, np.minimum(t1, r), t1)
    keep &= t0 <= t1
    return p[keep] + t0[keep, None] * d[keep], p[keep] + t1[keep, None] * d[keep]


def clip_polygon(pts: np.ndarray, box: Box) -> np.ndarray:
    """The polygon cut to the box (Sutherland-Hodgman, one side at a time).

    The cut may leave edges along the box's sides, so the box should lie outside the pixels
    that are drawn.

    Args:
        pts: (N, 2) vertices.
        box: (x0, y0, x1, y1) in the vertices' unit.
    """
    for axis, bound, sign in ((0, box[0], -1), (0, box[2], 1), (1, box[1], -1), (1, box[3], 1)):
        if len(pts) == 0:
            break
        v = pts[:, axis]
        inside = sign * (v - bound) <= 0
        prev, prev_in = np.roll(pts, 1, axis=0), np.roll(inside, 1)
        cross = inside != prev_in
        out = np.empty((2 * len(pts), 2))
        with np.errstate(divide="ignore", invalid="ignore"):  # only crossing edges are kept
            t = (bound - prev[:, axis]) / (v - prev[:, axis])
            out[0::2] = prev + t[:, None] * (pts - prev)
        out[1::2] = pts
        keep = np.empty(2 * len(pts), dtype=bool)
        keep[0::2], keep[1::2] = cross, inside
        pts = out[keep]
    return pts


def stroke_segments(mask: np.ndarray, p: np.ndarray, q: np.ndarray) -> None:
    """Set the pixels along the segments p[i] -> q[i] (pixel coordinates).

    Two samples per pixel of length; points outside the mask are dropped, not clamped to its
    border. The segments must be clipped to the mask first: the samples grow with their
    length.

    Args:
        mask: (H, W) booleans, set along the segments.
        p: (N, 2) start points in pixels.
        q: (N, 2) end points in pixels.
    """
    if not len(p):
        return
    n = (np.maximum(np.abs(q[:, 0] - p[:, 0]), np.abs(q[:, 1] - p[:, 1])) * 2).astype(int) + 2
    edge = np.repeat(np.arange(len(p)), n)
    start = np.repeat(np.cumsum(n) - n, n)
    t = ((np.arange(len(edge)) - start) / (n[edge] - 1))[:, None]
    pts = p[edge] + t * (q[edge] - p[edge])
    cx, cy = np.floor(pts[:, 0]).astype(int), np.floor(pts[:, 1]).astype(int)
    h, w = mask.shape
    ok = (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h)
    mask[cy[ok], cx[ok]] = True
