"""Edge-relation semantics of the reference DRC (KLayout defaults), vectorised over edge pairs.

All coordinates are integer database units (int64 arrays). An edge is (x1, y1, x2, y2); merged
polygons have clockwise hulls and counter-clockwise holes, so the inside of a shape is on the
right of each of its edges. The functions here decide, for arrays of edge pairs, which pairs
violate a distance d (strictly below d, euclidian metric, edges at >= 90 degrees ignored,
zero distance counted when the edges touch) and which part of each edge is involved.
"""

from __future__ import annotations

import numpy as np

# Relations: which edge orientation is "inside" for each check.
WIDTH, SPACE, OVERLAP = "width", "space", "overlap"

_EPS = 1e-10  # tolerance the reference uses when intersecting with circles


def round_away(v: np.ndarray) -> np.ndarray:
    """Round half away from zero to int64 (the reference's coordinate rounding).

    Args:
        v: float array of coordinates in database units.
    """
    return np.where(v > 0, np.floor(v + 0.5), np.ceil(v - 0.5)).astype(np.int64)


def _sign(v: np.ndarray) -> np.ndarray:
    return np.sign(v).astype(np.int64)


def _cross(ax, ay, bx, by):
    return ax * by - ay * bx


def side_of(ex1, ey1, ex2, ey2, px, py) -> np.ndarray:
    """+1 if the point is left of the edge, -1 right, 0 on its line (exact in int64).

    Args:
        ex1: x of each edge's start (database units); ex1 .. py are int64 arrays of one length.
        ey1: y of each edge's start.
        ex2: x of each edge's end.
        ey2: y of each edge's end.
        px: x of each point.
        py: y of each point.
    """
    return _sign(_cross(ex2 - ex1, ey2 - ey1, px - ex1, py - ey1))


def _boxes_touch(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2):
    return ((np.minimum(ax1, ax2) <= np.maximum(bx1, bx2))
            & (np.minimum(bx1, bx2) <= np.maximum(ax1, ax2))
            & (np.minimum(ay1, ay2) <= np.maximum(by1, by2))
            & (np.minimum(by1, by2) <= np.maximum(ay1, ay2)))


def _intersect(e, g, se1, se2):
    """Closed segment intersection of e and g, given the sides of g's ends w.r.t. e."""
    ex1, ey1, ex2, ey2 = e
    gx1, gy1, gx2, gy2 = g
    touch = _boxes_touch(ex1, ey1, ex2, ey2, gx1, gy1, gx2, gy2)
    ortho = (((ex1 == ex2) | (ey1 == ey2)) & ((gx1 == gx2) | (gy1 == gy2)))
    # "crossed_by": the other segment's ends are on both sides of (or on) the line
    c1 = (se1 * se2) <= 0
    sg1 = side_of(gx1, gy1, gx2, gy2, ex1, ey1)
    sg2 = side_of(gx1, gy1, gx2, gy2, ex2, ey2)
    c2 = (sg1 * sg2) <= 0
    return touch & (ortho | (c1 & c2))


def _cut_point(g, e):
    """Intersection of the line of e with the line through g (a point on e's line)."""
    ex1, ey1, ex2, ey2 = e
    gx1, gy1, gx2, gy2 = g
    edx, edy = ex2 - ex1, ey2 - ey1
    den = (edx * (gy2 - gy1) - edy * (gx2 - gx1)).astype(np.float64)
    num = ((ex1 - gx1) * (gy2 - gy1) - (ey1 - gy1) * (gx2 - gx1)).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(den != 0, num / np.where(den != 0, den, 1.0), 0.0)
    return ex1 - round_away(edx * f), ey1 - round_away(edy * f)


