"""The plan of a build before any drawing: every element's place, direction and length.

Pins are as long as their column (t / cos(theta_r)); leaf springs and sheet springs all get one
length, the shortest that meets the length rule at every contact (and, for leaf springs whose
film the technology describes, lifts its tip to margin x the gap to the carrier), rounded up to
a whole micrometre, unless the design gives it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...errors import WlpmaskError
from ...physics import spring as sp
from .design import ContactsDesign
from .lean import Placement, place

__all__ = ["Plan", "make_plan"]


@dataclass(frozen=True)
class Plan:
    """Every element of the build.

    Args:
        placements: one per contact area, in the design's order.
        lengths_um: each element's length.
        free_um: the leaf springs' free length (None: no leaf springs).
        sheet_um: the sheet springs' length (None: not a sheet build).
    """

    placements: tuple[Placement, ...]
    lengths_um: tuple[float, ...]
    free_um: float | None = None
    sheet_um: float | None = None

    def count(self, element: str) -> int:
        """How many elements of a kind.

        Args:
            element: "pin", "leaf_spring" or "sheet_spring".
        """
        return sum(1 for p in self.placements if p.element == element)


def _common_length(need: list[float], given: float | None) -> float:
    return given if given is not None else float(math.ceil(max(need) - 1e-9))


def _free_length(part: ContactsDesign, springs: list[Placement]) -> float:
    if part.free_length_um is not None:
        return part.free_length_um
    need = [p.required_um for p in springs]
    f = part.process.spring
    if f is not None and f.modulus_gpa is not None:
        r = sp.curl_radius_um(modulus_gpa=f.modulus_gpa, thickness_um=f.thickness_um,
                              poisson_ratio=f.poisson_ratio,
                              stress_difference_mpa=f.stress_difference_mpa)
        lift = part.process.margin * part.process.carrier_gap_um
        try:
            need.append(sp.length_for_lift_um(radius_um=r, lift_um=lift))
        except ValueError:
            raise WlpmaskError(
                f"leaf springs curl to R = {r:.1f} um: no free length lifts the tip "
                f"{lift:g} um (margin x gap) below a 90 degree rise; give [spring] "
                "free_length_um or a film that curls less", file=part.source,
                key="spring.free_length_um") from None
    return _common_length(need, None)


def make_plan(part: ContactsDesign) -> Plan:
    """Place every element and give it its length.

    Args:
        part: the design.
    """
    if part.method == "sheet":
        placements = tuple(place(part, pad, "sheet_spring") for pad in part.pads)
        length = _common_length([p.required_um for p in placements], part.sheet_spring_um)
        return Plan(placements, tuple(length for _ in placements), sheet_um=length)
    placements = tuple(place(part, pad, part.elements[pad.name]) for pad in part.pads)
    springs = [p for p in placements if p.element == "leaf_spring"]
    free = _free_length(part, springs) if springs else None
    pin_len = part.exposure.length_um if part.exposure is not None else 0.0
    return Plan(placements, tuple(pin_len if p.element == "pin" else free for p in placements),
                free_um=free)
