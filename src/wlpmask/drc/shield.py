"""Shielding: an edge pair is dropped when another edge of the checked layers cuts through it.

This follows the reference DRC's rule: a foreign edge q shields the edge pair (a, b) when it
crosses both connecting lines of the (normalised) pair; only edges whose bounding box comes
closer than the check distance to a or b are candidates. Exact integer arithmetic on Python
ints: the number of violating pairs is small, the candidate edges are prefiltered with numpy.
"""

from __future__ import annotations

import math

import numpy as np


def _vprod(ax: int, ay: int, bx: int, by: int) -> int:
    return ax * by - ay * bx


def _sgn(v: int) -> int:
    return int(v > 0) - int(v < 0)


def _side_of(e, px: int, py: int) -> int:
    x1, y1, x2, y2 = e
    if x1 == x2 and y1 == y2:
        return 0
    return _sgn(_vprod(x2 - x1, y2 - y1, px - x1, py - y1))


def _contains(e, px: int, py: int) -> bool:
    x1, y1, x2, y2 = e
    if x1 == x2 and y1 == y2:
        return px == x1 and py == y1
    length = math.hypot(x2 - x1, y2 - y1)
    dist = math.floor(abs(_vprod(x2 - x1, y2 - y1, px - x1, py - y1)) / length + 0.5)
    return (dist < 1
            and (px - x1) * (x2 - x1) + (py - y1) * (y2 - y1) >= 0
            and (px - x2) * (x1 - x2) + (py - y2) * (y1 - y2) >= 0)


def _div_exact(a: int, b: int, d: int) -> int:
    # a * b / d rounded, halves rounded down
    num = a * b
    q, r = divmod(num, d)
    return q + 1 if 2 * r > d else q


def _intersect_point(p, q):
    """Intersection of segment p with segment q as the reference computes it (or None)."""
    px1, py1, px2, py2 = p
    qx1, qy1, qx2, qy2 = q
    if px1 == px2 and py1 == py2:
        return (px1, py1) if _contains(q, px1, py1) else None
    if (min(px1, px2) > max(qx1, qx2) or min(qx1, qx2) > max(px1, px2)
            or min(py1, py2) > max(qy1, qy2) or min(qy1, qy2) > max(py1, py2)):
        return None
    if (px1 == px2 or py1 == py2) and (qx1 == qx2 or qy1 == qy2):
        return (max(min(px1, px2), min(qx1, qx2)), max(min(py1, py2), min(qy1, qy2)))
    # p must be crossed by the line of q's ends
    sa = _side_of(p, qx1, qy1)
    sb = _side_of(p, qx2, qy2)
    if not (sa == 0 or sb == 0 or sa != sb):
        return None
    vxa = _vprod(qx2 - qx1, qy2 - qy1, px1 - qx1, py1 - qy1)
    vsb = _vprod(qx2 - qx1, qy2 - qy1, px2 - qx1, py2 - qy1)
    res = vxa >= 0
    ends_on_edge = vxa == 0 or vsb == 0
    if vsb > 0:
        res = not res
    if ends_on_edge:
        for (x, y), seg in (((qx1, qy1), p), ((qx2, qy2), p), ((px1, py1), q), ((px2, py2), q)):
            if _contains(seg, x, y):
                return (x, y)
        return None
    if not res:
        return None
    va, vb = abs(vxa), abs(vsb)
    return (px1 + _div_exact(px2 - px1, va, va + vb), py1 + _div_exact(py2 - py1, va, va + vb))


def normalized(first, second):
    """The edge pair oriented as a clockwise, non-crossing quadrangle."""
    f = list(first)
    s = list(second)
    a1 = _vprod(f[2] - s[2], f[3] - s[3], f[0] - s[0], f[1] - s[1])
    a2 = _vprod(f[0] - s[2], f[1] - s[3], f[2] - s[0], f[3] - s[1])
    if abs(a2) > abs(a1):
        f = [f[2], f[3], f[0], f[1]]
        a1, a2 = a2, a1
    if a1 < 0:
        f = [f[2], f[3], f[0], f[1]]
        s = [s[2], s[3], s[0], s[1]]
    elif a1 == 0:
        if (f[2] - f[0]) * (s[2] - s[0]) + (f[3] - f[1]) * (s[3] - s[1]) > 0:
            f = [f[2], f[3], f[0], f[1]]
        if _side_of(f, s[0], s[1]) > 0 or _side_of(s, f[0], f[1]) > 0:
            f = [f[2], f[3], f[0], f[1]]
            s = [s[2], s[3], s[0], s[1]]
    return tuple(f), tuple(s)


def shields(first, second, q) -> bool:
    """True when edge q cuts through the edge pair (first, second)."""
    f, s = normalized(first, second)
    pe1 = (f[0], f[1], s[2], s[3])
    pe2 = (s[0], s[1], f[2], f[3])
    ip1 = _intersect_point(pe1, q)
    if ip1 is None:
        return False
    ip2 = _intersect_point(pe2, q)
    if ip2 is None:
        return False
    return ip1 != ip2 or (_side_of(pe1, q[0], q[1]) != 0 and _side_of(pe2, q[2], q[3]) != 0)


def _box_near(boxes: np.ndarray, e, d: int) -> np.ndarray:
    """Boxes (n, 4: x0, y0, x1, y1) whose gap to edge e's box is below d on both axes."""
    x0, x1 = min(e[0], e[2]), max(e[0], e[2])
    y0, y1 = min(e[1], e[3]), max(e[1], e[3])
    return ((boxes[:, 0] < x1 + d) & (x0 < boxes[:, 2] + d)
            & (boxes[:, 1] < y1 + d) & (y0 < boxes[:, 3] + d))


def shielded_mask(edges: np.ndarray, ia: np.ndarray, ib: np.ndarray, first: np.ndarray,
                  second: np.ndarray, d: int, *, candidates=None) -> np.ndarray:
    """Which edge pairs are shielded by another edge of the edge set.

    Args:
        edges: (n, 4) int64, every edge taking part in the check (both layers).
        ia, ib: indices into edges of the two original edges of each pair.
        first, second: (m, 4) the edge parts of each pair.
        d: check distance in database units.
        candidates: optional callable (box) -> indices of edges near a box, to avoid a
            linear scan over all edges per pair.
    """
    m = len(ia)
    out = np.zeros(m, dtype=bool)
    if m == 0 or len(edges) == 0:
        return out
    eb = np.column_stack([np.minimum(edges[:, 0], edges[:, 2]), np.minimum(edges[:, 1], edges[:, 3]),
                          np.maximum(edges[:, 0], edges[:, 2]), np.maximum(edges[:, 1], edges[:, 3])])
    for k in range(m):
        a = edges[ia[k]].tolist()
        b = edges[ib[k]].tolist()
        if candidates is None:
            idx = np.arange(len(edges))
        else:
            bx = (min(a[0], a[2], b[0], b[2]) - d, min(a[1], a[3], b[1], b[3]) - d,
                  max(a[0], a[2], b[0], b[2]) + d, max(a[1], a[3], b[1], b[3]) + d)
            idx = np.asarray(candidates(bx), dtype=np.int64)
        if len(idx) == 0:
            continue
        near = _box_near(eb[idx], a, d) | _box_near(eb[idx], b, d)
        idx = idx[near]
        idx = idx[(idx != ia[k]) & (idx != ib[k])]
        f = tuple(int(v) for v in first[k])
        s = tuple(int(v) for v in second[k])
        for q in edges[idx].tolist():
            if shields(f, s, q):
                out[k] = True
                break
    return out
