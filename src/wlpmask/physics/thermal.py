"""Thermo-mechanical length of a contact element (DOMAIN.md 5): pure formulas.

A joint at a distance DNP from the neutral point shears by DNP |alpha_1 - alpha_2| dT between a
substrate and its carrier; an element must be longer than the largest of that shear, the
substrate's bulge and the gap to the carrier, by a margin. Lengths in um, CTEs in ppm/K.
"""

from __future__ import annotations

import math

__all__ = ["dnp_um", "required_length_um", "shear_um"]


def dnp_um(*, x_um: float, y_um: float, neutral_x_um: float, neutral_y_um: float) -> float:
    """Distance of a point from the neutral point.

    Args:
        x_um: the point's x.
        y_um: the point's y.
        neutral_x_um: the neutral point's x.
        neutral_y_um: the neutral point's y.
    """
    return math.hypot(x_um - neutral_x_um, y_um - neutral_y_um)


def shear_um(*, dnp_um: float, cte_a_ppm_per_k: float, cte_b_ppm_per_k: float,
             delta_t_k: float) -> float:
    """Thermal shear displacement at a joint: DNP |alpha_a - alpha_b| dT.

    Args:
        dnp_um: distance from the neutral point.
        cte_a_ppm_per_k: CTE of one body (the substrate).
        cte_b_ppm_per_k: CTE of the other (the carrier).
        delta_t_k: temperature swing of the cycle.
    """
    if not (dnp_um >= 0 and delta_t_k >= 0):
        raise ValueError(f"need DNP >= 0 um and dT >= 0 K, got {dnp_um!r}, {delta_t_k!r}")
    return dnp_um * abs(cte_a_ppm_per_k - cte_b_ppm_per_k) * 1e-6 * delta_t_k


def required_length_um(*, margin_ratio: float, bulge_um: float, gap_um: float,
                       shear_um: float) -> float:
    """The least element length: margin x max(bulge, gap, shear).

    Args:
        margin_ratio: the length margin (1.05).
        bulge_um: substrate bulge.
        gap_um: gap to the carrier.
        shear_um: thermal shear at the element (shear_um()).
    """
    if not margin_ratio >= 1.0:
        raise ValueError(f"margin must be >= 1, got {margin_ratio!r}")
    if min(bulge_um, gap_um, shear_um) < 0:
        raise ValueError("bulge, gap and shear must be >= 0 um")
    return margin_ratio * max(bulge_um, gap_um, shear_um)
