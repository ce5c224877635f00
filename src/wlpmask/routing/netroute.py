"""One net at a time: the searches that connect a net's terminals, hard or over other nets.

A net's terminals are joined one by one, nearest first: each connection is a search from the
accesses of the next terminal to those of the terminals already connected (or to a straight
run of the net's own wire). A hard search keeps off every other net; it first runs inside the
net's corridor from the global stage, then a small probe tells whether either side is closed
in before a large search combs the open side in vain. A gated net (fan-in plan) goes leg by
leg through its slots. A soft search may run over other nets at a penalty and names the nets
in its way (the rip-up candidates, see ripup.py).
"""

from __future__ import annotations

import math
from collections import defaultdict

from .access import rotate_mask
from .astar import search
from .lattice import Lattice
from .legs import chain
from .occupancy import FREE
from .outline import simplify_polyline
from .state import BEND, NetState, Problem, commit, cut_corners, guide_between

SOFT_WEIGHT = 1.5  # heuristic weight of the soft (rip-up) search: above 1 is faster, less exact
SOFT_PENALTY = 12.0  # pitches charged for each node taken from another net in soft mode
GUIDE = (0.3, 3.0)  # pitches of cost per pitch of distance from the pad-bump segment beyond
# the second value (pitches): keeps routes in the order a crossing-free assignment planned
PROBE = 1500  # expansions of the first, small searches (see route_net)
HARD_BUDGET = (3000, 2.0)  # expansions: constant + factor * (distance in pitches + 10) ** 2
CHAIN_ONLY = True  # a gated net is routed through its slots leg by leg, or not in hard mode


def route_net(prob: Problem, net: NetState, *, soft: bool) -> set[int] | None:
    """Route all terminals of `net`.

    Hard mode: returns an empty set on success (committed), None on failure (nothing kept).
    Soft mode: commits a path over other nets and returns the set of nets in its way, or None
    if even that is impossible.

    Args:
        prob: the routing problem.
        net: the net; its polylines and paths are filled in.
        soft: search over other nets' wires (at SOFT_PENALTY pitches per node taken).
    """
    lat, occ = prob.lat, prob.occ
    p = float(lat.pitch)
    k = net.id
    pads = [t for t in net.terms if prob.terms[t].kind == "pad"]
    first = pads[0] if pads else net.terms[0]
    connected = [first]
    remaining = [t for t in net.terms if t != first]
    victims: set[int] = set()
    gated = net.waypoints is not None
    while remaining:
        def dist(t: int) -> float:
            a = prob.center(t)
            return min(math.hypot(a[0] - prob.center(c)[0], a[1] - prob.center(c)[1])
                       for c in connected)
        nxt = min(remaining, key=lambda t: (dist(t), prob.names[t]))
        sources: list[tuple[int, int, float, int]] = []
        src_conf: dict[int, set[int]] = {}
        for ai, a, conf in prob.open_accesses(k, nxt, gated=gated, soft=soft):
            src_conf[ai] = conf
            sources.append((a.node, a.dir, a.exits, a.length + SOFT_PENALTY * p * len(conf), ai))
        goals: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
        goal_info: dict[int, tuple[int, int]] = {}
        goal_conf: dict[int, set[int]] = {}
        tag = 0
        for c in connected:
            for ai, a, conf in prob.open_accesses(k, c, gated=gated, soft=soft):
                goals[a.node].append((rotate_mask(a.exits, 4), tag,
                                      a.length + SOFT_PENALTY * p * len(conf)))
                goal_info[tag] = (c, ai)
                goal_conf[tag] = conf
                tag += 1
        for path in net.paths:
            _junction_goals(lat, path, goals, goal_info, tag_start=tag)
            tag = max(goal_info) + 1 if goal_info else tag
        found = None
        budget = _budget(prob, nxt, connected, soft)
        guide = None
        if GUIDE[0] > 0 and len(net.terms) == 2 and not gated:
            guide = guide_between(lat, prob.center(nxt), prob.center(connected[0]), GUIDE)
        if not soft and not net.paths and gated:
            # leg by leg through the slots of the plan: short searches, in the planned order
            found = chain(prob, net, sources, goals, net.waypoints[::-1])
            if found is None and CHAIN_ONLY:
                budget = 0  # a free search would cut the corners the nets inside it need
        if found is None and not soft and not net.paths and net.corridor is not None:
            # inside the corridor from the global stage first: cheap, and it leaves the room
            # the global stage planned for the other nets
            found = search(lat, occ, k, sources, goals, bend=BEND * p, max_expand=budget,
                           guide=guide, corridor=net.corridor)
        if found is None and not soft and not net.paths and budget > PROBE:
            # most connections are found within a small budget; if not, a small search from
            # the goal side tells whether the goals are closed in before the large one runs
            stats: list[int] = []
            found = search(lat, occ, k, sources, goals, bend=BEND * p, max_expand=PROBE,
                           stats=stats, guide=guide, gated=gated)
            if found is None and stats and -stats[-1] <= PROBE:
                budget = 0  # the source side is closed in
            elif found is None and _goals_closed_in(prob, k, sources, goals, goal_info, gated):
                budget = 0
        if found is None and budget > 0:
            found = search(lat, occ, k, sources, goals, soft=soft, penalty=SOFT_PENALTY * p,
                           bend=BEND * p, max_expand=budget, guide=guide,
                           weight=SOFT_WEIGHT if soft else 1.0, gated=gated)
        if found is None:
            _rip_quiet(prob, net)
            return None
        src = prob.accesses(nxt)[found.source_tag]
        gi = goal_info[found.goal_tag]
        pts = list(src.stub) + [lat.xy(n) for n in found.nodes[1:]]
        stubs = [(nxt, found.source_tag)]
        if gi[1] >= 0:
            dst = prob.accesses(gi[0])[gi[1]]
            pts += list(reversed(dst.stub))[1:]
            stubs.append(gi)
        if soft:
            victims |= src_conf.get(found.source_tag, set())
            victims |= goal_conf.get(found.goal_tag, set())
            victims |= _path_conflicts(prob, k, found.nodes, found.dirs)
            victims.discard(k)
            for v in sorted(victims):
                prob.occ.remove(v)
        commit(prob, net, found.nodes, found.dirs, stubs)
        net.polylines.append(simplify_polyline(pts))
        net.paths.append(found.nodes)
        connected.append(nxt)
        remaining.remove(nxt)
    return victims


