"""The router's view of a WLCSP design: terminals (pad landings, capture pads) and the area
the RDL may use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import shapely

from .cells import bump_shapes, pad_shapes

if TYPE_CHECKING:  # pragma: no cover
    from ...design import Design


@dataclass(frozen=True)
class TerminalSpec:
    """A routing terminal: a pad's RDL landing or a bump's capture pad, in the die frame."""

    name: str
    kind: str
    shape: shapely.Polygon
    net: str | None
    center: tuple[float, float]


def terminals(design: Design) -> list[TerminalSpec]:
    """Every pad landing and every bump capture pad as a routing terminal, sorted by name."""
    out = []
    for pad in design.pads:
        landing = pad_shapes(pad, design.rules)["RDL"] + (pad.x_um, pad.y_um)
        out.append(TerminalSpec(pad.name, "pad", shapely.Polygon(landing), pad.net_name,
                                (pad.x_um, pad.y_um)))
    cap = bump_shapes(design.bumps.dims, grid_um=design.tech.grid_um)["RDL"]
    for s in design.bumps.sites:
        out.append(TerminalSpec(s.name, "bump", shapely.Polygon(cap + (s.x_um, s.y_um)), s.net,
                                (s.x_um, s.y_um)))
    return out


def routing_boundary(design: Design) -> shapely.Polygon:
    """Where RDL may lie: inside the seal ring by the RDL-to-seal rule (plus one grid step)."""
    d = design.die.seal_inner_um + design.rules.rdl_to_seal_um + design.tech.grid_um
    return shapely.box(*design.die.inset(d))


