"""Shielding: an edge pair is dropped when another edge of the checked shapes cuts through it.

This follows the reference DRC's rule: an edge q shields the edge pair (first, second) when it
meets both connecting lines of the normalised pair (at two different points, or crossing
them); candidates are the edges of the subject shape and of the shapes near it whose bounding
box comes closer than the check distance to one of the pair's two original edges.
Vectorised over (pair, candidate edge) rows; exact integer arithmetic (int64 products of
coordinate differences, Python integers for the rare off-axis intersection points).
"""

from __future__ import annotations

import numpy as np

from .boxes import box_pairs, near_edges, unique_rows
from .merge import MergedLayer


def _cross(ax, ay, bx, by):
    return ax * by - ay * bx


def _side(e, px, py):
    """Side of points (px, py) to edges e = (x1, y1, x2, y2): +1 left, -1 right, 0 on."""
    x1, y1, x2, y2 = e
    return np.sign(_cross(x2 - x1, y2 - y1, px - x1, py - y1))


def _contains(e, px, py):
    """Point on the closed edge (closer than half a unit to its line, between its ends)."""
    x1, y1, x2, y2 = e
    dx, dy = x2 - x1, y2 - y1
    degen = (dx == 0) & (dy == 0)
    length = np.sqrt((dx * dx + dy * dy).astype(np.float64))
    near = np.abs(_cross(dx, dy, px - x1, py - y1)) < 0.5 * length
    between = ((px - x1) * dx + (py - y1) * dy >= 0) & ((px - x2) * -dx + (py - y2) * -dy >= 0)
    return np.where(degen, (px == x1) & (py == y1), near & between)


def _div_exact(a: int, b: int, d: int) -> int:
    """The exact quotient a * b / d, rounded to an integer (halves rounded down)."""
    q, r = divmod(a * b, d)
    return q + 1 if 2 * r > d else q


def _intersect_point(p, q):
    """Where segment p meets segment q, as the reference computes it: (ok, x, y)."""
    px1, py1, px2, py2 = p
    qx1, qy1, qx2, qy2 = q
    n = len(px1)
    ok = np.zeros(n, dtype=bool)
    x = np.zeros(n, dtype=np.int64)
    y = np.zeros(n, dtype=np.int64)
    degen = (px1 == px2) & (py1 == py2)
    c = _contains(q, px1, py1)
    ok |= degen & c
    x = np.where(degen, px1, x)
    y = np.where(degen, py1, y)
    todo = ~degen
    touch = ((np.minimum(px1, px2) <= np.maximum(qx1, qx2))
             & (np.minimum(qx1, qx2) <= np.maximum(px1, px2))
             & (np.minimum(py1, py2) <= np.maximum(qy1, qy2))
             & (np.minimum(qy1, qy2) <= np.maximum(py1, py2)))
    todo &= touch
    ortho = ((px1 == px2) | (py1 == py2)) & ((qx1 == qx2) | (qy1 == qy2))
    o = todo & ortho
    ok |= o
    x = np.where(o, np.maximum(np.minimum(px1, px2), np.minimum(qx1, qx2)), x)
    y = np.where(o, np.maximum(np.minimum(py1, py2), np.minimum(qy1, qy2)), y)
    todo &= ~ortho
    sa = _side(p, qx1, qy1)
    sb = _side(p, qx2, qy2)
    todo &= (sa == 0) | (sb == 0) | (sa != sb)
    qdx, qdy = qx2 - qx1, qy2 - qy1
    vxa = _cross(qdx, qdy, px1 - qx1, py1 - qy1)
    vsb = _cross(qdx, qdy, px2 - qx1, py2 - qy1)
    res = (vxa >= 0) ^ (vsb > 0)
    ends = (vxa == 0) | (vsb == 0)
    # an end on the other segment: the first of q1, q2 (on p), p1, p2 (on q) that is
    e = todo & ends
    found = np.zeros(n, dtype=bool)
    for (cx, cy), seg in (((qx1, qy1), p), ((qx2, qy2), p), ((px1, py1), q), ((px2, py2), q)):
        hit = e & ~found & _contains(seg, cx, cy)
        x = np.where(hit, cx, x)
        y = np.where(hit, cy, y)
        found |= hit
    ok |= found
    # a proper crossing: exact point with Python integers (rare off-axis case)
    for k in np.flatnonzero(todo & ~ends & res):
        va, vb = abs(int(vxa[k])), abs(int(vsb[k]))
        x[k] = int(px1[k]) + _div_exact(int(px2[k] - px1[k]), va, va + vb)
        y[k] = int(py1[k]) + _div_exact(int(py2[k] - py1[k]), va, va + vb)
        ok[k] = True
    return ok, x, y


