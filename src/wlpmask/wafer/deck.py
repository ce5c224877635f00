"""The job deck of a mask set (masks.json) and its MALY form (masks.maly).

Per plate: its file and sha256, the layer and step, the tone of the digitized data and of the
field, the CD bias per edge, the critical dimension and where to measure it (the CD bars of the
mark sites, on the plate), the plate, mirror and reading sense, the field and the marks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import __version__
from ..io.maly import MalyMask, maly_text
from ..tech import Technology
from .layout import WaferPlan
from .marks import critical_dimension, fine_gap
from .plates import PlateData

__all__ = ["MALY_FILE", "deck_json", "maly_file", "wafer_record"]

MALY_FILE = "masks.maly"
DECK_FILE = "masks.json"


def wafer_record(plan: WaferPlan) -> dict[str, Any]:
    """The manifest's `wafer` record of a plan.

    Args:
        plan: the wafer plan.
    """
    spec = plan.spec
    return {"diameter_mm": spec.diameter_mm, "edge_exclusion_mm": spec.edge_exclusion_mm,
            "flat_length_mm": spec.flat_length_mm, "notch_keepout_mm": spec.notch_keepout_mm,
            "step_um": list(plan.step_um), "offset_um": list(plan.offset_um),
            "dies": plan.full.count,
            "candidates": plan.candidates,
            "partial_dies": int(len(plan.sites.full) - plan.full.count),
            "marks_um": [list(m) for m in plan.marks_um],
            "mark_keepout_um": plan.keepout_um}


def _marks_on(p: PlateData, plan: WaferPlan) -> list[dict]:
    """The alignment blocks this plate carries (as new layer or as the layer aligned to)."""
    out = []
    for pair in plan.pairs:
        role = ("inner" if pair.inner.name == p.mask.layer.name else
                "outer" if pair.outer.name == p.mask.layer.name else None)
        if role is None:
            continue
        out.append({"aligns": f"{pair.inner.name} to {pair.outer.name}", "part": role,
                    "at_um": p.in_sites(*plan.site.blocks[pair.step])})
    return out


def deck_json(plates: Sequence[PlateData], plan: WaferPlan, *, name: str, tech: Technology,
              sha256: Mapping[str, str]) -> dict[str, Any]:
    """The job deck.

    Args:
        plates: the plates.
        plan: the wafer plan.
        name: the design name.
        tech: the technology.
        sha256: plate file -> its sha256.
    """
    spec = plan.spec
    fine = fine_gap(spec.alignment_tolerance_um, tech.grid_um)
    masks = []
    for p in plates:
        lay = p.mask.layer
        cd = critical_dimension(tech, lay, fine)
        bx, by, _ = plan.site.cd_bars[p.mask.step]
        masks.append({
            "step": p.mask.step, "role": p.mask.role, "layer": lay.name,
            "gds": list(lay.gds), "aligned_to": p.mask.aligned_to, "note": p.mask.note,
            "file": p.file, "sha256": sha256[p.file], "cell": p.cell.name,
            "data_layer": list(p.data_gds),
            "tone": f"digitized data {p.data_tone}", "drawn_tone": lay.tone,
            "field_tone": f"{p.field_tone} field", "inverted": p.inverted,
            "bias_um_per_edge": lay.bias_um,
            "cd": {"drawn_um": cd, "on_plate_um": (cd + 2 * lay.bias_um) * p.scale,
                   "feature": "CD bar (a line of the layer's critical dimension) in each "
                              "alignment-mark site",
                   "at_um": p.in_sites(bx, by)},
            "reduction": p.scale if spec.reticle_reduction is not None else None,
            "plate": p.plate.code, "plate_size_mm": p.plate.size_mm,
            "plate_thickness_mm": p.plate.thickness_mm, "mirror": p.mirror,
            "reading": p.reading, "field_um": list(p.field_um), "marks": _marks_on(p, plan),
            "label": list(p.label)})
    out = {"tool": "wlpmask", "version": __version__, "design": name,
           "revision": spec.revision, "date": spec.date, "maly": MALY_FILE,
           "frame": "um; a 1x plate's centre is the wafer centre; data as written in the plate "
                    "file (mirrored plates: x -> -x)",
           "wafer": wafer_record(plan), "masks": masks}
    if spec.reticle_reduction is not None:
        # the stepper places the die image on every die site and the mark image on every
        # mark site (wafer frame: die and site centres)
        out["stepping"] = {"reduction": spec.reticle_reduction,
                           "die_image_um": [0.0, 0.0],
                           "mark_image_um": list(plates[0].in_sites(0.0, 0.0)[0]) if plates
                           else None,
                           "dies_um": plan.full.centres.tolist(),
                           "marks_um": [list(m) for m in plan.marks_um]}
    return out


def maly_file(plates: Sequence[PlateData], *, name: str) -> str:
    """The MALY text of the plates.

    Args:
        plates: the plates.
        name: the design name.
    """
    masks = []
    for p in plates:
        h = p.plate.size_mm * 500.0
        masks.append(MalyMask(p.mask.layer.name, p.file.split("/", 1)[1], p.cell.name,
                              p.data_gds[0], (-h, -h, h, h)))
    size = plates[0].plate.size_mm * 1000.0 if plates else 25400.0
    return maly_text(masks, root="masks", plate_um=size, title=f"mask set of {name}")
