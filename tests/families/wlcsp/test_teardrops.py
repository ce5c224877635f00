"""Teardrops: where they go (every trace/capture-pad junction, pad landings on request), how
they follow the trace (45-degree exits and bends), how they are clipped to the space from other
nets, and that pad + trace + teardrop is DRC-clean with no acute corner."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import shapely

from tests.designs import PDK, base_design, load, pad, teardrops, terminals
from wlpmask import geometry as geo
from wlpmask.drc import run_drc
from wlpmask.families.wlcsp.teardrops import junction_paths
from wlpmask.routing.lattice import make_rules
from wlpmask.routing.notches import fill_notch, fill_notches
from wlpmask.routing.outline import to_um, wire_metal
from wlpmask.tech import load_technology

TECH = load_technology(PDK)
GRID = 0.001
W = S = 10.0


def octilinear_metal(points_um, width_um: float = W) -> shapely.Geometry:
    """Wire metal of an octilinear centre-line as the router draws it (exact 45-degree edges
    on the grid); vertices on even grid units."""
    rules = make_rules(width_um=width_um, space_um=S, grid_um=GRID)
    pts = [(int(round(x / GRID)), int(round(y / GRID))) for x, y in points_um]
    return to_um(wire_metal([pts], rules), GRID)


def fake_net(net: str, line, pads=()) -> SimpleNamespace:
    metal = octilinear_metal(line)
    for p in pads:
        metal = metal.difference(p)
    return SimpleNamespace(net=net, centerlines=(np.array(line, dtype=float),), metal=metal)


@pytest.fixture()
def small(tmp_path):
    """The base design with P1 (1000, 110) given to C2 (1000, 500) and P2 to B3."""
    doc = base_design()
    doc["pads"]["pads"].append(pad("P3", 1150.0, 110.0))
    doc["assignment"] = {"mode": "given", "table": {"P1": "C2", "P2": "B3", "P3": "C3"}}
    d = load(tmp_path, doc)
    terms = terminals(d)
    return d, terms, {t.name: t for t in terms}, {s.name: s.net for s in d.bumps.sites}


def drc_clean(d, geoms) -> dict[str, int]:
    rings = [r for g in geoms for r in geo.hole_free_rings(g)]
    res = run_drc({"RDL": rings}, d.tech, rules=["RDL.W", "RDL.S"])
    return {k: v for k, v in res.summary().items() if v}


def net_bodies(d, nets, drops, by, owners):
    metal = {n: [nets[n].metal, *(t.shape for t in drops if t.net == n)] for n in nets}
    terms = {n: shapely.union_all([by[t].shape for t in owners[n]]) for n in nets}
    return fill_notches(net_metal=metal, net_terminals=terms, space_um=d.rdl.space_um,
                        grid_um=d.tech.grid_um)


def test_teardrop_on_a_straight_exit(small):
    d, terms, by, bump_nets = small
    nets = {"P1": fake_net("P1", [(1000, 500), (1000, 110)], [by["P1"].shape, by["C2"].shape])}
    drops, report = teardrops(d, terminals=terms, nets=nets, bump_nets=bump_nets)
    assert [(t.net, t.terminal, t.kind, t.clipped) for t in drops] == [("P1", "C2", "bump",
                                                                         False)]
    assert report.placed() == report.junctions["bump"] == 1 and report.missing == {}
    pts = np.array(drops[0].shape.exterior.coords)
    # 90 % of the capture pad wide where it meets the pad, across the trace
    assert np.ptp(pts[:, 0]) == pytest.approx(0.9 * d.bumps.dims.capture_um, abs=0.01)
    # it ends half the pad radius beyond the pad edge
    r = d.bumps.dims.capture_um / 2
    assert 500 - pts[:, 1].min() == pytest.approx(r * (1 + d.teardrop.reach_ratio), abs=0.01)
    (body,) = net_bodies(d, nets, drops, by, {"P1": ["P1", "C2"]})
    assert drc_clean(d, [body]) == {}
    ring = np.array(body.simplify(1e-3).exterior.coords[:-1])
    assert geo.interior_angles_deg(ring).min() >= 90 - 1e-6


def test_teardrop_follows_a_45_degree_exit(small):
    d, terms, by, bump_nets = small
    line = [(1000, 500), (850, 350), (850, 140), (880, 110), (1000, 110)]
    nets = {"P1": fake_net("P1", line, [by["P1"].shape, by["C2"].shape])}
    drops, _ = teardrops(d, terminals=terms, nets=nets, bump_nets=bump_nets)
    (t,) = drops
    pts = np.array(t.shape.exterior.coords)
    across = np.array((-1.0, 1.0)) / math.sqrt(2)  # perpendicular to the 225-degree exit
    assert np.ptp(pts @ across) == pytest.approx(0.9 * d.bumps.dims.capture_um, abs=0.01)
    along = np.array((-1.0, -1.0)) / math.sqrt(2)
    r = d.bumps.dims.capture_um / 2
    assert (pts - (1000, 500)).dot(along).max() == pytest.approx(r * 1.5, abs=0.01)
    (body,) = net_bodies(d, nets, drops, by, {"P1": ["P1", "C2"]})
    assert drc_clean(d, [body]) == {}


def test_teardrop_spans_a_45_degree_bend(small):
    """The trace turns 22.5 um beyond the pad edge (what the router does when it leaves a
    capture pad): the teardrop follows it round the bend instead of being left out."""
    d, terms, by, bump_nets = small
    line = [(1000, 500), (1000, 360), (900, 260), (900, 200), (1000, 100), (1000, 110)]
    nets = {"P1": fake_net("P1", line[:-1], [by["P1"].shape, by["C2"].shape])}
    drops, report = teardrops(d, terminals=terms, nets=nets, bump_nets=bump_nets)
    assert report.placed("bump") == 1 and not drops[0].clipped
    after_bend = shapely.Point(np.array((1000, 360)) + 25 * np.array((-1, -1)) / math.sqrt(2))
    assert drops[0].shape.buffer(1e-6).covers(after_bend.buffer(W / 2 - 0.01))
    (body,) = net_bodies(d, nets, drops, by, {"P1": ["P1", "C2"]})
    assert drc_clean(d, [body]) == {}


@pytest.mark.parametrize("pts, end", [
    ([(0, 0), (0, -300)], (0, -117.5 - 50)),                       # straight: the reach
    ([(0, 0), (0, -140), (100, -140)], (0, -140)),                 # 90-degree turn: stops
    ([(0, 0), (0, -140), (-100, -240)], (-27.5 / math.sqrt(2), -140 - 27.5 / math.sqrt(2))),
    ([(0, 0), (0, -140), (-10, -150), (-110, -150)], (0, -140)),   # 45 then 45: first bend
    ([(0, 0), (0, -300)][::-1], (0, -117.5 - 50)),                 # given from the far end
])
def test_junction_paths(pts, end):
    pad_poly = shapely.Polygon(geo.octagon(diameter_um=235.0))
    path = junction_paths(np.array(pts, dtype=float), pad_poly, reach_um=50.0)
    assert np.allclose(path[0], (0, 0)) and np.allclose(path[-1], end, atol=1e-6)
    assert junction_paths(np.array([(200, 0), (400, 0)], float), pad_poly,
                                reach_um=50.0) is None


def test_teardrop_is_clipped_to_the_space_from_another_net(small):
    d, terms, by, bump_nets = small
    cap_r = d.bumps.dims.capture_um / 2
    p1 = fake_net("P1", [(1000, 500), (1000, 110)], [by["P1"].shape, by["C2"].shape])
    # P3 runs parallel to P1 at exactly the RDL space, then under C2 at the space from it
    y = 500 - cap_r - 10 - 5 - 0.012
    p3 = fake_net("P3", [(1150, 110), (1150, 200), (1020, 200), (1020, y), (1250, y),
                         (1250, 500), (1500, 500)], [by["P3"].shape, by["C3"].shape])
    alone, _ = teardrops(d, terminals=terms, nets={"P1": p1}, bump_nets=bump_nets)
    assert len(alone) == 1 and not alone[0].clipped
    assert alone[0].shape.distance(p3.metal) < d.rdl.space_um  # it would violate
    nets = {"P1": p1, "P3": p3}
    drops, report = teardrops(d, terminals=terms, nets=nets, bump_nets=bump_nets)
    by_term = {t.terminal: t for t in drops}
    assert by_term["C2"].clipped and report.clipped["bump"] >= 1  # shrunk, not dropped
    assert by_term["C2"].shape.difference(shapely.union_all([by["C2"].shape, p1.metal])).area \
        > d.rdl.width_um ** 2
    for t in drops:
        other = p3.metal if t.net == "P1" else p1.metal
        assert t.shape.distance(other) >= d.rdl.space_um
    bodies = net_bodies(d, nets, drops, by, {"P1": ["P1", "C2"], "P3": ["P3", "C3"]})
    assert drc_clean(d, bodies) == {}


def test_teardrop_modes(small):
    d, terms, by, bump_nets = small
    nets = {"P1": fake_net("P1", [(1000, 500), (1000, 110)], [by["P1"].shape, by["C2"].shape])}
    none, report = teardrops(d, terminals=terms, nets=nets, bump_nets=bump_nets,
                             mode="none")
    assert none == [] and report.placed() == 0
    drops, report = teardrops(d, terminals=terms, nets=nets, bump_nets=bump_nets,
                              mode="all")
    assert sorted((t.kind, t.terminal) for t in drops) == [("bump", "C2"), ("pad", "P1")]
    assert report.to_json()["pad_landings"] == {"junctions": 1, "placed": 1, "full_size": 1,
                                                "clipped": 0}
    landing = next(t for t in drops if t.kind == "pad")
    side = np.ptp(np.array(by["P1"].shape.exterior.coords)[:, 0])
    assert np.ptp(np.array(landing.shape.exterior.coords)[:, 0]) == pytest.approx(
        0.9 * side, abs=0.01)
    (body,) = net_bodies(d, nets, drops, by, {"P1": ["P1", "C2"]})
    assert drc_clean(d, [body]) == {}


# Exit direction (k x 45 degrees), run beyond the pad edge before the first bend, turn there.
JUNCTIONS = [(k, run, turn) for k in range(8) for run, turn in
             ((0.0, 45), (5.0, -90), (22.5, 45), (22.5, -45), (22.5, 90), (80.0, 0))]


@pytest.mark.parametrize("k, run, turn", JUNCTIONS)
def test_pad_trace_teardrop_union_is_clean_and_never_acute(k, run, turn):
    """Pad + router-style wire + teardrop + same-net notch fill: DRC-clean on width and space,
    one polygon, every corner between 90 and 270 degrees."""
    d_cap = 235.004
    pad_pts = geo.round_pad(diameter_um=d_cap, shape="octagon", grid_um=GRID)
    pad_poly = shapely.Polygon(pad_pts)

    def unit(j: int) -> np.ndarray:
        return np.array([round(math.cos(j * math.pi / 4)), round(math.sin(j * math.pi / 4))])

    u0, u1 = unit(k), unit(k + turn // 45)
    steps = int(round((d_cap / 2 + run) / np.hypot(*u0) / GRID))
    bend = u0 * (steps + steps % 2) * GRID
    line = np.array([(0.0, 0.0), bend, bend + u1 * 150.0])
    wire = octilinear_metal(line)
    path = junction_paths(line, pad_poly, reach_um=d_cap / 4)
    drop = geo.teardrop(pad=pad_pts, center=(0, 0), path=path, chord_um=0.9 * d_cap,
                        trace_width_um=W, grid_um=GRID)
    body = fill_notch(shapely.union_all([pad_poly, wire, shapely.Polygon(drop)]), space_um=S,
                      grid_um=GRID)
    parts = geo.polygon_parts(body)
    assert len(parts) == 1 and not parts[0].interiors
    rings = geo.hole_free_rings(body)
    res = run_drc({"RDL": rings}, TECH, rules=["RDL.W", "RDL.S"])
    assert res.clean, res.summary()
    angles = geo.interior_angles_deg(np.array(parts[0].simplify(5e-3).exterior.coords[:-1]))
    assert angles.min() >= 90 - 0.1 and angles.max() <= 270 + 0.1



def test_teardrop_fills_the_inner_side_of_a_90_degree_turn_near_the_pad(small):
    """The trace leaves the capture pad and turns 90 degrees 24.5 um past its edge: the
    teardrop stops at that bend, and must not leave a pocket between its flank, the wire after
    the turn and the pad (a mask shop sees it as a bite out of the fillet)."""
    d, terms, by, bump_nets = small
    line = [(1000, 500), (1000, 358), (930, 358), (930, 200), (1000, 130), (1000, 110)]
    nets = {"P1": fake_net("P1", line, [by["P1"].shape, by["C2"].shape])}
    drops, report = teardrops(d, terminals=terms, nets=nets, bump_nets=bump_nets)
    assert report.placed("bump") == 1
    (body,) = net_bodies(d, nets, drops, by, {"P1": ["P1", "C2"]})
    corner = shapely.box(955, 353, 1000, 382.5)  # between the pad, the stub and the turn
    piece = body.intersection(corner)
    pocket = piece.convex_hull.difference(body)
    assert pocket.area < 1.0, pocket.area
    assert drc_clean(d, [body]) == {}
