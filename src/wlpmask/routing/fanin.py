"""The fan-in plan's passes: plan the assignment, put the gates on the lattice, and route the
planned wires gap by gap.

Large free assignments are planned by plan.py (a flow through the gaps) and gated by gates.py
(one slot per wire on every gap). Each planned wire crosses each gap straight through its
slot, so the slots cut it into legs, each inside one region between gaps; regions do not
interact. The legs are routed shortest first: within a region, a leg that turns around a
corner is shorter than the legs that turn around it, so the inner wires are down before the
outer ones go round them. Planned wires that route are never ripped up; the others are named.
"""

from __future__ import annotations

import math
from collections import defaultdict

from .access import rotate_mask
from .astar import Found, search
from .gates import BLOCKED, build_gates, normal_dir
from .lattice import DIRS
from .occupancy import FREE
from .outline import simplify_polyline
from .plan import plan_fanin
from .state import BEND, NetState, Problem, commit, cut_corners, guide_between

PLAN_MIN_PADS = 500  # pads to assign from which route_rdl tries the fan-in plan first (below,
# the net-by-net router first: as many nets, shorter wires; above, it walls nets in)
LEG_BUDGET = (2000, 6.0)  # expansions of a leg between two slots: constant + factor * steps**2
LEG_GUIDE = (2.0, 0.5)  # pitches of cost per pitch farther than the second value from the
# straight line between two slots: parallel wires take parallel shapes
PAD_LANE = 2  # lattice nodes straight out of each access of a planned pad kept for its net
FACING = 0.38  # cos of the largest angle between a kept bump access and the way its wire comes


def plan_assignment(prob: Problem) -> dict[int, int]:
    """Free bumps for the one-pad nets, by the fan-in plan (pad terminal -> bump terminal).

    Only nets made of a single pad take part; the plan is kept on `prob` for the gates.
    """
    by_net: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(prob.terms):
        if t.net is not None:
            by_net[t.net].append(i)
    pads = sorted(idx[0] for idx in by_net.values()
                  if len(idx) == 1 and prob.terms[idx[0]].kind == "pad")
    bumps = [i for i, t in enumerate(prob.terms) if t.kind == "bump" and t.net is None]
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
    """Put the plan's gates on the lattice and give the planned nets their slots."""
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
    """Indices of the accesses of a planned bump its wire may take: those inside the corner
    of the face the plan brings it in through (see Plan.entry); others would cut across the
    wires that pass the bump. If none is, those facing the way it comes (within FACING of
    the way to the last gap it crosses, or to its pad)."""
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


def _crossing(prob: Problem, net: int, node: int, cut: int,
              before: tuple[float, float], after: tuple[float, float], line: int | None = None
              ) -> tuple[int, int, int] | None:
    """How a wire crosses a gap at its slot: (direction, node before, node after).

    The wire runs straight through the slot, one step each side, from the side of `before`
    to the side of `after`. Across a gap along an axis the direction is the gap's normal
    (slots are only where those steps are usable and off every gap line: plan.py); across a
    diagonal gap it is whichever of the normal and the two axes at 45 degrees to it lies
    nearest the wire's way and keeps clear of the steps and corners of the wires already
    through; `line` (0..3), the line along which the wires through this gap cross it, is
    tried first. None if no direction does.
    """
    k = normal_dir(prob.plan, cut)
    vx, vy = after[0] - before[0], after[1] - before[1]
    if DIRS[k][0] * vx + DIRS[k][1] * vy < 0:
        k += 4
    lat = prob.lat
    gate = prob.occ.gate
    # a diagonal gap may also be crossed along an axis (45 degrees to its normal): a wire
    # running along the axis then crosses without a jog
    ways = [k] if k % 2 == 0 else sorted(
        (k, (k + 1) % 8, (k - 1) % 8),
        key=lambda q: (q % 4 != line, -(DIRS[q][0] * vx + DIRS[q][1] * vy) / math.hypot(*DIRS[q])))
    cc = prob.cross_corners
    for d in ways:
        o = lat.off[d]
        p, q = node - o, node + o
        if not (lat.emask[p] >> d) & 1 or not (lat.emask[node] >> d) & 1:
            continue
        # the steps beside the slot are the net's own; so are the corners its diagonal steps
        # cut (no other wire may run there), which parallel diagonal steps may share
        corners = cut_corners(lat, (p, node), (d, d))
        if any(gate[n] not in (FREE, net) or cc.get(n, net) != net for n in (p, q)):
            continue
        if any(gate[c] not in (FREE, net) and c not in cc for c in corners):
            continue
        gate[p] = gate[q] = net
        for c in corners:
            if cc.get(c, net) != net:
                gate[c] = BLOCKED  # the corner of two nets' steps: neither may run there
            elif gate[c] == FREE:
                gate[c] = net
                cc[c] = net
        return d, p, q
    return None


