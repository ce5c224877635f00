"""The fan-in plan: min-cost flow, crossing-free order through the gaps, gated detail routes."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
import shapely
import shapely.affinity
from shapely.geometry import box

from wlpmask.routing import Terminal, route_rdl
from wlpmask.routing.assign import linear_assignment
from wlpmask.routing.cuts import Cut
from wlpmask.routing.faces import BUMP, delaunay_faces, split_cells
from wlpmask.routing.fanin import apply_gates, plan_assignment
from wlpmask.routing.flow import FlowError, min_cost_flow
from wlpmask.routing.gates import BLOCKED, _fit
from wlpmask.routing.lattice import make_rules
from wlpmask.routing.legs import _crossing
from wlpmask.routing.plan import Plan, plan_fanin
from wlpmask.routing.state import NetState, Problem

from .test_props import check_result, octagon


def fanin_die(pads: int, *, pitch: float = 200.0, margin: float = 400.0, seed: int = 0):
    """Square die: a pad ring 20 um from the edge and the smallest square bump array with at
    least `pads` sites, its surplus sites removed from the centre."""
    rng = np.random.default_rng(seed)
    n = math.ceil(math.sqrt(pads))
    die = (n - 1) * pitch + 2 * margin
    c = die / 2
    sites = sorted(((margin + i * pitch, margin + j * pitch) for j in range(n) for i in range(n)),
                   key=lambda p: (-max(abs(p[0] - c), abs(p[1] - c)), p[1], p[0]))[:pads]
    terms = [Terminal(f"b{k:04d}", "bump", octagon(x, y, 80.0))
             for k, (x, y) in enumerate(sorted(sites))]
    per = [pads // 4 + (1 if s < pads % 4 else 0) for s in range(4)]
    lo, hi = 170.0, die - 170.0
    k = 0
    for side, count in enumerate(per):
        for i in range(count):
            t = round((lo + (hi - lo) * (i + 0.5) / count + rng.uniform(-1, 1)) / 0.005) * 0.005
            cx, cy = [(t, 20.0), (die - 20.0, t), (die - t, die - 20.0), (20.0, die - t)][side]
            w, h = (15.0, 20.0) if side % 2 == 0 else (20.0, 15.0)
            terms.append(Terminal(f"p{k:04d}", "pad",
                                  box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), f"n{k:04d}"))
            k += 1
    return terms, box(0, 0, die, die)


@pytest.mark.parametrize("seed", range(4))
def test_flow_is_the_optimal_assignment(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cost = rng.uniform(1.0, 10.0, size=(5, 8))
    rows, cols = cost.shape
    tails, heads, caps, costs = [], [], [], []
    for i in range(rows):
        for j in range(cols):
            tails.append(i)
            heads.append(rows + j)
            caps.append(1)
            costs.append(cost[i, j])
    sink = rows + cols
    for j in range(cols):
        tails.append(rows + j)
        heads.append(sink)
        caps.append(1)
        costs.append(0.0)
    supply = [1] * rows + [0] * cols + [-rows]
    x = min_cost_flow(nodes=sink + 1, tails=tails, heads=heads, caps=caps, costs=costs,
                      supply=supply)
    assert set(np.unique(x)) <= {0, 1}
    got = float(np.dot(x, costs))
    col = linear_assignment(cost)
    assert got == pytest.approx(float(cost[np.arange(rows), col].sum()))


def test_flow_infeasible_is_an_error() -> None:
    with pytest.raises(FlowError):
        min_cost_flow(nodes=2, tails=[0], heads=[1], caps=[1], costs=[1.0], supply=[2, -2])


@pytest.mark.parametrize("seed", range(20))
def test_slot_fit_is_optimal(seed: int) -> None:
    rng = np.random.default_rng(seed)
    s = np.sort(rng.uniform(0, 100, size=9))
    k = int(rng.integers(1, 4))
    want = sorted(rng.uniform(-10, 110, size=k))
    gap = [1] + [int(g) for g in rng.integers(1, 3, size=k - 1)]
    got = _fit(s, want, gap)
    assert all(b - a >= g for a, b, g in zip(got, got[1:], gap[1:]))
    best = min(sum((s[c] - w) ** 2 for c, w in zip(cs, want))
               for cs in itertools.combinations(range(len(s)), k)
               if all(b - a >= g for a, b, g in zip(cs, cs[1:], gap[1:])))
    assert sum((s[c] - w) ** 2 for c, w in zip(got, want)) == pytest.approx(best)


def test_plan_is_crossing_free_and_within_capacity() -> None:
    terms, die = fanin_die(36)
    rules = make_rules(width_um=5.0, space_um=5.0, grid_um=0.005)
    prob = Problem(terms, [], die, rules, True)
    pads = [i for i, t in enumerate(terms) if t.kind == "pad"]
    bumps = [i for i, t in enumerate(terms) if t.kind == "bump"]
    plan = plan_fanin(lat=prob.lat, free=prob.builder.free,
                      centers=[prob.center(i) for i in range(len(terms))],
                      kinds=[t.kind for t in terms], pads=pads, bumps=bumps,
                      obstacles=[], boundary=prob.boundary)
    assert not plan.unserved
    assert sorted(plan.bump_of) == pads
    assert len(set(plan.bump_of.values())) == len(pads)
    for e, n in plan.count.items():
        assert n <= len(plan.cuts[e].usable)
    # each wire as the polyline through its places on the cuts (position i of n spread over
    # the cut): wires of different pads never cross
    lines = {}
    for p, seq in plan.crossings.items():
        pts = [prob.center(p)]
        for e, i in seq:
            c = plan.cuts[e]
            u, v = np.asarray(plan.points[c.u]), np.asarray(plan.points[c.v])
            pts.append(tuple(u + (v - u) * (i + 1) / (plan.count[e] + 1)))
        pts.append(prob.center(plan.bump_of[p]))
        lines[p] = shapely.LineString(pts)
    for a, b in itertools.combinations(sorted(lines), 2):
        assert not lines[a].intersects(lines[b]), (a, b)


def test_planned_routing_is_clean_and_deterministic() -> None:
    terms, die = fanin_die(64, seed=3)
    kw = dict(terminals=terms, obstacles=[], boundary=die, width_um=5.0, space_um=5.0,
              grid_um=0.005, assign=True, plan=True)
    res = route_rdl(**kw)
    assert not res.unrouted
    assert len(res.routed) == 64
    assert len(set(res.assignment.values())) == 64
    check_result(res, terms, die, 5.0, 5.0)
    again = route_rdl(**kw)
    assert again.assignment == res.assignment
    assert {n: [pl.tolist() for pl in r.centerlines] for n, r in again.routed.items()} == \
        {n: [pl.tolist() for pl in r.centerlines] for n, r in res.routed.items()}


@pytest.mark.parametrize("towards, diagonal", [((0.0, 0.0), {1, 3}), ((10.0, 0.0), {0, 2}),
                                               ((0.0, 10.0), {0, 2}), ((10.0, 10.0), {1, 3})])
def test_cell_is_cut_across_the_traffic(towards, diagonal) -> None:
    # a square cell (corners 0..3 counter-clockwise from the lower left) cut along the
    # diagonal more nearly at right angles to the line from its centre to `towards`
    pts = np.array([(4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0)])
    faces = delaunay_faces(pts)
    assert [sorted(c) for c in faces.cycles] == [[0, 1, 2, 3]]
    _, _, _, split = split_cells(pts, [BUMP] * 4, [[] for _ in range(4)], faces,
                                 np.array(towards))
    assert len(split.cycles) == 2
    inner = [e for e, fs in split.edge_faces.items() if len(fs) == 2]
    assert len(inner) == 1 and set(inner[0]) == diagonal


def _gated(terms, die):
    """The plan's gates on the lattice of a die, as route_rdl puts them (one net per pad)."""
    rules = make_rules(width_um=5.0, space_um=5.0, grid_um=0.005)
    prob = Problem(terms, [], die, rules, True)
    planned = plan_assignment(prob)
    term_net = [-1] * len(terms)
    nets = {}
    for k, (p, b) in enumerate(sorted(planned.items())):
        term_net[p] = term_net[b] = k
        nets[k] = NetState(k, terms[p].net, [p, b])
    apply_gates(prob, nets, planned, term_net)
    return prob, planned, term_net


