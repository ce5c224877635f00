"""The corner-local radius kinds (drc/corners.py) and the fillet that draws for them.

Hand-made cases with known answers; on random rectilinear layouts, klayout.db's corner finder
counts the sharp corners that must each be one violation, and the filleted layout is clean.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from wlpmask import geometry as geo
from wlpmask.drc.kinds import KIND_CHECKS, LayerSet
from wlpmask.fillet import fillet
from wlpmask.polys import hole_free_rings
from wlpmask.tech import Rule

G = 0.001  # um per dbu
CONVEX, CONCAVE = "convex_corner_radius", "concave_corner_radius"


def ours(polys, r_um, kind):
    rule = Rule("R", kind, ("A",), r_um, "")
    return list(KIND_CHECKS[kind](rule, LayerSet({"A": polys}, G)))


def rounded(w, h, r, cx=0.0, cy=0.0):
    return geo.rounded_rect(width_um=w, height_um=h, radius_um=r, center=(cx, cy),
                            segments_per_corner=16)


def rings(geom) -> list[np.ndarray]:
    """The geometry as hole-free rings, as the GDS writer cuts it."""
    return hole_free_rings(geom)


L_SHAPE = np.array([[0, 0], [100, 0], [100, 40], [40, 40], [40, 100], [0, 100]], float)
COMB = shapely.union_all([shapely.box(0, 0, 300, 60)]
                         + [shapely.box(30 + i * 27, 60, 42 + i * 27, 160) for i in range(9)])


@pytest.mark.parametrize(("polys", "kind", "count"), [
    ([geo.box(0, 0, 100, 100)], CONVEX, 4),            # four sharp corners
    ([rounded(100, 100, 10.5)], CONVEX, 0),            # rounded above the limit
    ([rounded(100, 100, 8.0)], CONVEX, 4),             # rounded below it, in a wide part
    ([rounded(100, 8, 4.0)], CONVEX, 0),               # 8 um wide, full round ends: passes
    ([geo.box(0, 0, 100, 8)], CONVEX, 4),              # 8 um wide, square ends: fails
    ([L_SHAPE], CONVEX, 5),
    ([L_SHAPE], CONCAVE, 1),
    ([geo.box(0, 0, 50, 50), geo.box(65, 0, 115, 50)], CONCAVE, 0),  # a straight gap
    ([geo.box(0, 0, 100, 100)], CONCAVE, 0),
    (rings(COMB), CONCAVE, 18),                        # 15 um slots with square bottoms
    (rings(COMB), CONVEX, 22),                         # 12 um teeth, square tops; 4 base
])
def test_cases(polys, kind, count):
    got = ours(polys, 10.0, kind)
    assert len(got) == count
    assert all(v.measured_um < 10.0 and v.required_um == 10.0 for v in got)


def test_a_neck_narrower_than_2r_is_no_corner():
    """Two pads joined by a 6 um neck: the morphological outer_radius fails the neck, the
    corner-local kind only sees the pads' corners (rounded here) and passes."""
    pads = shapely.union_all([shapely.box(0, 0, 100, 100), shapely.box(150, 0, 250, 100),
                              shapely.box(95, 47, 155, 53)])
    art = fillet(pads, convex_um=10.0, concave_um=0.0, grid_um=G)
    assert ours(rings(art), 10.0, CONVEX) == []
    assert len(ours(rings(art), 10.0, "outer_radius")) >= 1


def test_measured_is_the_radius_the_corner_has():
    got = ours([rounded(100, 100, 8.0)], 10.0, CONVEX)
    assert [v.measured_um for v in got] == pytest.approx([8.0] * 4, abs=0.25)
    assert max(v.measured_um for v in ours([geo.box(0, 0, 100, 100)], 10.0, CONVEX)) < 0.1
    # the end of a 12 um tooth rounded with 3 um where 6 um (a full round end) was possible
    tooth = fillet(shapely.box(0, 0, 12, 100), convex_um=3.0, concave_um=0.0, grid_um=G)
    got = ours(rings(tooth), 10.0, CONVEX)
    assert len(got) == 4 and [v.measured_um for v in got] == pytest.approx([3.0] * 4, abs=0.1)


def test_fillet_full_round_ends_and_radius():
    lead = fillet(shapely.box(0, 0, 100, 12), convex_um=50.0, concave_um=0.0, grid_um=G)
    # the ends are half discs of 6 um: the area of a 88 x 12 um box plus a 6 um disc
    assert lead.area == pytest.approx(88 * 12 + np.pi * 36, rel=2e-3)
    assert lead.contains(shapely.Point(50, 6).buffer(5.99))  # never narrower than the lead
    square = fillet(shapely.box(0, 0, 100, 100), convex_um=10.0, concave_um=0.0, grid_um=G)
    # every corner: the square less (4 - pi) r^2, drawn outside the arc (a sagitta at most)
    assert square.area == pytest.approx(100 * 100 - (4 - np.pi) * 100, abs=1.0)
    assert square.area >= 100 * 100 - (4 - np.pi) * 100


def _random_rectilinear(rng) -> shapely.Geometry:
    """Boxes on a coarse grid (every edge a multiple of 40 um, R = 10 um): each corner has
    room for its fillet, so the filleted layout has nothing to flag."""
    while True:
        boxes = []
        for _ in range(rng.integers(2, 6)):
            x, y = rng.integers(0, 8, 2) * 40
            w, h = rng.integers(1, 4, 2) * 40
            boxes.append(shapely.box(x, y, x + w, y + h))
        geom = shapely.union_all(boxes)
        parts = shapely.get_parts(geom)
        # no corners that only touch (kissing corners: one vertex, two corners)
        apart = all(a.distance(b) > 0 for i, a in enumerate(parts) for b in parts[i + 1:])
        rings_ok = all(len(set(r.coords[:-1])) == len(r.coords) - 1
                       for p in parts for r in (p.exterior, *p.interiors))
        if apart and rings_ok:
            return geom


@pytest.mark.parametrize("seed", range(8))
def test_sharp_corners_against_klayout_and_filleted_clean(seed):
    import klayout.db as kdb

    geom = _random_rectilinear(np.random.default_rng(seed))
    reg = kdb.Region()
    for p in shapely.get_parts(geom):
        poly = kdb.Polygon([kdb.Point(round(x / G), round(y / G)) for x, y in p.exterior.coords])
        for h in p.interiors:
            poly.insert_hole([kdb.Point(round(x / G), round(y / G)) for x, y in h.coords])
        reg.insert(poly)
    reg.merge()
    layer = rings(geom)
    convex, concave = ours(layer, 10.0, CONVEX), ours(layer, 10.0, CONCAVE)
    assert len(convex) == reg.corners(-180, -20).count() > 0
    assert len(concave) == reg.corners(20, 180).count()
    art = rings(fillet(geom, convex_um=10.0, concave_um=10.0, grid_um=G))
    assert ours(art, 10.0, CONVEX) == [] and ours(art, 10.0, CONCAVE) == []