def _inside_part(e, g):
    """The part of g on the inside (right) side of e, zero distance counted where they touch.

    Returns (ok, g clipped, thr): thr 0 where touching counts, else -1.
    """
    ex1, ey1, ex2, ey2 = e
    gx1, gy1, gx2, gy2 = g
    s1 = side_of(ex1, ey1, ex2, ey2, gx1, gy1)
    s2 = side_of(ex1, ey1, ex2, ey2, gx2, gy2)
    # zero distance counts only where the edges touch (collinear and touching, or one end
    # of g on e's line) and the two are not simply chained end to start
    both0 = (s1 == 0) & (s2 == 0)
    one0 = ((s1 == 0) | (s2 == 0)) & ~both0 & ~((ex1 == gx2) & (ey1 == gy2)) \
        & ~((ex2 == gx1) & (ey2 == gy1))
    inter = _intersect(e, g, s1, s2)
    include = (both0 | one0) & inter
    thr = np.where(include, 0, -1)
    in1 = s1 <= thr
    in2 = s2 <= thr
    ok = (in1 | in2) & ~((ex1 == ex2) & (ey1 == ey2))
    cx, cy = _cut_point(g, e)
    only1 = in1 & ~in2
    only2 = in2 & ~in1
    gx1 = np.where(only2, cx, gx1)
    gy1 = np.where(only2, cy, gy1)
    gx2 = np.where(only1, cx, gx2)
    gy2 = np.where(only1, cy, gy2)
    return ok, (gx1, gy1, gx2, gy2), thr


def _part(g, l1, l2, ok):
    gx1, gy1, gx2, gy2 = g
    gdx, gdy = gx2 - gx1, gy2 - gy1
    with np.errstate(invalid="ignore", over="ignore"):
        return (gx1 + round_away(gdx * np.where(ok, l1, 0.0)),
                gy1 + round_away(gdy * np.where(ok, l1, 0.0)),
                gx1 + round_away(gdx * np.where(ok, l2, 0.0)),
                gy1 + round_away(gdy * np.where(ok, l2, 0.0)))


def near_part_projected(e, g, d: int, dd: int):
    """Like near_part, in the projection metric (dd = 0) or the square metric (dd = d).

    The part of g inside e's band of depth d, e extended by dd at both ends.

    Args:
        e: tuple of four int64 arrays (x1, y1, x2, y2), the reference edges.
        g: tuple of four int64 arrays, the edges whose near part is wanted (same length).
        d: the distance in database units (the band's depth).
        dd: how far e is extended at both ends in database units (0 or d).

    Returns:
        (ok, part): ok a bool array; part a tuple of four int64 arrays (valid where ok).
    """
    ex1, ey1, ex2, ey2 = e
    n = ex1.shape[0]
    edx, edy = ex2 - ex1, ey2 - ey1
    ok, g, thr = _inside_part(e, g)
    gx1, gy1, gx2, gy2 = g
    gdx, gdy = gx2 - gx1, gy2 - gy1
    degen = (gdx == 0) & (gdy == 0)
    fd, fdd = float(d), float(dd)
    elen = np.sqrt(np.where(ok, (edx * edx + edy * edy), 1).astype(np.float64))
    lim = -(fdd * elen)
    # distance of g's start from e's line, rounded as the reference rounds it
    axb = _cross(edx, edy, gx1 - ex1, gy1 - ey1).astype(np.float64)
    dist = round_away(axb / elen).astype(np.float64)
    front = ((gx1 - ex1) * edx + (gy1 - ey1) * edy).astype(np.float64)
    back = ((ex2 - gx1) * edx + (ey2 - gy1) * edy).astype(np.float64)
    pt_ok = ((side_of(ex1, ey1, ex2, ey2, gx1, gy1) <= thr) & (dist > -fd)
             & (front >= lim) & (back >= lim))

    l1 = np.full(n, np.finfo(np.float64).tiny)
    l2 = np.full(n, np.finfo(np.float64).max)
    vx = _cross(gdx, gdy, edx, edy)
    par = vx == 0
    par_ok = ~par | (np.abs(dist) < fd)
    ef = 1.0 / elen
    enx, eny = ef * edy, -ef * edx
    epx, epy = ef * edx, ef * edy
    det = np.where(par, 1.0, vx.astype(np.float64))
    lp1 = _cross(ex1 + enx * fd - gx1, ey1 + eny * fd - gy1, edx, edy) / det
    lp2 = _cross((ex1 - gx1).astype(np.float64), (ey1 - gy1).astype(np.float64), edx, edy) / det
    lp1, lp2 = np.minimum(lp1, lp2), np.maximum(lp1, lp2)
    l1 = np.where(par, l1, lp1)
    l2 = np.where(par, l2, lp2)
    perp = (edx * gdx + edy * gdy) == 0
    perp_ok = ~perp | ((front >= lim) & (back >= lim))
    det2 = _cross(gdx, gdy, enx, eny)
    det2 = np.where(det2 != 0, det2, 1.0)
    lt1 = _cross(ex1 - gx1 - epx * fdd, ey1 - gy1 - epy * fdd, enx, eny) / det2
    lt2 = _cross(ex2 - gx1 + epx * fdd, ey2 - gy1 + epy * fdd, enx, eny) / det2
    lt1, lt2 = np.minimum(lt1, lt2), np.maximum(lt1, lt2)
    l1 = np.where(perp, l1, np.maximum(l1, lt1))
    l2 = np.where(perp, l2, np.minimum(l2, lt2))
    l1 = np.maximum(0.0, l1)
    l2 = np.minimum(1.0, l2)
    seg_ok = par_ok & perp_ok & (l1 < l2)
    ok &= np.where(degen, pt_ok, seg_ok)
    l1 = np.where(degen, 0.0, l1)
    l2 = np.where(degen, 0.0, l2)
    return ok, _part(g, l1, l2, ok)


