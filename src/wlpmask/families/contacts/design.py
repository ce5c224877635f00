"""The contacts part of a design file: substrate, contact areas, elements, exposure, lean.

`load(doc)` reads the family's sections (and the shared die, pads, layers and preview) into a
frozen `ContactsDesign`; every problem raises one WlpmaskError naming the file and key
(docs/families/contacts.md has the format). Coordinates are in the substrate frame: um, the die
boundary's lower-left corner at the origin.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ...designfile import DesignDoc, Die, Preview, read_die, read_preview, read_roles
from ...errors import WlpmaskError
from ...io.pads import Pad
from ...validate import Reader
from .areas import Areas, read_areas
from .exposure import Exposure, read_exposure
from .rules import ContactLayers, Process, read_process, rule_limit

__all__ = ["ELEMENTS", "SECTIONS", "ContactsDesign", "Heads", "Interconnect", "Lean", "Limits",
           "load"]

SECTIONS = frozenset({"substrate", "array", "contacts", "interconnect", "exposure", "lean",
                      "spring", "heads", "potting", "sheet"})
ELEMENTS = ("pin", "leaf_spring")
METHODS = ("grown", "sheet")
POLICIES = ("fixed", "radial")
FREE_ENDS = ("outward", "inward")
DIRECTIONS = ("inward", "outward", "+x", "-x", "+y", "-y")
SHAPES = ("octagon", "circle")
# One exposure per sector: a radial lean of more directions than this is no longer a process.
MAX_SECTORS = 72


@dataclass(frozen=True)
class Lean:
    """Which way the free ends lean (pins) or point (leaf springs, sheet springs).

    Args:
        policy: "fixed" (every element to azimuth_deg) or "radial" (from the neutral point).
        free_end: radial: "outward" (away from the neutral point) or "inward".
        azimuth_deg: fixed: the free ends' direction (0 = +x, counter-clockwise); radial: the
            direction of an element at the neutral point.
        sectors: radial: the exposure directions, evenly spaced from azimuth_deg (one angled
            exposure each); an element leans to the one nearest its radial direction.
    """

    policy: str
    free_end: str
    azimuth_deg: float
    sectors: int


@dataclass(frozen=True)
class Interconnect:
    """The interconnect each contact area ends: a straight trace on the conductor layer.

    Args:
        width_um: trace width.
        length_um: from the contact area's edge (0: not drawn).
        direction: "inward"/"outward" (the axis nearest the neutral point's direction) or an
            axis "+x", "-x", "+y", "-y".
    """

    width_um: float
    length_um: float
    direction: str


@dataclass(frozen=True)
class Heads:
    """Contact heads on the free ends.

    Args:
        enabled: draw them.
        diameter_um: a pin's head (None: the pin diameter).
    """

    enabled: bool
    diameter_um: float | None = None


@dataclass(frozen=True)
class Limits:
    """Rule limits the drawing keeps (um; 0 where the technology has no such rule)."""

    grid_um: float
    contact_encloses_window_um: float
    window_encloses_foot_um: float
    uncover_encloses_head_um: float
    release_to_anchor_um: float
    end_to_slot_um: float
    conductor_width_um: float


@dataclass(frozen=True)
class ContactsDesign:
    """The contacts part of a validated design; immutable.

    Args:
        name: the design name (top cell).
        source: the design file (for messages).
        layers: the layer roles (None: not drawn by this design).
        die: the substrate frame; wafer: whether its outline is a wafer (round).
        neutral_point_um: (x, y).
        process: the technology's numbers.
        limits: rule limits the drawing keeps.
        areas: the contact areas.
        method: "grown" (pins, leaf springs) or "sheet" (the breakaway-tab sheet).
        elements: contact name -> "pin" or "leaf_spring" (grown).
        pin_diameter_um: the pins' diameter; pin_shape: "octagon" or "circle".
        interconnect, exposure (None: no pins), lean, heads, potting (margin um, None: off).
        free_length_um: leaf springs' free length (None: from the length rule and the lift).
        sheet_spring_um: sheet springs' length (None: from the length rule).
        preview: the detail preview settings.
    """

    name: str
    source: str
    layers: ContactLayers
    die: Die
    wafer: bool
    neutral_point_um: tuple[float, float]
    process: Process
    limits: Limits
    areas: Areas
    method: str
    elements: Mapping[str, str]
    pin_diameter_um: float
    pin_shape: str
    interconnect: Interconnect
    exposure: Exposure | None
    lean: Lean
    heads: Heads
    potting_um: float | None
    free_length_um: float | None
    sheet_spring_um: float | None
    preview: Preview = field(default_factory=Preview)

    @property
    def pads(self) -> tuple[Pad, ...]:
        """The contact areas."""
        return self.areas.pads

    def of(self, element: str) -> list[Pad]:
        """The contact areas that carry an element kind.

        Args:
            element: "pin" or "leaf_spring".
        """
        return [p for p in self.areas.pads if self.elements.get(p.name) == element]


def _substrate(r: Reader, t: dict, die: Die) -> tuple[bool, tuple[float, float]]:
    r.keys("substrate", t, {"kind", "neutral_point_um"})
    kind = r.string(t, "substrate", "kind", default="die", choices=("die", "wafer"))
    if kind == "wafer" and die.width_um != die.height_um:
        raise r.err("substrate.kind", f"a wafer is round: give [die] width_um = height_um "
                    f"(its diameter), got {die.width_um:g} x {die.height_um:g}")
    x, y = r.xy(t, "substrate", "neutral_point_um",
                default=(die.width_um / 2, die.height_um / 2))
    if not (0 <= x <= die.width_um and 0 <= y <= die.height_um):
        raise r.err("substrate.neutral_point_um", f"({x:g}, {y:g}) lies off the substrate "
                    f"(0..{die.width_um:g}, 0..{die.height_um:g} um)")
    return kind == "wafer", (x, y)


def _on_wafer(areas: Areas, die: Die) -> None:
    """Every contact area inside the wafer's edge exclusion (the die frame's lane and seal)."""
    c, reach = die.width_um / 2, die.width_um / 2 - die.seal_inner_um
    for p in areas.pads:
        x0, y0, x1, y1 = p.bounds
        far = max(math.hypot(x - c, y - c) for x in (x0, x1) for y in (y0, y1))
        if far > reach:
            f, k = areas.origins[p.name]
            raise WlpmaskError(f"contact {p.name!r} reaches {far:g} um from the wafer centre, "
                               f"beyond the edge exclusion ({reach:g} um)", file=f, key=k)


def _lean(r: Reader, t: dict) -> Lean:
    r.keys("lean", t, {"policy", "free_end", "azimuth_deg", "sectors"})
    policy = r.string(t, "lean", "policy", default="fixed", choices=POLICIES)
    az = r.num(t, "lean", "azimuth_deg", default=0.0, minimum=-360.0, maximum=360.0)
    sectors = r.integer(t, "lean", "sectors", default=8, minimum=1, maximum=MAX_SECTORS)
    return Lean(policy, r.string(t, "lean", "free_end", default="outward", choices=FREE_ENDS),
                az % 360.0, sectors)


def _elements(r: Reader, t: dict, areas: Areas, default: str) -> dict[str, str]:
    given = r.table(t, "contacts", "elements", required=False)
    names = {p.name for p in areas.pads}
    for name in sorted(given):
        if name not in names:
            raise r.err(f'contacts.elements."{name}"', "no contact area of that name")
        r.string(given, "contacts.elements", name, choices=ELEMENTS)
    return {p.name: given.get(p.name, default) for p in areas.pads}


def _pin_diameter(r: Reader, t: dict, pins: list[Pad], areas: Areas, ratio: float,
                  grid: float) -> float:
    smallest = min((min(p.w_um, p.h_um) for p in pins), default=0.0)
    default = int(ratio * smallest / grid) * grid if pins else 0.0
    d = r.num(t, "contacts", "pin_diameter_um", default=default, strict=True)
    for p in pins:
        if d > ratio * min(p.w_um, p.h_um) + 1e-9:
            f, k = areas.origins[p.name]
            raise WlpmaskError(
                f"contact {p.name!r} ({p.w_um:g} x {p.h_um:g} um) is too small for a "
                f"{d:g} um pin: the pin diameter is at most {ratio:g} x the shortest side "
                f"({ratio * min(p.w_um, p.h_um):g} um)", file=f, key=k)
    return d


def _interconnect(r: Reader, t: dict, width_min: float) -> Interconnect:
    key = "interconnect"
    r.keys(key, t, {"width_um", "length_um", "direction"})
    w = r.num(t, key, "width_um", default=max(width_min, 1.0), strict=True)
    if w < width_min:
        raise r.err(f"{key}.width_um", f"{w:g} um is below the conductor's min width "
                    f"{width_min:g} um")
    return Interconnect(w, r.num(t, key, "length_um", default=0.0),
                        r.string(t, key, "direction", default="outward", choices=DIRECTIONS))


def _limits(doc: DesignDoc, L: ContactLayers) -> Limits:  # noqa: N803 - the role map
    tech = doc.tech
    return Limits(
        grid_um=tech.grid_um,
        contact_encloses_window_um=rule_limit(tech, "enclosure", (L.CONTACT, L.PASSIVATION)),
        window_encloses_foot_um=rule_limit(tech, "enclosure", (L.PASSIVATION, L.FOOT)),
        uncover_encloses_head_um=rule_limit(tech, "enclosure", (L.UNCOVER, L.HEAD)),
        release_to_anchor_um=rule_limit(tech, "separation", (L.RELEASE, L.ANCHOR)),
        end_to_slot_um=rule_limit(tech, "separation", (L.SHEET_END, L.SHEET_SLOT)),
        conductor_width_um=rule_limit(tech, "width", (L.CONTACT,)))


def load(doc: DesignDoc) -> ContactsDesign:
    """Read and resolve the contacts sections of a design file.

    Args:
        doc: the design file with its header and technology.

    Raises:
        WlpmaskError: naming the file and key of the first problem found.
    """
    r, tech = doc.reader, doc.tech
    process = read_process(tech)
    die = read_die(r, doc.table("die"))
    wafer, npt = _substrate(r, doc.table("substrate", required=False), die)
    areas = read_areas(doc, die)
    if wafer:
        _on_wafer(areas, die)
    ct = doc.table("contacts", required=False)
    r.keys("contacts", ct, {"method", "element", "elements", "pin_diameter_um", "pin_shape"})
    method = r.string(ct, "contacts", "method", default="grown", choices=METHODS)
    sheet = method == "sheet"
    elements = {} if sheet else _elements(
        r, ct, areas, r.string(ct, "contacts", "element", default="pin", choices=ELEMENTS))
    kinds = set(elements.values())
    pins = [p for p in areas.pads if elements.get(p.name) == "pin"]
    ht = doc.table("heads", required=False)
    r.keys("heads", ht, {"enabled", "diameter_um"})
    heads = Heads(r.boolean(ht, "heads", "enabled", default=False) and not sheet,
                  r.num(ht, "heads", "diameter_um", default=None, strict=True))
    pt = doc.table("potting", required=False)
    r.keys("potting", pt, {"enabled", "margin_um"})
    potting = (r.num(pt, "potting", "margin_um", default=100.0)
               if r.boolean(pt, "potting", "enabled", default=False) and not sheet else None)
    drawn = {"PASSIVATION": not sheet, "SEED": bool(pins), "MOULD": bool(pins),
             "FOOT": bool(pins), "HEAD": heads.enabled, "POTTING": potting is not None,
             "UNCOVER": potting is not None and heads.enabled,
             **{k: "leaf_spring" in kinds for k in ("SPRING", "ANCHOR", "RELEASE")},
             **{k: sheet for k in ("SHEET", "SHEET_SLOT", "SHEET_HALF", "SHEET_END",
                                   "SHEET_SOLDER", "SHEET_ANNEAL")}}
    layers = read_roles(r, doc.table("layers", required=False), tech, ContactLayers,
                        optional=drawn)
    if layers.MOULD is not None and layers.MOULD.tone != process.mould_tone:
        raise WlpmaskError(
            f"layer {layers.MOULD.name!r} is tone {layers.MOULD.tone!r}, but a "
            f"{process.polarity} resist needs {process.mould_tone!r} mould openings "
            "(stack.MOULD.polarity)", file=tech.source, key=f"layers.{layers.MOULD.name}.tone")
    if "leaf_spring" in kinds and process.spring is None:
        raise WlpmaskError("leaf springs need the spring film: add [stack.SPRING]",
                           file=tech.source, key="stack.SPRING")
    limits = _limits(doc, layers)
    d = _pin_diameter(r, ct, pins, areas, process.pin_ratio_max, tech.grid_um)
    # read (and so checked) whenever given; it applies to pins only
    exposure = read_exposure(r, doc.table("exposure", required=False), process,
                             tech.source) if pins or "exposure" in doc.data else None
    if not pins:
        exposure = None
    st = doc.table("spring", required=False)
    r.keys("spring", st, {"free_length_um"})
    sh = doc.table("sheet", required=False)
    r.keys("sheet", sh, {"spring_length_um"})
    if sheet:
        _check_sheet(doc, process)
    lean = _lean(r, doc.table("lean", required=False))
    if (sheet or "leaf_spring" in kinds) and lean.policy == "fixed" and lean.azimuth_deg % 90:
        raise r.err("lean.azimuth_deg", f"leaf springs and sheet springs run along an axis "
                    f"(0, 90, 180 or 270 deg), got {lean.azimuth_deg:g}")
    return ContactsDesign(
        name=doc.header.name, source=r.file, layers=layers, die=die, wafer=wafer,
        neutral_point_um=npt, process=process, limits=limits, areas=areas, method=method,
        elements=MappingProxyType(elements), pin_diameter_um=d,
        pin_shape=r.string(ct, "contacts", "pin_shape", default="octagon", choices=SHAPES),
        interconnect=_interconnect(r, doc.table("interconnect", required=False),
                                   limits.conductor_width_um),
        exposure=exposure, lean=lean, heads=heads,
        potting_um=potting,
        free_length_um=r.num(st, "spring", "free_length_um", default=None, strict=True),
        sheet_spring_um=r.num(sh, "sheet", "spring_length_um", default=None, strict=True),
        preview=read_preview(r, doc.table("preview", required=False)))


def _check_sheet(doc: DesignDoc, process: Process) -> None:
    """A sheet build needs the technology's sheet, 30-100 um thick (its process limits)."""
    tech = doc.tech
    if process.sheet is None:
        raise WlpmaskError("a sheet build needs the sheet's thickness: add [stack.SHEET]",
                           file=tech.source, key="stack.SHEET")
    lo = tech.process.get("sheet_thickness_min_um", 30.0)
    hi = tech.process.get("sheet_thickness_max_um", 100.0)
    t = process.sheet.thickness_um
    if not lo <= t <= hi:
        raise WlpmaskError(f"a spring sheet of {t:g} um is outside the photo-etch range "
                           f"{lo:g}-{hi:g} um", file=tech.source, key="stack.SHEET.thickness_um")
