"""The whole package planned at load: placements, bump fields, lead frame, pore arrays.

Planning needs nothing but the design and the technology, so it runs when the design file is
loaded: a package that cannot be drawn (a field that does not fit, a tie bar without room, a
capacitor region too small) is bad input, named by file and key, before anything is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import geometry as geo
from .capacitors import PoreArray, size_capacitors
from .design import CocDesign
from .leadframe import FramePlan, plan_frame
from .placement import BumpSet, Field, Placement, chip1_placement, fields, upper_placement
from .strip import StripPlan, plan_strip

__all__ = ["CocPart", "Plan", "make_plan"]


@dataclass(frozen=True, eq=False)
class Plan:
    """Where everything goes.

    Args:
        chip1: chip 1's placement in the assembly.
        uppers: upper chip name -> its placement.
        fields: the first-bump fields, in the order of the upper chips.
        second: chip 1's second bumps (chip-1 frame), named S<lead>, with their leads' nets.
        frame: the lead frame.
        capacitors: the pore arrays, in the order of the regions.
        strip: the strip the frame site is stepped into, or None.
    """

    chip1: Placement
    uppers: dict[str, Placement]
    fields: tuple[Field, ...]
    second: BumpSet
    frame: FramePlan
    capacitors: tuple[PoreArray, ...]
    strip: StripPlan | None = None


@dataclass(frozen=True, eq=False)
class CocPart:
    """What the family loads: the design and its plan."""

    design: CocDesign
    plan: Plan


def make_plan(part: CocDesign) -> Plan:
    """Plan the package.

    Args:
        part: the design part.

    Raises:
        WlpmaskError: the package cannot be drawn as asked (the key names where).
    """
    p1 = chip1_placement(part)
    uppers = {c.name: upper_placement(c, p1) for c in part.uppers}
    frame = plan_frame(part, uppers)
    xy = geo.snap(p1.invert(np.array([ld.bump_xy for ld in frame.leads])), part.tech.grid_um)
    second = BumpSet(tuple(f"S{ld.number}" for ld in frame.leads),
                     tuple(ld.net for ld in frame.leads), xy)
    return Plan(p1, uppers, tuple(fields(part, p1, uppers)), second, frame,
                tuple(size_capacitors(part)), plan_strip(part, frame))
