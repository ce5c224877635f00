"""Pore capacitors on chip 1: how many pores each region needs, and where they go.

Each region asks for a capacitance between two nets; one pore gives
C = eps0 eps_r (pi d h + pi d^2 / 4) / t (wlpmask.physics.pores) with the pore's diameter and
pitch, its depth and its dielectric from the technology. The pores fill the region's square
grid row by row from its lower-left corner, inside the region's enclosure rule; a region too
small for its capacitance is bad input, and the error names the area it would need.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ... import geometry as geo
from ...errors import WlpmaskError
from ...physics import pores as phys
from .design import Capacitor, CocDesign

__all__ = ["PoreArray", "size_capacitors"]


@dataclass(frozen=True)
class PoreArray:
    """The pores of one capacitor region (chip-1 frame).

    Args:
        region: the design's capacitor region.
        origin_um: the first (lower-left) pore's centre.
        columns: pores per full row.
        full_rows: rows filled completely; remainder: pores in the row above them.
        pore_pf: one pore's capacitance.
    """

    region: Capacitor
    origin_um: tuple[float, float]
    columns: int
    full_rows: int
    remainder: int
    pore_pf: float

    @property
    def pores(self) -> int:
        """The pore count."""
        return self.columns * self.full_rows + self.remainder

    @property
    def capacitance_nf(self) -> float:
        """The region's capacitance."""
        return phys.capacitance_nf(pores=self.pores, pore_pf=self.pore_pf)

    @property
    def density_nf_per_mm2(self) -> float:
        """Capacitance over the region's area."""
        x0, y0, x1, y1 = self.region.box_um
        return phys.density_nf_per_mm2(capacitance_nf=self.capacitance_nf,
                                       area_um2=(x1 - x0) * (y1 - y0))


def size_capacitors(part: CocDesign) -> list[PoreArray]:
    """Size every capacitor region of the design.

    Args:
        part: the design part.

    Raises:
        WlpmaskError: a region cannot hold the pores its capacitance needs (naming the area
            it would need).
    """
    pt, g = part.tech.pore, part.tech.grid_um
    c = phys.pore_capacitance_pf(diameter_um=pt.diameter_um, depth_um=pt.depth_um,
                                 dielectric_um=pt.dielectric_um,
                                 permittivity_ratio=pt.permittivity_ratio)
    # A pore's centre keeps its radius plus the enclosure rule (and the octagon's snapping
    # slack) from the region's edge.
    edge = pt.diameter_um / 2 + part.tech.pore_rule.limit + geo.ROUND_SLACK_GRIDS * g
    out = []
    for cap in part.capacitors:
        x0, y0, x1, y1 = cap.box_um
        fit = [max(0, int(math.floor((side - 2 * edge) / pt.pitch_um + 1e-9)) + 1)
               if side >= 2 * edge else 0 for side in (x1 - x0, y1 - y0)]
        n = phys.pores_needed(target_nf=cap.target_nf, pore_pf=c)
        if n > fit[0] * fit[1]:
            need = n * pt.pitch_um ** 2 * 1e-6
            have = (x1 - x0) * (y1 - y0) * 1e-6
            raise WlpmaskError(
                f"{cap.target_nf:g} nF needs {n:,} pores of {c:.4g} pF, about {need:.3g} mm2 "
                f"at the {pt.pitch_um:g} um pitch; the region is {have:.3g} mm2 and holds "
                f"{fit[0] * fit[1]:,} pores", key=f"capacitors.{cap.name}.target_nf")
        origin = (geo.snap_value(x0 + edge, g), geo.snap_value(y0 + edge, g))
        out.append(PoreArray(cap, origin, fit[0], n // fit[0], n % fit[0], c))
    return out