def route_planned(prob: Problem, nets: dict[int, NetState]) -> None:
    """First pass over the planned nets, gap by gap rather than net by net.

    Each planned wire crosses every gap straight through its slot, so the slots cut it into
    legs, each inside one region between gaps; regions do not interact. All legs are routed
    shortest first: within a region, a leg that turns around a corner is shorter than the
    legs that turn around it, so the inner wires are down before the outer ones go round
    them. A leg that finds no path is tried once more without the guide; a net with a leg
    that still fails is given up (named, its other legs removed). Nets routed here are never
    ripped up; a planned net whose slot has no usable step either side is left to the
    net-by-net rounds.
    """
    lat = prob.lat
    gate = prob.occ.gate
    ends: dict[int, tuple[int, int, list[tuple[float, float]]]] = {}
    score: dict[int, list[float]] = defaultdict(lambda: [0.0] * 4)
    for k in sorted(nets):
        net = nets[k]
        if net.waypoints is None or len(net.terms) != 2:
            continue
        kinds = [prob.terms[t].kind for t in net.terms]
        if sorted(kinds) != ["bump", "pad"]:
            continue
        pad = net.terms[kinds.index("pad")]
        bump = net.terms[kinds.index("bump")]
        pts = [prob.center(pad)] + [lat.xy(w) for w in net.waypoints] + [prob.center(bump)]
        ends[k] = (pad, bump, pts)
        for j, (w, cut) in enumerate(zip(net.waypoints, prob.slot_cuts[k])):
            d = normal_dir(prob.plan, cut)
            if d % 2 == 0:
                # a slot on a gap along an axis is crossed along its normal: its steps are
                # known before any wire is laid, and crossings nearby must keep off them
                for n in (w - lat.off[d], w + lat.off[d]):
                    if gate[n] == FREE:
                        gate[n] = k
                continue
            vx, vy = pts[j + 2][0] - pts[j][0], pts[j + 2][1] - pts[j][1]
            v = math.hypot(vx, vy) or 1.0
            for line in (d, (d + 1) % 4, (d - 1) % 4):
                score[cut][line] += abs(DIRS[line][0] * vx + DIRS[line][1] * vy) / (
                    math.hypot(*DIRS[line]) * v)
    # the wires through a diagonal gap all cross it along one line (the one nearest their
    # ways): neighbouring slots crossed along different lines would run too close
    line_of = {cut: max(range(4), key=lambda c: (sc[c], c % 2)) for cut, sc in score.items()}
    legs: list[tuple[float, int, int]] = []
    plans: dict[int, tuple[int, int, list[tuple[int, int, int, int]]]] = {}
    for k, (pad, bump, pts) in sorted(ends.items()):
        net = nets[k]
        cross = []
        for j, (w, cut) in enumerate(zip(net.waypoints, prob.slot_cuts[k])):
            c = _crossing(prob, k, w, cut, pts[j], pts[j + 2], line_of.get(cut))
            if c is None:
                break
            cross.append((w, *c))
        else:
            plans[k] = (pad, bump, cross)
            for j in range(len(cross) + 1):
                a, b = pts[j], pts[j + 1]
                legs.append((math.hypot(b[0] - a[0], b[1] - a[1]), k, j))
    legs.sort()
    done: dict[int, dict[int, tuple[Found, list[tuple[int, int]]]]] = defaultdict(dict)
    queue = [(k, j) for _length, k, j in legs]
    for relax in (False, True):
        failed = []
        for k, j in queue:
            pad, bump, cross = plans[k]
            r = _leg(prob, nets[k], pad, bump, cross, j, relax=relax)
            if r is None:
                failed.append((k, j))
                continue
            commit(prob, nets[k], r[0].nodes, r[0].dirs, r[1])
            done[k][j] = r
        queue = failed  # once more without the guide and with a larger budget
    for k in sorted(plans):
        pad, bump, cross = plans[k]
        parts = done.get(k, {})
        if len(parts) != len(cross) + 1:
            prob.occ.remove(k)
            nets[k].gave_up = True
            continue
        nodes: list[int] = []
        dirs: list[int] = []
        for j in range(len(cross) + 1):
            f = parts[j][0]
            if j:
                w, d, a, b = cross[j - 1]
                nodes.append(w)
                dirs.extend((d, d))
                commit(prob, nets[k], (a, w, b), (d, d), [])
            nodes.extend(f.nodes)
            dirs.extend(f.dirs)
        first, last = parts[0][0], parts[len(cross)][0]
        src = prob.accesses(pad)[first.source_tag]
        dst = prob.accesses(bump)[last.goal_tag]
        pts = list(src.stub) + [lat.xy(n) for n in nodes[1:]] + list(reversed(dst.stub))[1:]
        nets[k].polylines.append(simplify_polyline(pts))
        nets[k].paths.append(tuple(nodes))
        prob.protected.add(k)


