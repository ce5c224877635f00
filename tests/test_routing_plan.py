"""The fan-in plan: min-cost flow, crossing-free order through the gaps, gated detail routes."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from test_routing_props import check_result, octagon
from wlpmask.routing import Terminal, route_rdl
from wlpmask.routing.assign import linear_assignment
from wlpmask.routing.flow import FlowError, min_cost_flow
from wlpmask.routing.gates import _fit
from wlpmask.routing.lattice import make_rules
from wlpmask.routing.plan import plan_fanin
from wlpmask.routing.state import Problem


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
