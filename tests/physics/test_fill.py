"""IPC-7525 ratios and the family-A fill ratios, against hand-computed values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wlpmask.physics import fill


def test_round_area_ratio():
    # 170 um aperture in a 50 um stencil: 170 / 200
    assert fill.area_ratio_round(diameter_um=170, thickness_um=50) == pytest.approx(0.85)
    # the release limit 0.66 is reached at t = D / 2.64
    assert fill.area_ratio_round(diameter_um=264, thickness_um=100) == pytest.approx(0.66)


def test_rect_area_ratio_and_square_equals_round():
    assert fill.area_ratio_rect(length_um=300, width_um=100, thickness_um=50) == pytest.approx(
        300 * 100 / (2 * 400 * 50))
    # a square of side D has the same ratio as a circle of diameter D
    assert fill.area_ratio_rect(length_um=170, width_um=170, thickness_um=40) == pytest.approx(
        fill.area_ratio_round(diameter_um=170, thickness_um=40))


def test_other_ratios():
    assert fill.aspect_ratio(width_um=150, thickness_um=100) == pytest.approx(1.5)
    assert fill.particle_ratio(opening_um=170, largest_particle_um=38) == pytest.approx(170 / 38)
    assert fill.fill_depth_ratio(depth_um=25, diameter_um=170) == pytest.approx(25 / 170)
    assert fill.thickness_ratio(thick_um=25, thin_um=5) == pytest.approx(5.0)


@given(d=st.floats(10, 1000), ar=st.floats(0.3, 1.5), asp=st.floats(0.5, 5))
def test_max_stencil_thickness_meets_both_limits(d, ar, asp):
    t = fill.max_stencil_thickness_um(diameter_um=d, min_area_ratio=ar, min_aspect_ratio=asp)
    assert fill.area_ratio_round(diameter_um=d, thickness_um=t) >= ar * (1 - 1e-12)
    assert fill.aspect_ratio(width_um=d, thickness_um=t) >= asp * (1 - 1e-12)
    thicker = t * 1.001
    assert (fill.area_ratio_round(diameter_um=d, thickness_um=thicker) < ar
            or fill.aspect_ratio(width_um=d, thickness_um=thicker) < asp)


@pytest.mark.parametrize("call", [
    lambda: fill.area_ratio_round(diameter_um=0, thickness_um=1),
    lambda: fill.area_ratio_rect(length_um=1, width_um=1, thickness_um=-1),
    lambda: fill.aspect_ratio(width_um=1, thickness_um=0),
    lambda: fill.particle_ratio(opening_um=1, largest_particle_um=math.nan),
    lambda: fill.fill_depth_ratio(depth_um=-1, diameter_um=1),
    lambda: fill.thickness_ratio(thick_um=1, thin_um=0),
])
def test_non_positive_inputs_are_rejected(call):
    with pytest.raises(ValueError):
        call()
