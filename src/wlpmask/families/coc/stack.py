"""The package's process checks of the stack (no geometry): solders, z-stack, plates.

Limits from the technology: the second reflow's peak below the first solder's solidus by the
margin; each upper chip's z-stack balanced within the tolerance (or the recess that would
balance it, and whether the frame can take it); the recess a half-etch the frame can take; the
plates' line-width difference covering their misregistration.
"""

from __future__ import annotations

from ...checks import ProcessCheck, check
from ...physics import solder as solder_phys
from ...physics import zstack
from .plan import CocPart

__all__ = ["stack_checks", "z_records"]


def z_records(cp: CocPart) -> list[dict]:
    """Each upper chip's z-stack (um): the manifest's z_stack record plus the chip's name.

    Args:
        cp: the loaded design and its plan.
    """
    d = cp.design
    sink = {hs.chip: hs for hs in d.heat_sinks}
    out = []
    for chip in d.uppers:
        rec = {"first_bump_um": d.kind.height_um, "chip_um": chip.thickness_um,
               "adhesive_um": d.tech.adhesive_um, "second_bump_um": d.tech.second.height_um,
               "recess_um": sink[chip.name].recess_um}
        rec["mismatch_um"] = round(zstack.stack_mismatch_um(**rec), 6)
        out.append({"chip": chip.name, **rec})
    return out


def _z_detail(cp: CocPart, rec: dict) -> str:
    ct = cp.design.tech
    need = zstack.balancing_recess_um(**{k: rec[k] for k in (
        "first_bump_um", "chip_um", "adhesive_um", "second_bump_um")})
    lo, hi = ct.half_etch_min_ratio * ct.frame_um, ct.half_etch_max_ratio * ct.frame_um
    fits = need >= 0 and zstack.recess_fits(recess_um=need, frame_um=ct.frame_um,
                                            min_ratio=ct.half_etch_min_ratio,
                                            max_ratio=ct.half_etch_max_ratio)
    chip_path = rec["first_bump_um"] + rec["chip_um"] + rec["adhesive_um"]
    return (f"{rec['chip']}: first bump {rec['first_bump_um']:g} + chip {rec['chip_um']:g} + "
            f"adhesive {rec['adhesive_um']:g} = {chip_path:g} um against second bump "
            f"{rec['second_bump_um']:g} + recess {rec['recess_um']:g} = "
            f"{rec['second_bump_um'] + rec['recess_um']:g} um; a recess of {need:g} um "
            f"balances it, which {'fits' if fits else 'does not fit'} the frame's half-etch "
            f"range {lo:g}..{hi:g} um ({ct.frame_um:g} um frame)")


def stack_checks(cp: CocPart) -> list[ProcessCheck]:
    """The checks of the stack, in a fixed order.

    Args:
        cp: the loaded design and its plan.
    """
    d = cp.design
    ct = d.tech
    first, second = d.kind.solder, ct.second.solder
    margin = solder_phys.order_margin_k(first_solidus_c=first.solidus_c,
                                        second_liquidus_c=second.liquidus_c,
                                        superheat_k=ct.superheat_k)
    peak = solder_phys.reflow_peak_c(liquidus_c=second.liquidus_c, superheat_k=ct.superheat_k)
    out = [check(
        "PROC.SOLDER_ORDER", "second reflow peak below the first solder's solidus", ">=",
        ct.margin_k, margin, "K", "process.solder_margin_k",
        detail=f"second {second.name} reflows at {second.liquidus_c:g} + "
               f"{ct.superheat_k:g} = {peak:g} C; first {first.name} melts from "
               f"{first.solidus_c:g} C")]
    recs = z_records(cp)
    worst = max(recs, key=lambda r: abs(r["mismatch_um"]))
    out.append(check("PROC.Z_STACK", "first bump + chip + adhesive against second bump + "
                     "heat-sink recess", "<=", ct.z_tolerance_um, abs(worst["mismatch_um"]),
                     "um", "process.z_stack_tolerance_um", detail=_z_detail(cp, worst)))
    deep = max(d.heat_sinks, key=lambda hs: hs.recess_um)
    out.append(check(
        "PROC.RECESS_DEPTH", "heat-sink recess (top half-etch) over the frame thickness", "<=",
        ct.half_etch_max_ratio, deep.recess_um / ct.frame_um, "ratio",
        "process.half_etch_max_ratio",
        detail=f"{deep.name}: {deep.recess_um:g} um of {ct.frame_um:g} um (a half-etch takes "
               f"{ct.half_etch_min_ratio:g}..{ct.half_etch_max_ratio:g} of it)"))
    out.append(check(
        "PROC.PLATE_REGISTRATION", "half the plates' line-width difference against their "
        "misregistration", ">=", ct.plate_misregistration_um, ct.plate_difference_um / 2, "um",
        "process.plate_misregistration_um",
        detail=f"{ct.wider_plate} plate drawn {ct.plate_difference_um:g} um wider"))
    return out