def _normalized(first: np.ndarray, second: np.ndarray):
    """Edge pairs oriented as clockwise, non-crossing quadrangles."""
    f = first.copy()
    s = second.copy()
    a1 = _cross(f[:, 2] - s[:, 2], f[:, 3] - s[:, 3], f[:, 0] - s[:, 0], f[:, 1] - s[:, 1])
    a2 = _cross(f[:, 0] - s[:, 2], f[:, 1] - s[:, 3], f[:, 2] - s[:, 0], f[:, 3] - s[:, 1])
    swap = np.abs(a2) > np.abs(a1)
    f[swap] = f[swap][:, [2, 3, 0, 1]]
    a1 = np.where(swap, a2, a1)
    both = a1 < 0
    zero = a1 == 0
    sp = (f[:, 2] - f[:, 0]) * (s[:, 2] - s[:, 0]) + (f[:, 3] - f[:, 1]) * (s[:, 3] - s[:, 1])
    flip1 = zero & (sp > 0)
    f[flip1] = f[flip1][:, [2, 3, 0, 1]]
    side1 = _side(tuple(f.T), s[:, 0], s[:, 1])
    side2 = _side(tuple(s.T), f[:, 0], f[:, 1])
    both |= zero & ((side1 > 0) | (side2 > 0))
    f[both] = f[both][:, [2, 3, 0, 1]]
    s[both] = s[both][:, [2, 3, 0, 1]]
    return f, s


