"""Cuts of the fan-in plan: the sides between faces, as lattice nodes, and their capacities.

Each side of a face is a cut between two vertices; its capacity is the number of usable
lattice nodes on it, which is the number of wires that can cross it (the diagonals that
split_cells adds cap the wires that cross a cell: its sides alone overstate its room, which
the wires that turn round its corners share). On a gap (a cut between two bumps or
obstacles) a wire crosses straight through its own node, its slot, with one usable step
either side, off every other gap line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import WlpmaskError
from .faces import PAD
from .lattice import DIRS, Lattice, steps_within

# Lattice nodes the cuts of one plan may cross, all cuts together (about 130 bytes each while
# the cuts are made, measured: 2 GB). Cuts are short where terminals are dense: a fan-in of
# 30 x 30 mm at 2/2 um line/space under a full 0.4 mm bump array has 2.4 million.
MAX_CUT_NODES = 16_000_000


@dataclass(frozen=True)
class Cut:
    """A face side between vertices u < v.

    Args:
        u, v: vertex ids.
        nodes: lattice nodes on the segment from u to v (8-connected), in order.
        usable: positions in `nodes` where a wire may cross (on a gap: where it may have its
            slot, with a usable step either side).
        gap: both ends are bumps or obstacles: the plan's order is enforced here.
    """

    u: int
    v: int
    nodes: tuple[int, ...]
    usable: tuple[int, ...]
    gap: bool


def normal_dir(a: np.ndarray, b: np.ndarray) -> int:
    """The octilinear line direction (0..3, DIRS) most nearly normal to the segment a-b.

    Args:
        a: the segment's start, grid units.
        b: the segment's end, grid units.
    """
    tx, ty = b[0] - a[0], b[1] - a[1]
    tl = math.hypot(tx, ty) or 1.0
    return max(range(4), key=lambda d: (abs(DIRS[d][0] * ty - DIRS[d][1] * tx)
                                        / math.hypot(*DIRS[d]) / tl, -d))


def _steps(lat: Lattice, a: np.ndarray, b: np.ndarray
           ) -> tuple[float, float, float, float, int, int, int]:
    """The segment a-b in lattice coordinates, its steps, and the steps inside the lattice.

    Returns (i0, j0, i1, j1, steps, first, last): first and last are the steps that may fall
    inside the lattice (an end far outside it, an obstacle's corner say, would make the
    segment as long as the distance, in nodes).
    """
    p = lat.pitch
    i0, j0 = (a[0] - lat.x0) / p, (a[1] - lat.y0) / p
    i1, j1 = (b[0] - lat.x0) / p, (b[1] - lat.y0) / p
    steps = max(1, int(math.ceil(max(abs(i1 - i0), abs(j1 - j0)))))
    ka, kb = steps_within(i0, i1, 0, lat.nx - 1, steps)
    ja, jb = steps_within(j0, j1, 0, lat.ny - 1, steps)
    return i0, j0, i1, j1, steps, max(ka, ja), min(kb, jb)


def _raster(lat: Lattice, a: np.ndarray, b: np.ndarray) -> list[int]:
    """Lattice nodes on the segment a-b, 8-connected (one per step of the longer axis)."""
    i0, j0, i1, j1, steps, ka, kb = _steps(lat, a, b)
    if ka > kb:
        return []
    t = np.arange(ka, kb + 1) / steps
    ii = np.rint(i0 + (i1 - i0) * t).astype(np.int64)
    jj = np.rint(j0 + (j1 - j0) * t).astype(np.int64)
    ok = (ii > 0) & (ii < lat.nx - 1) & (jj > 0) & (jj < lat.ny - 1)
    nodes = (jj * lat.nx + ii)[ok]
    out: list[int] = []
    for n in nodes.tolist():
        if not out or out[-1] != n:
            out.append(n)
    return out


def make_cuts(lat: Lattice, free: np.ndarray, pts: np.ndarray, kind: list[int],
              edge_faces: Mapping[tuple[int, int], list[int]],
              reserved: set[int] | frozenset[int]
              ) -> tuple[list[Cut], dict[tuple[int, int], int]]:
    """Every side between two faces as a cut, with the positions where wires may cross it.

    Args:
        lat: the routing lattice (grid units).
        free: usable lattice nodes (Lattice.build_static).
        pts: (N, 2) vertex coordinates, grid units.
        kind: each vertex's kind (faces.PAD, BUMP or OTHER): a cut between two non-pad
            vertices is a gap.
        edge_faces: side (u, v) -> the faces on it (faces.Faces.edge_faces).
        reserved: lattice nodes no wire may cross at (terminal accesses).

    Returns:
        (cuts, side (u, v) -> cut id).

    Raises:
        WlpmaskError: (key "boundary") the cuts would cross more than MAX_CUT_NODES lattice
            nodes; counted before any is listed.
    """
    cuts: list[Cut] = []
    cut_id: dict[tuple[int, int], int] = {}
    sides = [(u, v) for (u, v), fs in sorted(edge_faces.items()) if len(fs) == 2]
    count = sum(max(0, kb - ka + 1) for u, v in sides
                for *_, ka, kb in [_steps(lat, pts[u], pts[v])])
    if count > MAX_CUT_NODES:
        raise WlpmaskError(f"the fan-in plan's cuts would cross {count:,} lattice nodes, more "
                           f"than the bound of {MAX_CUT_NODES:,}", key="boundary")
    rasters = {(u, v): _raster(lat, pts[u], pts[v]) for u, v in sides}
    lines: dict[int, int] = {}  # node -> number of gap lines through it
    for (u, v), nodes in rasters.items():
        if kind[u] != PAD and kind[v] != PAD:
            for n in set(nodes):
                lines[n] = lines.get(n, 0) + 1
    em = lat.emask
    slots: dict[tuple[int, int], list[int]] = {}
    steps: dict[int, int] = {}  # node -> how many candidate slots have it as a step
    for (u, v), nodes in rasters.items():
        if kind[u] != PAD and kind[v] != PAD:
            # a wire crosses a gap straight through its slot: one step either side, both
            # usable and off every gap line (where gap lines meet)
            d = normal_dir(pts[u], pts[v])
            o = lat.off[d]
            slots[(u, v)] = [k for k, n in enumerate(nodes)
                             if free[n] and n not in reserved and lines.get(n) == 1
                             and n - o >= 0 and n + o < lat.size
                             and not lines.get(n - o) and not lines.get(n + o)
                             and n - o not in reserved and n + o not in reserved
                             and (em[n - o] >> d) & 1 and (em[n] >> d) & 1]
            for k in slots[(u, v)]:
                for m in (nodes[k] - o, nodes[k] + o):
                    steps[m] = steps.get(m, 0) + 1
    for (u, v), nodes in rasters.items():
        if (u, v) in slots:  # and no step shared with a slot of another gap
            o = lat.off[normal_dir(pts[u], pts[v])]
            usable = tuple(k for k in slots[(u, v)]
                           if steps[nodes[k] - o] == 1 and steps[nodes[k] + o] == 1)
        else:
            usable = tuple(k for k, n in enumerate(nodes) if free[n] and n not in reserved)
        cut_id[(u, v)] = len(cuts)
        cuts.append(Cut(u, v, tuple(nodes), usable, (u, v) in slots))
    return cuts, cut_id