def near_part(e, g, d: int):
    """The part of edge g on the inside (right) of e and closer than d to e (euclidian).

    Args:
        e: tuple of four int64 arrays (x1, y1, x2, y2), the reference edges, length n.
        g: tuple of four int64 arrays, the edges whose near part is wanted, length n.
        d: the distance in database units.

    Returns:
        (ok, part): ok a bool array; part a tuple of four int64 arrays (valid where ok).
    """
    ex1, ey1, ex2, ey2 = e
    n = ex1.shape[0]
    edx, edy = ex2 - ex1, ey2 - ey1
    ok, g, thr = _inside_part(e, g)
    gx1, gy1, gx2, gy2 = g
    gdx, gdy = gx2 - gx1, gy2 - gy1
    degen = (gdx == 0) & (gdy == 0)

    fd = float(d)
    el2 = (edx * edx + edy * edy).astype(np.float64)
    el2s = np.where(el2 > 0, el2, 1.0)

    # --- g reduced to a point: within d of e? ---
    ox, oy = gx1, gy1
    pt_side_ok = side_of(ex1, ey1, ex2, ey2, ox, oy) <= thr
    b = ((ex1 - ox) * edx + (ey1 - oy) * edy) / el2s
    c = (((ex1 - ox) ** 2 + (ey1 - oy) ** 2) - fd * fd) / el2s
    s = b * b - c
    with np.errstate(invalid="ignore"):
        rs = np.sqrt(s)
    pl1 = np.where(np.isnan(rs), 0.0, np.maximum(0.0, -b - rs))
    pl2 = np.where(np.isnan(rs), 1.0, np.minimum(1.0, -b + rs))
    pt_ok = pt_side_ok & (s >= -_EPS) & (pl1 <= pl2)

    # --- g a true segment ---
    l1 = np.full(n, np.finfo(np.float64).max)
    l2 = np.full(n, -np.finfo(np.float64).max)
    vx = _cross(gdx, gdy, edx, edy)
    par = vx == 0
    # parallel: reject if at or beyond d (distance rounded as the reference does)
    axb = _cross(edx, edy, gx1 - ex1, gy1 - ey1).astype(np.float64)
    dist_par = np.abs(round_away(axb / np.sqrt(el2s)).astype(np.float64))
    par_ok = ~par | (dist_par < fd)

    ef = 1.0 / np.sqrt(el2s)
    enx, eny = ef * edy, -ef * edx
    e1dx, e1dy = ex1 + enx * fd, ey1 + eny * fd
    det = np.where(par, 1.0, vx.astype(np.float64))
    lp1 = _cross(e1dx - gx1, e1dy - gy1, edx, edy) / det
    lp2 = _cross((ex1 - gx1).astype(np.float64), (ey1 - gy1).astype(np.float64), edx, edy) / det
    lp1, lp2 = np.minimum(lp1, lp2), np.maximum(lp1, lp2)
    perp = (edx * gdx + edy * gdy) == 0
    sp1 = side_of(gx1, gy1, gx2, gy2, ex1, ey1)
    sp2 = side_of(gx1, gy1, gx2, gy2, ex2, ey2)
    perp_take = ~par & perp & (sp1 * sp2 <= 0)
    det2 = _cross(gdx, gdy, enx, eny)
    det2 = np.where(det2 != 0, det2, 1.0)
    lt1 = _cross(ex1 - gx1, ey1 - gy1, enx, eny) / det2
    lt2 = _cross(ex2 - gx1, ey2 - gy1, enx, eny) / det2
    lt1, lt2 = np.minimum(lt1, lt2), np.maximum(lt1, lt2)
    ll1 = np.maximum(lp1, lt1)
    ll2 = np.minimum(lp2, lt2)
    gen_take = ~par & ~perp & (ll1 <= ll2)
    l1 = np.where(perp_take, lp1, np.where(gen_take, ll1, l1))
    l2 = np.where(perp_take, lp2, np.where(gen_take, ll2, l2))

    gl2 = (gdx * gdx + gdy * gdy).astype(np.float64)
    gl2s = np.where(gl2 > 0, gl2, 1.0)
    for px, py in ((ex1, ey1), (ex2, ey2)):
        bb = ((gx1 - px) * gdx + (gy1 - py) * gdy) / gl2s
        cc = (((gx1 - px) ** 2 + (gy1 - py) ** 2) - fd * fd) / gl2s
        ss = bb * bb - cc
        hit = ss >= -_EPS
        with np.errstate(invalid="ignore"):
            r = np.sqrt(ss)
        # a NaN root (tiny negative discriminant) leaves the interval unchanged
        l1 = np.where(hit, np.fmin(l1, -bb - r), l1)
        l2 = np.where(hit, np.fmax(l2, -bb + r), l2)
    l1 = np.maximum(0.0, l1)
    l2 = np.minimum(1.0, l2)
    seg_ok = par_ok & ~(l1 > l2 - _EPS)

    ok &= np.where(degen, pt_ok, seg_ok)
    l1 = np.where(degen, 0.0, l1)
    l2 = np.where(degen, 0.0, l2)
    return ok, _part(g, l1, l2, ok)


