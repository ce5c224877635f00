"""Chip-on-chip package (DOMAIN.md 1C): two chips face to face on a lead frame.

A large first chip (capacitors in pores) and smaller upper chips face to face on first bumps,
both bump maps from one netlist (the upper chip's the mirror of chip 1's field about the flip
axis); chip 1's peripheral second bumps, of a lower-melting solder, land on the leads of an
etched lead frame whose heat sinks, each tied to the frame only by its own tie bars, carry the
upper chips' backs on conductive adhesive. Drawn: chip 1, the upper chips, one frame site, its
top and bottom etch plates (own files), and an ASSEMBLY of references for review.

Modules: rules (roles and technology values), netlist and design (the design file), placement
(GDS transforms, bump fields), ties and leadframe (the frame), capacitors (pore sizing), plan
(all of it, at load), cells (drawing), mirror, isolation, checks and stack (process checks),
manifest (manifest keys, lead table), family (the object the build driver calls).
"""

from .family import Coc, CocReport

FAMILY = Coc()

__all__ = ["FAMILY", "Coc", "CocReport"]
