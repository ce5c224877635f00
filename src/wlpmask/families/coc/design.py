"""The chip-on-chip part of a design file: chips, first bumps, netlist, capacitors, frame.

`load(doc)` reads the family's sections into a frozen `CocDesign`; every problem raises one
WlpmaskError naming the file and key (docs/families/coc.md has the format). Chip 1 and the
capacitor regions are in chip 1's frame (its face seen from above, lower-left corner at the
origin); an upper chip's place is its lower-left corner on chip 1's face.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ...designfile import MAX_DIE_UM, DesignDoc, Preview, read_preview, read_roles
from ...validate import REQUIRED, Reader, dotted
from .netlist import Netlist, read_netlist
from .rules import BumpKind, CocLayers, CocTech, coc_tech

__all__ = ["CORNERS", "SECTIONS", "SIDES", "Capacitor", "Chip", "CocDesign", "FrameSpec",
           "HeatSink", "StripSpec", "load"]

SECTIONS = frozenset({"chip1", "first", "upper", "netlist", "capacitors", "frame",
                      "heat_sinks"})
# Shared sections this family has no use for: refused rather than ignored.
_UNUSED = ("die", "pads")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Where a heat sink's tie bars run: diagonally from a corner, or straight from a side.
CORNERS = ("lower_left", "lower_right", "upper_left", "upper_right")
SIDES = ("left", "right", "bottom", "top")
MAX_NF = 1e6


@dataclass(frozen=True)
class Chip:
    """A chip of the package.

    Args:
        name: its name (cell names, the manifest).
        width_um, height_um: its size.
        thickness_um: its thickness.
        place_um: an upper chip's lower-left corner on chip 1's face; (0, 0) for chip 1.
        columns: the columns of an upper chip's first-bump field (None: as square as fits).
    """

    name: str
    width_um: float
    height_um: float
    thickness_um: float
    place_um: tuple[float, float] = (0.0, 0.0)
    columns: int | None = None


@dataclass(frozen=True)
class Capacitor:
    """A capacitor region on chip 1: its box (chip-1 frame), nets and wanted capacitance."""

    name: str
    box_um: tuple[float, float, float, float]
    nets: tuple[str, str]
    target_nf: float


@dataclass(frozen=True)
class StripSpec:
    """Frame sites stepped into a strip, with a side rail along each long edge.

    Args:
        columns: sites along the strip (x).
        rows: sites across it (y).
        side_rail_um: the width of each side rail.
        pilot_hole_um: the diameter of the pilot holes in the side rails, one per column.
    """

    columns: int
    rows: int
    side_rail_um: float
    pilot_hole_um: float


@dataclass(frozen=True)
class FrameSpec:
    """One lead-frame site: its outline, the package outline in its middle, the leads.

    Args:
        width_um, height_um: the site's size (its step in a strip).
        package_um: the package outline [w, h], centred on the package.
        leads: the lead count (a multiple of 4).
        lead_pitch_um: the lead pitch.
        lead_width_um: the lead width.
        strip: the strip the site is stepped into, or None for one site.
    """

    width_um: float
    height_um: float
    package_um: tuple[float, float]
    leads: int
    lead_pitch_um: float
    lead_width_um: float
    strip: StripSpec | None = None


@dataclass(frozen=True)
class HeatSink:
    """A heat sink under an upper chip.

    Args:
        name: its name.
        chip: the upper chip glued on it.
        voltage_v: the voltage it is held at.
        recess_um: how far its top is half-etched below the leads' top.
        margin_um: how far it reaches beyond its chip on every side.
        ties: corners (diagonal tie bars), sides (straight ones) or other heat sinks it is
            tied to; empty: the package corners nearest to it.
    """

    name: str
    chip: str
    voltage_v: float
    recess_um: float
    margin_um: float
    ties: tuple[str, ...] = ()


@dataclass(frozen=True)
class CocDesign:
    """The chip-on-chip part of a validated design; immutable."""

    name: str
    layers: CocLayers
    tech: CocTech
    chip1: Chip
    flip_axis: str
    second_inset_um: float
    kind: BumpKind
    pitch_um: float
    uppers: tuple[Chip, ...]
    netlist: Netlist
    capacitors: tuple[Capacitor, ...]
    frame: FrameSpec
    heat_sinks: tuple[HeatSink, ...]
    preview: Preview = field(default_factory=Preview)


def _size(r: Reader, t: dict, key: str, name: str, **kw) -> float:
    return r.num(t, key, name, strict=True, maximum=MAX_DIE_UM, **kw)


def _chip(r: Reader, t: dict, key: str, name: str, default_um: float, upper: bool) -> Chip:
    w, h = _size(r, t, key, "width_um"), _size(r, t, key, "height_um")
    thick = _size(r, t, key, "thickness_um", default=default_um)
    if not upper:
        return Chip(name, w, h, thick)
    # Not given: centred on chip 1 (see _centred).
    place = r.xy(t, key, "place_um") if "place_um" in t else (float("nan"), float("nan"))
    cols = r.integer(t, key, "columns", default=None, minimum=1, maximum=32767) \
        if "columns" in t else None
    return Chip(name, w, h, thick, place, cols)


def _centred(chip: Chip, chip1: Chip) -> Chip:
    if chip.place_um[0] == chip.place_um[0]:  # given (not NaN)
        return chip
    return replace(chip, place_um=((chip1.width_um - chip.width_um) / 2,
                                   (chip1.height_um - chip.height_um) / 2))


def _uppers(r: Reader, t: dict, chip1: Chip, default_um: float) -> tuple[Chip, ...]:
    if not t:
        raise r.err("upper", "missing section: at least one upper chip ([upper.chip2])")
    out = []
    for name, sub in t.items():
        key = dotted("upper", name)
        if not NAME_RE.match(name) or name == chip1.name:
            raise r.err(key, f"expected a chip name of letters, digits and '_' other than "
                        f"{chip1.name!r}")
        if not isinstance(sub, dict):
            raise r.err(key, f"expected a table, got {sub!r}")
        r.keys(key, sub, {"width_um", "height_um", "thickness_um", "place_um", "columns"})
        out.append(_centred(_chip(r, sub, key, name, default_um, True), chip1))
    return tuple(out)


def _capacitors(r: Reader, t: dict, chip1: Chip, nets: set[str]) -> tuple[Capacitor, ...]:
    out = []
    for name, sub in t.items():
        key = dotted("capacitors", name)
        sub = r.table(t, "capacitors", name)
        r.keys(key, sub, {"box_um", "nets", "target_nf"})
        box = sub.get("box_um")
        if (not isinstance(box, list) or len(box) != 4
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                           for v in box)):
            raise r.err(dotted(key, "box_um"), f"expected [x0, y0, x1, y1] in um, got {box!r}")
        x0, y0, x1, y1 = (float(v) for v in box)
        if not (0 <= x0 < x1 <= chip1.width_um and 0 <= y0 < y1 <= chip1.height_um):
            raise r.err(dotted(key, "box_um"), f"expected a box inside chip 1 (0.."
                        f"{chip1.width_um:g} x 0..{chip1.height_um:g} um), got {box!r}")
        pair = r.names(sub, key, "nets")
        if len(pair) != 2 or pair[0] == pair[1]:
            raise r.err(dotted(key, "nets"), f"expected the two nets of the capacitor, got "
                        f"{pair!r}")
        for n in pair:
            if n not in nets:
                raise r.err(dotted(key, "nets"), f"net {n!r} is not in the netlist")
        target = r.num(sub, key, "target_nf", strict=True, maximum=MAX_NF)
        out.append(Capacitor(name, (x0, y0, x1, y1), (pair[0], pair[1]), target))
    return tuple(out)


def _frame(r: Reader, t: dict, ct: CocTech) -> FrameSpec:
    r.keys("frame", t, {"width_um", "height_um", "package_um", "leads", "lead_pitch_um",
                        "lead_width_um", "strip"})
    w, h = _size(r, t, "frame", "width_um"), _size(r, t, "frame", "height_um")
    pw, ph = r.xy(t, "frame", "package_um", default=(0.0, 0.0))
    if not (0 < pw < w and 0 < ph < h):
        raise r.err("frame.package_um", f"expected a package [w, h] inside the {w:g} x "
                    f"{h:g} um frame site, got {[pw, ph]!r}")
    leads = r.integer(t, "frame", "leads", minimum=4, maximum=10_000)
    if leads % 4:
        raise r.err("frame.leads", f"expected a multiple of 4 (leads on four sides), got "
                    f"{leads}")
    pitch = _size(r, t, "frame", "lead_pitch_um")
    lw = _size(r, t, "frame", "lead_width_um", default=ct.frame.lead_width_um)
    if lw >= pitch:
        raise r.err("frame.lead_width_um", f"a {lw:g} um lead leaves no space at a "
                    f"{pitch:g} um pitch")
    strip = _strip(r, r.table(t, "frame", "strip"), ct) if "strip" in t else None
    return FrameSpec(w, h, (pw, ph), leads, pitch, lw, strip)


def _or_required(value: float | None):
    return REQUIRED if value is None else value


def _strip(r: Reader, t: dict, ct: CocTech) -> StripSpec:
    key = "frame.strip"
    r.keys(key, t, {"columns", "rows", "side_rail_um", "pilot_hole_um"})
    columns = r.integer(t, key, "columns", minimum=1, maximum=100)
    rows = r.integer(t, key, "rows", default=1, minimum=1, maximum=20)
    # the technology's values are the defaults, where it has them
    rail = _size(r, t, key, "side_rail_um", default=_or_required(ct.strip_rail_um))
    hole = _size(r, t, key, "pilot_hole_um", default=_or_required(ct.pilot_hole_um))
    web = ct.web_rule.limit
    if hole + 2 * web > rail:
        raise r.err(dotted(key, "pilot_hole_um"), f"a {hole:g} um pilot hole leaves less "
                    f"than the {web:g} um web ({ct.web_rule.id}) each side in a {rail:g} um "
                    "side rail")
    return StripSpec(columns, rows, rail, hole)


def _heat_sinks(r: Reader, t: dict, uppers: tuple[Chip, ...],
                ct: CocTech) -> tuple[HeatSink, ...]:
    names = [c.name for c in uppers]
    out, taken = [], {}
    for name, sub in t.items():
        key = dotted("heat_sinks", name)
        sub = r.table(t, "heat_sinks", name)
        r.keys(key, sub, {"chip", "voltage_v", "recess_um", "margin_um", "ties"})
        if not NAME_RE.match(name):
            raise r.err(key, "expected a heat-sink name of letters, digits and '_'")
        chip = r.string(sub, key, "chip", choices=names)
        if chip in taken:
            raise r.err(dotted(key, "chip"), f"chip {chip!r} already sits on {taken[chip]!r}")
        taken[chip] = name
        ties = tuple(r.names(sub, key, "ties"))
        for tie in ties:
            if tie not in CORNERS + SIDES and (tie not in t or tie == name):
                raise r.err(dotted(key, "ties"), f"expected corners ({', '.join(CORNERS)}), "
                            f"sides ({', '.join(SIDES)}) or another heat sink, got {tie!r}")
        out.append(HeatSink(
            name, chip, r.num(sub, key, "voltage_v", minimum=None, maximum=1e5),
            r.num(sub, key, "recess_um", default=ct.frame.heat_sink_recess_um,
                  maximum=MAX_DIE_UM),
            r.num(sub, key, "margin_um", default=ct.frame.heat_sink_margin_um, strict=True,
                  maximum=MAX_DIE_UM), ties))
    for chip in names:
        if chip not in taken:
            raise r.err("heat_sinks", f"upper chip {chip!r} has no heat sink")
    return tuple(out)


def load(doc: DesignDoc) -> CocDesign:
    """Read and resolve the chip-on-chip sections of a design file.

    Args:
        doc: the design file with its header and technology.

    Raises:
        WlpmaskError: naming the file and key of the first problem found.
    """
    r, tech = doc.reader, doc.tech
    for sec in _UNUSED:
        if sec in doc.data:
            raise r.err(sec, "the coc family does not read this section (chip sizes are in "
                        "[chip1] and [upper], bumps come from [netlist])")
    layers = read_roles(r, doc.table("layers", required=False), tech, CocLayers)
    ct = coc_tech(tech, layers)
    t1 = doc.table("chip1")
    r.keys("chip1", t1, {"name", "width_um", "height_um", "thickness_um", "flip_axis",
                         "second_bump_inset_um"})
    name1 = r.string(t1, "chip1", "name", default="chip1")
    if not NAME_RE.match(name1):
        raise r.err("chip1.name", "expected a chip name of letters, digits and '_'")
    chip1 = _chip(r, t1, "chip1", name1, ct.chip1_um, False)
    flip = r.string(t1, "chip1", "flip_axis", default="x", choices=("x", "y"))
    inset = _size(r, t1, "chip1", "second_bump_inset_um", default=ct.frame.second_bump_inset_um)
    tf = doc.table("first")
    r.keys("first", tf, {"kind", "pitch_um"})
    kind = ct.kinds[r.string(tf, "first", "kind", choices=tuple(ct.kinds))]
    pitch = _size(r, tf, "first", "pitch_um", default=kind.pitch_min_um or None)
    if pitch is None or pitch < kind.pitch_min_um:
        raise r.err("first.pitch_um", f"expected a pitch of at least {kind.name}'s "
                    f"{kind.pitch_min_um:g} um, got {pitch!r}")
    if pitch <= kind.diameter_um:
        raise r.err("first.pitch_um", f"{kind.name} bumps of {kind.diameter_um:g} um touch "
                    f"at a {pitch:g} um pitch")
    uppers = _uppers(r, doc.table("upper"), chip1, ct.upper_um)
    frame = _frame(r, doc.table("frame"), ct)
    netlist = read_netlist(r, doc.table("netlist"), uppers=[c.name for c in uppers],
                           leads=frame.leads)
    caps = _capacitors(r, doc.table("capacitors", required=False), chip1, netlist.names())
    sinks = _heat_sinks(r, doc.table("heat_sinks"), uppers, ct)
    return CocDesign(doc.header.name, layers, ct, chip1, flip, inset, kind, pitch, uppers,
                     netlist, caps, frame, sinks,
                     read_preview(r, doc.table("preview", required=False)))
