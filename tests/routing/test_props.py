"""Router properties on random feasible pad rings (seeded), checked with shapely and klayout.db.

Each ring: rectangular pads along the die edge, an octagonal bump array inside. The checks do
not trust the router's own sign-off: spacing between nets and to every foreign shape, width
(klayout width check), connectivity of every net (shapely), metal inside the boundary, and no
notch (klayout space check on everything merged).
"""

from __future__ import annotations

import math

import klayout.db as kdb
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from wlpmask.routing import RouteResult, Terminal, route_rdl

# Half a grid step or finer: a wire side meeting an octagon face at 90 degrees may cross it
# half-way between grid points.
DBU = 0.0005


def octagon(cx: float, cy: float, d: float, grid: float = 0.005) -> Polygon:
    """Octagon with width across flats d, vertices on the grid, faces exactly at 45 degrees."""
    r = round(d / 2 / grid) * grid
    e = round(r * (math.sqrt(2.0) - 1.0) / grid) * grid
    return Polygon([(cx + r, cy - e), (cx + r, cy + e), (cx + e, cy + r), (cx - e, cy + r),
                    (cx - r, cy + e), (cx - r, cy - e), (cx - e, cy - r), (cx + e, cy - r)])


def ring_case(seed: int, *, per_side: int = 6, grid: int = 5, die: float = 1200.0,
              pitch: float = 170.0, bump: float = 70.0, free_bumps: bool = True
              ) -> tuple[list[Terminal], Polygon]:
    """A random feasible fan-in: 4 * per_side pads, a grid x grid bump array (some removed)."""
    rng = np.random.default_rng(seed)
    c = die / 2
    span = (grid - 1) * pitch
    sites = [(c - span / 2 + i * pitch, c - span / 2 + j * pitch)
             for j in range(grid) for i in range(grid)]
    if free_bumps:
        keep = sorted(rng.choice(len(sites), size=4 * per_side + 1, replace=False).tolist())
    else:
        keep = list(range(len(sites)))
    bumps = [Terminal(f"bump_{k}", "bump", octagon(*sites[k], bump)) for k in keep]
    pads: list[Terminal] = []
    k = 0
    for side in range(4):
        for i in range(per_side):
            t = 200.0 + (die - 400.0) * (i + 0.5) / per_side + float(rng.uniform(-15, 15))
            t = round(t, 1)
            w, h = float(rng.uniform(20, 40)), float(rng.uniform(20, 40))
            x, y = [(t, 40.0), (die - 40.0, t), (die - t, die - 40.0), (40.0, die - t)][side]
            pads.append(Terminal(f"pad_{k}", "pad", box(x - w / 2, y - h / 2, x + w / 2,
                                                        y + h / 2), f"net_{k}"))
            k += 1
    if not free_bumps:
        # fixed pairs, crossing-free by construction: pads and the outer-ring bumps matched in
        # angular order around the die centre (best rotation)
        ring = [b for b in bumps if max(abs(b.shape.centroid.x - c),
                                        abs(b.shape.centroid.y - c)) > span / 2 - 1]
        inner = [b for b in bumps if b not in ring]

        def angle(t: Terminal) -> float:
            return math.atan2(t.shape.centroid.y - c, t.shape.centroid.x - c)

        ps = sorted(pads, key=angle)
        bs = sorted(ring, key=angle)[:len(ps)]
        best = min(range(len(bs)), key=lambda r: sum(
            ps[i].shape.centroid.distance(bs[(i + r) % len(bs)].shape.centroid)
            for i in range(len(bs))))
        fixed = [Terminal(bs[(i + best) % len(bs)].name, "bump",
                          bs[(i + best) % len(bs)].shape, ps[i].net) for i in range(len(bs))]
        pads = [p for p in pads if p.net in {f.net for f in fixed}]
        bumps = fixed + [b for b in ring if b.name not in {f.name for f in fixed}] + inner
    return pads + bumps, box(0, 0, die, die)


def _kregion(geoms) -> kdb.Region:
    reg = kdb.Region()
    for g in geoms:
        for p in getattr(g, "geoms", [g]):
            kp = kdb.Polygon([kdb.Point(round(x / DBU), round(y / DBU))
                              for x, y in np.asarray(p.exterior.coords)[:-1]])
            for hole in p.interiors:
                kp.insert_hole([kdb.Point(round(x / DBU), round(y / DBU))
                                for x, y in np.asarray(hole.coords)[:-1]])
            reg.insert(kp)
    return reg


