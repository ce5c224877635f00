"""Where each element leans and how long it must be: directions, offsets, the length rule.

The free end of every element points to an azimuth: the design's fixed one, or radial from the
neutral point (outward or inward). One angled exposure has one direction, so a radial lean is
made as `sectors` exposures: each element takes the sector direction nearest its radial one
(and every element of a sector shares its offset, which keeps the cells few). Leaf springs and
sheet springs run along an axis (their width is the contact area's width across them), so they
take the nearest of the four axes.

A pin's beam travels against its free end's direction: the foot lies t tan(theta_r) + g
tan(theta_medium) along the beam from the mask opening, so the opening goes to the contact
centre minus that offset along the beam (physics.exposure).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...io.pads import Pad
from ...physics import exposure as ex
from ...physics import thermal
from .design import ContactsDesign, Lean

__all__ = ["Placement", "free_end_azimuth", "place", "unit"]


@dataclass(frozen=True)
class Placement:
    """One element on its contact area.

    Args:
        pad: the contact area.
        element: "pin", "leaf_spring" or "sheet_spring".
        free_az_deg: the direction the free end leans or points to (0 = +x, ccw).
        sector: the exposure sector of a radial lean (None: fixed).
        dnp_um: distance from the neutral point.
        required_um: the least length: margin x max(bulge, gap, shear at the DNP).
        offset_um: a pin's foot offset from its opening (0 otherwise).
        opening_um: a pin's mould opening centre (None otherwise).
        top_um: a pin's top (where the head goes) at the resist surface (None otherwise).
    """

    pad: Pad
    element: str
    free_az_deg: float
    sector: int | None
    dnp_um: float
    required_um: float
    offset_um: float = 0.0
    opening_um: tuple[float, float] | None = None
    top_um: tuple[float, float] | None = None

    @property
    def beam_az_deg(self) -> float:
        """A pin's beam direction in the plane: against the free end's lean."""
        return (self.free_az_deg + 180.0) % 360.0


def unit(azimuth_deg: float) -> tuple[float, float]:
    """The unit vector of an azimuth, exact on the axes.

    Args:
        azimuth_deg: 0 = +x, counter-clockwise.
    """
    a = azimuth_deg % 360.0
    exact = {0.0: (1.0, 0.0), 90.0: (0.0, 1.0), 180.0: (-1.0, 0.0), 270.0: (0.0, -1.0)}
    if a in exact:
        return exact[a]
    return (math.cos(math.radians(a)), math.sin(math.radians(a)))


def free_end_azimuth(pad: Pad, *, neutral_um: tuple[float, float], lean: Lean,
                     axes: bool, grid_um: float) -> tuple[float, int | None]:
    """The direction of an element's free end, and its exposure sector (radial lean).

    Args:
        pad: the contact area.
        neutral_um: the neutral point.
        lean: the design's lean.
        axes: snap to the four axes (leaf springs and sheet springs).
        grid_um: the grid (a contact closer than this to the neutral point has no radial
            direction and takes lean.azimuth_deg).
    """
    if lean.policy == "fixed":
        # an axis element's fixed azimuth is an axis (the design's loader makes sure)
        return lean.azimuth_deg, None
    dx, dy = pad.x_um - neutral_um[0], pad.y_um - neutral_um[1]
    if math.hypot(dx, dy) < grid_um:
        phi = lean.azimuth_deg
    else:
        phi = math.degrees(math.atan2(dy, dx)) + (180.0 if lean.free_end == "inward" else 0.0)
    n, start = (4, 0.0) if axes else (lean.sectors, lean.azimuth_deg)
    step = 360.0 / n
    k = int(math.floor(((phi - start) % 360.0) / step + 0.5)) % n
    return round((start + k * step) % 360.0, 9), k


def place(part: ContactsDesign, pad: Pad, element: str) -> Placement:
    """Where an element goes on its contact area and how long it must be.

    Args:
        part: the design.
        pad: the contact area.
        element: "pin", "leaf_spring" or "sheet_spring".
    """
    p, (nx, ny) = part.process, part.neutral_point_um
    az, sector = free_end_azimuth(pad, neutral_um=part.neutral_point_um, lean=part.lean,
                                  axes=element != "pin", grid_um=part.limits.grid_um)
    dnp = thermal.dnp_um(x_um=pad.x_um, y_um=pad.y_um, neutral_x_um=nx, neutral_y_um=ny)
    shear = thermal.shear_um(dnp_um=dnp, cte_a_ppm_per_k=p.cte_substrate,
                             cte_b_ppm_per_k=p.cte_carrier, delta_t_k=p.delta_t_k)
    need = thermal.required_length_um(margin_ratio=p.margin, bulge_um=p.bulge_um,
                                      gap_um=p.carrier_gap_um, shear_um=shear)
    if element != "pin":
        return Placement(pad, element, az, sector, dnp, need)
    e = part.exposure
    beam = (az + 180.0) % 360.0
    off = e.offset_um
    ox, oy = ex.opening_centre_um(contact_x_um=pad.x_um, contact_y_um=pad.y_um, offset_um=off,
                                  azimuth_deg=beam)
    ux, uy = unit(beam)
    top = (ox + e.top_shift_um * ux, oy + e.top_shift_um * uy)
    return Placement(pad, element, az, sector, dnp, need, off, (ox, oy), top)
