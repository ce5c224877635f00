"""Wafer-level chip-scale package with elastic bumps (DOMAIN.md 1A).

Every dimension comes from the technology's rules or the design file: PI1 openings inside the
bond pads, RDL landings around them, round capture pads (base regions) with their PI2 openings,
fill cylinders, balls, optional UBM and stencil apertures, the die frame, the routed RDL with
teardrops where traces meet capture pads. A bump is one cell placed by (array) reference; pads
of one size share a cell.

Modules: design (the design-file sections), bumps (sites and assignment), rules (layer roles,
rule values, bump dimensions), cells (cells and assembly), terminals (the router's view),
teardrops, rdl (route + teardrops + same-net notch fill), checks (process checks), handoff (ball
map, datasheet picture, KiCad footprint), family (the object the build driver calls).
"""

from .family import Wlcsp, WlcspReport

FAMILY = Wlcsp()

__all__ = ["FAMILY", "Wlcsp", "WlcspReport"]
