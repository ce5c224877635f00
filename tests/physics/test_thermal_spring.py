"""DNP shear, the length rule and the curl of a released spring against hand-worked numbers."""

from __future__ import annotations

import math

import pytest

from wlpmask.physics import spring, thermal


def test_shear_of_si_on_fr4():
    # DOMAIN.md 5: Si on FR-4, d_alpha 14.4 ppm/K, dT 165 K, DNP 5 mm -> 11.9 um
    # (5000 x 14.4e-6 x 165 = 11.88)
    s = thermal.shear_um(dnp_um=5000.0, cte_a_ppm_per_k=2.6, cte_b_ppm_per_k=17.0,
                         delta_t_k=165.0)
    assert s == pytest.approx(11.88, abs=1e-9)
    assert thermal.shear_um(dnp_um=5000.0, cte_a_ppm_per_k=17.0, cte_b_ppm_per_k=2.6,
                            delta_t_k=165.0) == s


def test_length_rule():
    # 1.05 x max(20, 50, 11.88) = 52.5
    assert thermal.required_length_um(margin_ratio=1.05, bulge_um=20.0, gap_um=50.0,
                                      shear_um=11.88) == pytest.approx(52.5)
    # far from the neutral point the shear dominates: 1.05 x 59.4 = 62.37
    assert thermal.required_length_um(margin_ratio=1.05, bulge_um=20.0, gap_um=50.0,
                                      shear_um=59.4) == pytest.approx(62.37)
    assert thermal.dnp_um(x_um=3000.0, y_um=4000.0, neutral_x_um=0.0,
                          neutral_y_um=0.0) == 5000.0
    with pytest.raises(ValueError):
        thermal.required_length_um(margin_ratio=0.9, bulge_um=1, gap_um=1, shear_um=1)


def test_curl_of_a_mocr_finger():
    # E 200 GPa, h 1 um, nu 0.3, dsigma 1000 MPa: R = 200000 x 1 / (0.7 x 1000) = 285.71 um
    r = spring.curl_radius_um(modulus_gpa=200.0, thickness_um=1.0, poisson_ratio=0.3,
                              stress_difference_mpa=1000.0)
    assert r == pytest.approx(285.714, abs=1e-3)
    # L = 200 um: L / R = 0.7 rad = 40.11 deg; lift = R (1 - cos 0.7) = 285.71 x 0.23516 = 67.19
    assert spring.rise_angle_deg(radius_um=r, length_um=200.0) == pytest.approx(40.107, abs=1e-3)
    assert spring.tip_lift_um(radius_um=r, length_um=200.0) == pytest.approx(67.19, abs=0.01)
    # and back: the length that lifts the tip 67.19 um
    assert spring.length_for_lift_um(radius_um=r, lift_um=67.19) == pytest.approx(200.0,
                                                                                  abs=0.01)
    # a quarter turn is the most a finger may rise
    with pytest.raises(ValueError, match="90 deg"):
        spring.length_for_lift_um(radius_um=r, lift_um=r)
    assert spring.tip_lift_um(radius_um=r, length_um=math.pi / 2 * r) == pytest.approx(r)


@pytest.mark.parametrize("kw", [
    {"modulus_gpa": 0.0, "thickness_um": 1, "poisson_ratio": 0.3, "stress_difference_mpa": 1},
    {"modulus_gpa": 1.0, "thickness_um": 1, "poisson_ratio": 0.6, "stress_difference_mpa": 1},
    {"modulus_gpa": 1.0, "thickness_um": 1, "poisson_ratio": 0.3, "stress_difference_mpa": -1},
])
def test_bad_film_constants(kw):
    with pytest.raises(ValueError):
        spring.curl_radius_um(**kw)