def shields(first: np.ndarray, second: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Row-wise: does edge q[i] cut through the edge pair (first[i], second[i])?

    Args:
        first: (m, 4) int64 first edge parts (database units).
        second: (m, 4) int64 second edge parts.
        q: (m, 4) int64 candidate shielding edges.
    """
    f, s = _normalized(np.asarray(first, np.int64).reshape(-1, 4),
                       np.asarray(second, np.int64).reshape(-1, 4))
    q = np.asarray(q, np.int64).reshape(-1, 4)
    qt = tuple(q.T)
    pe1 = (f[:, 0], f[:, 1], s[:, 2], s[:, 3])
    pe2 = (s[:, 0], s[:, 1], f[:, 2], f[:, 3])
    ok1, x1, y1 = _intersect_point(pe1, qt)
    ok2, x2, y2 = _intersect_point(pe2, qt)
    apart = (x1 != x2) | (y1 != y2)
    cross = (_side(pe1, q[:, 0], q[:, 1]) != 0) & (_side(pe2, q[:, 2], q[:, 3]) != 0)
    return ok1 & ok2 & (apart | cross)


def edge_meets_box(e: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Row-wise: does edge e[i] touch or cross the closed box[i]?

    Args:
        e: (m, 4) int64 edges (x1, y1, x2, y2) in database units.
        box: (m, 4) int64 boxes (x0, y0, x1, y1) in database units.
    """
    x1, y1, x2, y2 = e.T
    bx0, by0, bx1, by1 = box.T
    touch = ((np.minimum(x1, x2) <= bx1) & (np.maximum(x1, x2) >= bx0)
             & (np.minimum(y1, y2) <= by1) & (np.maximum(y1, y2) >= by0))
    ortho = (x1 == x2) | (y1 == y2)
    # otherwise the box corners must not all lie strictly on one side of the edge's line
    dx, dy = x2 - x1, y2 - y1
    sides = [np.sign(_cross(dx, dy, cx - x1, cy - y1))
             for cx, cy in ((bx0, by0), (bx0, by1), (bx1, by0), (bx1, by1))]
    one_side = (np.all([sv > 0 for sv in sides], axis=0)
                | np.all([sv < 0 for sv in sides], axis=0))
    return touch & (ortho | ~one_side)


def _mix(h: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Fold the int64 values v into the uint64 hashes h."""
    h = (h ^ np.asarray(v, np.int64).view(np.uint64)) * np.uint64(0xBF58476D1CE4E5B9)
    return h ^ (h >> np.uint64(31))


def _box_near(ea: np.ndarray, eb: np.ndarray, d: int) -> np.ndarray:
    """Row-wise: edge boxes closer than d on both axes."""
    return ((np.minimum(ea[:, 0], ea[:, 2]) < np.maximum(eb[:, 0], eb[:, 2]) + d)
            & (np.minimum(eb[:, 0], eb[:, 2]) < np.maximum(ea[:, 0], ea[:, 2]) + d)
            & (np.minimum(ea[:, 1], ea[:, 3]) < np.maximum(eb[:, 1], eb[:, 3]) + d)
            & (np.minimum(eb[:, 1], eb[:, 3]) < np.maximum(ea[:, 1], ea[:, 3]) + d))


def shielded_rows(edges: np.ndarray, ka: np.ndarray, kb: np.ndarray, first: np.ndarray,
                  second: np.ndarray, row: np.ndarray, q: np.ndarray, d: int) -> np.ndarray:
    """Which edge pairs are shielded, given candidate (pair row, edge q) combinations.

    Args:
        edges: (n, 4) int64 edges, or an object whose take(idx) returns those rows (two
            layers' edges without joining them).
        ka: (m,) index in edges of each pair's first own edge (it never shields its pair).
        kb: (m,) index in edges of each pair's second own edge.
        first: (m, 4) the pairs' first edge parts.
        second: (m, 4) the pairs' second edge parts.
        row: candidate combinations: pair row[i] may be shielded by edges[q[i]].
        q: the candidate edge index of each combination.
        d: check distance in database units.
    """
    out = np.zeros(len(ka), dtype=bool)
    if len(row) == 0:
        return out
    take = edges.take if callable(getattr(edges, "take", None)) and not isinstance(
        edges, np.ndarray) else (lambda idx: edges[idx])
    eq = take(q)
    keep = (q != ka[row]) & (q != kb[row])
    keep &= _box_near(eq, take(ka[row]), d) | _box_near(eq, take(kb[row]), d)
    row, eq = row[keep], eq[keep]
    if len(row):
        hit = shields(first[row], second[row], eq)
        out[row[hit]] = True
    return out


def is_shielded(edges: np.ndarray, ka: int, kb: int, first, second, d: int) -> bool:
    """Whether one edge pair of edges[ka], edges[kb] is shielded by another of `edges`.

    Args:
        edges: (n, 4) int64 edges in database units; every one is a candidate.
        ka: index of the pair's first own edge.
        kb: index of the pair's second own edge.
        first: the first edge part (x1, y1, x2, y2).
        second: the second edge part.
        d: check distance in database units.
    """
    n = len(edges)
    z = np.zeros(n, dtype=np.int64)
    return bool(shielded_rows(edges, np.array([ka]), np.array([kb]),
                              np.asarray(first, np.int64).reshape(1, 4),
                              np.asarray(second, np.int64).reshape(1, 4), z, np.arange(n),
                              d)[0])


class _TwoLayers:
    """The edges of two layers indexed as one array (b after a), without copying them."""

    def __init__(self, a: np.ndarray, b: np.ndarray):
        self.a, self.b = a, b

    def take(self, idx: np.ndarray) -> np.ndarray:
        idx = np.asarray(idx, np.int64)
        in_b = idx >= len(self.a)
        out = np.empty((len(idx), 4), dtype=np.int64)
        out[~in_b] = self.a[idx[~in_b]]
        out[in_b] = self.b[idx[in_b] - len(self.a)]
        return out


class ShieldContext:
    """For each polygon of layer a, the polygons of layer b whose boxes come closer than d.

    These are the shapes the reference checks a subject polygon against; their edges (and
    the subject's own) are the only ones that can shield a violation of that subject.

    Args:
        la: the subjects' merged layer.
        lb: the neighbours' merged layer (la itself within one layer).
        d: check distance in database units.
        same: lb is la: a polygon is not its own neighbour.
        alone: no polygon has neighbours (only the subject's own edges shield).
        pairs: the polygon pairs (i, j) whose boxes come closer than d, if already known
            (with same: each unordered pair once).
    """

    def __init__(self, la: MergedLayer, lb: MergedLayer, d: int, same: bool,
                 alone: bool = False, pairs=None):
        self.la, self.lb, self.d = la, lb, d
        self.same = same
        if alone:
            i = j = np.zeros(0, np.int64)
        elif pairs is not None:
            i, j = pairs
            if same:  # pairs were found once per unordered pair
                i, j = np.concatenate([i, j]), np.concatenate([j, i])
        else:
            i, j = box_pairs(la.bbox, lb.bbox, d)
            if same:
                keep = i != j
                i, j = i[keep], j[keep]
        order = np.lexsort((j, i))
        self.j = j[order]
        self.start = np.searchsorted(i[order], np.arange(la.count + 1))
        # the box a subject's check looks into: the subject's box grown by d, on two layers
        # cut down to the grown box around all its neighbours; edges outside it take no part
        box = la.bbox + np.array([-d, -d, d, d])
        if not same and len(self.j):
            has = np.diff(self.start) > 0
            nb = lb.bbox[self.j]
            starts = self.start[:-1][has]
            union = np.column_stack([np.minimum.reduceat(nb[:, 0], starts),
                                     np.minimum.reduceat(nb[:, 1], starts),
                                     np.maximum.reduceat(nb[:, 2], starts),
                                     np.maximum.reduceat(nb[:, 3], starts)])
            union += np.array([-d, -d, d, d])
            sub = box[has]
            box[has] = np.column_stack([np.maximum(sub[:, :2], union[:, :2]),
                                        np.minimum(sub[:, 2:], union[:, 2:])])
        self.box = box

    def has_neighbours(self) -> np.ndarray:
        """Per polygon of layer a: has it at least one neighbour on layer b?"""
        return np.diff(self.start) > 0

    def shielded(self, subject: np.ndarray, ga: np.ndarray, gb: np.ndarray, first: np.ndarray,
                 second: np.ndarray, b_in_a: np.ndarray | None = None) -> np.ndarray:
        """Which pairs are shielded within their subject's context.

        Args:
            subject: subject polygon (layer a) of each pair.
            ga: the pair's edge on layer a (global edge index of la).
            gb: the pair's other edge: on layer b, or on layer a where b_in_a is set.
            first: (m, 4) the first edge parts (database units).
            second: (m, 4) the second edge parts.
            b_in_a: per pair, gb indexes layer a (a notch inside the subject).
        """
        subject = np.asarray(subject, np.int64)
        m = len(subject)
        if m == 0:
            return np.zeros(0, dtype=bool)
        gb = np.asarray(gb, np.int64)
        if b_in_a is None:
            b_in_a = np.zeros(m, dtype=bool)
        # pairs seen in equal surroundings (the subject and its neighbours equal up to a
        # translation, the pair at the same place in them) are shielded alike: test one each
        rep, inv = unique_rows(self._situation(subject, np.asarray(ga, np.int64), gb,
                                               np.asarray(first, np.int64),
                                               np.asarray(second, np.int64), b_in_a))
        if len(rep) == m:
            return self._shielded(subject, ga, gb, first, second, b_in_a)
        out = self._shielded(subject[rep], np.asarray(ga)[rep], gb[rep],
                             np.asarray(first)[rep], np.asarray(second)[rep], b_in_a[rep])
        return out[inv]

    def _context_hash(self, polys: np.ndarray) -> np.ndarray:
        """(n, 2) hash of each polygon's surroundings.

        Its class and its neighbours' classes and offsets (a set: the order of the
        neighbours does not matter).
        """
        la, lb = self.la, self.lb
        nn = self.start[polys + 1] - self.start[polys]
        owner = np.repeat(np.arange(len(polys)), nn)
        nbr = self.j[np.repeat(self.start[polys], nn)
                     + (np.arange(int(nn.sum())) - np.repeat(np.cumsum(nn) - nn, nn))]
        off = lb.ref[nbr] - la.ref[polys[owner]]
        out = np.zeros((len(polys), 2), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for col, salt in enumerate((0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)):
                h = _mix(_mix(_mix(np.full(len(nbr), salt, np.uint64), lb.key[nbr]),
                              off[:, 0]), off[:, 1])
                total = np.zeros(len(polys), dtype=np.uint64)
                np.add.at(total, owner, h)
                out[:, col] = _mix(_mix(total, la.key[polys]), nn)
        return out

    def _situation(self, subject, ga, gb, first, second, b_in_a) -> np.ndarray:
        """Per pair, everything its shielding depends on, relative to the subject."""
        la, lb = self.la, self.lb
        polys, where = np.unique(subject, return_inverse=True)
        ctx = self._context_hash(polys).view(np.int64)[where.ravel()]
        ref = la.ref[subject]
        pb = np.where(b_in_a, subject, np.searchsorted(lb.offsets, gb, side="right") - 1)
        other = la if lb is la else lb
        pref = np.where(b_in_a[:, None], ref, other.ref[np.where(b_in_a, 0, pb)])
        local_b = gb - np.where(b_in_a, la.offsets[subject], other.offsets[pb])
        shift = np.concatenate([ref, ref], axis=1)
        return np.column_stack([ctx, ga - la.offsets[subject], b_in_a, local_b,
                                pref - ref, first - shift, second - shift])

    def _shielded(self, subject, ga, gb, first, second, b_in_a) -> np.ndarray:
        la, lb = self.la, self.lb
        base_b = 0 if lb is la else len(la.edges)
        edges = la.edges if lb is la else _TwoLayers(la.edges, lb.edges)
        ga = np.asarray(ga, np.int64)
        kb = np.where(b_in_a, gb, gb + base_b)
        take = (lambda idx: edges[idx]) if lb is la else edges.take
        # Candidate shields: edges near the pair (near_edges), of the subject or one of its
        # neighbours, inside the subject's context box.
        all_e = la.edges if lb is la else np.concatenate([la.edges, lb.edges])
        poly = la.edge_poly if lb is la else np.concatenate([la.edge_poly, lb.edge_poly])
        row, q = near_edges(take(ga), take(kb), all_e, self.d)
        sub, pq = subject[row], poly[q]
        # the subject's own edges, or a neighbour's: (subject, neighbour) is one of its pairs
        width = np.int64(lb.count + 1)
        owner = np.repeat(np.arange(la.count), np.diff(self.start))
        own = pq == sub
        nbr = np.isin(sub * width + pq, owner * width + self.j)
        if lb is not la:  # edge indices of layer b follow those of layer a
            own &= q < base_b
            nbr &= q >= base_b
        keep = own | nbr
        row, q = row[keep], q[keep]
        inside = edge_meets_box(all_e[q], self.box[subject[row]])
        return shielded_rows(edges, ga, kb, np.asarray(first, np.int64),
                             np.asarray(second, np.int64), row[inside], q[inside], self.d)