def test_shared_pad_room_is_closed_to_both_pads() -> None:
    terms, die = fanin_die(36, seed=1)
    # the pads of the lower side packed at 27.5 um, where the rooms of neighbours overlap
    low = [i for i, t in enumerate(terms) if t.kind == "pad" and t.shape.centroid.y < 50]
    for k, i in enumerate(low):
        terms[i] = Terminal(terms[i].name, "pad",
                            shapely.affinity.translate(box(-7.5, 10, 7.5, 30), 600 + 27.5 * k),
                            terms[i].net)
    prob, planned, term_net = _gated(terms, die)
    room = {}
    own = set()
    for p in planned:
        for a in prob.accesses(p):
            own.add(a.node)
            for n in (*a.own, *a.halo):
                room.setdefault(n, set()).add(term_net[p])
    shared = [n for n, ks in room.items() if len(ks) > 1]
    assert shared  # the pads of this die sit close enough to share room
    for n in shared:
        assert prob.occ.gate[n] == BLOCKED or (n in own and prob.occ.gate[n] in room[n])
    for n, ks in room.items():
        if len(ks) == 1:
            assert prob.occ.gate[n] in ks | {BLOCKED} or prob.occ.gate[n] >= 0


@pytest.mark.parametrize("seed", range(2))
def test_planned_routing_of_a_larger_die(seed: int) -> None:
    terms, die = fanin_die(144, seed=seed)
    res = route_rdl(terminals=terms, obstacles=[], boundary=die, width_um=5.0, space_um=5.0,
                    grid_um=0.005, assign=True, plan=True)
    assert sorted(res.routed) == sorted(t.net for t in terms if t.kind == "pad")
    check_result(res, terms, die, 5.0, 5.0)


