"""Pore capacitors against a pore worked by hand (DOMAIN.md 11)."""

from __future__ import annotations

import math

import pytest

from wlpmask.physics import pores


def test_one_pore_worked_by_hand():
    # d 1.5 um, h 60 um: wall pi * 1.5 * 60 = 90 pi, bottom pi * 1.5^2 / 4 = 0.5625 pi
    area = pores.pore_area_um2(diameter_um=1.5, depth_um=60.0)
    assert area == pytest.approx(90.5625 * math.pi)          # 284.5105 um2
    assert area == pytest.approx(284.5105, abs=1e-4)
    # 15 nm of eps_r 7: 8.8541878128e-6 pF/um * 7 * 284.5105 um2 / 0.015 um = 1.17558 pF
    c = pores.pore_capacitance_pf(diameter_um=1.5, depth_um=60.0, dielectric_um=0.015,
                                  permittivity_ratio=7.0)
    assert c == pytest.approx(1.175584, abs=1e-6)


def test_pore_count_and_density():
    c = 1.175584
    # 30 nF / 1.175584 pF = 25519.2 -> 25,520 pores, 30.0009 nF
    assert pores.pores_needed(target_nf=30.0, pore_pf=c) == 25520
    assert pores.capacitance_nf(pores=25520, pore_pf=c) == pytest.approx(30.0009, abs=1e-4)
    # an exact multiple asks for no extra pore, though 8.05 * 1000 / 7 = 1150.0000000000002
    assert pores.pores_needed(target_nf=8.05, pore_pf=7.0) == 1150
    # 30 nF on 1 mm x 0.2 mm: 150 nF/mm2
    assert pores.density_nf_per_mm2(capacitance_nf=30.0, area_um2=1000.0 * 200.0) == \
        pytest.approx(150.0)


@pytest.mark.parametrize("kw", [dict(diameter_um=0.0), dict(depth_um=-1.0),
                                dict(dielectric_um=0.0), dict(permittivity_ratio=0.0)])
def test_bad_values_are_refused(kw):
    args = dict(diameter_um=1.5, depth_um=60.0, dielectric_um=0.015, permittivity_ratio=7.0)
    args.update(kw)
    with pytest.raises(ValueError, match=next(iter(kw))):
        pores.pore_capacitance_pf(**args)
