"""What steers the searches before any net is routed: escape lanes, segments, corridors.

Escape lanes are marked in front of every pad (and unplanned bump) access, and each
two-terminal net's straight pad-bump segment on the lattice: other nets pay to cross them,
which keeps the crossing-free plan of the assignment. On large problems a global stage
(corridor.py) routes the nets over tiles with track capacities and gives each net a corridor
that its first search stays in.
"""

from __future__ import annotations

import math

from .corridor import TileGraph, corridor_mask, route_tiles
from .lattice import steps_within
from .state import NetState, Problem

LANE_STEPS = 3  # lattice steps straight out of each terminal access that other nets avoid ...
LANE_COST = 2.0  # ... at this many pitches per node
BUMP_LANES = True  # lanes out of bump accesses too: wires that hug a bump close it in
SEGMENT_LANES = True  # other nets pay PLAN_COST per node to cross a net's pad-bump segment
PLAN_COST = 2.0  # pitches
TILE = 8  # lattice steps per tile of the global stage
WIDEN = 1  # tiles added around each net's global path to make its corridor
GLOBAL_MIN_NETS = 64  # fewer two-terminal nets than this: no global stage (little to gain)


def mark_lanes(prob: Problem, nets: dict[int, NetState], *, planned: bool) -> None:
    """Mark the escape lanes in front of the terminal accesses; other nets pay to cross them.

    Args:
        prob: the routing problem.
        nets: net id -> state.
        planned: the assignment came from the fan-in plan (its bumps get no lanes).
    """
    prob.occ.reserve_cost = LANE_COST * prob.lat.pitch
    for k in sorted(nets):
        for t in nets[k].terms:
            if prob.terms[t].kind != "pad" and (planned or not BUMP_LANES):
                continue  # pads sit in rows where a wire passing in front walls others in
                # (a planned bump's accesses are kept by the gates: a lane only bends the
                # wires that pass it)
            for a in prob.accesses(t):
                lane = [a.node + s * prob.lat.off[a.dir] for s in range(LANE_STEPS + 1)]
                prob.occ.reserve_lane(k, [n for n in lane if 0 <= n < prob.lat.size])


def mark_segments(prob: Problem, nets: dict[int, NetState]) -> None:
    """Mark each unplanned two-terminal net's straight segment; other nets pay to cross it.

    Args:
        prob: the routing problem.
        nets: net id -> state (after the gates gave the planned nets their waypoints).
    """
    if SEGMENT_LANES:
        for k in sorted(nets):
            if len(nets[k].terms) == 2 and nets[k].waypoints is None:
                prob.occ.reserve_plan(k, _segment_nodes(prob, *nets[k].terms))
        prob.occ.plan_cost = PLAN_COST * prob.lat.pitch


def _segment_nodes(prob: Problem, a: int, b: int) -> list[int]:
    """Lattice nodes along the straight segment between the centres of terminals a and b.

    The nodes are 4-connected, so that no path can cross the segment without entering one of
    them. A minimum-length assignment makes these segments mutually crossing-free; charging
    other nets for crossing them keeps each wire on the side of every bump that its segment
    plans, so a wire routed early does not cut off a net routed later.
    """
    lat = prob.lat
    p = lat.pitch
    (x0, y0), (x1, y1) = prob.center(a), prob.center(b)
    i0, j0 = (x0 - lat.x0) / p, (y0 - lat.y0) / p
    i1, j1 = (x1 - lat.x0) / p, (y1 - lat.y0) / p
    steps = max(1, int(math.ceil(4 * max(abs(i1 - i0), abs(j1 - j0)))))
    # only the steps that can fall on the lattice (a terminal far larger than the routing
    # area may have its centre far outside it)
    ka, kb = steps_within(i0, i1, 0, lat.nx - 1, steps)
    ja, jb = steps_within(j0, j1, 0, lat.ny - 1, steps)
    out: list[int] = []
    prev = None
    for s in range(max(ka, ja), min(kb, jb) + 1):
        t = s / steps
        i = int(round(i0 + t * (i1 - i0)))
        j = int(round(j0 + t * (j1 - j0)))
        if prev is not None and (i, j) == prev:
            continue
        if prev is not None and i != prev[0] and j != prev[1]:
            out.append(prev[1] * lat.nx + i)  # the corner that makes the line 4-connected
        out.append(j * lat.nx + i)
        prev = (i, j)
    return [n for n in out if 0 <= n < lat.size]


def plan_corridors(prob: Problem, nets: dict[int, NetState]) -> None:
    """Global stage: route the two-terminal nets on the tile graph; keep their corridors.

    Args:
        prob: the routing problem.
        nets: net id -> state; unplanned two-terminal nets get their corridor (from
            GLOBAL_MIN_NETS of them on).
    """
    two = [k for k in sorted(nets) if len(nets[k].terms) == 2 and nets[k].waypoints is None]
    if len(two) < GLOBAL_MIN_NETS:
        return
    lat = prob.lat
    graph = TileGraph(lat, TILE)
    p = lat.pitch

    def tile(t: int) -> int:
        x, y = prob.center(t)
        i = min(max(int(round((x - lat.x0) / p)), 0), lat.nx - 1)
        j = min(max(int(round((y - lat.y0) / p)), 0), lat.ny - 1)
        return graph.tile_of(j * lat.nx + i)

    demands = {k: (tile(nets[k].terms[0]), tile(nets[k].terms[1])) for k in two}
    for k, tiles in route_tiles(graph, demands).items():
        nets[k].corridor = (corridor_mask(graph, tiles, WIDEN), graph.tile, graph.tx)
