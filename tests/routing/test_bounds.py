"""Work that grows with the input is bounded before it is allocated: a die far too large for
the lattice is refused at once, shapes far larger than the routing area cost nothing, and each
of the router's other bounds is an error naming what is too large (or, in auto mode, a way
round the fan-in plan)."""

from __future__ import annotations

import time

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from wlpmask.errors import WlpmaskError
from wlpmask.routing import Terminal, astar, cuts, route_rdl, router
from wlpmask.routing import assign as assign_mod
from wlpmask.routing import lattice as lattice_mod
from wlpmask.routing.lattice import MAX_NODES, Lattice, lattice_dims, make_rules
from wlpmask.routing.occupancy import Occupancy
from wlpmask.routing.state import Problem

from .test_plan import fanin_die
from .test_props import check_result

KW = dict(width_um=5.0, space_um=5.0, grid_um=0.005)


@pytest.mark.parametrize("side_um", [1e6, 1e9])
def test_a_die_too_large_for_the_lattice_is_refused_at_once(side_um: float) -> None:
    terms = [Terminal("p", "pad", box(10, 10, 30, 30), "a"),
             Terminal("b", "bump", box(200, 200, 280, 280), "a")]
    t0 = time.perf_counter()
    with pytest.raises(WlpmaskError) as ei:
        route_rdl(terminals=terms, obstacles=[], boundary=box(0, 0, side_um, side_um), **KW)
    assert time.perf_counter() - t0 < 1.0
    e = ei.value
    nodes = (round(side_um / 10.0) + 3) ** 2  # a node every 10 um, the border ring, one more
    assert e.key == "boundary"
    assert f"{nodes:,} nodes" in e.message and f"bound of {MAX_NODES:,}" in e.message
    assert len(e.one_line().splitlines()) == 1


def test_the_lattice_bound_lets_a_30mm_die_at_2_2_um_through() -> None:
    rules = make_rules(width_um=2.0, space_um=2.0, grid_um=0.005)
    _, _, nx, ny = lattice_dims(rules, (0, 0, 6_000_000, 6_000_000), (0, 0))
    assert 50_000_000 < nx * ny <= MAX_NODES


def test_the_static_masks_do_not_depend_on_the_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = make_rules(width_um=10.0, space_um=10.0, grid_um=1.0)
    blockers = [box(100, 100, 180, 260), shapely.Point(500, 400).buffer(60)]
    outside = box(-100, -100, 900, 900).difference(box(0, 0, 800, 800))

    def masks():
        lat = Lattice(rules, (0, 0, 800, 800), (0, 0), True)
        free = lat.build_static(blockers, outside)
        return free.tolist(), lat.emask

    whole = masks()
    monkeypatch.setattr(lattice_mod, "CHUNK", 7)
    assert masks() == whole
    assert 0 < sum(whole[0]) < len(whole[0])  # some nodes blocked, some free


def test_shapes_far_larger_than_the_routing_area_cost_nothing() -> None:
    # a keep-out frame 2,000 km wide around the die and a pad 1,000 km away: the frame's
    # outline points and hash cells, and the lattice nodes of the plan's cuts to the far pad,
    # would be counted in hundreds of millions; only what lies near the die counts
    terms, die = fanin_die(16)
    d = die.bounds[2]
    frame = box(-1e9, -1e9, 1e9, 1e9).difference(box(-100, -100, d + 100, d + 100))
    far = Terminal("far", "pad", box(1e9 - 10, 1e9 - 10, 1e9 + 10, 1e9 + 10))
    plain = route_rdl(terminals=terms, obstacles=[], boundary=die, plan=True, **KW)
    t0 = time.perf_counter()
    framed = route_rdl(terminals=[*terms, far], obstacles=[frame], boundary=die, plan=True,
                       **KW)
    assert time.perf_counter() - t0 < 30.0
    assert {n: r.length_um for n, r in framed.routed.items()} == \
        {n: r.length_um for n, r in plain.routed.items()}
    assert len(framed.routed) == 16
    check_result(framed, terms, die, 5.0, 5.0)
    assert all(r.metal.distance(frame) > 95.0 for r in framed.routed.values())


def test_a_terminal_far_larger_than_the_routing_area_is_walked_only_on_the_lattice() -> None:
    huge = box(-1e9, -1e9, 1e9, 1e9).difference(box(-50, -50, 650, 650))
    terms = [Terminal("frame", "pad", huge), Terminal("p", "pad", box(90, 90, 110, 110), "a")]
    prob = Problem(terms, [], box(0, 0, 600, 600), make_rules(**KW), True)
    t0 = time.perf_counter()
    assert prob.accesses(0) == []  # no stub leaves it into the area
    assert prob.accesses(1)
    assert time.perf_counter() - t0 < 5.0


def test_a_plan_too_large_is_an_error_or_net_by_net(monkeypatch: pytest.MonkeyPatch) -> None:
    terms, die = fanin_die(16)
    kw = dict(terminals=terms, obstacles=[], boundary=die, **KW)
    net_by_net = route_rdl(**kw, plan=False)
    monkeypatch.setattr(cuts, "MAX_CUT_NODES", 100)
    with pytest.raises(WlpmaskError) as ei:
        route_rdl(**kw, plan=True)
    assert ei.value.key == "boundary" and "bound of 100" in ei.value.message
    monkeypatch.setattr(router, "PLAN_MIN_PADS", 10)  # auto: the plan first, if it can be made
    auto = route_rdl(**kw)
    assert auto.assignment == net_by_net.assignment
    assert {n: r.length_um for n, r in auto.routed.items()} == \
        {n: r.length_um for n, r in net_by_net.routed.items()}


def test_an_assignment_too_large_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    terms, die = fanin_die(16)
    monkeypatch.setattr(assign_mod, "MAX_PAIRS", 16 * 16 - 1)
    with pytest.raises(WlpmaskError) as ei:
        route_rdl(terminals=terms, obstacles=[], boundary=die, plan=False, **KW)
    assert ei.value.key == "terminals" and "256 pairs" in ei.value.message


def test_distances_in_blocks_are_the_full_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    terms, _ = fanin_die(16)
    pads = [t for t in terms if t.kind == "pad"]
    bumps = [t for t in terms if t.kind == "bump"]
    whole = assign_mod.distances(pads, bumps)
    monkeypatch.setattr(assign_mod, "ROWS", 40)  # two rows of 16 at a time
    assert np.array_equal(assign_mod.distances(pads, bumps), whole)
    c = [t.shape.centroid for t in pads[:1] + bumps[:1]]
    assert whole[0, 0] == pytest.approx(c[0].distance(c[1]))


def test_a_search_stops_at_the_expansion_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = make_rules(width_um=10.0, space_um=10.0, grid_um=1.0)
    lat = Lattice(rules, (0, 0, 2000, 2000), (0, 0), True)
    lat.build_static([], None)
    src = [(lat.nx + 1 + 5 * lat.nx, 0, 0xFF, 0.0, 0)]
    walled = {lat.size - lat.nx - 2: [(0, 0, 0.0)]}  # no arrival is accepted: never found
    monkeypatch.setattr(astar, "MAX_EXPAND", 100)
    stats: list[int] = []
    assert astar.search(lat, Occupancy(lat.size), 0, src, walled, max_expand=10**6,
                        stats=stats) is None
    assert stats == [-101]
