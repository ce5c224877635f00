"""Stress-engineered leaf springs that curl up when released (DOMAIN.md 10): pure formulas.

A film of thickness h with a stress difference dsigma through it curls to a radius
R = E h / ((1 - nu) dsigma); a finger of free length L then rises to R (1 - cos(L / R)) at an
angle L / R at its tip. Lengths in um, modulus in GPa, stress in MPa, angles in degrees.
"""

from __future__ import annotations

import math

__all__ = ["curl_radius_um", "length_for_lift_um", "rise_angle_deg", "tip_lift_um"]


def curl_radius_um(*, modulus_gpa: float, thickness_um: float, poisson_ratio: float,
                   stress_difference_mpa: float) -> float:
    """Curl radius of a released film: E h / ((1 - nu) dsigma).

    Args:
        modulus_gpa: Young's modulus E.
        thickness_um: film thickness h.
        poisson_ratio: Poisson's ratio nu (0..0.5).
        stress_difference_mpa: stress difference dsigma through the film (> 0).
    """
    if not (modulus_gpa > 0 and thickness_um > 0 and stress_difference_mpa > 0
            and 0 <= poisson_ratio < 0.5 + 1e-12):
        raise ValueError("need E > 0, h > 0, dsigma > 0 and 0 <= nu <= 0.5")
    return modulus_gpa * 1000.0 * thickness_um / ((1.0 - poisson_ratio) * stress_difference_mpa)


def _turn(radius_um: float, length_um: float) -> float:
    """The angle L / R (radians) a finger of free length L curled to radius R turns through."""
    if not (radius_um > 0 and length_um >= 0):
        raise ValueError(f"need R > 0 and L >= 0 um, got {radius_um!r}, {length_um!r}")
    return length_um / radius_um


def tip_lift_um(*, radius_um: float, length_um: float) -> float:
    """Height of the tip of a finger of free length L curled to radius R: R (1 - cos(L / R)).

    Args:
        radius_um: curl radius.
        length_um: free length.
    """
    return radius_um * (1.0 - math.cos(_turn(radius_um, length_um)))


def rise_angle_deg(*, radius_um: float, length_um: float) -> float:
    """Angle of the tip above the substrate: L / R.

    Args:
        radius_um: curl radius.
        length_um: free length.
    """
    return math.degrees(_turn(radius_um, length_um))


def length_for_lift_um(*, radius_um: float, lift_um: float) -> float:
    """The shortest free length whose tip reaches a lift: R acos(1 - lift / R).

    Args:
        radius_um: curl radius.
        lift_um: the wanted tip height, at most R (a rise of 90 degrees).

    Raises:
        ValueError: the lift needs a rise of 90 degrees or more.
    """
    if not (radius_um > 0 and 0 <= lift_um):
        raise ValueError(f"need R > 0 and lift >= 0 um, got {radius_um!r}, {lift_um!r}")
    if lift_um >= radius_um:
        raise ValueError(f"a lift of {lift_um:g} um needs a rise of 90 deg or more at "
                         f"R = {radius_um:g} um")
    return radius_um * math.acos(1.0 - lift_um / radius_um)