def _leg(prob: Problem, net: NetState, pad: int, bump: int,
         cross: list[tuple[int, int, int, int]], j: int, *, relax: bool
         ) -> tuple[Found, list[tuple[int, int]]] | None:
    """Find leg j of a planned net (see route_planned); nothing is committed.

    Args:
        relax: search without the guide and with a larger budget (a second attempt).

    Returns:
        None if there is no path; else (path, terminal stubs to commit with it).
    """
    lat = prob.lat
    k = net.id
    p = float(lat.pitch)
    m = len(cross)
    sources: list[tuple[int, int, int, float, int]] = []
    goals: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    if j == 0:
        a0 = prob.center(pad)
        for ai, a, _ in prob.open_accesses(k, pad, gated=True):
            sources.append((a.node, a.dir, a.exits, a.length, ai))
    else:
        w, d, _a, b = cross[j - 1]
        a0 = lat.xy(w)
        sources.append((b, d, exits(d, lat.allow45), 0.0, 0))
    if j == m:
        b0 = prob.center(bump)
        sides = prob.bump_sides.get(k)
        for ai, a, _ in prob.open_accesses(k, bump, gated=True):
            if sides is None or ai in sides:
                goals[a.node].append((rotate_mask(a.exits, 4), ai, a.length))
        if sides is not None and goals:  # the guide aims at the side the wire comes in by
            xy = [lat.xy(n) for n in goals]
            b0 = (sum(x for x, _ in xy) / len(xy), sum(y for _, y in xy) / len(xy))
    else:
        w, d, a, _b = cross[j]
        b0 = lat.xy(w)
        goals[a].append((exits(d, lat.allow45), 0, 0.0))
    if not sources or not goals:
        return None
    steps = math.hypot(b0[0] - a0[0], b0[1] - a0[1]) / p
    budget = int((LEG_BUDGET[0] + LEG_BUDGET[1] * (steps + 4) ** 2) * (4 if relax else 1))
    (gx, gy), (hx, hy) = a0, b0
    if j == 0:
        # a wire from a pad to a slot (or bump) turns near the pad: 45 degrees until it is in
        # line with the slot, then straight in; the wires of a bundle converging on packed
        # slots stay parallel (a straight guide would make staircases that collide)
        d = cross[0][1] if m else max(range(8), key=lambda q: (
            (hx - gx) * DIRS[q][0] + (hy - gy) * DIRS[q][1]) / math.hypot(*DIRS[q]))
        nx_, ny_ = DIRS[d][0] / math.hypot(*DIRS[d]), DIRS[d][1] / math.hypot(*DIRS[d])
        along = (hx - gx) * nx_ + (hy - gy) * ny_
        side = abs((hy - gy) * nx_ - (hx - gx) * ny_)
        run = max(0.0, along - side)
        gx, gy = hx - run * nx_, hy - run * ny_
    guide = None if relax else guide_between(lat, (gx, gy), (hx, hy), LEG_GUIDE)
    f = search(lat, prob.occ, k, sources, goals, bend=BEND * p, max_expand=budget,
               gated=True, guide=guide)
    if f is None:
        return None
    stubs: list[tuple[int, int]] = []
    if j == 0:
        stubs.append((pad, f.source_tag))
    if j == m:
        stubs.append((bump, f.goal_tag))
    return f, stubs


def exits(d: int, allow45: bool) -> int:
    """Directions a wire that arrived in direction d may leave in (turns up to 90 degrees)."""
    turns = (0, 1, -1, 2, -2) if allow45 else (0, 2, -2)
    return sum(1 << ((d + t) % 8) for t in turns)


def chain(prob: Problem, net: NetState, sources, goals, waypoints: list[int]) -> Found | None:
    """A path from the sources through every waypoint in turn to the goals (gated searches).

    Each leg is a short search to the next slot; the path leaves a slot in any direction
    within 90 degrees of the one it arrived in.
    """
    lat, occ = prob.lat, prob.occ
    p = float(lat.pitch)
    nodes: list[int] = []
    dirs: list[int] = []
    first_tag: int | None = None
    cost = 0.0
    src = sources
    if not sources or not goals:
        return None
    prev = None
    for w in [*waypoints, None]:
        target = goals if w is None else {w: [(0xFF, 0, 0.0)]}
        wx, wy = lat.xy(w) if w is not None else lat.xy(next(iter(goals)))
        steps = min(math.hypot(wx - lat.xy(s[0])[0], wy - lat.xy(s[0])[1]) for s in src) / p
        budget = int(LEG_BUDGET[0] + LEG_BUDGET[1] * (steps + 4) ** 2)
        a = lat.xy(src[0][0]) if prev is None and len(src) == 1 else None
        if prev is not None:
            a = lat.xy(prev)
        guide = None
        if a is not None and LEG_GUIDE[0] > 0:
            guide = guide_between(lat, a, (wx, wy), LEG_GUIDE)
        f = search(lat, occ, net.id, src, target, bend=BEND * p, max_expand=budget, gated=True,
                   guide=guide)
        prev = w
        if f is None:
            return None
        if first_tag is None:
            first_tag = f.source_tag
        nodes.extend(f.nodes if not nodes else f.nodes[1:])
        dirs.extend(f.dirs)
        cost += f.cost
        if w is None:
            return Found(tuple(nodes), tuple(dirs), first_tag, f.goal_tag, cost)
        d = dirs[-1] if dirs else next(s[1] for s in src if s[0] == w)
        src = [(w, d, exits(d, lat.allow45), 0.0, 0)]
    return None
