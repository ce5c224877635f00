"""The fan-in plan on a routing problem: plan the assignment, put the gates on the lattice.

Large free assignments are planned by plan.py (a flow through the gaps) and gated by gates.py
(one slot per wire on every gap); the planned wires are then routed gap by gap (legs.py).
"""

from __future__ import annotations

import math
from collections import defaultdict

from .gates import BLOCKED, build_gates
from .lattice import DIRS
from .occupancy import FREE
from .plan import plan_fanin
from .state import NetState, Problem

PLAN_MIN_PADS = 500  # pads to assign from which route_rdl tries the fan-in plan first (below,
# the net-by-net router first: as many nets, shorter wires; above, it walls nets in)
PAD_LANE = 2  # lattice nodes straight out of each access of a planned pad kept for its net
FACING = 0.38  # cos of the largest angle between a kept bump access and the way its wire comes


def plan_assignment(prob: Problem) -> dict[int, int]:
    """Free bumps for the one-pad nets, by the fan-in plan (pad terminal -> bump terminal).

    Only nets made of a single pad take part, and only pads and free bumps that a stub can
    leave (a wire planned to a terminal without access would have no net to gate, and would
    hold its room and its bump for nothing: the matching gives such a pad a bump, and the
    router reports it blocked). The plan is kept on `prob` for the gates.

    Args:
        prob: the routing problem, before the assignment.
    """
    by_net: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(prob.terms):
        if t.net is not None:
            by_net[t.net].append(i)
    pads = sorted(idx[0] for idx in by_net.values()
                  if len(idx) == 1 and prob.terms[idx[0]].kind == "pad"
                  and prob.accesses(idx[0]))
    bumps = [i for i, t in enumerate(prob.terms)
             if t.kind == "bump" and t.net is None and prob.accesses(i)]
    if not pads or not bumps:
        return {}
    reserved = {n for b in bumps for n in prob.access_nodes(b)}
    plan = plan_fanin(lat=prob.lat, free=prob.builder.free,
                      centers=[prob.center(i) for i in range(len(prob.terms))],
                      kinds=[t.kind for t in prob.terms], pads=pads, bumps=bumps,
                      obstacles=prob.obstacles, boundary=prob.boundary, reserved=reserved)
    prob.plan = plan
    return dict(plan.bump_of)


def apply_gates(prob: Problem, nets: dict[int, NetState], planned: dict[int, int],
                 term_net: list[int]) -> None:
    """Put the plan's gates on the lattice and give the planned nets their slots.

    Args:
        prob: the routing problem, its fan-in plan made (prob.plan).
        nets: net id -> state; planned nets get their waypoints.
        planned: pad terminal index -> bump terminal index, as the plan assigned them.
        term_net: each terminal's net id, or -1.
    """
    net_of_pad = {p: term_net[p] for p in planned if term_net[p] in nets}
    kept: dict[int, list[int]] = {}
    for p, b in sorted(planned.items()):
        if p in net_of_pad:
            k = term_net[b]
            sides = prob.bump_sides[k] = set(_facing_accesses(prob, p, b))
            acc = prob.accesses(b)
            kept[k] = [n for ai in sorted(sides) for n in (acc[ai].node, *acc[ai].own)]
    gates = build_gates(prob.plan, lat=prob.lat, net_of_pad=net_of_pad, kept=kept)
    prob.occ.gate = gates.gate
    for k, w in gates.ways.items():
        nets[k].waypoints = w
    prob.slot_cuts = gates.cut_of
    lat = prob.lat
    # the room a planned pad's stubs need (their own and halo nodes) is its net's; a node in
    # the room of two pads is closed to both (a wire turning past it would close the other in)
    room: dict[int, set[int]] = defaultdict(set)
    for pad, k in sorted(net_of_pad.items()):
        for a in prob.accesses(pad):
            for n in (*a.own, *a.halo):
                room[n].add(k)
    for n, ks in sorted(room.items()):
        if gates.gate[n] == FREE:
            gates.gate[n] = next(iter(ks)) if len(ks) == 1 else BLOCKED
    for pad, k in sorted(net_of_pad.items()):
        cx, cy = prob.center(pad)
        for a in prob.accesses(pad):
            # the first steps straight out of a pad are its own: a neighbour's wire that turns
            # across them would close the pad in
            x, y = lat.xy(a.node)
            d = max((0, 2, 4, 6), key=lambda q: (x - cx) * DIRS[q][0] + (y - cy) * DIRS[q][1])
            if gates.gate[a.node] == BLOCKED:  # its own access node, in a neighbour's halo
                gates.gate[a.node] = k
            for s in range(PAD_LANE):
                n = a.node + s * lat.off[d]
                if 0 <= n < lat.size and gates.gate[n] == FREE:
                    gates.gate[n] = k


def _facing_accesses(prob: Problem, pad: int, bump: int) -> list[int]:
    """Indices of the accesses of a planned bump its wire may take.

    Those inside the corner of the face the plan brings it in through (see Plan.entry);
    others would cut across the wires that pass the bump. If none is, those facing the way it
    comes (within FACING of the way to the last gap it crosses, or to its pad).
    """
    plan = prob.plan
    bx, by = prob.center(bump)
    xy = [prob.lat.xy(a.node) for a in prob.accesses(bump)]
    angle = [math.atan2(y - by, x - bx) for x, y in xy]
    if pad in plan.entry:
        (ux, uy), (vx, vy) = plan.entry[pad]
        a0 = math.atan2(uy - by, ux - bx)
        span = (math.atan2(vy - by, vx - bx) - a0) % (2 * math.pi)
        inside = [k for k, w in enumerate(angle)
                  if (w - a0 + 1e-6) % (2 * math.pi) <= span + 2e-6]
        if inside:
            return inside
    gaps = [e for e, _ in plan.crossings.get(pad, ()) if plan.cuts[e].gap]
    if gaps:
        c = plan.cuts[gaps[-1]]
        tx, ty = (plan.points[c.u] + plan.points[c.v]) / 2
    else:
        tx, ty = prob.center(pad)
    t = math.atan2(ty - by, tx - bx)
    return [k for k, w in enumerate(angle) if math.cos(w - t) >= FACING]
