"""The [wafer] section any design file may add: the wafer the die is stepped on, and its plates.

Wafer geometry (diameter, edge exclusion, a SEMI flat or a notch with its keep-out), the grid
offset (searched or given), the alignment-mark sites, the plates (size, dark-field inversion,
reading sense) and what their labels say. Lengths of the wafer are in mm, like the standards
that fix them; positions on the die grid are in um. The alignment tolerance comes from the
technology (`process.alignment_tolerance_um`) unless the section gives it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ..tech import Technology
from ..validate import Reader

__all__ = ["DIAMETERS_MM", "FIELD_MARGIN_MM", "LABEL_BAND_MM", "PLATES", "SEMI_FLAT_MM",
           "Plate", "WaferSpec", "plate_need_mm", "read_wafer"]

# Wafer diameters the section accepts; the SEMI primary flat length of those that have one.
DIAMETERS_MM = (100.0, 125.0, 150.0, 200.0, 300.0)
SEMI_FLAT_MM: Mapping[float, float] = MappingProxyType({100.0: 32.5, 125.0: 42.5, 150.0: 57.5})
INCH_MM = 25.4


@dataclass(frozen=True)
class Plate:
    """A mask plate: its code, side and thickness.

    Args:
        code: the plate code (e.g. "5009": 5 x 5 inch, 0.090 inch thick) or "custom".
        size_mm: the side of the square plate.
        thickness_mm: the plate thickness.
    """

    code: str
    size_mm: float
    thickness_mm: float


# Square 1x plates by code: side and thickness in inches (the code spells both).
PLATES: Mapping[str, Plate] = MappingProxyType({
    code: Plate(code, side * INCH_MM, thick * INCH_MM)
    for code, side, thick in (("5009", 5.0, 0.090), ("6025", 6.0, 0.250), ("7009", 7.0, 0.090),
                              ("9009", 9.0, 0.090))})
# The field of a plate (where a dark-field plate is inverted) reaches this far beyond the
# wafer edge; the label needs at least LABEL_BAND_MM between the field and the plate edge.
FIELD_MARGIN_MM = 2.0
LABEL_BAND_MM = 5.0
PARTIAL = ("omit", "map")
_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_KEYS = {"diameter_mm", "edge_exclusion_mm", "orientation", "flat_length_mm", "notch_keepout_mm",
         "offset_um", "partial_dies", "marks_mm", "alignment_tolerance_um", "plate",
         "plate_size_mm", "plate_thickness_mm", "invert_dark_field", "mirror", "revision",
         "date", "substrate_id", "reticle_reduction"}


@dataclass(frozen=True)
class WaferSpec:
    """The wafer and plates of a design; lengths of the wafer in mm, die positions in um.

    Args:
        source: the design file (errors found later name it).
        diameter_mm: the wafer diameter.
        edge_exclusion_mm: the band along the edge (and above the flat) where no die may lie.
        flat_length_mm: the primary flat's length (None: a notch).
        notch_keepout_mm: radius of the keep-out disc around the notch (None: a flat).
        offset_um: the centre of one full die relative to the wafer centre; None: searched.
        partial_dies: "omit" (full dies only) or "map" (partial dies listed in the wafer maps).
        marks_mm: centres of the alignment-mark sites (wafer frame); None: two on the x axis.
        alignment_tolerance_um: the aligner's overlay tolerance (mark gaps follow it).
        plate: the plate (by default the smallest standard plate that holds the wafer; 6025
            for reticles).
        reticle_reduction: plates are stepper reticles at this reduction (one die image and
            the mark site, magnified), not 1x plates of the whole wafer; None: 1x plates.
        invert_dark_field: dark-field plates carry the chrome (drawn data inverted in the field).
        mirror: plates are mirrored (right-reading chrome-up) instead of drawn as seen on the
            wafer (right-reading chrome-down).
        revision: the revision printed on each plate.
        date: the date printed on each plate (YYYY-MM-DD, from the design: builds stay
            reproducible).
        substrate_id: the wafer id in the wafer map.
    """

    source: str
    diameter_mm: float
    edge_exclusion_mm: float
    flat_length_mm: float | None
    notch_keepout_mm: float | None
    offset_um: tuple[float, float] | None
    partial_dies: str
    marks_mm: tuple[tuple[float, float], ...] | None
    alignment_tolerance_um: float
    plate: Plate
    invert_dark_field: bool
    mirror: bool
    revision: str
    date: str
    substrate_id: str
    reticle_reduction: int | None = None

    @property
    def radius_um(self) -> float:
        """The wafer radius in um."""
        return self.diameter_mm * 500.0


def _orientation(r: Reader, t: dict, diameter: float) -> tuple[float | None, float | None]:
    """(flat length, notch keep-out) in mm: one of them is None."""
    default = "flat" if diameter in SEMI_FLAT_MM else "notch"
    kind = r.string(t, "wafer", "orientation", default=default, choices=("flat", "notch"))
    if kind == "flat":
        if "notch_keepout_mm" in t:
            raise r.err("wafer.notch_keepout_mm", "a wafer with a flat has no notch keep-out")
        semi = SEMI_FLAT_MM.get(diameter)
        flat = r.num(t, "wafer", "flat_length_mm", strict=True, maximum=diameter,
                     default=semi if semi is not None else None)
        if flat is None:
            raise r.err("wafer.flat_length_mm", f"no SEMI flat for a {diameter:g} mm wafer; "
                        "give the flat length or use orientation = \"notch\"")
        return flat, None
    if "flat_length_mm" in t:
        raise r.err("wafer.flat_length_mm", "a wafer with a notch has no flat")
    return None, r.num(t, "wafer", "notch_keepout_mm", maximum=diameter / 2)


def plate_need_mm(diameter_mm: float) -> float:
    """The least plate side for a wafer: the field and the label band on both sides.

    Args:
        diameter_mm: the wafer diameter.
    """
    return diameter_mm + 2 * (FIELD_MARGIN_MM + LABEL_BAND_MM)


def _plate(r: Reader, t: dict, diameter: float, reticle: bool) -> Plate:
    # a reticle holds one magnified die: its fit is checked once the die is known
    need = 0.0 if reticle else plate_need_mm(diameter)
    if "plate_size_mm" in t or "plate_thickness_mm" in t:
        if "plate" in t:
            raise r.err("wafer.plate", "give a plate code or plate_size_mm, not both")
        plate = Plate("custom", r.num(t, "wafer", "plate_size_mm", strict=True,
                                      maximum=1000.0),
                      r.num(t, "wafer", "plate_thickness_mm", strict=True, maximum=20.0))
        key = "wafer.plate_size_mm"
    else:
        code = r.string(t, "wafer", "plate", default="auto", choices=("auto", *PLATES))
        if code == "auto" and reticle:
            return PLATES["6025"]
        if code == "auto":
            fits = [p for p in PLATES.values() if p.size_mm >= need]
            if not fits:
                raise r.err("wafer.plate", f"no standard 1x plate holds a {diameter:g} mm wafer "
                            f"(needs {need:g} mm); give plate_size_mm and plate_thickness_mm")
            return min(fits, key=lambda p: p.size_mm)
        plate, key = PLATES[code], "wafer.plate"
    if plate.size_mm < need:
        raise r.err(key, f"a {plate.size_mm:g} mm plate is too small for a {diameter:g} mm "
                    f"wafer, its field and label (needs {need:g} mm)")
    return plate


def _marks(r: Reader, t: dict, radius_mm: float) -> tuple[tuple[float, float], ...] | None:
    if "marks_mm" not in t:
        return None
    v = t["marks_mm"]
    ok = isinstance(v, list) and len(v) >= 2 and all(
        isinstance(p, list) and len(p) == 2 and all(
            isinstance(c, (int, float)) and not isinstance(c, bool) for c in p) for p in v)
    if not ok:
        raise r.err("wafer.marks_mm", f"expected two or more [x, y] mark sites in mm, got {v!r}")
    sites = tuple((float(x), float(y)) for x, y in v)
    for x, y in sites:
        if (x * x + y * y) ** 0.5 >= radius_mm:
            raise r.err("wafer.marks_mm", f"mark site [{x:g}, {y:g}] mm is off the wafer")
    return sites


def read_wafer(r: Reader, t: dict, tech: Technology, *, design_name: str) -> WaferSpec | None:
    """The [wafer] table, checked; None when the design has none.

    Args:
        r: the design file's reader.
        t: the [wafer] table (empty: no wafer).
        tech: the technology (its alignment tolerance).
        design_name: the design name (the default substrate id).
    """
    if not t:
        return None
    r.keys("wafer", t, _KEYS)
    d = r.num(t, "wafer", "diameter_mm", strict=True)
    if d not in DIAMETERS_MM:
        raise r.err("wafer.diameter_mm", f"expected one of "
                    f"{', '.join(f'{x:g}' for x in DIAMETERS_MM)} mm, got {d:g}")
    edge = r.num(t, "wafer", "edge_exclusion_mm", maximum=d / 4)
    flat, notch = _orientation(r, t, d)
    offset = r.xy(t, "wafer", "offset_um") if "offset_um" in t else None
    tol = t.get("alignment_tolerance_um", tech.process.get("alignment_tolerance_um"))
    if tol is None:
        raise r.err("wafer.alignment_tolerance_um", "no alignment tolerance: give it here or as "
                    f"process.alignment_tolerance_um in {tech.source}")
    tol = r.num({"alignment_tolerance_um": tol}, "wafer", "alignment_tolerance_um",
                strict=True, maximum=1000.0)
    date = r.string(t, "wafer", "date")
    if not _DATE.match(date):
        raise r.err("wafer.date", f"expected a date YYYY-MM-DD, got {date!r}")
    revision = r.string(t, "wafer", "revision", default="A")
    substrate = r.string(t, "wafer", "substrate_id", default=design_name)
    for key, text in (("revision", revision), ("substrate_id", substrate)):
        if not text or not text.isascii() or not text.isprintable():
            raise r.err(f"wafer.{key}", f"expected printable ASCII text, got {text!r}")
    reduction = r.integer(t, "wafer", "reticle_reduction", default=None, minimum=1, maximum=10)
    return WaferSpec(
        source=r.file, diameter_mm=d, edge_exclusion_mm=edge, flat_length_mm=flat,
        notch_keepout_mm=notch, offset_um=offset,
        partial_dies=r.string(t, "wafer", "partial_dies", default="omit", choices=PARTIAL),
        marks_mm=_marks(r, t, d / 2), alignment_tolerance_um=tol,
        plate=_plate(r, t, d, reduction is not None),
        invert_dark_field=r.boolean(t, "wafer", "invert_dark_field", default=True),
        mirror=r.boolean(t, "wafer", "mirror", default=False), revision=revision, date=date,
        substrate_id=substrate, reticle_reduction=reduction)
