"""The global stage: tile capacities, negotiated tile routing, corridors in the detail search."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

import wlpmask.routing.steer as steer
from wlpmask.routing import route_rdl
from wlpmask.routing.corridor import TDIRS, TileGraph, corridor_mask, route_tiles
from wlpmask.routing.lattice import Lattice, make_rules

from .test_props import check_result, ring_case


def _lattice(blockers, size: int = 800) -> Lattice:
    rules = make_rules(width_um=10.0, space_um=10.0, grid_um=1.0)
    lat = Lattice(rules, (0, 0, size, size), (0, 0), True)
    lat.build_static(blockers, None)
    return lat


def test_tile_capacity_counts_crossing_moves() -> None:
    lat = _lattice([box(300, 300, 500, 500)])
    g = TileGraph(lat, 8)
    em = np.asarray(lat.emask).reshape(lat.ny, lat.nx)
    for t in range(g.tx * g.ty):
        b, a = divmod(t, g.tx)
        for d in (0, 2):
            e = g.edge(t, d)
            if e is None:
                continue
            if d == 0:  # moves east out of the last column of tile (a, b)
                col = (a + 1) * 8 - 1
                rows = range(b * 8, min((b + 1) * 8, lat.ny))
                want = sum(1 for j in rows if col < lat.nx and em[j, col] & 1)
            else:
                row = (b + 1) * 8 - 1
                cols = range(a * 8, min((a + 1) * 8, lat.nx))
                want = sum(1 for i in cols if row < lat.ny and em[row, i] & 4)
            assert e[1] == want, (t, d)
    # the blocker leaves boundaries with fewer tracks than open ones
    caps = [g.edge(t, 0)[1] for t in range(g.tx * g.ty) if g.edge(t, 0) is not None]
    assert min(caps) < max(caps) == 8


def test_negotiation_spreads_nets_over_capacity() -> None:
    lat = _lattice([], 1600)
    g = TileGraph(lat, 8)
    # many nets between the same two inner tiles: one boundary cannot carry them all
    s = 5 * g.tx + 2
    t = 5 * g.tx + 6
    demands = {k: (s, t) for k in range(20)}
    paths = route_tiles(g, demands, rounds=8)
    assert set(paths) == set(demands)
    use: dict = {}
    for p in paths.values():
        assert p[0] == s and p[-1] == t
        for u, v in zip(p, p[1:]):
            bu, au = divmod(u, g.tx)
            bv, av = divmod(v, g.tx)
            e, cap = g.edge(u, TDIRS.index((av - au, bv - bu)))
            use[e] = (use.get(e, (0, cap))[0] + 1, cap)
    assert all(n <= cap for n, cap in use.values())
    assert len({tuple(p) for p in paths.values()}) > 1
    m = corridor_mask(g, paths[0], 1)
    assert all(x in m for x in paths[0]) and len(m) > len(paths[0])


@pytest.mark.parametrize("seed", [1, 2])
def test_ring_routes_with_corridors(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(steer, "GLOBAL_MIN_NETS", 1)  # global stage even for small cases
    terms, die = ring_case(seed)
    res = route_rdl(terminals=terms, obstacles=[], boundary=die, width_um=10.0, space_um=10.0,
                    grid_um=0.005)
    assert res.unrouted == {}
    check_result(res, terms, die, 10.0, 10.0)


def test_large_ring_routes_every_net() -> None:
    terms, die = ring_case(3, per_side=17, grid=9, die=2200.0)
    assert sum(t.kind == "pad" for t in terms) >= steer.GLOBAL_MIN_NETS
    res = route_rdl(terminals=terms, obstacles=[], boundary=die, width_um=8.0, space_um=8.0,
                    grid_um=0.005)
    assert res.unrouted == {}
    check_result(res, terms, die, 8.0, 8.0)