def test_a_pad_no_stub_can_leave_is_reported_and_the_plan_routes_the_others() -> None:
    # a thin pad on the die edge: its centre lies closer to the edge than a wire's half width,
    # so no stub leaves it. The plan used to give it a bump all the same: its wire had no
    # net, and the gates failed on it (KeyError) instead of naming the pad
    terms, die = fanin_die(16)
    k = next(i for i, t in enumerate(terms) if t.name == "p0000")
    cx = terms[k].shape.centroid.x
    terms[k] = replace(terms[k], shape=box(cx - 7.5, 0.5, cx + 7.5, 3.5))
    res = route_rdl(terminals=terms, obstacles=[], boundary=die, width_um=5.0, space_um=5.0,
                    grid_um=0.005, assign=True, plan=True)
    assert list(res.unrouted) == ["n0000"]
    assert res.unrouted["n0000"].startswith("blocked terminal: p0000")
    assert len(res.routed) == 15
    check_result(res, terms, die, 5.0, 5.0)


def test_a_width_no_pad_can_leave_by_reports_every_net() -> None:
    terms, die = fanin_die(16)
    res = route_rdl(terminals=terms, obstacles=[], boundary=die, width_um=40.0, space_um=40.0,
                    grid_um=0.005, assign=True, plan=True)
    assert not res.routed
    assert sorted(res.unrouted) == sorted(t.net for t in terms if t.kind == "pad")
    assert all(r.startswith("blocked terminal") for r in res.unrouted.values())


