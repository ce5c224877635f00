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

from ..errors import WlpmaskError

# Direction k is k * 45 degrees; odd k are diagonals.
DIRS = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))
SQRT2 = math.sqrt(2.0)
CHUNK = 1 << 20  # nodes (or moves) tested against the blockers at a time
# Lattice nodes one routing problem may have. The router holds about 75 bytes per node (the
# move masks, the occupancy maps, the build's arrays; measured: 1.5 GB at 16 million), so the
# bound means about 5 GB; a 30 x 30 mm die at 2/2 um line/space (a pitch of 4 um) has 7,500 x
# 7,500 = 56 million nodes.
MAX_NODES = 64_000_000


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


def steps_within(c0: float, c1: float, lo: float, hi: float, steps: int) -> tuple[int, int]:
    """The steps of a walk that may lie in an interval, found without making the walk.

    Args:
        c0: where the walk starts (any unit).
        c1: where the walk ends (same unit).
        lo: the interval's lower end (same unit).
        hi: the interval's upper end (same unit).
        steps: the number of equal steps; step k is at c0 + (c1 - c0) * k / steps.

    Returns:
        (k0, k1): a range of steps (0..steps) that holds every step in [lo, hi], and one
        more either side; empty when k0 > k1.
    """
    d = c1 - c0
    if d == 0:
        return (0, steps) if lo <= c0 <= hi else (1, 0)
    t0, t1 = sorted(((lo - c0) / d, (hi - c0) / d))
    return max(0, math.floor(t0 * steps) - 1), min(steps, math.ceil(t1 * steps) + 1)


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

    Args:
        centers: terminal centres, grid units.
        weights: the vote of each centre; per axis the offset with the largest total wins.
        pitch: the lattice pitch, grid units.

    Returns:
        (x, y) offsets in 0..pitch - 1; of equally voted offsets the smallest.
    """
    out = []
    for axis in (0, 1):
        votes: Counter[int] = Counter()
        for c, w in zip(centers, weights):
            votes[c[axis] % pitch] += w
        out.append(min(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0] if votes else 0)
    return out[0], out[1]


def lattice_dims(rules: Rules, bounds: Sequence[int], origin: tuple[int, int]
                 ) -> tuple[int, int, int, int]:
    """The lattice over an area, before anything is allocated for it.

    Args:
        rules: wire rules (the pitch).
        bounds: (xmin, ymin, xmax, ymax) of the routing area, grid units.
        origin: lattice offset mod pitch (from choose_origin).

    Returns:
        (x0, y0, nx, ny): the first node (on the blocked border) and the nodes per row and
        column, grid units.
    """
    p = rules.pitch
    xmin, ymin, xmax, ymax = (int(v) for v in bounds)
    fx = xmin + (origin[0] - xmin) % p
    fy = ymin + (origin[1] - ymin) % p
    return (fx - p, fy - p, max(0, (xmax - fx) // p + 1) + 2, max(0, (ymax - fy) // p + 1) + 2)


class Lattice:
    """Nodes (x0 + i * pitch, y0 + j * pitch), flat index n = j * nx + i.

    The outermost ring of nodes is a blocked border, so neighbour lookups need no bounds check.

    Args:
        rules: wire rules.
        bounds: (xmin, ymin, xmax, ymax) of the routing area, grid units.
        origin: lattice offset mod pitch (from choose_origin).
        allow45: whether diagonal moves exist.

    Raises:
        WlpmaskError: (key "boundary") the area has more than MAX_NODES nodes at this pitch;
            nothing is allocated then.
    """

    def __init__(self, rules: Rules, bounds: Sequence[int], origin: tuple[int, int],
                 allow45: bool):
        p = rules.pitch
        self.rules = rules
        self.pitch = p
        self.allow45 = allow45
        self.x0, self.y0, self.nx, self.ny = lattice_dims(rules, bounds, origin)
        self.size = self.nx * self.ny
        if self.size > MAX_NODES:
            g = rules.grid_um
            xmin, ymin, xmax, ymax = bounds
            raise WlpmaskError(
                f"the routing lattice would have {self.size:,} nodes "
                f"({(xmax - xmin) * g:g} x {(ymax - ymin) * g:g} um at a pitch of {p * g:g} um, "
                f"the wire width plus spacing), more than the bound of {MAX_NODES:,} (about "
                f"{MAX_NODES * 75 / 1e9:.0f} GB): route a smaller area or use a wider width "
                "and spacing", key="boundary")
        self.off = tuple(dy * self.nx + dx for dx, dy in DIRS)
        self.step = tuple(float(p) * (SQRT2 if k % 2 else 1.0) for k in range(8))
        self.emask: list[int] = [0] * self.size

    def xy(self, n: int) -> tuple[int, int]:
        """The position of node n, grid units.

        Args:
            n: the flat node index.
        """
        j, i = divmod(n, self.nx)
        return self.x0 + i * self.pitch, self.y0 + j * self.pitch

    def node_at(self, x: int, y: int) -> int | None:
        """The node exactly at (x, y), or None if (x, y) is not a lattice point inside.

        Args:
            x: grid units.
            y: grid units.
        """
        dx, dy = x - self.x0, y - self.y0
        p = self.pitch
        if dx % p or dy % p:
            return None
        i, j = dx // p, dy // p
        if 0 < i < self.nx - 1 and 0 < j < self.ny - 1:
            return j * self.nx + i
        return None

    def all_xy(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) arrays of every node's position in flat index order, grid units."""
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
        free = np.zeros(self.size, dtype=bool)
        near = np.zeros(self.size, dtype=bool)
        free[idx] = True
        checks = []
        if blockers:
            checks.append((shapely.STRtree(list(blockers)), r.space))
        if outside is not None and not outside.is_empty:
            checks.append((shapely.STRtree(list(getattr(outside, "geoms", [outside]))), 0))
        for lo in range(0, len(idx), CHUNK):  # (a point object per node costs ~150 bytes)
            sub = idx[lo:lo + CHUNK]
            pts = shapely.points(xs[sub], ys[sub])
            for tree, extra in checks:
                hit, _ = tree.query(pts, predicate="dwithin", distance=r.reach + extra - 1e-6)
                free[sub[hit]] = False
                hit, _ = tree.query(pts, predicate="dwithin",
                                    distance=r.reach + extra + 2 * self.pitch)
                near[sub[hit]] = True
        emask = np.zeros(self.size, dtype=np.int64)
        dirs = range(4) if self.allow45 else (0, 2)
        for k in dirs:
            o = self.off[k]
            a = np.flatnonzero(free)
            a = a[(a + o >= 0) & (a + o < self.size)]
            a = a[free[a + o]]
            exact = a[near[a] | near[a + o]]
            bad = np.zeros(len(exact), dtype=bool)
            for lo in range(0, len(exact), CHUNK):
                sub = exact[lo:lo + CHUNK]
                ax, ay = xs[sub], ys[sub]
                bx, by = xs[sub + o], ys[sub + o]
                lines = shapely.linestrings(np.stack([np.column_stack([ax, ay]),
                                                      np.column_stack([bx, by])], axis=1))
                for tree, extra in checks:
                    hit, _ = tree.query(lines, predicate="dwithin",
                                        distance=r.seg_reach + extra - 1e-6)
                    bad[lo + hit] = True
            if len(exact):
                a = a[~np.isin(a, exact[bad])]
            if len(a):
                emask[a] |= 1 << k
                emask[a + o] |= 1 << ((k + 4) % 8)
        self.emask = emask.tolist()
        return free
