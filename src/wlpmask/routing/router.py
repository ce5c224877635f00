"""route_rdl: the pipeline from terminals to signed-off wires.

All work happens in integer grid units; um appear only at the API. The free bumps are
assigned (assign.py, or the fan-in plan: fanin.py), each net gets its routing state, then the
searches are steered (steer.py: escape lanes, planned pad-bump segments, corridors of the
global stage) and the nets are routed: the fan-in plan's wires gap by gap (legs.py, never
ripped up), the others net by net with rip-up and re-route (ripup.py, netroute.py). Large
free assignments go through the fan-in plan; smaller ones try it when the net-by-net router
leaves a net. After the last round, the paths are pulled tight, converted to metal and signed
off; a net that fails sign-off is removed and reported, never drawn.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from ..errors import WlpmaskError
from .assign import assign_free_bumps
from .fanin import PLAN_MIN_PADS, apply_gates, plan_assignment
from .lattice import make_rules
from .legs import route_planned
from .model import KINDS, RoutedNet, RouteResult, Terminal
from .outline import polyline_length, simplify_polyline, to_um, wire_metal
from .pulltight import pull_tight
from .ripup import route_all
from .signoff import check_nets
from .state import NetState, Problem
from .steer import mark_lanes, mark_segments, plan_corridors


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
              tighten: bool = True, plan: bool | None = None,
              progress: Callable[[str, int, int], None] | None = None) -> RouteResult:
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
            shorter); net by net, too, when the plan would be larger than its bounds
            (faces.MAX_OUTLINE_POINTS, cuts.MAX_CUT_NODES), which are an error with
            plan=True.
        progress: called with (phase, done, total) as the work goes on (nets routed of the
            nets to route; tightening).

    Returns:
        RouteResult; nets that could not be routed or failed sign-off are in `unrouted` with
        the reason and are not drawn.

    Raises:
        WlpmaskError: bad arguments (key "route_rdl"), or work beyond the router's bounds,
            found before it is allocated: a lattice of more than lattice.MAX_NODES nodes
            (key "boundary"), an assignment of more than assign.MAX_PAIRS pad-bump pairs (key
            "terminals"), with plan=True a plan of more than faces.MAX_OUTLINE_POINTS outline
            points (key "obstacles") or cuts.MAX_CUT_NODES cut nodes (key "boundary").
    """
    _validate(terminals, width_um, space_um, grid_um, boundary)
    kw = dict(terminals=terminals, obstacles=obstacles, boundary=boundary, width_um=width_um,
              space_um=space_um, grid_um=grid_um, allow45=allow45, assign=assign,
              max_rounds=max_rounds, tighten=tighten, progress=progress)
    if plan is not None or not assign:
        return _route(**kw, plan=bool(plan))
    free = _pads_to_assign(terminals)
    first = free >= PLAN_MIN_PADS
    try:
        res = _route(**kw, plan=first)
    except WlpmaskError:
        if not first:
            raise
        res = _route(**kw, plan=False)  # a plan too large to make (an error of the input
        # itself comes again here)
    if res.unrouted and free and not first:  # (above, net by net is both worse and slow)
        try:
            other = _route(**kw, plan=True)
        except WlpmaskError:  # the plan is too large to make: net by net it stays
            return res
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
           allow45: bool, assign: bool, max_rounds: int, tighten: bool, plan: bool,
           progress: Callable[[str, int, int], None] | None) -> RouteResult:
    """route_rdl with the choice of plan made (see there)."""
    terms = list(terminals)
    assignment: dict[str, str] = {}
    unrouted: dict[str, str] = {}
    rules = make_rules(width_um=width_um, space_um=space_um, grid_um=grid_um)
    prob = Problem(terms, obstacles, boundary, rules, allow45)
    if progress is not None:
        prob.progress = progress
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

    names, term_net, nets = _net_states(prob, unrouted, assignment)
    mark_lanes(prob, nets, planned=bool(planned))
    if planned:
        apply_gates(prob, nets, planned, term_net)
    mark_segments(prob, nets)
    plan_corridors(prob, nets)
    if planned:
        route_planned(prob, nets)
    route_all(prob, nets, unrouted, max_rounds)
    prob.progress("tightening and sign-off", 0, 0)
    return _finish(prob, nets, names, term_net, unrouted, assignment, tighten=tighten)


def _net_states(prob: Problem, unrouted: dict[str, str], assignment: dict[str, str]
                ) -> tuple[list[str], list[int], dict[int, NetState]]:
    """The routing state of every net that can be routed; the others named in `unrouted`.

    Args:
        prob: the routing problem (its terminals carry the assigned nets).
        unrouted: net name -> reason; nets already in it are skipped, new reasons added.
        assignment: pad name -> bump name; a pad alone with its net's bumps is added.

    Returns:
        (net names by id, each terminal's net id or -1, net id -> state).
    """
    terms = prob.terms
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
    return names, term_net, nets


def _finish(prob: Problem, nets: dict[int, NetState], names: list[str], term_net: list[int],
            unrouted: dict[str, str], assignment: dict[str, str], *, tighten: bool
            ) -> RouteResult:
    """Pull the paths tight, make their metal and sign it off; the result of route_rdl.

    Args:
        prob: the routing problem.
        nets: net id -> state, after the last round.
        names: net names by id.
        term_net: each terminal's net id, or -1.
        unrouted: net name -> reason so far (nets failing sign-off are added).
        assignment: pad name -> bump name.
        tighten: pull the lattice paths tight.
    """
    rules, terms = prob.rules, prob.terms
    final: dict[int, list[list[tuple[int, int]]]] = {
        k: [simplify_polyline(pl) for pl in n.polylines] for k, n in nets.items() if n.polylines}
    if tighten:
        final = pull_tight(final, rules=rules, terminals=prob.shape, terminal_net=term_net,
                           obstacles=prob.obstacles, boundary=prob.boundary,
                           parity=(prob.lat.x0 + prob.lat.y0) % 2, allow45=prob.allow45)
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