def test_diagonal_gap_is_crossed_along_the_wire_and_corners_are_kept() -> None:
    # a gap along (1, 1): a wire running up crosses it with an upward step; a neighbour
    # crossing it at 45 degrees must not cut a corner onto that wire's steps
    rules = make_rules(width_um=5.0, space_um=5.0, grid_um=0.005)
    terms = [Terminal("b", "bump", octagon(100.0, 100.0, 20.0))]
    prob = Problem(terms, [], box(0, 0, 400, 400), rules, True)
    lat = prob.lat
    n0 = (lat.size // lat.nx // 2) * lat.nx + lat.nx // 2
    x, y = lat.xy(n0)
    p = lat.pitch
    prob.plan = Plan(points=np.array([(x - 5 * p, y - 5 * p), (x + 5 * p, y + 5 * p)]),
                     cuts=[Cut(0, 1, (), (), True)])
    up = _crossing(prob, 0, n0, 0, (x, y - 8 * p), (x, y + 8 * p))
    assert up == (2, n0 - lat.off[2], n0 + lat.off[2])
    # the next node along the gap, a wire running down-right: its diagonal step would cut
    # the corner at the first wire's upper step, so it crosses with an axis step instead
    n1 = n0 + lat.off[1]
    x1, y1 = lat.xy(n1)
    d, a, b = _crossing(prob, 1, n1, 0, (x1 - 8 * p, y1 + 8 * p), (x1 + 8 * p, y1 - 8 * p))
    corners = {c + lat.off[(d + t) % 8] for c in (a, n1) for t in (1, -1)} if d % 2 else set()
    assert not corners & {n0 - lat.off[2], n0, n0 + lat.off[2]}
    assert prob.occ.gate[a] == prob.occ.gate[b] == 1
    # a third wire may not step onto a node whose corner a crossing has cut
    for c, owner in prob.cross_corners.items():
        assert prob.occ.gate[c] in (owner, BLOCKED)


def test_auto_tries_the_plan_when_nets_are_left(monkeypatch: pytest.MonkeyPatch) -> None:
    from wlpmask.routing import router
    from wlpmask.routing.model import RouteResult

    terms, die = fanin_die(36)
    calls = []
    plan_leaves = []

    def fake(*, plan, **kw):
        calls.append(plan)
        if plan and not plan_leaves:  # the plan routes every net, the other way leaves one
            return RouteResult({"a": None, "b": None}, {}, {}, 20.0)
        return RouteResult({"a": None}, {"b": "no path"}, {}, 10.0)

    monkeypatch.setattr(router, "_route", fake)
    kw = dict(terminals=terms, obstacles=[], boundary=die, width_um=5.0, space_um=5.0,
              grid_um=0.005)
    res = route_rdl(**kw)
    assert calls == [False, True] and not res.unrouted
    calls.clear()
    monkeypatch.setattr(router, "PLAN_MIN_PADS", 10)  # the plan first: no net-by-net retry
    plan_leaves.append(1)
    assert route_rdl(**kw).unrouted and calls == [True]
    calls.clear()
    assert route_rdl(**kw, plan=False).unrouted and calls == [False]
    calls.clear()
    route_rdl(**kw, assign=False)  # nothing to assign: one way only
    assert calls == [False]


def test_planned_bump_is_entered_through_the_corner_the_plan_enters_it_by() -> None:
    terms, die = fanin_die(36, seed=2)
    prob, planned, term_net = _gated(terms, die)
    checked = 0
    for p, b in sorted(planned.items()):
        k = term_net[p]
        sides = prob.bump_sides[k]
        assert sides and len(sides) < len(prob.accesses(b))
        (ux, uy), (vx, vy) = prob.plan.entry[p]
        bx, by = prob.center(b)
        a0 = math.atan2(uy - by, ux - bx)
        span = (math.atan2(vy - by, vx - bx) - a0) % (2 * math.pi)
        assert 0 < span < math.pi  # the corner of a triangle
        for ai, a in enumerate(prob.accesses(b)):
            x, y = prob.lat.xy(a.node)
            rel = (math.atan2(y - by, x - bx) - a0 + 1e-6) % (2 * math.pi)
            inside = rel <= span + 2e-6
            if inside:
                checked += 1
            # taken (and kept for the net) exactly when inside the corner, if any access is
            assert (ai in sides) == inside or not any(
                (math.atan2(prob.lat.xy(c.node)[1] - by, prob.lat.xy(c.node)[0] - bx) - a0
                 + 1e-6) % (2 * math.pi) <= span + 2e-6 for c in prob.accesses(b))
            if ai in sides:
                assert prob.occ.gate[a.node] == k
    assert checked
