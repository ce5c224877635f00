"""The router's view of a WLCSP design: terminals and the area the RDL may use.

The terminals are the pad landings and the capture pads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shapely

from .cells import bump_shapes, pad_shapes

if TYPE_CHECKING:  # pragma: no cover
    from ...designfile import Die
    from ...io.pads import Pad
    from .bumps import Bumps
    from .rules import FamilyRules


@dataclass(frozen=True)
class TerminalSpec:
    """A routing terminal: a pad's RDL landing or a bump's capture pad, in the die frame."""

    name: str
    kind: str
    shape: shapely.Polygon
    net: str | None
    center: tuple[float, float]


def terminals(*, pads: Sequence[Pad], bumps: Bumps, rules: FamilyRules,
              grid_um: float) -> list[TerminalSpec]:
    """Every pad landing and every bump capture pad as a routing terminal.

    Args:
        pads: the bond pads.
        bumps: the bump sites and dimensions.
        rules: the family's rule values.
        grid_um: the manufacturing grid.
    """
    out = []
    for pad in pads:
        landing = pad_shapes(pad, rules)["RDL"] + (pad.x_um, pad.y_um)
        out.append(TerminalSpec(pad.name, "pad", shapely.Polygon(landing), pad.net_name,
                                (pad.x_um, pad.y_um)))
    cap = bump_shapes(bumps.dims, grid_um=grid_um)["RDL"]
    for s in bumps.sites:
        out.append(TerminalSpec(s.name, "bump", shapely.Polygon(cap + (s.x_um, s.y_um)), s.net,
                                (s.x_um, s.y_um)))
    return out


def routing_boundary(die: Die, *, rdl_to_seal_um: float, grid_um: float) -> shapely.Polygon:
    """Where RDL may lie: inside the seal ring by the RDL-to-seal rule (plus one grid step).

    Args:
        die: the die frame.
        rdl_to_seal_um: the RDL-to-seal-ring separation rule.
        grid_um: the manufacturing grid.
    """
    return shapely.box(*die.inset(die.seal_inner_um + rdl_to_seal_um + grid_um))