def _goals_closed_in(prob: Problem, net: int, sources, goals, goal_info, gated: bool
                     ) -> bool:
    """True if a small search from the goal side runs out of nodes.

    The goals are then closed in, and the full search would comb the whole open side in vain.
    """
    rev_sources = []
    for lst in goals.values():
        for _mask, tag, extra in lst:
            c, ai = goal_info[tag]
            if ai < 0:
                return False  # junction goals: no reverse search
            a = prob.accesses(c)[ai]
            rev_sources.append((a.node, a.dir, a.exits, extra, tag))
    rev_goals: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for node, _d, exits, g0, ai in sources:
        rev_goals[node].append((rotate_mask(exits, 4), ai, g0))
    stats: list[int] = []
    f = search(prob.lat, prob.occ, net, rev_sources, rev_goals, bend=BEND * prob.lat.pitch,
               max_expand=PROBE, stats=stats, gated=gated)
    return f is None and bool(stats) and -stats[-1] <= PROBE


def _budget(prob: Problem, t: int, connected: list[int], soft: bool) -> int:
    """Expansion budget of a search from terminal t to the connected part of its net.

    A hard search that needs more is left to the soft search, which finds the cheapest way
    through (or around) the nets in the way.
    """
    p = prob.lat.pitch
    a = prob.center(t)
    d = min(math.hypot(a[0] - prob.center(c)[0], a[1] - prob.center(c)[1]) for c in connected)
    steps = d / p + 10
    if soft:
        return int(min(prob.lat.size * 2, max(20000, 60 * steps * steps)))
    return int(HARD_BUDGET[0] + HARD_BUDGET[1] * steps * steps)


def _junction_goals(lat: Lattice, path: tuple[int, ...], goals, goal_info, *, tag_start: int
                    ) -> None:
    """Interior nodes of a straight run of an existing branch, entered at 90 degrees."""
    tag = tag_start
    for a, n, b in zip(path, path[1:], path[2:]):
        d1 = lat.off.index(n - a) if (n - a) in lat.off else -1
        d2 = lat.off.index(b - n) if (b - n) in lat.off else -1
        if d1 < 0 or d1 != d2:
            continue
        mask = (1 << ((d1 + 2) % 8)) | (1 << ((d1 + 6) % 8))
        goals[n].append((mask, tag, 0.0))
        goal_info[tag] = (-1, -1)
        tag += 1


def _path_conflicts(prob: Problem, net: int, nodes: tuple[int, ...], dirs: tuple[int, ...]
                    ) -> set[int]:
    occ, lat = prob.occ, prob.lat
    out: set[int] = set()
    for n in nodes:
        if occ.entry[n] not in (FREE, net):
            out |= occ.owners(n)
    for c in cut_corners(lat, nodes, dirs):
        if occ.corner[c] not in (FREE, net):
            out |= occ.corner_owners(c)
    out.discard(net)
    return out


def _rip_quiet(prob: Problem, net: NetState) -> None:
    prob.occ.remove(net.id)
    net.polylines.clear()
    net.paths.clear()
