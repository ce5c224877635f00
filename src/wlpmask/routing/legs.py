"""The fan-in plan's wires routed leg by leg: through each gap straight at its slot.

Each planned wire crosses each gap straight through its slot (gates.py), so the slots cut it
into legs, each inside one region between gaps; regions do not interact. The legs are routed
shortest first: within a region, a leg that turns around a corner is shorter than the legs
that turn around it, so the inner wires are down before the outer ones go round them. Planned
wires that route are never ripped up; the others are named.
"""

from __future__ import annotations

import math
from collections import defaultdict

from .access import rotate_mask
from .astar import Found, search
from .gates import BLOCKED, normal_dir
from .lattice import DIRS
from .occupancy import FREE
from .outline import simplify_polyline
from .state import BEND, NetState, Problem, commit, cut_corners, guide_between

LEG_BUDGET = (2000, 6.0)  # expansions of a leg between two slots: constant + factor * steps**2
LEG_GUIDE = (2.0, 0.5)  # pitches of cost per pitch farther than the second value from the
# straight line between two slots: parallel wires take parallel shapes


def _crossing(prob: Problem, net: int, node: int, cut: int,
              before: tuple[float, float], after: tuple[float, float], line: int | None = None
              ) -> tuple[int, int, int] | None:
    """How a wire crosses a gap at its slot: (direction, node before, node after).

    The wire runs straight through the slot, one step each side, from the side of `before`
    to the side of `after`. Across a gap along an axis the direction is the gap's normal
    (slots are only where those steps are usable and off every gap line: cuts.py); across a
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

    Args:
        prob: the routing problem, its plan's gates in place (fanin.apply_gates).
        nets: net id -> state; the routed planned nets get their polylines and paths.
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
        for i, (k, j) in enumerate(queue):
            prob.progress("routing planned legs", i, len(queue))
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
        prob: the routing problem.
        net: the planned net.
        pad: its pad's terminal index (leg 0 starts there).
        bump: its bump's terminal index (the last leg ends there).
        cross: per slot, (slot node, crossing direction, node before, node after), in order.
        j: the leg: from the step after slot j - 1 (or the pad) to the step before slot j
            (or the bump).
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
    """Directions a wire that arrived in direction d may leave in (turns up to 90 degrees).

    Args:
        d: the arrival direction, 0..7.
        allow45: whether diagonal directions (and 45-degree turns) exist.

    Returns:
        A direction mask, bit k for direction k.
    """
    turns = (0, 1, -1, 2, -2) if allow45 else (0, 2, -2)
    return sum(1 << ((d + t) % 8) for t in turns)


def chain(prob: Problem, net: NetState, sources, goals, waypoints: list[int]) -> Found | None:
    """A path from the sources through every waypoint in turn to the goals (gated searches).

    Each leg is a short search to the next slot; the path leaves a slot in any direction
    within 90 degrees of the one it arrived in.

    Args:
        prob: the routing problem.
        net: the net.
        sources: search sources (node, arrival direction, exit mask, start cost, tag), as
            astar.search takes them.
        goals: node -> [(allowed arrival mask, tag, extra cost)], as astar.search takes them.
        waypoints: the slot nodes to pass, in order.

    Returns:
        The whole path, or None if a leg finds none.
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
