"""The RDL of a WLCSP design: route pads to bumps, add teardrops, fill same-net notches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import shapely

from ...errors import WlpmaskError
from ...routing.notches import fill_notches
from .teardrops import TeardropReport, teardrops
from .terminals import routing_boundary, terminals

if TYPE_CHECKING:  # pragma: no cover
    from .design import WlcspDesign

# Routing terminals get a kind prefix: a pad and a bump may share a name.
PAD_PREFIX, BUMP_PREFIX = "pad:", "bump:"
# The router's arguments and the design keys they come from (for its errors).
ROUTER_KEYS = {"boundary": "die", "terminals": "pads"}


@dataclass
class RdlResult:
    """The drawn RDL and what the router said.

    Args:
        polygons: one geometry per routed net (wires, teardrops, notch fills, its terminals).
        routed: routed net names; unrouted: net -> reason.
        assignment: pad name -> bump name.
        total_length_um: centre-line length of the routed nets.
        teardrops: what the teardrop step did.
        bump_nets: bump name -> net after the assignment.
    """

    polygons: list[Any]
    routed: list[str]
    unrouted: dict[str, str]
    assignment: dict[str, str]
    total_length_um: float
    teardrops: TeardropReport = field(default_factory=TeardropReport)
    bump_nets: dict[str, str | None] = field(default_factory=dict)


def route_design(part: WlcspDesign, *, grid_um: float, router: Callable[..., Any] | None,
                 progress: Callable[[str, int, int], None] | None = None) -> RdlResult:
    """Route the RDL, add teardrops and fill same-net notches.

    Args:
        part: the WLCSP design part (pads, bumps, rules, RDL, assignment, die).
        grid_um: the manufacturing grid.
        router: a function with the signature of wlpmask.routing.route_rdl; None: unavailable
            (every net is reported unrouted).
        progress: where the router reports (phase, done, total).
    """
    specs = terminals(pads=part.pads, bumps=part.bumps, rules=part.rules, grid_um=grid_um)
    pad_nets = {p.name: p.net_name for p in part.pads}
    bump_nets: dict[str, str | None] = {s.name: s.net for s in part.bumps.sites}
    if router is None:
        why = "no RDL router available (wlpmask.routing did not import)"
        return RdlResult([], [], {n: why for n in sorted(set(pad_nets.values()))}, {}, 0.0,
                         bump_nets=bump_nets)
    from ...routing import Terminal

    boundary = routing_boundary(part.die, rdl_to_seal_um=part.rules.rdl_to_seal_um,
                                grid_um=grid_um)
    terms = [Terminal(name=(PAD_PREFIX if t.kind == "pad" else BUMP_PREFIX) + t.name,
                      kind=t.kind, shape=t.shape, net=t.net) for t in specs]
    try:
        result = router(terminals=terms, obstacles=[], boundary=boundary,
                        width_um=part.rdl.width_um, space_um=part.rdl.space_um,
                        grid_um=grid_um, allow45=True,
                        assign=part.assignment_mode == "auto",
                        **({} if progress is None else {"progress": progress}))
    except WlpmaskError as exc:  # the router names its argument: say which design key it is
        raise WlpmaskError(exc.message, file=part.path,
                           key=ROUTER_KEYS.get(exc.key or "", exc.key)) from None
    assignment = {}
    for pad_t, bump_t in sorted(result.assignment.items()):
        pad, bump = pad_t.removeprefix(PAD_PREFIX), bump_t.removeprefix(BUMP_PREFIX)
        assignment[pad] = bump
        if bump in bump_nets and bump_nets[bump] is None:
            bump_nets[bump] = pad_nets.get(pad)
    for pad, bump in part.assignment.items():
        assignment.setdefault(pad, bump)
    drops, report = teardrops(terminals=specs, nets=result.routed, bump_nets=bump_nets,
                              rdl=part.rdl, proportions=part.teardrop,
                              capture_um=part.bumps.dims.capture_um, boundary=boundary,
                              grid_um=grid_um)
    net_metal: dict[str, list[Any]] = {n: [result.routed[n].metal] for n in result.routed}
    for d in drops:
        net_metal[d.net].append(d.shape)
    owner = {t.name: (bump_nets.get(t.name) if t.kind == "bump" else t.net) for t in specs}
    net_terms = {n: shapely.union_all([t.shape for t in specs if owner[t.name] == n])
                 for n in net_metal}
    others = [t.shape for t in specs if owner[t.name] not in net_metal]
    polygons = fill_notches(net_metal=net_metal, net_terminals=net_terms,
                            space_um=part.rdl.space_um, grid_um=grid_um,
                            others=others)
    return RdlResult(polygons, sorted(result.routed), dict(sorted(result.unrouted.items())),
                     assignment, round(float(result.total_length_um), 3), report, bump_nets)
