"""Angled (inclined) UV exposure of a thick resist (DOMAIN.md 4 and 10): pure geometry.

Snell's law holds through any stack of planar layers, n_medium sin(theta_medium) = n_resist
sin(theta_r), so only the medium the light enters the stack from and the resist matter. A
column exposed through a mask opening leans by theta_r: its foot lies t tan(theta_r) (plus
g tan(theta_medium) for a proximity gap g) from the opening along the beam's in-plane
direction, and its length along the axis is t / cos(theta_r). Angles in degrees, lengths in um.
"""

from __future__ import annotations

import math

__all__ = ["angle_in_medium_deg", "angle_in_resist_deg", "element_length_um", "foot_offset_um",
           "max_angle_in_resist_deg", "opening_centre_um", "thickness_for_length_um"]


def _index(name: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 1.0):
        raise ValueError(f"{name} must be a refractive index >= 1, got {value!r}")


def max_angle_in_resist_deg(*, n_medium: float, n_resist: float) -> float:
    """The steepest angle the light can take in the resist from a medium: asin(n_m / n_r).

    Args:
        n_medium: refractive index of the medium the light enters from (air 1.0).
        n_resist: refractive index of the resist at the exposure wavelength.
    """
    _index("n_medium", n_medium)
    _index("n_resist", n_resist)
    return math.degrees(math.asin(min(1.0, n_medium / n_resist)))


def angle_in_resist_deg(*, angle_in_medium_deg: float, n_medium: float,
                        n_resist: float) -> float:
    """The angle from the normal inside the resist for light at an angle in the medium.

    Args:
        angle_in_medium_deg: angle from the normal in the medium (the stage tilt), 0..90.
        n_medium: refractive index of the medium.
        n_resist: refractive index of the resist.
    """
    _index("n_medium", n_medium)
    _index("n_resist", n_resist)
    if not 0.0 <= angle_in_medium_deg < 90.0:
        raise ValueError(f"angle in the medium must be in [0, 90) deg, got {angle_in_medium_deg!r}")
    s = n_medium * math.sin(math.radians(angle_in_medium_deg)) / n_resist
    if s >= 1.0:
        raise ValueError(f"light at {angle_in_medium_deg:g} deg in a medium of n {n_medium:g} is "
                         f"totally reflected at a resist of n {n_resist:g}")
    return math.degrees(math.asin(s))


def angle_in_medium_deg(*, angle_in_resist_deg: float, n_medium: float,
                        n_resist: float) -> float:
    """The angle in the medium (stage tilt) that gives an angle in the resist.

    Args:
        angle_in_resist_deg: the wanted angle from the normal in the resist.
        n_medium: refractive index of the medium.
        n_resist: refractive index of the resist.

    Raises:
        ValueError: the angle lies beyond the medium's maximum (no tilt reaches it).
    """
    top = max_angle_in_resist_deg(n_medium=n_medium, n_resist=n_resist)
    if not 0.0 <= angle_in_resist_deg < top:
        raise ValueError(f"angle in the resist must be in [0, {top:.2f}) deg for n_medium "
                         f"{n_medium:g}, got {angle_in_resist_deg!r}")
    s = n_resist * math.sin(math.radians(angle_in_resist_deg)) / n_medium
    return math.degrees(math.asin(s))


def foot_offset_um(*, thickness_um: float, angle_in_resist_deg: float, gap_um: float = 0.0,
                   angle_in_medium_deg: float = 0.0) -> float:
    """How far the column's foot lies from its mask opening along the beam (um).

    The offset is t tan(theta_r) + g tan(theta_medium).

    Args:
        thickness_um: resist thickness t.
        angle_in_resist_deg: the angle in the resist.
        gap_um: proximity gap g between mask and resist (filled with the medium).
        angle_in_medium_deg: the angle in the medium (only the gap term uses it).
    """
    if not (thickness_um > 0 and gap_um >= 0):
        raise ValueError(f"need thickness > 0 and gap >= 0 um, got {thickness_um!r}, {gap_um!r}")
    return (thickness_um * math.tan(math.radians(angle_in_resist_deg))
            + gap_um * math.tan(math.radians(angle_in_medium_deg)))


def element_length_um(*, thickness_um: float, angle_in_resist_deg: float) -> float:
    """The length of a column along its axis through a resist of thickness t: t / cos(theta_r).

    Args:
        thickness_um: resist thickness.
        angle_in_resist_deg: the angle in the resist.
    """
    if not thickness_um > 0:
        raise ValueError(f"thickness must be > 0 um, got {thickness_um!r}")
    return thickness_um / math.cos(math.radians(angle_in_resist_deg))


def thickness_for_length_um(*, length_um: float, angle_in_resist_deg: float) -> float:
    """The resist thickness that gives a column of a length at an angle: L cos(theta_r).

    Args:
        length_um: the column length along its axis.
        angle_in_resist_deg: the angle in the resist.
    """
    if not length_um >= 0:
        raise ValueError(f"length must be >= 0 um, got {length_um!r}")
    return length_um * math.cos(math.radians(angle_in_resist_deg))


def opening_centre_um(*, contact_x_um: float, contact_y_um: float, offset_um: float,
                      azimuth_deg: float) -> tuple[float, float]:
    """Where the mask opening goes so that the foot lands on the contact (um).

    It is the contact centre minus the offset along the beam's in-plane direction u.

    Args:
        contact_x_um: contact-area centre x.
        contact_y_um: contact-area centre y.
        offset_um: the foot offset (foot_offset_um).
        azimuth_deg: the beam's in-plane direction, 0 = +x, counter-clockwise.
    """
    a = math.radians(azimuth_deg)
    return (contact_x_um - offset_um * math.cos(a), contact_y_um - offset_um * math.sin(a))
