"""Wire outline and lattice rules: grid units, octilinear edges, width, chamfered turns."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.ops import substring

from wlpmask.routing.lattice import make_rules
from wlpmask.routing.outline import simplify_polyline, wire_metal


@pytest.mark.parametrize(("w", "s", "grid"), [(4, 4, 0.005), (10, 10, 0.005), (5, 7, 0.001),
                                              (3.3, 2.1, 0.01)])
def test_rules(w: float, s: float, grid: float) -> None:
    r = make_rules(width_um=w, space_um=s, grid_um=grid)
    assert r.pitch % 2 == 0
    assert r.pitch * grid >= w + s - 1e-9
    assert 2 * r.half * grid >= w - 1e-9
    assert r.diag * math.sqrt(2) >= r.half


def _edges_octilinear(geom) -> bool:
    for poly in getattr(geom, "geoms", [geom]):
        xy = np.asarray(poly.exterior.coords)
        d = np.diff(xy, axis=0)
        ok = (d[:, 0] == 0) | (d[:, 1] == 0) | (np.abs(d[:, 0]) == np.abs(d[:, 1]))
        if not ok.all():
            return False
    return True


@pytest.mark.parametrize("path", [
    [(0, 0), (4000, 0), (4000, 4000)],                   # 90-degree turn
    [(0, 0), (4000, 0), (8000, 4000)],                   # 45-degree turn
    [(0, 0), (4000, 4000), (8000, 0), (8000, -3000)],    # diagonal 90, then 45
    [(0, 0), (0, 5000), (3000, 8000), (9000, 8000)],
])
def test_outline_on_grid_octilinear_and_wide(path) -> None:
    r = make_rules(width_um=4.0, space_um=4.0, grid_um=0.005)
    m = wire_metal([path], r)
    assert m.geom_type == "Polygon" and m.is_valid
    xy = shapely.get_coordinates(m)
    assert np.array_equal(xy, xy.round())
    assert _edges_octilinear(m)
    # a disc of the full width fits around every centre-line point (away from the flat ends)
    line = shapely.LineString(path)
    inner = shapely.buffer(m, -(r.width / 2 - 1))
    middle = substring(line, r.half, line.length - r.half)
    assert inner.buffer(1e-6).covers(middle)


def test_ninety_degree_turn_is_chamfered() -> None:
    r = make_rules(width_um=4.0, space_um=4.0, grid_um=0.005)
    m = wire_metal([[(0, 0), (4000, 0), (4000, 4000)]], r)
    corner = shapely.Point(4000 + r.half, -r.half)  # a square outer corner would be here
    assert m.distance(corner) > 0
    assert m.distance(shapely.Point(4000, 0)) == 0


def test_simplify_polyline() -> None:
    assert simplify_polyline([(0, 0), (1, 0), (2, 0), (2, 0), (2, 3), (2, 5)]) == \
        [(0, 0), (2, 0), (2, 5)]
    # a reversal is kept
    assert simplify_polyline([(0, 0), (2, 0), (1, 0)]) == [(0, 0), (2, 0), (1, 0)]
