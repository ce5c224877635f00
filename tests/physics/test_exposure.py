"""Snell's law, foot offsets and the in-resist maximum against DOMAIN.md's hand-worked figures."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wlpmask.physics import exposure as ex


def test_45_deg_tilt_in_air_on_su8():
    # DOMAIN.md 4: 45 deg stage tilt in air, n = 1.634 -> 25.6 deg, dx = 48 um per 100 um.
    # By hand: sin(theta_r) = sin(45) / 1.634 = 0.70711 / 1.634 = 0.43275 -> 25.64 deg;
    # tan(25.64 deg) = 0.4800.
    th = ex.angle_in_resist_deg(angle_in_medium_deg=45.0, n_medium=1.0, n_resist=1.634)
    assert th == pytest.approx(25.64, abs=0.01)
    assert ex.foot_offset_um(thickness_um=100.0, angle_in_resist_deg=th) == pytest.approx(
        48.0, abs=0.05)
    # length along the axis: 100 / cos(25.64 deg) = 110.9 um
    assert ex.element_length_um(thickness_um=100.0, angle_in_resist_deg=th) == pytest.approx(
        110.92, abs=0.01)


def test_maximum_angle_per_medium():
    # DOMAIN.md 10: air caps SU-8 at 37.7 deg (n 1.634: asin(0.61200) = 37.73) and 36.8 deg
    # (n 1.67); water about 52.9 deg and glycerol 61.8 deg at n 1.67.
    assert ex.max_angle_in_resist_deg(n_medium=1.0, n_resist=1.634) == pytest.approx(37.73,
                                                                                       abs=0.01)
    assert ex.max_angle_in_resist_deg(n_medium=1.0, n_resist=1.67) == pytest.approx(36.79,
                                                                                      abs=0.01)
    assert ex.max_angle_in_resist_deg(n_medium=1.333, n_resist=1.67) == pytest.approx(52.9,
                                                                                        abs=0.1)
    assert ex.max_angle_in_resist_deg(n_medium=1.47, n_resist=1.67) == pytest.approx(61.7,
                                                                                       abs=0.1)
    # a medium denser than the resist has no cap
    assert ex.max_angle_in_resist_deg(n_medium=1.7, n_resist=1.634) == 90.0


def test_glycerol_tilt_for_a_45_deg_lean():
    # sin(theta_m) = 1.634 sin(45) / 1.47 = 1.15541 / 1.47 = 0.78599 -> 51.82 deg
    tilt = ex.angle_in_medium_deg(angle_in_resist_deg=45.0, n_medium=1.47, n_resist=1.634)
    assert tilt == pytest.approx(51.82, abs=0.01)
    with pytest.raises(ValueError, match="37.73"):
        ex.angle_in_medium_deg(angle_in_resist_deg=45.0, n_medium=1.0, n_resist=1.634)


def test_gap_term_and_opening():
    # 100 um resist at 25.64 deg plus a 20 um gap at 45 deg: 48.0 + 20 = 68.0 um
    th = ex.angle_in_resist_deg(angle_in_medium_deg=45.0, n_medium=1.0, n_resist=1.634)
    d = ex.foot_offset_um(thickness_um=100.0, angle_in_resist_deg=th, gap_um=20.0,
                          angle_in_medium_deg=45.0)
    assert d == pytest.approx(68.0, abs=0.05)
    # beam towards -x (azimuth 180): the opening goes to +x of the contact
    x, y = ex.opening_centre_um(contact_x_um=1000.0, contact_y_um=500.0, offset_um=d,
                                azimuth_deg=180.0)
    assert (x, y) == pytest.approx((1000.0 + d, 500.0))
    x, y = ex.opening_centre_um(contact_x_um=0.0, contact_y_um=0.0, offset_um=10.0,
                                azimuth_deg=90.0)
    assert (x, y) == pytest.approx((0.0, -10.0))
    assert ex.thickness_for_length_um(length_um=110.92, angle_in_resist_deg=th) == \
        pytest.approx(100.0, abs=0.01)


@given(tilt=st.floats(0, 89.9), nm=st.floats(1.0, 1.6), extra=st.floats(0.0, 0.6))
def test_snell_round_trip_and_cap(tilt, nm, extra):
    nr = nm + extra  # a resist at least as dense as the medium: the light always enters
    th = ex.angle_in_resist_deg(angle_in_medium_deg=tilt, n_medium=nm, n_resist=nr)
    assert th <= ex.max_angle_in_resist_deg(n_medium=nm, n_resist=nr) + 1e-9
    assert nm * math.sin(math.radians(tilt)) == pytest.approx(nr * math.sin(math.radians(th)),
                                                              abs=1e-12)
    if th < ex.max_angle_in_resist_deg(n_medium=nm, n_resist=nr) - 1e-6 and th < 80:
        back = ex.angle_in_medium_deg(angle_in_resist_deg=th, n_medium=nm, n_resist=nr)
        assert back == pytest.approx(tilt, abs=1e-6)


@pytest.mark.parametrize("call", [
    lambda: ex.angle_in_resist_deg(angle_in_medium_deg=90.0, n_medium=1.0, n_resist=1.6),
    lambda: ex.angle_in_resist_deg(angle_in_medium_deg=10.0, n_medium=0.5, n_resist=1.6),
    lambda: ex.max_angle_in_resist_deg(n_medium=1.0, n_resist=math.nan),
    lambda: ex.angle_in_resist_deg(angle_in_medium_deg=60.0, n_medium=1.5, n_resist=1.0),
    lambda: ex.foot_offset_um(thickness_um=0.0, angle_in_resist_deg=10.0),
    lambda: ex.foot_offset_um(thickness_um=10.0, angle_in_resist_deg=10.0, gap_um=-1.0),
    lambda: ex.element_length_um(thickness_um=-1.0, angle_in_resist_deg=10.0),
])
def test_bad_inputs_are_rejected(call):
    with pytest.raises(ValueError):
        call()