METRICS = ("euclidian", "projection", "square")


def check_pairs(a: np.ndarray, b: np.ndarray, d: int, relation: str,
                metric: str = "euclidian"):
    """Apply the edge relation to arrays of edge pairs.

    Args:
        a: (n, 4) int64 edges (database units); for OVERLAP the outer (enclosing) layer's.
        b: (n, 4) int64 edges, the other edge of each pair.
        d: the distance in database units.
        relation: WIDTH (inside one shape), SPACE (outside both) or OVERLAP (enclosing:
            outside b, inside a).
        metric: euclidian (default), projection (only where the edges face each other
            across d) or square (projection with the edges extended by d).

    Returns:
        (ok, first, second): bool mask and the (n, 4) edge parts (valid where ok), oriented
        as the input edges.
    """
    a = np.asarray(a, dtype=np.int64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.int64).reshape(-1, 4)
    # edges at 90 degrees or more are not checked against each other: only the others are
    # measured (on an arc, about half of the candidate pairs run the same way)
    sp = ((a[:, 2] - a[:, 0]) * (b[:, 2] - b[:, 0]) + (a[:, 3] - a[:, 1]) * (b[:, 3] - b[:, 1]))
    if relation == OVERLAP:
        sp = -sp
    facing = np.flatnonzero(sp < 0)
    if len(facing) < len(a):
        ok = np.zeros(len(a), dtype=bool)
        first = np.zeros((len(a), 4), dtype=np.int64)
        second = np.zeros((len(a), 4), dtype=np.int64)
        if len(facing):
            ok[facing], first[facing], second[facing] = _measure_pairs(
                a[facing], b[facing], d, relation, metric)
        return ok, first, second
    return _measure_pairs(a, b, d, relation, metric)


