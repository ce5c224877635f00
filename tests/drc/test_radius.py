"""The corner-radius rule kinds against hand-made cases and against klayout.db (opening and
closing by a disc as Minkowski sums) on random layouts of rounded and sharp shapes."""

from __future__ import annotations

import numpy as np
import pytest

from tests.drc.klayout_radius import radius_violations
from wlpmask import geometry as geo
from wlpmask.drc.kinds import KIND_CHECKS, LayerSet
from wlpmask.tech import Rule

G = 0.001  # um per dbu


def ours(polys, r_um, kind):
    rule = Rule("R", kind, ("A",), r_um, "")
    return list(KIND_CHECKS[kind](rule, LayerSet({"A": polys}, G)))


def theirs(polys, r_um, kind):
    import klayout.db as kdb

    reg = kdb.Region()
    for p in polys:
        reg.insert(kdb.Polygon([kdb.Point(round(x / G), round(y / G)) for x, y in p]))
    return radius_violations(reg, round(r_um / G), kind == "inner_radius")


def rounded(w, h, r, cx=0.0, cy=0.0):
    return geo.rounded_rect(width_um=w, height_um=h, radius_um=r, center=(cx, cy),
                            segments_per_corner=16)


def same_boxes(ours_boxes, ref_boxes, tol_um=1.5) -> bool:
    """Each box matches one of the other side within tol_um on every coordinate (the thin
    tail of a wedge where an arc meets a line ends where the two discs' polygons differ)."""
    left = [tuple(b) for b in ref_boxes]
    for b in ours_boxes:
        hit = next((k for k, c in enumerate(left)
                    if max(abs(p - q) for p, q in zip(b, c)) <= tol_um), None)
        if hit is None:
            return False
        left.pop(hit)
    return not left


L_SHAPE = np.array([[0, 0], [100, 0], [100, 40], [40, 40], [40, 100], [0, 100]], float)


@pytest.mark.parametrize(("polys", "kind", "count"), [
    ([geo.box(0, 0, 100, 100)], "outer_radius", 4),          # four sharp corners
    ([geo.box(0, 0, 100, 100)], "inner_radius", 0),          # no concave corner
    ([rounded(100, 100, 10.5)], "outer_radius", 0),          # rounded above the limit
    ([rounded(100, 100, 8.0)], "outer_radius", 4),           # rounded below it
    ([L_SHAPE], "inner_radius", 1),                          # the sharp concave corner
    ([L_SHAPE], "outer_radius", 5),                          # five sharp convex corners
    ([rounded(100, 15, 7.5)], "outer_radius", 1),            # narrower than 2R
    ([rounded(100, 30, 10.5)], "outer_radius", 0),
    ([geo.box(0, 0, 50, 50), geo.box(65, 0, 115, 50)], "inner_radius", 1),  # gap below 2R
    ([geo.box(0, 0, 50, 50), geo.box(75, 0, 125, 50)], "inner_radius", 0),
])
def test_cases(polys, kind, count):
    got = ours(polys, 10.0, kind)
    assert len(got) == count
    assert len(theirs(polys, 10.0, kind)) == count
    assert all(v.measured_um < 10.0 and v.required_um == 10.0 for v in got)


def test_measured_is_the_radius_that_reaches():
    got = ours([rounded(100, 100, 8.0)], 10.0, "outer_radius")
    assert [v.measured_um for v in got] == pytest.approx([8.0] * 4, abs=0.25)
    sharp = ours([geo.box(0, 0, 100, 100)], 10.0, "outer_radius")
    assert max(v.measured_um for v in sharp) < 0.1
    gap = ours([geo.box(0, 0, 50, 50), geo.box(65, 0, 115, 50)], 10.0, "inner_radius")
    assert gap[0].measured_um == pytest.approx(7.5, abs=0.05)  # half the 15 um gap


def _random_layout(rng):
    polys = []
    for _ in range(rng.integers(3, 7)):
        x, y = rng.integers(0, 300, 2).astype(float)
        t = rng.integers(0, 3)
        w, h = rng.choice([12.0, 30.0, 60.0], 2)  # sizes and radii away from 2R and R
        r = rng.choice([0.0, 5.0, 13.0, 20.0])
        if t == 0:
            polys.append(rounded(w, h, min(r, w / 2, h / 2), x, y))
        elif t == 1:
            polys.append(geo.box(x, y, x + w, y + h))
        else:
            polys.append(L_SHAPE * rng.choice([0.6, 1.0]) + (x, y))  # arms 24 or 40 um
    return polys


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", ["outer_radius", "inner_radius"])
def test_agrees_with_klayout(seed, kind):
    rng = np.random.default_rng(seed)
    polys = _random_layout(rng)
    got = ours(polys, 10.0, kind)
    ref = theirs(polys, 10.0, kind)
    ref_boxes = [(p.bbox().left * G, p.bbox().bottom * G, p.bbox().right * G, p.bbox().top * G)
                 for p in ref]
    assert same_boxes([v.bbox for v in got], ref_boxes)
