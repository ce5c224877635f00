"""The routing lattice: integer grid units, pitch = width + spacing, static move masks.

A wire's centre-line runs from lattice node to lattice node in the eight octilinear directions.
Its metal is built by `outline` from flat-ended segments and octagonal joints, so every metal
point lies within `reach` of a centre-line vertex and within `seg_reach` of a segment. A node is
usable if it keeps reach + space from every blocker (obstacles and all terminals) and reach from
outside the boundary; a move is usable if its segment keeps seg_reach + space (seg_reach from
outside). Everything here is computed once per routing problem with vectorized shapely queries.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

# Direction k is k * 45 degrees; odd k are diagonals.
DIRS = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))
SQRT2 = math.sqrt(2.0)


@dataclass(frozen=True)
class Rules:
    """Wire rules in integer grid units.

    Args:
        grid_um: the grid unit in um.
        width: wire width.
        space: minimum spacing.
        half: half width of an axis-parallel wire (rounded up).
        diag: the perpendicular offset of a diagonal wire's sides along each axis (its half
            width is diag * sqrt(2) >= half).
        reach: largest distance of a joint's metal from its centre-line vertex.
        seg_reach: largest distance of a segment's metal from its centre-line.
        pitch: lattice pitch (even, so all diagonal outline edges meet on grid points).
    """

    grid_um: float
    width: int
    space: int
    half: int
    diag: int
    reach: float
    seg_reach: float
    pitch: int


def make_rules(*, width_um: float, space_um: float, grid_um: float) -> Rules:
    """Convert width and spacing to grid units and derive the lattice pitch.

    Args:
        width_um: wire width, um.
        space_um: spacing, um.
        grid_um: manufacturing grid, um.
    """
    width = math.ceil(width_um / grid_um - 1e-6)
    space = math.ceil(space_um / grid_um - 1e-6)
    half = math.ceil(width / 2)
    diag = math.ceil(half / SQRT2 - 1e-9)
    reach = math.hypot(half, 2 * diag - half)
    seg_reach = max(half, diag * SQRT2)
    pitch = 2 * half + space
    pitch += pitch % 2
    return Rules(grid_um, width, space, half, diag, reach, seg_reach, pitch)


def choose_origin(centers: Sequence[tuple[int, int]], weights: Sequence[float], pitch: int
                  ) -> tuple[int, int]:
    """Lattice offset (mod pitch) that puts the most terminal centres on lattice lines.

    Bumps on nodes see symmetric gaps (the most tracks between neighbours) and can be entered
    from all eight directions without a jog.
    """
    out = []
    for axis in (0, 1):
        votes: Counter[int] = Counter()
        for c, w in zip(centers, weights):
            votes[c[axis] % pitch] += w
        out.append(min(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0] if votes else 0)
    return out[0], out[1]


class Lattice:
    """Nodes (x0 + i * pitch, y0 + j * pitch), flat index n = j * nx + i.

    The outermost ring of nodes is a blocked border, so neighbour lookups need no bounds check.

    Args:
        rules: wire rules.
        bounds: (xmin, ymin, xmax, ymax) of the routing area, grid units.
        origin: lattice offset mod pitch (from choose_origin).
        allow45: whether diagonal moves exist.
    """

    def __init__(self, rules: Rules, bounds: Sequence[int], origin: tuple[int, int],
                 allow45: bool):
        p = rules.pitch
        xmin, ymin, xmax, ymax = (int(v) for v in bounds)
        fx = xmin + (origin[0] - xmin) % p
        fy = ymin + (origin[1] - ymin) % p
        self.rules = rules
        self.pitch = p
        self.allow45 = allow45
        self.x0 = fx - p
        self.y0 = fy - p
        self.nx = max(0, (xmax - fx) // p + 1) + 2
        self.ny = max(0, (ymax - fy) // p + 1) + 2
        self.size = self.nx * self.ny
        self.off = tuple(dy * self.nx + dx for dx, dy in DIRS)
        self.step = tuple(float(p) * (SQRT2 if k % 2 else 1.0) for k in range(8))
        self.emask: list[int] = [0] * self.size

    def xy(self, n: int) -> tuple[int, int]:
        j, i = divmod(n, self.nx)
        return self.x0 + i * self.pitch, self.y0 + j * self.pitch

    def node_at(self, x: int, y: int) -> int | None:
        """The node exactly at (x, y), or None if (x, y) is not a lattice point inside."""
        dx, dy = x - self.x0, y - self.y0
        p = self.pitch
        if dx % p or dy % p:
            return None
        i, j = dx // p, dy // p
        if 0 < i < self.nx - 1 and 0 < j < self.ny - 1:
            return j * self.nx + i
        return None

    def all_xy(self) -> tuple[np.ndarray, np.ndarray]:
        jj, ii = np.divmod(np.arange(self.size), self.nx)
        return self.x0 + ii * self.pitch, self.y0 + jj * self.pitch

    def build_static(self, blockers: Sequence[BaseGeometry], outside: BaseGeometry | None
                     ) -> np.ndarray:
        """Fill `emask` from the blockers; return the boolean array of usable nodes.

        Args:
            blockers: obstacles and terminals, grid units; wires keep `space` from them.
            outside: the region outside the boundary, grid units; wires stay out of it.
        """
        r = self.rules
        xs, ys = self.all_xy()
        jj, ii = np.divmod(np.arange(self.size), self.nx)
        inner = (ii > 0) & (ii < self.nx - 1) & (jj > 0) & (jj < self.ny - 1)
        idx = np.flatnonzero(inner)
        pts = shapely.points(xs[idx], ys[idx])
        free = np.zeros(self.size, dtype=bool)
        near = np.zeros(self.size, dtype=bool)
        free[idx] = True
        checks = []
        if blockers:
            checks.append((shapely.STRtree(list(blockers)), r.space))
        if outside is not None and not outside.is_empty:
            checks.append((shapely.STRtree(list(getattr(outside, "geoms", [outside]))), 0))
        for tree, extra in checks:
            hit, _ = tree.query(pts, predicate="dwithin", distance=r.reach + extra - 1e-6)
            free[idx[hit]] = False
            hit, _ = tree.query(pts, predicate="dwithin",
                                distance=r.reach + extra + 2 * self.pitch)
            near[idx[hit]] = True
        emask = np.zeros(self.size, dtype=np.int64)
        dirs = range(4) if self.allow45 else (0, 2)
        for k in dirs:
            o = self.off[k]
            a = np.flatnonzero(free)
            a = a[(a + o >= 0) & (a + o < self.size)]
            a = a[free[a + o]]
            exact = a[near[a] | near[a + o]]
            if len(exact):
                ax, ay = xs[exact], ys[exact]
                bx, by = xs[exact + o], ys[exact + o]
                lines = shapely.linestrings(np.stack([np.column_stack([ax, ay]),
                                                      np.column_stack([bx, by])], axis=1))
                bad = np.zeros(len(exact), dtype=bool)
                for tree, extra in checks:
                    hit, _ = tree.query(lines, predicate="dwithin",
                                        distance=r.seg_reach + extra - 1e-6)
                    bad[hit] = True
                a = a[~np.isin(a, exact[bad])]
            if len(a):
                emask[a] |= 1 << k
                emask[a + o] |= 1 << ((k + 4) % 8)
        self.emask = emask.tolist()
        return free
