"""Geometry primitives: grid, apothems, octilinearity, enclosures, teardrop angles."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from wlpmask import geometry as geo

GRID = 0.001


def on_grid(pts: np.ndarray, grid: float = GRID) -> bool:
    return bool(np.allclose(pts / grid, np.round(pts / grid), atol=1e-6))


def apothems(pts: np.ndarray, center=(0.0, 0.0)) -> np.ndarray:
    """Distance from the centre to the line of every edge."""
    c = np.asarray(center)
    a, b = pts, np.roll(pts, -1, axis=0)
    d = b - a
    n = np.column_stack((d[:, 1], -d[:, 0])) / np.hypot(d[:, 0], d[:, 1])[:, None]
    return np.abs(np.sum((a - c) * n, axis=1))


def test_snap_and_ceil():
    assert geo.snap_value(1.0004, GRID) == 1.0
    assert geo.snap_value(1.0006, GRID) == 1.001
    assert geo.ceil_value(1.0001, GRID) == 1.001
    assert geo.ceil_value(1.0, GRID) == 1.0  # an exact multiple stays put
    assert geo.ceil_value(0.1 + 0.2, 0.1) == pytest.approx(0.3)
    pts = geo.snap([(0.00049, 1.23456)], GRID)
    assert pts.tolist() == [[0.0, 1.235]]


def test_rect_box_frame():
    r = geo.rect(width_um=4, height_um=2, center=(1, 1))
    assert geo.signed_area(r) == pytest.approx(8.0)
    assert geo.bbox([r]) == (-1.0, 0.0, 3.0, 2.0)
    assert geo.box(3, 2, 1, 0).tolist() == geo.box(1, 0, 3, 2).tolist()
    parts = [shapely.Polygon(p) for p in geo.frame(outer=(0, 0, 100, 50), width_um=5)]
    assert sum(p.area for p in parts) == pytest.approx(100 * 50 - 90 * 40)
    assert shapely.union_all(parts).area == pytest.approx(100 * 50 - 90 * 40)  # no overlap


@settings(max_examples=60, deadline=None)
@given(d=st.floats(10, 500), cx=st.floats(-1000, 1000), cy=st.floats(-1000, 1000))
def test_octagon_grid_octilinear_apothems(d, cx, cy):
    o = geo.octagon(diameter_um=d, center=(cx, cy), grid_um=GRID)
    assert len(o) == 8 and on_grid(o) and geo.is_octilinear(o)
    assert geo.signed_area(o) > 0
    c = (geo.snap_value(cx, GRID), geo.snap_value(cy, GRID))
    ap = apothems(o, c)
    assert ap.min() >= d / 2 - 1e-9
    assert ap.max() <= d / 2 + geo.ROUND_SLACK_GRIDS * GRID + 1e-9
    # across flats on the axes equals the nominal diameter rounded up to the grid
    assert o[:, 0].max() - o[:, 0].min() == pytest.approx(2 * geo.ceil_value(d / 2, GRID))


@settings(max_examples=40, deadline=None)
@given(d=st.floats(10, 500), n=st.sampled_from([8, 16, 32, 64]))
def test_regular_polygon_apothems(d, n):
    p = geo.regular_polygon(diameter_um=d, vertices=n, grid_um=GRID)
    assert len(p) == n and on_grid(p)
    ap = apothems(p)
    assert ap.min() >= d / 2 - 1e-9
    assert ap.max() <= d / 2 + geo.ROUND_SLACK_GRIDS * GRID + 1e-9


@settings(max_examples=60, deadline=None)
@given(d=st.floats(20, 400), e=st.floats(0.5, 60), shape=st.sampled_from(["octagon", "circle"]))
def test_round_enclosure_holds_the_rule(d, e, shape):
    """Outer = inner + 2 (rule + slack) keeps every inner point at least `rule` inside."""
    slack = geo.ROUND_SLACK_GRIDS * GRID
    inner = geo.round_pad(diameter_um=d, shape=shape, grid_um=GRID)
    outer = geo.round_pad(diameter_um=d + 2 * (e + slack), shape=shape, grid_um=GRID)
    gap = shapely.Polygon(outer).exterior.distance(shapely.Polygon(inner))
    assert shapely.Polygon(outer).contains(shapely.Polygon(inner))
    assert gap >= e - 1e-9


def test_round_pad_rejects_unknown_shape():
    with pytest.raises(ValueError):
        geo.round_pad(diameter_um=10, shape="square")
    with pytest.raises(ValueError):
        geo.regular_polygon(diameter_um=10, vertices=6)


def test_interior_angles():
    sq = geo.rect(width_um=2, height_um=2)
    assert np.allclose(geo.interior_angles_deg(sq), 90.0)
    ell = np.array([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)], dtype=float)
    ang = sorted(geo.interior_angles_deg(ell).round(6).tolist())
    assert ang == [90.0] * 5 + [270.0]
    # clockwise input gives the same interior angles
    assert sorted(geo.interior_angles_deg(ell[::-1]).round(6).tolist()) == ang


def test_octilinear_direction():
    assert geo.octilinear_direction((1, 0)) == 0
    assert geo.octilinear_direction((1, 1.1)) == 1
    assert geo.octilinear_direction((0, -3)) == 6
    assert not geo.is_octilinear(np.array([(0, 0), (2, 1), (0, 1)], dtype=float))


def test_rounded_rect_area_and_bbox():
    rr = geo.rounded_rect(width_um=100, height_um=60, radius_um=10, segments_per_corner=32)
    assert on_grid(rr)
    assert geo.bbox([rr]) == pytest.approx((-50, -30, 50, 30))
    exact = 100 * 60 - (4 - math.pi) * 10 ** 2
    assert geo.signed_area(rr) == pytest.approx(exact, rel=2e-3)
    flat = geo.rounded_rect(width_um=10, height_um=4, radius_um=0)
    assert len(flat) == 4


@settings(max_examples=80, deadline=None)
@given(angle=st.floats(0, 2 * math.pi), reach=st.floats(0.15, 0.8),
       d=st.floats(150, 300), w=st.floats(5, 25), shape=st.sampled_from(["octagon", "circle"]))
def test_teardrop_union_has_no_acute_angle(angle, reach, d, w, shape):
    """Pad + teardrop + trace: every vertex of the union's outline is at least 90 degrees."""
    u = np.array((math.cos(angle), math.sin(angle)))
    r = d / 2
    length = r * (1 + reach)
    pad_pts = geo.round_pad(diameter_um=d, shape=shape, grid_um=GRID)
    drop = shapely.Polygon(geo.teardrop(pad=pad_pts, center=(0, 0), path=[(0, 0), u * length],
                                        chord_um=0.9 * d, trace_width_um=w, grid_um=GRID))
    pad = shapely.Polygon(pad_pts)
    trace = shapely.LineString([(0, 0), tuple(u * (length + 3 * w))]).buffer(
        w / 2, cap_style="flat")
    union = shapely.union_all([pad, drop, trace]).simplify(1e-4)
    assert union.geom_type == "Polygon" and not union.interiors
    ring = np.array(union.exterior.coords[:-1])
    angles = geo.interior_angles_deg(ring)
    assert angles.min() >= 90.0 - 1e-6
    # the fillet is 90 % of the pad wide where it meets the pad
    pts = np.array(drop.exterior.coords[:-1])
    n = np.array((-u[1], u[0]))
    span = (pts @ n).max() - (pts @ n).min()
    assert span == pytest.approx(0.9 * d, abs=0.01)
