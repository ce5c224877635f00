"""The family's manifest keys and its contact map (an interface: add keys, never rename).

`exposure`, `thermal`, `neutral_point_um` and `contacts` (one record per contact) as the
family's contract names them; `substrate`, `springs` and `sheet` add what a build of that kind
made. The contact map NAME.contacts.csv repeats each contact's lean for the people who align
the exposure and probe the result.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from .checks import curl
from .design import ContactsDesign
from .lean import Placement
from .plan import Plan

__all__ = ["CSV_FIELDS", "contact_map", "family_keys"]

CSV_FIELDS = ("name", "x_um", "y_um", "element", "azimuth_deg", "angle_in_resist_deg",
              "opening_x_um", "opening_y_um")
# Decimals of the lengths and angles written (the grid is 1 nm).
DECIMALS = 4


def _r(v: float | None) -> float | None:
    return None if v is None else round(float(v), DECIMALS) + 0.0


def _record(part: ContactsDesign, pl: Placement, length: float) -> dict[str, Any]:
    pad, pin = pl.pad, pl.element == "pin"
    e = part.exposure if pin else None
    return {
        "name": pad.name, "x_um": _r(pad.x_um), "y_um": _r(pad.y_um), "w_um": _r(pad.w_um),
        "h_um": _r(pad.h_um), "element": pl.element,
        # a pin's beam runs against its free end; a spring's direction is its free end's
        "azimuth_deg": _r(pl.beam_az_deg if pin else pl.free_az_deg),
        "free_end_azimuth_deg": _r(pl.free_az_deg), "sector": pl.sector,
        "angle_in_resist_deg": _r(e.angle_deg) if e else None,
        "offset_um": _r(pl.offset_um) if pin else None,
        "opening_x_um": _r(pl.opening_um[0]) if pin else None,
        "opening_y_um": _r(pl.opening_um[1]) if pin else None,
        "dnp_um": _r(pl.dnp_um), "length_um": _r(length),
        "length_required_um": _r(pl.required_um),
    }


def _exposure(part: ContactsDesign, plan: Plan) -> dict[str, Any] | None:
    e = part.exposure
    if e is None:
        return None
    lean = part.lean
    sectors: dict[int, dict[str, Any]] = {}
    for pl in plan.placements:
        if pl.element == "pin" and pl.sector is not None:
            s = sectors.setdefault(pl.sector, {"sector": pl.sector,
                                               "azimuth_deg": _r(pl.beam_az_deg),
                                               "free_end_azimuth_deg": _r(pl.free_az_deg),
                                               "contacts": 0})
            s["contacts"] += 1
    return {
        "medium": e.medium, "n_medium": e.n_medium, "n_resist": e.n_resist,
        "resist_thickness_um": e.resist_um, "gap_um": e.gap_um, "tilt_deg": _r(e.tilt_deg),
        "max_angle_in_resist_deg": _r(e.max_angle_deg), "policy": lean.policy,
        "lean": lean.free_end, "angle_in_resist_deg": _r(e.angle_deg),
        "offset_um": _r(e.offset_um), "length_um": _r(e.length_um),
        "polarity": part.process.polarity, "mould_tone": part.process.mould_tone,
        "exposures": [sectors[k] for k in sorted(sectors)] if sectors else [
            {"sector": None, "azimuth_deg": _r((lean.azimuth_deg + 180.0) % 360.0),
             "free_end_azimuth_deg": _r(lean.azimuth_deg),
             "contacts": plan.count("pin")}],
    }


def family_keys(part: ContactsDesign, plan: Plan, *, sheet: dict[str, Any] | None) -> dict:
    """The family's manifest keys.

    Args:
        part: the design.
        plan: the elements.
        sheet: the sheet build's record (dimensions, plates), None otherwise.
    """
    p = part.process
    out: dict[str, Any] = {
        "substrate": {"kind": "wafer" if part.wafer else "die",
                      "contact_source": part.areas.source, "contacts": len(part.pads),
                      "method": part.method},
        "exposure": _exposure(part, plan),
        "thermal": {"cte_substrate_ppm_per_k": p.cte_substrate,
                    "cte_carrier_ppm_per_k": p.cte_carrier, "delta_t_k": p.delta_t_k,
                    "bulge_um": p.bulge_um, "gap_um": p.carrier_gap_um, "margin": p.margin},
        "neutral_point_um": [_r(v) for v in part.neutral_point_um],
        "contacts": [_record(part, pl, n) for pl, n in zip(plan.placements, plan.lengths_um)],
    }
    if plan.free_um is not None:
        c = curl(part, plan.free_um)
        f = p.spring
        out["springs"] = {
            "count": plan.count("leaf_spring"), "free_length_um": plan.free_um,
            "film_thickness_um": f.thickness_um, "tip_width_um": f.thickness_um,
            "taper_ratio": p.taper_ratio,
            "curl_radius_um": _r(c.radius_um) if c else None,
            "lift_um": _r(c.lift_um) if c else None,
            "rise_angle_deg": _r(c.rise_deg) if c else None}
    if sheet is not None:
        out["sheet"] = sheet
    return out


def contact_map(part: ContactsDesign, plan: Plan) -> bytes:
    """NAME.contacts.csv: each contact's place and lean, one row per contact.

    Args:
        part: the design.
        plan: the elements.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for pl, n in zip(plan.placements, plan.lengths_um):
        rec = _record(part, pl, n)
        w.writerow(["" if rec[k] is None else rec[k] for k in CSV_FIELDS])
    return buf.getvalue().encode("utf-8")
