"""The chip-on-chip manifest keys and the lead table handed to assembly.

Key names are an interface (add, never rename): chips (placement read back from the GDS
references in ASSEMBLY), heat_sinks, leads, solders, z_stack, capacitors; and, beside them,
z_stacks (every upper chip), plates and frame.
"""

from __future__ import annotations

import math
from typing import Any

import gdstk

from .cells import ASSEMBLY, strip_file
from .placement import BumpSet
from .plan import CocPart
from .stack import z_records

__all__ = ["lead_table", "manifest_keys"]


def _placement(top: gdstk.Cell, cell_name: str) -> dict:
    """The transform of the reference to cell_name in ASSEMBLY, as the GDS holds it."""
    asm = next(c for c in [top, *top.dependencies(True)]
               if isinstance(c, gdstk.Cell) and c.name == ASSEMBLY)
    ref = next(r for r in asm.references if r.cell.name == cell_name)
    return {"origin_um": [round(v, 6) + 0.0 for v in ref.origin],
            "rotation_deg": round(math.degrees(ref.rotation)) % 360,
            "mirror_x": bool(ref.x_reflection)}


def _bumps(bs: BumpSet, kind: str) -> list[dict]:
    return [{"name": n, "net": net, "kind": kind, "x_um": x, "y_um": y}
            for n, net, (x, y) in zip(bs.names, bs.nets, bs.xy.tolist(), strict=True)]


def _chip(cp: CocPart, top: gdstk.Cell, chip, bumps: list[dict]) -> dict:
    cell = f"{cp.design.name}_{chip.name}"
    return {"name": chip.name, "cell": cell, "size_um": [chip.width_um, chip.height_um],
            "thickness_um": chip.thickness_um, "placement": _placement(top, cell),
            "bumps": bumps}


def manifest_keys(cp: CocPart, top: gdstk.Cell, plate_files: dict[str, str]) -> dict[str, Any]:
    """The family's manifest keys.

    Args:
        cp: the loaded design and its plan.
        top: the product's top cell.
        plate_files: side ("top", "bottom") -> the plate's GDS file name.
    """
    d, plan = cp.design, cp.plan
    ct, sp = d.tech, plan.strip
    first = [b for f in plan.fields for b in _bumps(f.on_chip1, "first")]
    chips = [_chip(cp, top, d.chip1, first + _bumps(plan.second, "second"))]
    chips += [_chip(cp, top, c, _bumps(f.on_upper, "first"))
              for c, f in zip(d.uppers, plan.fields, strict=True)]
    s1, s2 = d.kind.solder, ct.second.solder
    zs = z_records(cp)
    layers = {"top": d.layers.PLATE_TOP.name, "bottom": d.layers.PLATE_BOT.name}
    return {
        "chips": chips,
        "heat_sinks": [{"name": s.name, "chip": s.chip, "voltage_v": s.voltage_v,
                        "recess_um": s.recess_um, "ties": [t.what.split()[1] for t in s.ties]}
                       for s in plan.frame.sinks],
        "leads": [{"name": f"L{ld.number}", "net": ld.net, "bump": f"S{ld.number}",
                   "side": ld.side} for ld in plan.frame.leads],
        "solders": {"first": {"name": s1.name, "solidus_c": s1.solidus_c,
                              "liquidus_c": s1.liquidus_c},
                    "second": {"name": s2.name, "solidus_c": s2.solidus_c,
                               "liquidus_c": s2.liquidus_c},
                    "superheat_k": ct.superheat_k, "margin_k": ct.margin_k},
        "z_stack": {k: v for k, v in zs[0].items() if k != "chip"},
        "z_stacks": zs,
        "capacitors": [{"name": a.region.name, "net": list(a.region.nets), "pores": a.pores,
                        "capacitance_nf": round(a.capacitance_nf, 6),
                        "target_nf": a.region.target_nf,
                        "density_nf_per_mm2": round(a.density_nf_per_mm2, 3),
                        "pore_pf": round(a.pore_pf, 6)} for a in plan.capacitors],
        "etch_plates": [{"side": side, "file": plate_files[side], "layer": layers[side],
                    "mirrored": side == "bottom",
                    "mirror": (f"x -> {'strip' if sp else 'site'} width - x (drawn as seen "
                               "from below)" if side == "bottom" else None),
                    "wider_by_um": ct.plate_difference_um if ct.wider_plate == side else 0.0}
                   for side in ("top", "bottom")],
        "frame": {"thickness_um": ct.frame_um, "site_um": [d.frame.width_um, d.frame.height_um],
                  "package_um": list(d.frame.package_um), "leads": d.frame.leads,
                  "lead_pitch_um": d.frame.lead_pitch_um,
                  "lead_width_um": d.frame.lead_width_um},
        "strip": None if sp is None else {
            "columns": sp.spec.columns, "rows": sp.spec.rows, "pitch_um": list(sp.pitch),
            "size_um": list(sp.size), "first_site_um": list(sp.origin),
            "side_rail_um": sp.spec.side_rail_um, "pilot_hole_um": sp.spec.pilot_hole_um,
            "pilot_holes_um": [list(h) for h in sp.holes], "file": strip_file(d.name)},
    }


def lead_table(cp: CocPart) -> bytes:
    """NAME.leads.csv: lead, net, chip-1 bump, one row per lead.

    Args:
        cp: the loaded design and its plan.
    """
    rows = ["lead,net,chip1_bump"]
    rows += [f"{ld.number},{ld.net},S{ld.number}" for ld in cp.plan.frame.leads]
    return ("\n".join(rows) + "\n").encode()
