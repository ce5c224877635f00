"""Terminal access: short stubs from inside a terminal to a lattice node.

A stub leaves its terminal normal to a face: along one of the four axes (any terminal), or
along a diagonal for terminals with 45-degree faces (octagonal bumps) whose centre lies on a
lattice diagonal. If the terminal centre is off the lattice line, the stub runs out past the
terminal's clearance zone and then jogs at 90 degrees along a lattice line to the nearest node,
so a rectangular pad is always left by an orthogonal stub at least as long as the pad edge is
from its centre. Stubs are checked exactly against every blocker once; against other nets they
are checked by `Occupancy` when used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

from .lattice import DIRS, Lattice

MAX_WALK = 6  # lattice steps searched past the terminal's clearance zone


@dataclass(frozen=True)
class Access:
    """One way into a terminal.

    Args:
        term: terminal index.
        node: the lattice node where the stub ends.
        dir: direction of the stub's last segment at `node`, pointing away from the terminal.
        exits: mask of the directions a wire may leave `node` in: within 90 degrees of every
            stub segment, so a jog and the next turn never fold into a notch.
        stub: centre-line from the terminal centre to the node, grid units.
        length: stub length, grid units.
        own: lattice nodes the stub runs through on lattice lines (node included).
        corners: corner nodes of diagonal lattice cells the stub crosses.
        halo: nodes within the halo radius of the stub's off-lattice part.
    """

    term: int
    node: int
    dir: int
    exits: int
    stub: tuple[tuple[int, int], ...]
    length: float
    own: tuple[int, ...]
    corners: tuple[int, ...]
    halo: tuple[int, ...]


def has_diagonal_faces(shape: Polygon, k: int) -> bool:
    """True if the polygon has an edge whose outward normal is direction k.

    Args:
        shape: the terminal's polygon (grid units).
        k: a lattice direction (k * 45 degrees); the router asks for the diagonals (odd k).
    """
    xy = np.asarray(shape.exterior.coords)
    d = np.diff(xy, axis=0)
    dx, dy = DIRS[k]
    # An edge normal to (dx, dy) runs along (-dy, dx).
    along = np.abs(d[:, 0] * dx + d[:, 1] * dy) < 1e-6 * (np.abs(d).sum(axis=1) + 1)
    long_enough = np.hypot(d[:, 0], d[:, 1]) > 0
    if not np.any(along & long_enough):
        return False
    c = np.asarray(shape.centroid.coords[0])
    mids = xy[:-1] + d / 2
    outward = (mids - c) @ np.array([dx, dy]) > 0
    return bool(np.any(along & long_enough & outward))


class AccessBuilder:
    """Computes the accesses of terminals against the static blockers of one problem.

    Args:
        lat: the lattice with its static masks built.
        free: usable-node array from Lattice.build_static.
        blockers: every blocker (obstacles and terminals), grid units.
        owner: for each blocker, the terminal index it is, or -1 for obstacles.
        outside: region outside the boundary, grid units (or None).
    """

    def __init__(self, lat: Lattice, free: np.ndarray, blockers: Sequence[shapely.Geometry],
                 owner: Sequence[int], outside: shapely.Geometry | None):
        self.lat = lat
        self.free = free
        self.blockers = list(blockers)
        self.owner = np.asarray(owner, dtype=np.int64)
        self.tree = shapely.STRtree(self.blockers) if self.blockers else None
        self.outside = outside if outside is not None and not outside.is_empty else None
        r = lat.rules
        # Two wires' centre-lines must stay this far apart when one of them is off-lattice;
        # a lattice move between nodes outside this radius keeps that distance.
        self.clear = 2 * r.reach + r.space
        self.halo_radius = math.sqrt(self.clear ** 2 + lat.pitch ** 2 / 2.0)

    # ------------------------------------------------------------------ exact clearance checks
    def _clear(self, geom: shapely.Geometry, dist: float, term: int, own_ok: bool) -> bool:
        """No blocker (other than terminal `term` when own_ok) within dist of geom."""
        if self.tree is not None:
            hits = self.tree.query(geom, predicate="dwithin", distance=dist - 1e-6)
            for h in hits.tolist():
                if own_ok and self.owner[h] == term:
                    continue
                return False
        if self.outside is not None:
            r = self.lat.rules
            limit = dist - r.space if dist > r.space else dist
            if shapely.dwithin(self.outside, geom, limit - 1e-6):
                return False
        return True

    def _stub_ok(self, pts: list[tuple[int, int]], term: int) -> bool:
        r = self.lat.rules
        seg = r.seg_reach + r.space
        joint = r.reach + r.space
        # first segment starts inside the terminal: only other blockers count
        if not self._clear(LineString(pts[:2]), seg, term, own_ok=True):
            return False
        for k in range(1, len(pts) - 1):
            if not self._clear(Point(pts[k]), joint, term, own_ok=False):
                return False
            if not self._clear(LineString(pts[k:k + 2]), seg, term, own_ok=False):
                return False
        return True

    # ------------------------------------------------------------------------- construction
    def accesses(self, term: int, shape: Polygon, allow45: bool) -> list[Access]:
        """All accesses of terminal `term`, in a stable order.

        Args:
            term: the terminal index (its own blocker does not block its stubs).
            shape: the terminal's polygon, grid units.
            allow45: try diagonal stubs too (where the shape has a face normal to them).
        """
        lat = self.lat
        c = shape.centroid
        cx, cy = int(round(c.x)), int(round(c.y))
        if not shape.contains(Point(cx, cy)):
            rp = shape.representative_point()
            cx, cy = int(round(rp.x)), int(round(rp.y))
        xy = np.asarray(shape.exterior.coords)
        out: list[Access] = []
        for k in range(8):
            if k % 2 and (not allow45 or not has_diagonal_faces(shape, k)):
                continue
            dx, dy = DIRS[k]
            norm = math.hypot(dx, dy)
            extent = float(np.max((xy[:, 0] - cx) * dx + (xy[:, 1] - cy) * dy)) / norm
            limit = extent + lat.rules.reach + lat.rules.space + MAX_WALK * lat.pitch * norm
            if k % 2:
                out.extend(self._diagonal(term, k, cx, cy, limit))
            else:
                out.extend(self._axis(term, k, cx, cy, limit))
        return out

    def _axis(self, term: int, k: int, cx: int, cy: int, limit: float) -> list[Access]:
        lat = self.lat
        p = lat.pitch
        dx, dy = DIRS[k]
        # coordinate along the ray and across it
        along0, across = (cx, cy) if dx else (cy, cx)
        sgn = dx if dx else dy
        base_along = lat.x0 if dx else lat.y0
        base_across = lat.y0 if dx else lat.x0
        rem = (across - base_across) % p
        # first lattice line strictly beyond the centre along the ray
        first = along0 + ((base_along - along0) % p if sgn > 0 else -((along0 - base_along) % p))
        if first == along0:
            first += sgn * p
        t = first
        # only lattice lines inside the lattice can hold a node: skip to them, stop past them
        # (a terminal far larger than the routing area would make a walk as long as it is)
        lo, hi = base_along + p, base_along + ((lat.nx if dx else lat.ny) - 2) * p
        if sgn > 0 and t < lo:
            t += (lo - t) // p * p
        elif sgn < 0 and t > hi:
            t -= (t - hi) // p * p
        while abs(t - along0) <= limit and lo <= t <= hi:
            if rem == 0:
                q = (t, across) if dx else (across, t)
                n = lat.node_at(*q)
                if n is not None and self.free[n]:
                    pts = [(cx, cy), q]
                    if self._stub_ok(pts, term):
                        return [self._make(term, n, k, pts)]
                    return []
            else:
                found = []
                for side in (-1, 1):
                    a2 = across - rem if side < 0 else across - rem + p
                    q = (t, across) if dx else (across, t)
                    nq = (t, a2) if dx else (a2, t)
                    n = lat.node_at(*nq)
                    if n is None or not self.free[n]:
                        continue
                    pts = [(cx, cy), q, nq]
                    if self._stub_ok(pts, term):
                        jog_dir = _dir_of(q, nq)
                        found.append(self._make(term, n, jog_dir, pts))
                if found:
                    return found
            t += sgn * p
        return []

    def _diagonal(self, term: int, k: int, cx: int, cy: int, limit: float) -> list[Access]:
        lat = self.lat
        p = lat.pitch
        sx, sy = DIRS[k]
        tx = (sx * (lat.x0 - cx)) % p
        ty = (sy * (lat.y0 - cy)) % p
        if tx != ty:
            return []
        t = tx if tx else p
        while t * math.sqrt(2.0) <= limit:
            q = (cx + sx * t, cy + sy * t)
            n = lat.node_at(*q)
            if n is None:
                return []
            if self.free[n]:
                pts = [(cx, cy), q]
                if self._stub_ok(pts, term):
                    return [self._make(term, n, k, pts)]
                return []
            t += p
        return []

    def _make(self, term: int, node: int, k: int, pts: list[tuple[int, int]]) -> Access:
        lat = self.lat
        own: list[int] = []
        corners: list[int] = []
        off_lattice: list[tuple[tuple[int, int], tuple[int, int]]] = []
        for a, b in zip(pts[:-1], pts[1:]):
            na, nb = lat.node_at(*a), lat.node_at(*b)
            if na is not None and nb is not None:
                d = _dir_of(a, b)
                steps = max(abs(b[0] - a[0]), abs(b[1] - a[1])) // lat.pitch
                for s in range(steps + 1):
                    n = na + s * lat.off[d]
                    own.append(n)
                    if d % 2 and s < steps:
                        corners.append(n + lat.off[(d + 1) % 8])
                        corners.append(n + lat.off[(d - 1) % 8])
            else:
                off_lattice.append((a, b))
        own.append(node)
        exits = 0xFF
        for a, b in zip(pts[:-1], pts[1:]):
            exits &= within90(_dir_of(a, b))
        halo = self._halo(off_lattice) if off_lattice else []
        length = float(sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(pts, pts[1:])))
        return Access(term, node, k, exits, tuple(pts), length, tuple(sorted(set(own))),
                      tuple(sorted(set(corners))), tuple(sorted(set(halo) - {node})))

    def _halo(self, segs: list[tuple[tuple[int, int], tuple[int, int]]]) -> list[int]:
        lat = self.lat
        p = lat.pitch
        rad = self.halo_radius
        out: list[int] = []
        for a, b in segs:
            x0, x1 = min(a[0], b[0]) - rad, max(a[0], b[0]) + rad
            y0, y1 = min(a[1], b[1]) - rad, max(a[1], b[1]) + rad
            i0 = max(1, math.ceil((x0 - lat.x0) / p))
            i1 = min(lat.nx - 2, math.floor((x1 - lat.x0) / p))
            j0 = max(1, math.ceil((y0 - lat.y0) / p))
            j1 = min(lat.ny - 2, math.floor((y1 - lat.y0) / p))
            if i1 < i0 or j1 < j0:
                continue
            ii, jj = np.meshgrid(np.arange(i0, i1 + 1), np.arange(j0, j1 + 1))
            px = lat.x0 + ii.ravel() * p
            py = lat.y0 + jj.ravel() * p
            d = _point_segment_distance(px, py, a, b)
            sel = d < rad
            nodes = (jj.ravel() * lat.nx + ii.ravel())[sel]
            out.extend(int(n) for n in nodes if self.free[n])
        return out


def within90(d: int) -> int:
    """Mask of the directions at most 90 degrees from direction d.

    Args:
        d: a lattice direction, 0..7 (d * 45 degrees).
    """
    m = 0
    for t in (0, 1, -1, 2, -2):
        m |= 1 << ((d + t) % 8)
    return m


def rotate_mask(mask: int, steps: int) -> int:
    """Rotate a direction mask by steps * 45 degrees (counter-clockwise for steps > 0).

    Args:
        mask: an 8-bit mask, bit k for direction k.
        steps: how many 45-degree steps to turn.
    """
    steps %= 8
    return ((mask << steps) | (mask >> (8 - steps))) & 0xFF


def _dir_of(a: Sequence[int], b: Sequence[int]) -> int:
    dx = (b[0] > a[0]) - (b[0] < a[0])
    dy = (b[1] > a[1]) - (b[1] < a[1])
    return DIRS.index((dx, dy))


def _point_segment_distance(px: np.ndarray, py: np.ndarray, a: Sequence[int], b: Sequence[int]
                            ) -> np.ndarray:
    ax, ay = float(a[0]), float(a[1])
    vx, vy = float(b[0]) - ax, float(b[1]) - ay
    ll = vx * vx + vy * vy
    if ll == 0:
        return np.hypot(px - ax, py - ay)
    t = np.clip(((px - ax) * vx + (py - ay) * vy) / ll, 0.0, 1.0)
    return np.hypot(px - (ax + t * vx), py - (ay + t * vy))
