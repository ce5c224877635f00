"""Capacitors in pores etched into silicon (DOMAIN.md 11): capacitance per pore, pore count.

One pore of diameter d and depth h, lined by a dielectric of thickness t and relative
permittivity eps_r, is a parallel-plate capacitor over its wall and bottom:
C = eps0 eps_r (pi d h + pi d^2 / 4) / t. Lengths in um, capacitances in pF (one pore) and nF
(a region); the targets these are compared with come from the design file.
"""

from __future__ import annotations

import math

from . import require_positive

# The vacuum permittivity, 8.8541878128e-12 F/m (CODATA 2018), in pF/um.
EPS0_PF_PER_UM = 8.8541878128e-6


def pore_area_um2(*, diameter_um: float, depth_um: float) -> float:
    """The dielectric-lined area of one pore: its wall pi d h plus its bottom pi d^2 / 4.

    Args:
        diameter_um: pore diameter.
        depth_um: pore depth.
    """
    require_positive(diameter_um=diameter_um, depth_um=depth_um)
    return math.pi * diameter_um * depth_um + math.pi * diameter_um ** 2 / 4.0


def pore_capacitance_pf(*, diameter_um: float, depth_um: float, dielectric_um: float,
                        permittivity_ratio: float) -> float:
    """The capacitance of one pore in pF: eps0 eps_r A / t.

    Args:
        diameter_um: pore diameter.
        depth_um: pore depth.
        dielectric_um: thickness of the dielectric lining the pore.
        permittivity_ratio: the dielectric's relative permittivity eps_r.
    """
    require_positive(dielectric_um=dielectric_um, permittivity_ratio=permittivity_ratio)
    area = pore_area_um2(diameter_um=diameter_um, depth_um=depth_um)
    return EPS0_PF_PER_UM * permittivity_ratio * area / dielectric_um


def pores_needed(*, target_nf: float, pore_pf: float) -> int:
    """The fewest pores that reach a capacitance.

    Args:
        target_nf: the capacitance wanted.
        pore_pf: the capacitance of one pore.
    """
    require_positive(target_nf=target_nf, pore_pf=pore_pf)
    # 1e-9 keeps an exact multiple (float noise above it) from asking for one pore more.
    return max(1, math.ceil(target_nf * 1000.0 / pore_pf - 1e-9))


def capacitance_nf(*, pores: int, pore_pf: float) -> float:
    """The capacitance of pores in parallel, in nF.

    Args:
        pores: the pore count.
        pore_pf: the capacitance of one pore.
    """
    return pores * pore_pf / 1000.0


def density_nf_per_mm2(*, capacitance_nf: float, area_um2: float) -> float:
    """Capacitance per chip area in nF/mm2 (published pore capacitors: 250-550).

    Args:
        capacitance_nf: the capacitance.
        area_um2: the area it takes.
    """
    require_positive(area_um2=area_um2)
    return capacitance_nf / (area_um2 * 1e-6)
