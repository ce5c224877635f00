"""The mirror check's XOR and net comparison against shapely and by hand."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from wlpmask import geometry as geo
from wlpmask.families.coc.mirror import Texts, net_mismatches, xor_area

G = 0.001


def _octagons(centres, d=20.0):
    return [geo.octagon(diameter_um=d, center=c, grid_um=G) for c in centres]


def _shapely_xor(a, b) -> float:
    ua = shapely.union_all([shapely.Polygon(p) for p in a])
    ub = shapely.union_all([shapely.Polygon(p) for p in b])
    return ua.symmetric_difference(ub).area


def test_equal_polygons_in_any_order_and_sense_cancel():
    a = _octagons([(0, 0), (40, 0), (0, 40)])
    # b: the same shapes, listed in another order, each drawn clockwise from another vertex
    b = [np.roll(p[::-1], 3, axis=0) for p in reversed(a)]
    assert xor_area(a, b, grid_um=G) == (0.0, [])
    assert xor_area(a, a + a[:1], grid_um=G)[0] == 0.0      # a copy changes no union


def test_a_shifted_bump_gives_the_shapely_area():
    a = _octagons([(0, 0), (40, 0), (80, 0)])
    b = _octagons([(0, 0), (40, 0), (83, 0)])
    area, boxes = xor_area(a, b, grid_um=G)
    assert area == pytest.approx(_shapely_xor(a, b)) and area > 0
    assert len(boxes) == 2 and all(b[0] >= 60 for b in boxes)   # only around the third


def test_a_missing_bump_and_a_square_drawn_with_an_extra_vertex():
    a = _octagons([(0, 0), (40, 0)])
    assert xor_area(a, a[:1], grid_um=G)[0] == pytest.approx(shapely.Polygon(a[1]).area)
    square = geo.box(0, 0, 10, 10)
    five = np.array([(0, 0), (5, 0), (10, 0), (10, 10), (0, 10)], dtype=float)
    assert xor_area([square], [five], grid_um=G)[0] == pytest.approx(0.0)


def test_nets_compared_place_by_place():
    xy = np.array([(0, 0), (1000, 0), (2000, 0)], dtype=np.int64)
    lower = Texts(xy, np.array(["A", "B", "C"], dtype=object))
    assert net_mismatches(lower, Texts(xy, lower.strings.copy()), grid_um=G) == []
    swapped = Texts(xy, np.array(["A", "C", "B"], dtype=object))
    got = net_mismatches(lower, swapped, grid_um=G)
    assert [(m.x_um, m.lower, m.upper) for m in got] == [(1.0, "B", "C"), (2.0, "C", "B")]
    fewer = Texts(xy[:2], lower.strings[:2])
    assert [(m.x_um, m.lower, m.upper) for m in net_mismatches(lower, fewer, grid_um=G)] == [
        (2.0, "C", None)]
