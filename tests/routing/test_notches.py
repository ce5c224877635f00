"""Same-net notch filling: a slot of one net narrower than the space rule is filled (checked by
the project's DRC and by KLayout), a wider one is left alone, and the fill keeps the space to
other nets."""

from __future__ import annotations

import math

import pytest
import shapely

from tests.designs import PDK
from wlpmask import geometry as geo
from wlpmask.drc import run_drc
from wlpmask.io.kdb import to_region
from wlpmask.routing.notches import fill_notch, fill_notches, notch_pairs
from wlpmask.tech import load_technology

TECH = load_technology(PDK)
S = TECH.rules["RDL.S"].limit
GRID = TECH.grid_um


def space_violations(*geoms) -> int:
    rings = [r for g in geoms for r in geo.hole_free_rings(g)]
    return sum(run_drc({"RDL": rings}, TECH, rules=["RDL.S"]).summary().values())


def klayout_space_violations(geom) -> int:
    r = to_region([geom], dbu_um=GRID).merged()
    return r.space_check(round(S / GRID)).count()


def wedge_pocket(angle_deg: float) -> shapely.Geometry:
    """A block of metal with a V-shaped pocket of the given opening angle (apex at the origin)."""
    t = math.radians(angle_deg) / 2
    pocket = shapely.Polygon([(0, 0), (200 * math.sin(t), 200 * math.cos(t)),
                              (-200 * math.sin(t), 200 * math.cos(t))])
    return geo.snap_geometry(shapely.box(-100, -50, 100, 100).difference(pocket), GRID)


def u_slot(width_um: float) -> shapely.Geometry:
    """Two parallel wires of one net joined at one end: a slot `width_um` wide, 60 um deep."""
    return shapely.union_all([shapely.box(0, 0, 10, 80), shapely.box(10 + width_um, 0,
                                                                       20 + width_um, 80),
                              shapely.box(0, 0, 20 + width_um, 20)])


@pytest.mark.parametrize("angle", [20.0, 45.0, 60.0, 86.0])
def test_acute_notch_is_filled_until_clean(angle):
    body = wedge_pocket(angle)
    assert space_violations(body) > 0 and klayout_space_violations(body) > 0
    assert notch_pairs(body, space_um=S, grid_um=GRID)
    out = fill_notch(body, space_um=S, grid_um=GRID)
    assert out.buffer(GRID).covers(body) and out.area > body.area  # up to snapping
    assert space_violations(out) == 0 and klayout_space_violations(out) == 0
    # only the narrow part of the pocket is filled: the wide mouth stays open
    assert out.area - body.area < 0.1 * (shapely.box(-100, -50, 100, 100).area - body.area)


def test_right_angle_corner_is_no_notch():
    body = wedge_pocket(90.0)
    assert notch_pairs(body, space_um=S, grid_um=GRID) == []
    assert fill_notch(body, space_um=S, grid_um=GRID).equals(body)


def test_slot_narrower_than_the_space_is_filled_a_wider_one_is_not():
    narrow = u_slot(S - 2.0)
    out = fill_notch(narrow, space_um=S, grid_um=GRID)
    assert out.area == pytest.approx(shapely.box(0, 0, 20 + S - 2.0, 80).area, abs=1e-3)
    wide = u_slot(S + 2.0)
    assert space_violations(wide) == 0
    assert fill_notch(wide, space_um=S, grid_um=GRID).equals(wide)


def test_fill_keeps_the_space_to_other_nets():
    narrow = u_slot(S - 2.0)
    # another net across the slot's mouth, the space away from the two wire ends
    other = shapely.box(-20, 80 + S, 40 + S, 95 + S)
    out = fill_notch(narrow, space_um=S, grid_um=GRID, keep_clear=[other])
    assert out.distance(other) >= S - 1e-9
    closer = shapely.box(-20, 80 + S / 2, 40 + S, 95 + S)  # already too close: not made worse
    out2 = fill_notch(narrow, space_um=S, grid_um=GRID, keep_clear=[closer])
    assert out2.difference(narrow).distance(closer) >= S - 1e-9


def test_fill_notches_per_net_with_terminals():
    wedge = wedge_pocket(45.0)
    far = shapely.affinity.translate(u_slot(S + 2.0), 500, 0)
    term = shapely.box(-100, -80, 100, -50)
    out = fill_notches(net_metal={"B": [far], "A": [wedge]}, net_terminals={"A": term},
                       space_um=S, grid_um=GRID)
    assert len(out) == 2
    a, b = out
    assert a.buffer(GRID).covers(shapely.union_all([wedge, term]))
    assert space_violations(a) == 0
    assert b.equals(far)  # a net without a notch is left as drawn


def test_pocket_opening_into_a_slot_just_wider_than_the_space_ends_clean():
    """An oblique edge across the end of a same-net slot 10 nm wider than the space (a teardrop
    flank beside a wire that runs along its own pad): each round fills one step, until clean."""
    w = S + 0.01
    body = shapely.union_all([shapely.box(0, 0, 10, 100), shapely.box(10 + w, 0, 20 + w, 100),
                              shapely.Polygon([(0, 0), (20 + w, 0), (0, 40)])])
    assert space_violations(body) > 0
    out = fill_notch(body, space_um=S, grid_um=GRID)
    assert space_violations(out) == 0 and klayout_space_violations(out) == 0


def test_small_holes_are_filled_large_ones_kept():
    ring = shapely.box(0, 0, 200, 200)
    small_hole = shapely.box(20, 20, 20 + S / 2, 20 + S / 2)  # narrower than the space
    large_hole = shapely.box(100, 100, 180, 180)
    body = ring.difference(small_hole).difference(large_hole)
    out = fill_notch(body, space_um=S, grid_um=GRID)
    assert len(out.interiors) == 1 and out.area == pytest.approx(body.area + (S / 2) ** 2)