def check_result(res: RouteResult, terms: list[Terminal], boundary: Polygon, width: float,
                 space: float, obstacles=()) -> None:
    """Independent checks of everything the router drew."""
    by_name = {t.name: t for t in terms}
    assert not set(res.routed) & set(res.unrouted)
    metals = {n: rn.metal for n, rn in res.routed.items()}
    names = sorted(metals)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert metals[a].distance(metals[b]) >= space - 1e-6, (a, b)
    for n, rn in res.routed.items():
        m = rn.metal
        own = [by_name[t].shape for t in rn.terminals]
        for t in terms:
            if t.name not in rn.terminals:
                assert m.distance(t.shape) >= space - 1e-6, (n, t.name)
        for o in obstacles:
            assert m.distance(o) >= space - 1e-6, n
        merged = shapely.union_all([m, *own])
        assert merged.geom_type == "Polygon", n  # connected
        assert all(m.intersects(s) for s in own), n
        assert boundary.buffer(1e-6).covers(m), n
        assert rn.length_um > 0
    if metals:
        wires = _kregion(metals.values())
        touched = _kregion([by_name[t].shape for rn in res.routed.values() for t in rn.terminals])
        inputs = _kregion([t.shape for t in terms]) + _kregion(obstacles)
        assert wires.merged().width_check(round(width / DBU)).count() == 0
        assert (wires + touched).merged().width_check(round(width / DBU)).count() == 0
        # spacing and notches: nothing beyond what the input shapes bring on their own
        s = round(space / DBU)
        assert ((wires + inputs).merged().space_check(s).count()
                == inputs.merged().space_check(s).count())
    assert res.total_length_um == pytest.approx(sum(r.length_um for r in res.routed.values()))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("allow45", [True, False])
def test_random_ring_with_assignment(seed: int, allow45: bool) -> None:
    terms, die = ring_case(seed)
    res = route_rdl(terminals=terms, obstacles=[], boundary=die, width_um=10.0, space_um=10.0,
                    grid_um=0.005, allow45=allow45)
    assert res.unrouted == {}
    assert len(res.routed) == 24
    # every pad got one distinct bump, and its net connects exactly those two
    assert len(res.assignment) == 24 and len(set(res.assignment.values())) == 24
    for pad, bump in res.assignment.items():
        net = next(t.net for t in terms if t.name == pad)
        assert set(res.routed[net].terminals) == {pad, bump}
    check_result(res, terms, die, 10.0, 10.0)
    if not allow45:
        for rn in res.routed.values():
            for line in rn.centerlines:
                d = np.diff(line, axis=0)
                assert np.all((np.abs(d[:, 0]) < 1e-9) | (np.abs(d[:, 1]) < 1e-9))


@pytest.mark.parametrize("seed", [4, 5])
def test_random_ring_fixed_pairs(seed: int) -> None:
    terms, die = ring_case(seed, per_side=4, free_bumps=False)
    res = route_rdl(terminals=terms, obstacles=[], boundary=die, width_um=8.0, space_um=12.0,
                    grid_um=0.005, assign=False)
    assert res.unrouted == {}
    check_result(res, terms, die, 8.0, 12.0)


def test_centerlines_are_octilinear_without_acute_turns() -> None:
    terms, die = ring_case(7)
    res = route_rdl(terminals=terms, obstacles=[], boundary=die, width_um=10.0, space_um=10.0,
                    grid_um=0.005)
    assert res.routed
    for rn in res.routed.values():
        for line in rn.centerlines:
            d = np.diff(line, axis=0)
            ang = np.degrees(np.arctan2(d[:, 1], d[:, 0]))
            assert np.allclose(ang / 45.0, np.round(ang / 45.0), atol=1e-9)
            turn = (np.diff(ang) + 180.0) % 360.0 - 180.0
            assert np.all(np.abs(turn) <= 90.0 + 1e-9)


def test_deterministic() -> None:
    terms, die = ring_case(11)
    kw = dict(obstacles=[], boundary=die, width_um=10.0, space_um=10.0, grid_um=0.005)
    a = route_rdl(terminals=terms, **kw)
    b = route_rdl(terminals=list(reversed(terms)), **kw)
    assert a.assignment == b.assignment
    assert a.unrouted == b.unrouted
    assert list(a.routed) == list(b.routed)
    for n in a.routed:
        assert a.routed[n].metal.equals_exact(b.routed[n].metal, 0.0)
        assert all(np.array_equal(x, y) for x, y in
                   zip(a.routed[n].centerlines, b.routed[n].centerlines))
