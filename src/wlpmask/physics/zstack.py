"""The z-stack of a chip-on-chip package (DOMAIN.md 1C): both paths from chip 1 to the frame.

From the first chip's face down to the lead frame there are two paths: through a first bump,
the second chip and the adhesive to the heat sink, and through a second bump to a lead. The
heat sink sits lower than the leads by its half-etched recess. The two must match within a
tolerance; the recess that balances them is what the frame's top half-etch has to take. All
heights in um, bump heights after collapse.
"""

from __future__ import annotations


def stack_mismatch_um(*, first_bump_um: float, chip_um: float, adhesive_um: float,
                      second_bump_um: float, recess_um: float) -> float:
    """The chip path minus the lead path: > 0 pushes the second chip into its heat sink.

    Args:
        first_bump_um: first bump height after collapse.
        chip_um: the second chip's thickness.
        adhesive_um: the adhesive's thickness.
        second_bump_um: second bump height after collapse.
        recess_um: how far the heat sink's top lies below the leads' top.
    """
    return (first_bump_um + chip_um + adhesive_um) - (second_bump_um + recess_um)


def balancing_recess_um(*, first_bump_um: float, chip_um: float, adhesive_um: float,
                        second_bump_um: float) -> float:
    """The heat-sink recess that makes the two paths equal (< 0: the sink must stand higher).

    Args:
        first_bump_um: first bump height after collapse.
        chip_um: the second chip's thickness.
        adhesive_um: the adhesive's thickness.
        second_bump_um: second bump height after collapse.
    """
    return stack_mismatch_um(first_bump_um=first_bump_um, chip_um=chip_um,
                             adhesive_um=adhesive_um, second_bump_um=second_bump_um,
                             recess_um=0.0)


def recess_fits(*, recess_um: float, frame_um: float, min_ratio: float,
                max_ratio: float) -> bool:
    """Whether a recess is a half-etch the frame can take (none, or min..max of its thickness).

    Args:
        recess_um: the recess.
        frame_um: the frame's thickness.
        min_ratio: the shallowest half-etch over the thickness.
        max_ratio: the deepest half-etch over the thickness.
    """
    if recess_um == 0:
        return True
    return min_ratio * frame_um - 1e-9 <= recess_um <= max_ratio * frame_um + 1e-9
