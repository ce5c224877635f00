"""Whether a shortcut of pull-tight is legal: turns, grid parity, boundary, exact spacing.

A run of vertices replaced by one or two octilinear segments must keep the spacing to every
foreign shape (checked exactly against the current metal of all other nets, the obstacles
and the terminals) and to the path's own segments away from the change; no turn may exceed
90 degrees, and two turns in the same sense that add up to more than 90 degrees must be far
enough apart not to fold the wire into a notch.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .lattice import DIRS, Rules


def direction(a: tuple[int, int], b: tuple[int, int]) -> int:
    """The octilinear direction (0..7, DIRS) of the step from a to b.

    Args:
        a: the start point, grid units.
        b: the end point, grid units; b - a is axis-parallel or diagonal.
    """
    dx, dy = b[0] - a[0], b[1] - a[1]
    return DIRS.index(((dx > 0) - (dx < 0), (dy > 0) - (dy < 0)))


def _turn(d1: int, d2: int) -> int:
    """Signed turn from d1 to d2 in 45-degree steps, in -4..3."""
    t = (d2 - d1) % 8
    return t - 8 if t > 4 else t


class Shapes:
    """Spatial hash of metal pieces, terminals and obstacles, each with its owner net.

    Args:
        cell: side of a hash cell, grid units.
        window: (xmin, ymin, xmax, ymax), grid units: every query lies inside it; a shape
            is kept only in the cells inside it (an obstacle far larger than the routing
            area would otherwise fill cells in proportion to its area).
    """

    def __init__(self, cell: float, window: tuple[float, float, float, float]):
        self.cell = cell
        self.cells: dict[tuple[int, int], dict[int, tuple[int, BaseGeometry]]] = {}
        self._next = 0
        self.where: dict[int, list[tuple[int, int]]] = {}
        self.lim = tuple(int(v // cell) for v in window)

    def _keys(self, b: tuple[float, float, float, float], grow: float
              ) -> list[tuple[int, int]]:
        c = self.cell
        i0, j0, i1, j1 = self.lim
        return [(i, j) for i in range(max(i0, int((b[0] - grow) // c)),
                                      min(i1, int((b[2] + grow) // c)) + 1)
                for j in range(max(j0, int((b[1] - grow) // c)),
                               min(j1, int((b[3] + grow) // c)) + 1)]

    def add(self, owner: int, geom: BaseGeometry) -> int:
        """Add a shape; returns its id (for remove).

        Args:
            owner: the net the shape belongs to, or -1 for an obstacle.
            geom: the shape, grid units.
        """
        ident = self._next
        self._next += 1
        keys = self._keys(geom.bounds, 0.0)
        for k in keys:
            self.cells.setdefault(k, {})[ident] = (owner, geom)
        self.where[ident] = keys
        return ident

    def remove(self, ident: int) -> None:
        """Remove a shape (an unknown id is ignored).

        Args:
            ident: the id add returned.
        """
        for k in self.where.pop(ident, ()):
            del self.cells[k][ident]

    def foreign(self, bounds: tuple[float, float, float, float], dist: float, net: int
                ) -> list[BaseGeometry]:
        """Shapes of owners other than `net` in the cells within dist of the bounds.

        A coarse query: the shapes returned may lie farther than dist.

        Args:
            bounds: (xmin, ymin, xmax, ymax) of the query, grid units.
            dist: how far around the bounds to look, grid units.
            net: the asking net; its own shapes are left out.
        """
        found: dict[int, tuple[int, BaseGeometry]] = {}
        cells = self.cells
        for k in self._keys(bounds, dist):
            c = cells.get(k)
            if c:
                found.update(c)
        return [g for owner, g in found.values() if owner != net]


class Ctx:
    """What the legality test of one polyline needs.

    Args:
        net: the polyline's net.
        rules: wire rules (grid units).
        shapes: the metal of all nets, terminals and obstacles.
        own_terms: the net's own terminals; metal away from the end segments keeps space
            from them.
        boundary: the routing area; new metal must lie inside it.
        parity: (x + y) % 2 of the lattice nodes; a diagonal segment must start on it.
        allow45: whether diagonal segments are allowed.
    """

    def __init__(self, net: int, rules: Rules, shapes: Shapes, own_terms: list[BaseGeometry],
                 boundary: BaseGeometry, parity: int, allow45: bool):
        self.allow45 = allow45
        self.net = net
        self.rules = rules
        self.shapes = shapes
        self.own_terms = own_terms
        self.boundary = boundary
        self.parity = parity
        self.space = rules.space
        self.d_first = -1
        self.d_last = -1


def seg_ring(a: tuple[int, int], b: tuple[int, int], rules: Rules) -> list[tuple[int, int]]:
    """The four corners of segment_polygon(a, b) (same order).

    Args:
        a: the segment's start, grid units.
        b: the segment's end, grid units (axis-parallel or diagonal from a).
        rules: wire rules (half and diag widths).
    """
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    h, d = rules.half, rules.diag
    if dy == 0:
        x0, x1 = min(ax, bx), max(ax, bx)
        return [(x0, ay - h), (x1, ay - h), (x1, ay + h), (x0, ay + h)]
    if dx == 0:
        y0, y1 = min(ay, by), max(ay, by)
        return [(ax - h, y0), (ax + h, y0), (ax + h, y1), (ax - h, y1)]
    sx, sy = (dx > 0) - (dx < 0), (dy > 0) - (dy < 0)
    ox, oy = -sy * d, sx * d
    return [(ax + ox, ay + oy), (bx + ox, by + oy), (bx - ox, by - oy), (ax - ox, ay - oy)]


def joint_ring(p: tuple[int, int], rules: Rules) -> list[tuple[int, int]]:
    """The eight corners of joint_polygon(p) (same order).

    Args:
        p: the joint's centre-line vertex, grid units.
        rules: wire rules (half and diag widths).
    """
    x, y = p
    h, e = rules.half, 2 * rules.diag - rules.half
    return [(x + h, y - e), (x + h, y + e), (x + e, y + h), (x - e, y + h),
            (x - h, y + e), (x - h, y - e), (x - e, y - h), (x + e, y - h)]


def legal(pts: list[tuple[int, int]], i: int, j: int, ctx: Ctx) -> bool:
    """Is polyline pts legal where vertices i..j changed (segments i..j-1 are new)?

    Args:
        pts: the polyline's vertices, grid units.
        i: the first changed vertex.
        j: the last changed vertex.
        ctx: the net's context; its d_first and d_last hold the directions the end
            segments must keep.
    """
    n = len(pts)
    rules, space, net = ctx.rules, ctx.space, ctx.net
    # vertices 0..i and j..n-1 are as before: only the end segments that moved are checked
    if (i == 0 and direction(pts[0], pts[1]) != ctx.d_first) or (
            j == n - 1 and direction(pts[-2], pts[-1]) != ctx.d_last):
        return False
    lo, hi = max(0, i - 2), min(n - 2, j + 1)
    d0 = max(0, lo - 1)
    dirs = {k: direction(pts[k], pts[k + 1]) for k in range(d0, min(n - 1, hi + 2))}
    for k in range(max(1, i), min(n - 1, j + 1)):
        if abs(_turn(dirs[k - 1], dirs[k])) > 2:
            return False
    # two turns in the same sense adding up to more than 90 degrees need room between them
    for k in range(max(1, lo), min(n - 2, hi) + 1):
        t1 = _turn(dirs[k - 1], dirs[k])
        if k + 1 > n - 2:
            break
        t2 = _turn(dirs[k], dirs[k + 1])
        if t1 * t2 > 0 and abs(t1 + t2) > 2:
            seg = math.hypot(pts[k + 1][0] - pts[k][0], pts[k + 1][1] - pts[k][1])
            if seg < math.sqrt(2.0) * rules.pitch:
                return False
    for k in range(i, j):
        if dirs[k] % 2 and (pts[k][0] + pts[k][1]) % 2 != ctx.parity:
            return False
    joints = [k for k in range(max(1, i), min(n - 1, j + 1))]
    segs = list(range(i, j))
    # build the changed pieces in one vectorized call per kind (this test runs very often)
    geoms = []
    if segs:
        geoms += list(shapely.polygons(np.array(
            [seg_ring(pts[k], pts[k + 1], rules) for k in segs], dtype=float)))
    if joints:
        geoms += list(shapely.polygons(np.array([joint_ring(pts[k], rules) for k in joints],
                                                dtype=float)))
    pieces = list(zip(segs + [-1] * len(joints), geoms))
    if not shapely.covers(ctx.boundary, np.array(geoms, dtype=object)).all():
        return False
    # the path's own segments away from the change (a shortcut must not fold onto itself)
    # (only those whose bounding box comes near the change: the rest cannot be in reach)
    near_pad = rules.reach + rules.seg_reach + space + 2
    xy = np.asarray(pts)
    win = xy[i:j + 1]
    (bx0, by0), (bx1, by1) = win.min(axis=0) - near_pad, win.max(axis=0) + near_pad
    a, b = xy[:-1], xy[1:]
    hit = ((np.maximum(a[:, 0], b[:, 0]) >= bx0) & (np.minimum(a[:, 0], b[:, 0]) <= bx1)
           & (np.maximum(a[:, 1], b[:, 1]) >= by0) & (np.minimum(a[:, 1], b[:, 1]) <= by1))
    hit[max(0, i - 2):j + 2] = False
    far_k = np.flatnonzero(hit).tolist()
    far = (shapely.polygons(np.array([seg_ring(pts[k], pts[k + 1], rules) for k in far_k],
                                     dtype=float)) if far_k else None)
    own_terms = ctx.own_terms
    d = space - 1e-6
    for k, g in pieces:
        others = ctx.shapes.foreign(g.bounds, space, net)
        if others and shapely.dwithin(g, np.array(others, dtype=object), d).any():
            return False
        if k >= 0 and far is not None and shapely.dwithin(g, far, d).any():
            return False
        if k == 0 or k == n - 2:
            continue  # the end segments land on their terminals
        if own_terms and shapely.dwithin(g, np.array(own_terms, dtype=object), d).any():
            return False
    return True