def _measure_pairs(a: np.ndarray, b: np.ndarray, d: int, relation: str, metric: str):
    """check_pairs on pairs whose edges are known to be less than 90 degrees apart."""
    ax1, ay1, ax2, ay2 = a.T
    bx1, by1, bx2, by2 = b.T
    ok = np.ones(len(a), dtype=bool)
    an = (ax2, ay2, ax1, ay1) if relation == SPACE else (ax1, ay1, ax2, ay2)
    bn = (bx2, by2, bx1, by1) if relation in (SPACE, OVERLAP) else (bx1, by1, bx2, by2)
    if metric == "euclidian":
        in2, p2 = near_part(an, bn, d)
        in1, p1 = near_part(bn, an, d)
    else:
        dd = d if metric == "square" else 0
        in2, p2 = near_part_projected(an, bn, d, dd)
        in1, p1 = near_part_projected(bn, an, d, dd)
    ok &= in1 & in2
    first = np.stack(p1, axis=1)
    second = np.stack(p2, axis=1)
    if relation == SPACE:
        first = first[:, [2, 3, 0, 1]]
    if relation in (SPACE, OVERLAP):
        second = second[:, [2, 3, 0, 1]]
    return ok, first, second


def segment_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Euclidian distance between segments a and b, row by row, as float (0 where they cross).

    Args:
        a: (n, 4) segments (x1, y1, x2, y2), any length unit.
        b: (n, 4) segments in the unit of a; the result is in that unit too.
    """
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)

    def pt_seg(px, py, s):
        x1, y1, x2, y2 = s.T
        dx, dy = x2 - x1, y2 - y1
        ll = dx * dx + dy * dy
        t = np.where(ll > 0, ((px - x1) * dx + (py - y1) * dy) / np.where(ll > 0, ll, 1), 0)
        t = np.clip(t, 0, 1)
        return np.hypot(px - (x1 + t * dx), py - (y1 + t * dy))

    dist = np.minimum.reduce([pt_seg(a[:, 0], a[:, 1], b), pt_seg(a[:, 2], a[:, 3], b),
                              pt_seg(b[:, 0], b[:, 1], a), pt_seg(b[:, 2], b[:, 3], a)])
    # proper crossings have distance 0
    s1 = np.sign(_cross(a[:, 2] - a[:, 0], a[:, 3] - a[:, 1], b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]))
    s2 = np.sign(_cross(a[:, 2] - a[:, 0], a[:, 3] - a[:, 1], b[:, 2] - a[:, 0], b[:, 3] - a[:, 1]))
    s3 = np.sign(_cross(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1], a[:, 0] - b[:, 0], a[:, 1] - b[:, 1]))
    s4 = np.sign(_cross(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1], a[:, 2] - b[:, 0], a[:, 3] - b[:, 1]))
    crossing = (s1 * s2 < 0) & (s3 * s4 < 0)
    return np.where(crossing, 0.0, dist)
