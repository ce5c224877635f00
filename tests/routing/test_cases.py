"""Router cases built by hand: bump-to-bump, three terminals, walled-in terminals, obstacles,
the boundary, and bad input."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import box

from wlpmask.errors import WlpmaskError
from wlpmask.routing import Terminal, route_rdl

from .test_props import check_result, octagon

DIE = box(0, 0, 600, 600)
KW = dict(width_um=10.0, space_um=10.0, grid_um=0.005)


def test_bump_to_bump() -> None:
    terms = [Terminal("b1", "bump", octagon(100, 300, 60), "n"),
             Terminal("b2", "bump", octagon(500, 300, 60), "n"),
             Terminal("b3", "bump", octagon(300, 300, 60))]  # free bump in between
    res = route_rdl(terminals=terms, obstacles=[], boundary=DIE, assign=False, **KW)
    assert set(res.routed) == {"n"} and not res.unrouted
    assert res.routed["n"].terminals == ("b1", "b2")
    assert res.routed["n"].length_um > 400.0  # goes around the free bump in the way
    check_result(res, terms, DIE, 10.0, 10.0)


def test_three_terminal_net() -> None:
    terms = [Terminal("p", "pad", box(280, 20, 320, 50), "vdd"),
             Terminal("b1", "bump", octagon(150, 400, 60), "vdd"),
             Terminal("b2", "bump", octagon(450, 400, 60), "vdd"),
             Terminal("q", "pad", box(480, 20, 520, 50), "sig"),
             Terminal("b3", "bump", octagon(450, 200, 60), "sig")]
    res = route_rdl(terminals=terms, obstacles=[], boundary=DIE, assign=False, **KW)
    assert not res.unrouted
    assert res.routed["vdd"].terminals == ("b1", "b2", "p")
    assert len(res.routed["vdd"].centerlines) == 2
    check_result(res, terms, DIE, 10.0, 10.0)


def test_walled_in_terminal_is_reported_and_not_drawn() -> None:
    wall = box(60, 60, 240, 240).difference(box(125, 125, 175, 175))
    terms = [Terminal("caged", "pad", box(130, 130, 170, 170), "a"),
             Terminal("ba", "bump", octagon(450, 450, 60), "a"),
             Terminal("free", "pad", box(400, 20, 440, 50), "b"),
             Terminal("bb", "bump", octagon(420, 250, 60), "b")]
    res = route_rdl(terminals=terms, obstacles=[wall], boundary=DIE, assign=False, **KW)
    assert "a" in res.unrouted and "a" not in res.routed
    assert "blocked terminal" in res.unrouted["a"] and "caged" in res.unrouted["a"]
    assert "b" in res.routed
    check_result(res, terms, DIE, 10.0, 10.0, obstacles=[wall])


def test_terminal_in_a_closed_room_is_reported() -> None:
    # the pad has stubs inside its room, but the room has no way out
    wall = box(40, 40, 300, 300).difference(box(60, 60, 280, 280))
    terms = [Terminal("inside", "pad", box(150, 150, 190, 190), "a"),
             Terminal("outside", "bump", octagon(450, 450, 60), "a")]
    res = route_rdl(terminals=terms, obstacles=[wall], boundary=DIE, assign=False, **KW)
    assert set(res.unrouted) == {"a"} and not res.routed
    assert "no path" in res.unrouted["a"]


def test_obstacle_is_avoided_with_spacing() -> None:
    keepout = box(200, 100, 400, 500)
    terms = [Terminal("p", "pad", box(40, 280, 70, 320), "n"),
             Terminal("b", "bump", octagon(520, 300, 60), "n")]
    res = route_rdl(terminals=terms, obstacles=[keepout], boundary=DIE, assign=False, **KW)
    assert "n" in res.routed
    assert res.routed["n"].metal.distance(keepout) >= 10.0 - 1e-6
    check_result(res, terms, DIE, 10.0, 10.0, obstacles=[keepout])


def test_boundary_is_respected() -> None:
    # an L-shaped routing area: the wire has to follow it
    area = box(0, 0, 600, 200).union(box(0, 0, 200, 600))
    terms = [Terminal("p", "pad", box(20, 520, 60, 560), "n"),
             Terminal("b", "bump", octagon(520, 100, 60), "n")]
    res = route_rdl(terminals=terms, obstacles=[], boundary=area, assign=False, **KW)
    assert "n" in res.routed
    assert area.covers(res.routed["n"].metal)


def test_single_terminal_and_too_few_bumps() -> None:
    terms = [Terminal("p1", "pad", box(100, 20, 140, 50), "a"),
             Terminal("p2", "pad", box(300, 20, 340, 50), "b"),
             Terminal("b1", "bump", octagon(300, 300, 60))]
    res = route_rdl(terminals=terms, obstacles=[], boundary=DIE, assign=True, **KW)
    assert len(res.routed) == 1 and len(res.unrouted) == 1
    (lost,) = res.unrouted
    assert "no free bump" in res.unrouted[lost]
    res = route_rdl(terminals=terms, obstacles=[], boundary=DIE, assign=False, **KW)
    assert set(res.unrouted) == {"a", "b"}
    assert "only one terminal" in res.unrouted["a"]


def test_metal_is_on_grid() -> None:
    terms = [Terminal("p", "pad", box(40.001, 280, 70, 320.003), "n"),
             Terminal("b", "bump", octagon(520, 300, 60), "n")]
    res = route_rdl(terminals=terms, obstacles=[], boundary=DIE, assign=False, **KW)
    m = res.routed["n"].metal
    xy = shapely.get_coordinates(m) / 0.005
    assert abs(xy - xy.round()).max() < 1e-6


@pytest.mark.parametrize("bad", [
    dict(terminals=[Terminal("x", "pad", box(0, 0, 10, 10)),
                    Terminal("x", "bump", box(20, 20, 30, 30))]),
    dict(terminals=[Terminal("x", "ball", box(0, 0, 10, 10))]),
    dict(terminals=[], width_um=0.0),
    dict(terminals=[], grid_um=-1.0),
])
def test_bad_input(bad: dict) -> None:
    kw = dict(obstacles=[], boundary=DIE, **KW)
    kw.update(bad)
    with pytest.raises(WlpmaskError):
        route_rdl(**kw)
