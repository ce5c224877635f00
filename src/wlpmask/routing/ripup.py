"""The rounds of the net-by-net router: routing order, rip-up and re-route, reasons left.

Nets are routed one at a time, pad-bump nets by sideways span (inside out). A net that finds
no legal path is routed again in soft mode over other nets' wires; the nets in its way are
ripped up (their nodes get a history cost) and queued for the next round. Nets of the fan-in
plan's pass are never ripped up.
"""

from __future__ import annotations

import math

import shapely

from .netroute import route_net
from .state import NetState, Problem

ORDER_BY_SPAN = True  # route pad-bump nets by sideways span first (see _order_key)


def _estimate(prob: Problem, net: NetState) -> float:
    cs = [prob.center(t) for t in net.terms]
    return max(math.hypot(a[0] - b[0], a[1] - b[1]) for a in cs for b in cs)


def _order_key(prob: Problem, net: NetState) -> tuple[float, float, str]:
    """Routing order: a pad-bump net by how far its bump lies sideways of its pad, then length.

    Sideways is along the die edge the pad faces. A wire whose bump lies far to the side runs
    in front of the pads between, and would wall them in if it went first; the pads' own
    wires, whose sideways spans nest inside its span (the assignment is crossing-free), go
    first, from the inside out.
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


def route_all(prob: Problem, nets: dict[int, NetState], unrouted: dict[str, str],
              max_rounds: int) -> None:
    """Route every net in rounds of rip-up and re-route; name each net left in `unrouted`.

    Args:
        prob: the routing problem.
        nets: net id -> state; routed nets get their polylines.
        unrouted: net name -> reason, filled in for the nets that found no path.
        max_rounds: rip-up and re-route rounds.
    """
    queue = sorted(nets, key=lambda k: _order_key(prob, nets[k]))
    walled: set[int] = set()  # nets that the static obstacles alone keep apart
    fenced: set[int] = set()  # nets closed in by the planned wires (which are not ripped up)
    for _round in range(max(1, max_rounds)):
        if not queue:
            break
        ripped: list[int] = []
        for k in queue:
            prob.progress("routing nets", sum(1 for n in nets.values() if n.polylines),
                          len(nets))
            net = nets[k]
            if net.polylines or net.gave_up:
                continue
            if k in walled or k in fenced or route_net(prob, net, soft=False) is not None:
                continue
            if prob.protected:  # nothing may be ripped up: a soft search could only fail
                fenced.add(k)
                continue
            victims = route_net(prob, net, soft=True)
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
