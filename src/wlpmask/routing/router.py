"""route_rdl: assignment, lattice routing with rip-up and re-route, pull-tight, sign-off.

All work happens in integer grid units; um appear only at the API. Before detail routing,
each two-terminal net's straight pad-bump segment is marked on the lattice (other nets pay to
cross it, which keeps the crossing-free plan of the assignment), escape lanes are marked in
front of every pad and bump access, and on large problems a global stage (corridor) routes the
nets over tiles with track capacities and gives each net a corridor that its first search stays
in. Nets are then routed one at a time, pad-bump nets by sideways span (inside out); a net
that finds no legal path is routed again in soft mode over
other nets' wires, the nets in its way are ripped up (their nodes get a history cost) and
queued for the next round. Large free assignments go through the fan-in plan instead
(fanin.py): a flow through the gaps assigns the bumps and orders the wires, which are then
routed gap by gap and never ripped up (smaller ones try it when the net-by-net router leaves
a net). After the last round, the paths are pulled tight, converted to metal and signed
off; a net that fails sign-off is removed and reported, never drawn.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from ..errors import WlpmaskError
from .access import rotate_mask
from .assign import assign_free_bumps
from .astar import search
from .corridor import TileGraph, corridor_mask, route_tiles
from .fanin import PLAN_MIN_PADS, apply_gates, chain, plan_assignment, route_planned
from .lattice import Lattice, make_rules
from .model import KINDS, RoutedNet, RouteResult, Terminal
from .occupancy import FREE
from .outline import polyline_length, simplify_polyline, to_um, wire_metal
from .pulltight import pull_tight
from .signoff import check_nets
from .state import BEND, NetState, Problem, commit, cut_corners, guide_between

SOFT_WEIGHT = 1.5  # heuristic weight of the soft (rip-up) search: above 1 is faster, less exact
SOFT_PENALTY = 12.0  # pitches charged for each node taken from another net in soft mode
LANE_STEPS = 3  # lattice steps straight out of each terminal access that other nets avoid ...
LANE_COST = 2.0  # ... at this many pitches per node
GUIDE = (0.3, 3.0)  # pitches of cost per pitch of distance from the pad-bump segment beyond
# the second value (pitches): keeps routes in the order a crossing-free assignment planned
PROBE = 1500  # expansions of the first, small searches (see _route_net)
HARD_BUDGET = (3000, 2.0)  # expansions: constant + factor * (distance in pitches + 10) ** 2
TILE = 8  # lattice steps per tile of the global stage
WIDEN = 1  # tiles added around each net's global path to make its corridor
BUMP_LANES = True  # lanes out of bump accesses too: wires that hug a bump close it in
SEGMENT_LANES = True  # other nets pay PLAN_COST per node to cross a net's pad-bump segment
PLAN_COST = 2.0  # pitches
ORDER_BY_SPAN = True  # route pad-bump nets by sideways span first (see _order_key)
GLOBAL_MIN_NETS = 64  # fewer two-terminal nets than this: no global stage (little to gain)
CHAIN_ONLY = True  # a gated net is routed through its slots leg by leg, or not in hard mode


def _validate(terminals: Sequence[Terminal], width_um: float, space_um: float, grid_um: float,
              boundary: Polygon) -> None:
    if not (grid_um > 0 and width_um > 0 and space_um > 0):
        raise WlpmaskError(f"width ({width_um}), spacing ({space_um}) and grid ({grid_um}) "
                           "must be positive", key="route_rdl")
    if width_um < grid_um or space_um < grid_um:
        raise WlpmaskError("width and spacing must be at least one grid step", key="route_rdl")
    if boundary.is_empty or not boundary.is_valid:
        raise WlpmaskError("boundary must be a valid, non-empty polygon", key="route_rdl")
    seen: set[str] = set()
    for t in terminals:
        if t.name in seen:
            raise WlpmaskError(f"terminal name {t.name!r} is used twice", key="route_rdl")
        seen.add(t.name)
        if t.kind not in KINDS:
            raise WlpmaskError(f"terminal {t.name}: kind {t.kind!r}, expected one of "
                               f"{', '.join(KINDS)}", key="route_rdl")
        if t.shape.is_empty or not t.shape.is_valid or t.shape.geom_type != "Polygon":
            raise WlpmaskError(f"terminal {t.name}: shape must be a valid polygon",
                               key="route_rdl")


def route_rdl(*, terminals: Sequence[Terminal], obstacles: Sequence[BaseGeometry],
              boundary: Polygon, width_um: float, space_um: float, grid_um: float,
              allow45: bool = True, assign: bool = True, max_rounds: int = 10,
              tighten: bool = True, plan: bool | None = None) -> RouteResult:
    """Route a single-layer redistribution layer.

    Args:
        terminals: pads and bumps; a net is the set of terminals sharing `net`.
        obstacles: shapes no wire may come within space_um of (um).
        boundary: wires stay inside it (um).
        width_um: wire width.
        space_um: minimum spacing to every foreign shape.
        grid_um: manufacturing grid; all metal is snapped to it.
        allow45: allow 45-degree segments.
        assign: give each pad whose net has no bump one free bump (minimum-length matching).
        max_rounds: rip-up and re-route rounds.
        tighten: pull the lattice paths tight (shorter wires, fewer bends).
        plan: assign the free bumps by the fan-in plan (a flow through the gaps between the
            bumps) and route the planned wires gap by gap through their slots (True), or by
            the minimum-length matching and net by net (False). None: the plan when at least
            PLAN_MIN_PADS pads need a bump; below, net by net, and if that leaves a net
            unrouted, the plan too, keeping the result with more nets routed (then the
            shorter).

    Returns:
        RouteResult; nets that could not be routed or failed sign-off are in `unrouted` with
        the reason and are not drawn.
    """
    _validate(terminals, width_um, space_um, grid_um, boundary)
    kw = dict(terminals=terminals, obstacles=obstacles, boundary=boundary, width_um=width_um,
              space_um=space_um, grid_um=grid_um, allow45=allow45, assign=assign,
              max_rounds=max_rounds, tighten=tighten)
    if plan is not None or not assign:
        return _route(**kw, plan=bool(plan))
    free = _pads_to_assign(terminals)
    first = free >= PLAN_MIN_PADS
    res = _route(**kw, plan=first)
    if res.unrouted and free and not first:  # (above, net by net is both worse and slow)
        other = _route(**kw, plan=True)
        if (len(other.routed), -other.total_length_um) > (len(res.routed),
                                                           -res.total_length_um):
            res = other
    return res


def _pads_to_assign(terminals: Sequence[Terminal]) -> int:
    """Nets made of one pad, if there is a free bump to give them (else 0)."""
    members: dict[str, list[Terminal]] = defaultdict(list)
    for t in terminals:
        if t.net is not None:
            members[t.net].append(t)
    if not any(t.kind == "bump" and t.net is None for t in terminals):
        return 0
    return sum(1 for ts in members.values() if len(ts) == 1 and ts[0].kind == "pad")


def _route(*, terminals: Sequence[Terminal], obstacles: Sequence[BaseGeometry],
           boundary: Polygon, width_um: float, space_um: float, grid_um: float,
           allow45: bool, assign: bool, max_rounds: int, tighten: bool, plan: bool
           ) -> RouteResult:
    """route_rdl with the choice of plan made (see there)."""
    terms = list(terminals)
    assignment: dict[str, str] = {}
    unrouted: dict[str, str] = {}
    rules = make_rules(width_um=width_um, space_um=space_um, grid_um=grid_um)
    prob = Problem(terms, obstacles, boundary, rules, allow45)
    planned: dict[int, int] = {}  # pad terminal -> bump terminal, from the fan-in plan
    if assign:
        if plan:
            planned = plan_assignment(prob)
            rev = {b: p for p, b in planned.items()}
            terms = [replace(t, net=terms[rev[i]].net) if i in rev else t
                     for i, t in enumerate(terms)]
        terms, assignment, unassigned = assign_free_bumps(terms)
        unrouted.update(unassigned)
        assignment.update({terms[p].name: terms[b].name for p, b in planned.items()})
        prob.terms = terms

    by_net: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(terms):
        if t.net is not None:
            by_net[t.net].append(i)
    names = sorted(by_net)
    net_id = {n: k for k, n in enumerate(names)}
    term_net = [net_id[t.net] if t.net is not None else -1 for t in terms]
    nets: dict[int, NetState] = {}
    for name in names:
        idx = sorted(by_net[name], key=lambda i: terms[i].name)
        if name in unrouted:
            continue
        if len(idx) < 2:
            unrouted[name] = f"only one terminal ({terms[idx[0]].name})"
            continue
        blocked = [terms[i].name for i in idx if not prob.accesses(i)]
        if blocked:
            unrouted[name] = (f"blocked terminal: {', '.join(blocked)} has no legal access "
                              f"(no clear stub to the routing lattice)")
            continue
        nets[net_id[name]] = NetState(net_id[name], name, idx)
    for idx in by_net.values():
        pads = [terms[i].name for i in idx if terms[i].kind == "pad"]
        bumps = [terms[i].name for i in idx if terms[i].kind == "bump"]
        if len(pads) == 1 and bumps and pads[0] not in assignment:
            assignment[pads[0]] = sorted(bumps)[0]

    prob.occ.reserve_cost = LANE_COST * rules.pitch
    for k in sorted(nets):
        for t in nets[k].terms:
            if prob.terms[t].kind != "pad" and (planned or not BUMP_LANES):
                continue  # pads sit in rows where a wire passing in front walls others in
                # (a planned bump's accesses are kept by the gates: a lane only bends the
                # wires that pass it)
            for a in prob.accesses(t):
                lane = [a.node + s * prob.lat.off[a.dir] for s in range(LANE_STEPS + 1)]
                prob.occ.reserve_lane(k, [n for n in lane if 0 <= n < prob.lat.size])
    if planned:
        apply_gates(prob, nets, planned, term_net)
    if SEGMENT_LANES:
        for k in sorted(nets):
            if len(nets[k].terms) == 2 and nets[k].waypoints is None:
                prob.occ.reserve_plan(k, _segment_nodes(prob, *nets[k].terms))
        prob.occ.plan_cost = PLAN_COST * rules.pitch
    _plan_corridors(prob, nets)
    if planned:
        route_planned(prob, nets)
    _route_all(prob, nets, unrouted, max_rounds)

    # pull tight, outline, sign-off
    final: dict[int, list[list[tuple[int, int]]]] = {
        k: [simplify_polyline(pl) for pl in n.polylines] for k, n in nets.items() if n.polylines}
    if tighten:
        final = pull_tight(final, rules=rules, terminals=prob.shape, terminal_net=term_net,
                           obstacles=prob.obstacles, boundary=prob.boundary,
                           parity=(prob.lat.x0 + prob.lat.y0) % 2, allow45=allow45)
    metal = {k: wire_metal(pls, rules) for k, pls in final.items()}
    bad = check_nets(metal, rules=rules, terminals=prob.shape, terminal_net=term_net,
                     terminal_names=prob.names, net_terminals={k: nets[k].terms for k in metal},
                     obstacles=prob.obstacles, outside=prob.outside, net_names=names)
    routed: dict[str, RoutedNet] = {}
    total = 0.0
    g = rules.grid_um
    for k in sorted(final):
        name = names[k]
        if k in bad:
            unrouted[name] = bad[k]
            continue
        lines = tuple(np.asarray(pl, dtype=float) * g for pl in final[k])
        length = sum(polyline_length(pl) for pl in final[k]) * g
        total += length
        routed[name] = RoutedNet(name, tuple(sorted(terms[i].name for i in nets[k].terms)),
                                 lines, to_um(metal[k], g), length)
    for n in nets.values():
        if not n.polylines and n.name not in unrouted:
            unrouted[n.name] = "no path"
    unrouted = {n: unrouted[n] for n in sorted(unrouted)}
    assignment = dict(sorted(assignment.items()))
    return RouteResult(routed, unrouted, assignment, total)


# ------------------------------------------------------------------------------ net routing


def _segment_nodes(prob: Problem, a: int, b: int) -> list[int]:
    """Lattice nodes along the straight segment between the centres of terminals a and b,
    4-connected, so that no path can cross the segment without entering one of them.

    A minimum-length assignment makes these segments mutually crossing-free; charging other
    nets for crossing them keeps each wire on the side of every bump that its segment plans,
    so a wire routed early does not cut off a net routed later.
    """
    lat = prob.lat
    p = lat.pitch
    (x0, y0), (x1, y1) = prob.center(a), prob.center(b)
    i0, j0 = (x0 - lat.x0) / p, (y0 - lat.y0) / p
    i1, j1 = (x1 - lat.x0) / p, (y1 - lat.y0) / p
    steps = max(1, int(math.ceil(4 * max(abs(i1 - i0), abs(j1 - j0)))))
    out: list[int] = []
    prev = None
    for s in range(steps + 1):
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


def _plan_corridors(prob: Problem, nets: dict[int, NetState]) -> None:
    """Global stage: route the two-terminal nets on the tile graph; keep their corridors."""
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


def _estimate(prob: Problem, net: NetState) -> float:
    cs = [prob.center(t) for t in net.terms]
    return max(math.hypot(a[0] - b[0], a[1] - b[1]) for a in cs for b in cs)


def _order_key(prob: Problem, net: NetState) -> tuple[float, float, str]:
    """Routing order: a pad-bump net by how far its bump lies sideways of its pad (along the
    die edge the pad faces), then by length.

    A wire whose bump lies far to the side runs in front of the pads between, and would wall
    them in if it went first; the pads' own wires, whose sideways spans nest inside its span
    (the assignment is crossing-free), go first, from the inside out.
    """
    length = _estimate(prob, net)
    if ORDER_BY_SPAN and len(net.terms) == 2:
        kinds = [prob.terms[t].kind for t in net.terms]
        if sorted(kinds) == ["bump", "pad"]:
            pad = net.terms[kinds.index("pad")]
            bump = net.terms[kinds.index("bump")]
            (px, py), (bx, by) = prob.center(pad), prob.center(bump)
            if net.waypoints:  # planned: the wire leaves the pad for its first slot
                bx, by = prob.lat.xy(net.waypoints[0])
            edge = prob.boundary.exterior
            q = edge.interpolate(edge.project(shapely.Point(px, py)))
            nx_, ny_ = px - q.x, py - q.y
            nl = math.hypot(nx_, ny_)
            if nl > 0:
                side = abs((bx - px) * ny_ - (by - py) * nx_) / nl
                return (side, length, net.name)
    return (length, length, net.name)


def _route_all(prob: Problem, nets: dict[int, NetState], unrouted: dict[str, str],
               max_rounds: int) -> None:
    queue = sorted(nets, key=lambda k: _order_key(prob, nets[k]))
    walled: set[int] = set()  # nets that the static obstacles alone keep apart
    fenced: set[int] = set()  # nets closed in by the planned wires (which are not ripped up)
    for _round in range(max(1, max_rounds)):
        if not queue:
            break
        ripped: list[int] = []
        for k in queue:
            net = nets[k]
            if net.polylines or net.gave_up:
                continue
            if k in walled or k in fenced or _route_net(prob, net, soft=False) is not None:
                continue
            if prob.protected:  # nothing may be ripped up: a soft search could only fail
                fenced.add(k)
                continue
            victims = _route_net(prob, net, soft=True)
            if victims is None:
                walled.add(k)
                continue
            for v in sorted(victims):
                _rip(prob, nets[v])
                ripped.append(v)
        queue = sorted(set(ripped), key=lambda k: _order_key(prob, nets[k]))
    for k, net in nets.items():
        if net.polylines:
            continue
        if net.gave_up:
            unrouted[net.name] = ("no path through its slots of the fan-in plan (the wires "
                                  "routed before it fill the room between them)")
        elif k in fenced:
            unrouted[net.name] = "no path around the wires of the fan-in plan"
        elif k in walled:
            unrouted[net.name] = "no path: the obstacles alone separate its terminals"
        else:
            unrouted[net.name] = (f"no path after {max_rounds} rip-up rounds "
                                  "(a gap short of capacity: other nets fill it)")


def _rip(prob: Problem, net: NetState) -> None:
    prob.occ.remove(net.id)
    for path in net.paths:
        for n in path:
            prob.occ.hist[n] += 1.0
    net.polylines.clear()
    net.paths.clear()
    net.rips += 1


def _route_net(prob: Problem, net: NetState, *, soft: bool) -> set[int] | None:
    """Route all terminals of `net`.

    Hard mode: returns an empty set on success (committed), None on failure (nothing kept).
    Soft mode: commits a path over other nets and returns the set of nets in its way, or None
    if even that is impossible.
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
    """True if a small search from the goal side runs out of nodes: the goals are closed in,
    and the full search would comb the whole open side in vain."""
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
    """Expansion budget: a hard search that needs more is left to the soft search, which
    finds the cheapest way through (or around) the nets in the way."""
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
