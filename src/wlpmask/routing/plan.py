"""Topological plan of a fan-in: which bump each pad gets and the order of wires in each gap.

The routing area is cut into faces (faces.py) whose sides are cuts with capacities (cuts.py).
A minimum-cost flow sends one unit from every pad that needs a bump, through the faces, into
distinct free bumps (single-commodity: the flow chooses the assignment and the global routes
at once, within every capacity). The flow is then turned into wires that cannot cross
(trace.py): every pad gets its bump and its position in the order of wires on every cut it
crosses.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from .cuts import Cut, make_cuts
from .faces import BUMP, PAD, Faces, delaunay_faces, split_cells, vertices
from .flow import FlowError, min_cost_flow
from .lattice import Lattice
from .trace import trace_wires

UNSERVED = 50.0  # cost (in die diagonals) of leaving a pad without a bump
# (share of a cut's capacity, extra cost per wire in typical face-to-face hops): wires spread
# over neighbouring gaps before a gap fills up, which leaves room to turn in the faces
FILL_TIERS = ((0.5, 0.0), (0.75, 0.5), (1.0, 2.0))


@dataclass
class Plan:
    """Result of plan_fanin.

    Args:
        bump_of: pad terminal -> bump terminal.
        crossings: pad terminal -> [(cut id, position)] from the pad to its bump; position 0
            is the wire nearest the cut's vertex u.
        count: cut id -> number of wires the plan sends across it.
        cuts: every cut.
        unserved: pads the flow could not bring to a free bump.
        entry: pad terminal -> the corner of the face through which its wire enters its bump,
            as the two neighbouring vertices (grid units) that bound it counter-clockwise
            (the wire must reach the bump between them, or it crosses the wires around it).
        points: vertex coordinates (grid units).
        centers: terminal centres (grid units).
    """

    bump_of: dict[int, int] = field(default_factory=dict)
    crossings: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    count: dict[int, int] = field(default_factory=dict)
    cuts: list[Cut] = field(default_factory=list)
    unserved: list[int] = field(default_factory=list)
    entry: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    points: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    centers: list[tuple[float, float]] = field(default_factory=list)



def plan_fanin(*, lat: Lattice, free: np.ndarray, centers: Sequence[tuple[float, float]],
               kinds: Sequence[str], pads: Sequence[int], bumps: Sequence[int],
               obstacles: Sequence[BaseGeometry], boundary: Polygon,
               reserved: set[int] | frozenset[int] = frozenset()) -> Plan:
    """Assign free bumps to pads and plan the order of their wires through every gap.

    Args:
        lat: the routing lattice (grid units).
        free: usable lattice nodes (Lattice.build_static).
        centers: every terminal's centre, grid units.
        kinds: every terminal's kind ("pad" or "bump").
        pads: terminals that need a bump (one wire each).
        bumps: free bumps they may take.
        obstacles: obstacle shapes, grid units.
        boundary: routing boundary, grid units.
        reserved: lattice nodes no wire may cross at (terminal accesses).
    """
    vkind = [PAD if k == "pad" else BUMP for k in kinds]
    step = 4.0 * lat.pitch
    p = lat.pitch
    window = (lat.x0 - step, lat.y0 - step, lat.x0 + (lat.nx - 1) * p + step,
              lat.y0 + (lat.ny - 1) * p + step)
    pts, kind, vterms = vertices(centers, vkind, obstacles, boundary, step, window)
    c = boundary.centroid
    pts, kind, vterms, faces = split_cells(pts, kind, vterms, delaunay_faces(pts),
                                           np.array([c.x, c.y]))
    plan = Plan(points=pts, centers=list(centers))
    plan.cuts, cut_id = make_cuts(lat, free, pts, kind, faces.edge_faces, reserved)
    pad_list = sorted(pads)
    solved = _flow(faces, plan.cuts, cut_id, vterms, centers, pad_list, sorted(bumps),
                   boundary)
    if solved is None:
        plan.unserved = pad_list
        return plan
    across, starts, ends = solved
    plan.count = {e: abs(n) for e, n in across.items()}
    wires = trace_wires(faces=faces, pts=pts, vterms=vterms, cuts=plan.cuts, cut_id=cut_id,
                        across=across, starts=starts, ends=ends, pads=pad_list)
    plan.bump_of, plan.crossings = wires.bump_of, wires.crossings
    plan.entry, plan.unserved = wires.entry, wires.unserved
    return plan


def _flow(faces: Faces, cuts: Sequence[Cut], cut_id: Mapping[tuple[int, int], int],
          vterms: Sequence[Sequence[int]], centers: Sequence[tuple[float, float]],
          pad_list: list[int], bump_list: list[int], boundary: Polygon
          ) -> tuple[dict[int, int], set[tuple[int, int]], set[tuple[int, int]]] | None:
    """The minimum-cost flow from the pads through the faces into distinct free bumps.

    Args:
        faces: the plan's faces.
        cuts: their sides (cuts.make_cuts).
        cut_id: side (u, v) -> cut index (cuts.make_cuts).
        vterms: the terminals at each vertex.
        centers: every terminal's centre, grid units.
        pad_list: pads that need a bump (sorted).
        bump_list: free bumps (sorted).
        boundary: routing boundary, grid units (its diagonal prices an unserved pad).

    Returns:
        None if the network has no feasible flow; else (cut id -> net wires across it,
        positive from the first face of its side to the second; (pad, face) where a pad's
        unit leaves; (bump, face) where a bump's unit arrives).
    """
    nf = len(faces.cycles)
    pad_node = {t: nf + k for k, t in enumerate(pad_list)}
    bump_node = {t: nf + len(pad_list) + k for k, t in enumerate(bump_list)}
    sink = nf + len(pad_list) + len(bump_list)
    vfaces: dict[int, list[int]] = defaultdict(list)
    for f, cyc in enumerate(faces.cycles):
        for v in cyc:
            vfaces[v].append(f)
    tails: list[int] = []
    heads: list[int] = []
    caps: list[float] = []
    costs: list[float] = []
    arc_of: dict[tuple, int] = {}

    def arc(key: tuple, t: int, h: int, cap: float, cost: float) -> None:
        arc_of[key] = len(tails)
        tails.append(t)
        heads.append(h)
        caps.append(cap)
        costs.append(cost)

    cen = faces.centroid
    hops = {e: float(np.hypot(*(cen[fs[0]] - cen[fs[1]])))
            for (u, v), e in cut_id.items() for fs in [faces.edge_faces[(u, v)]]}
    typical = float(np.median(list(hops.values()))) if hops else 1.0
    for (u, v), e in cut_id.items():
        f, g = faces.edge_faces[(u, v)]
        cap = len(cuts[e].usable)
        lo = 0
        for share, extra in FILL_TIERS:  # convex cost: full gaps cost more per wire
            hi = min(cap, int(math.ceil(share * cap)))
            if hi > lo:
                d = hops[e] + extra * typical
                arc(("c", f, e, lo), f, g, hi - lo, d)
                arc(("c", g, e, lo), g, f, hi - lo, d)
            lo = hi
    term_vertex = {t: v for v, ts in enumerate(vterms) for t in ts}
    diag = math.dist(boundary.bounds[:2], boundary.bounds[2:])
    for t in pad_list:
        c = np.asarray(centers[t])
        for f in vfaces[term_vertex[t]]:
            arc(("p", t, f), pad_node[t], f, 1, float(np.hypot(*(cen[f] - c))))
        arc(("u", t, 0), pad_node[t], sink, 1, UNSERVED * diag)
    for t in bump_list:
        c = np.asarray(centers[t])
        for f in vfaces[term_vertex[t]]:
            arc(("b", t, f), f, bump_node[t], 1, float(np.hypot(*(cen[f] - c))))
        arc(("s", t, 0), bump_node[t], sink, 1, 0.0)
    supply = np.zeros(sink + 1)
    supply[[pad_node[t] for t in pad_list]] = 1
    supply[sink] = -len(pad_list)
    try:
        x = min_cost_flow(nodes=sink + 1, tails=tails, heads=heads, caps=caps, costs=costs,
                          supply=supply)
    except FlowError:
        return None

    def flow(key: tuple) -> int:
        k = arc_of.get(key)
        return int(x[k]) if k is not None else 0

    def across_flow(f: int, e: int) -> int:
        return sum(flow(("c", f, e, lo)) for lo in tier_starts.get(e, ()))

    tier_starts: dict[int, list[int]] = defaultdict(list)
    for key in arc_of:
        if key[0] == "c" and key[3] not in tier_starts[key[2]]:
            tier_starts[key[2]].append(key[3])

    # net wires across each cut (positive: from the face listed first to the second)
    across: dict[int, int] = {}
    for (u, v), e in cut_id.items():
        f, g = faces.edge_faces[(u, v)]
        n = across_flow(f, e) - across_flow(g, e)
        if n:
            across[e] = n
    starts = {(t, f) for t in pad_list for f in vfaces[term_vertex[t]] if flow(("p", t, f))}
    ends = {(t, f) for t in bump_list for f in vfaces[term_vertex[t]] if flow(("b", t, f))}
    return across, starts, ends
