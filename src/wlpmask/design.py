"""Design files (layouts/*.toml): load, validate and resolve into a frozen Design.

A design names its technology, the die, where the bond pads come from, the bump array, the
pad-to-bump assignment, the fill, the balls, the optional UBM and stencil, the RDL and the
previews. Every problem raises one WlpmaskError naming the file and the key
(docs/design-file.md has the format). The sections with more to resolve live beside this
module: bump sites and the assignment in bumps.py, the pad sources in io/pad_source.py.
Coordinates are in the die frame: um, the die boundary's lower-left corner at the origin.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .bumps import BUMP_KEYS, Bumps, BumpSite, resolve_assignment, resolve_bumps, row_name
from .families import FAMILIES
from .families.wlcsp import OPTIONAL_ROLES, ROLES, FamilyRules, bump_dims, family_rules
from .io.pad_source import PAD_SOURCES, check_pads, read_pads
from .io.pads import Pad
from .tech import Technology, load_technology, read_toml
from .validate import REQUIRED, Reader

__all__ = ["FILL_MATERIALS", "PAD_SOURCES", "SECTIONS", "TEARDROP_MODES", "Ball", "BumpSite",
           "Bumps", "Design", "Die", "Fill", "Preview", "Rdl", "Stencil", "load_design",
           "row_name"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
FILL_MATERIALS = ("conductive_adhesive", "solder_paste")
SECTIONS = {"design", "die", "layers", "pads", "bumps", "assignment", "fill", "ball", "ubm",
            "stencil", "rdl", "preview"}
# Where teardrops go: nowhere, where traces meet capture pads, or also at the pad landings.
TEARDROP_MODES = ("none", "capture", "all")
CORNERS = ("lower_left", "lower_right", "upper_left", "upper_right", "none")


@dataclass(frozen=True)
class Die:
    """The die: boundary at the saw-line centre, then half the dicing lane, the seal ring and
    the bump keep-out, each measured inward.

    Args:
        width_um, height_um: die boundary (the stepping size on the wafer).
        seal_ring_um: seal-ring width.
        keepout_um: distance from the seal ring's inner edge to the nearest bump centre.
        dicing_lane_um: full dicing-lane width; each die carries half of it.
    """

    width_um: float
    height_um: float
    seal_ring_um: float
    keepout_um: float
    dicing_lane_um: float

    def inset(self, d_um: float) -> tuple[float, float, float, float]:
        """The die boundary shrunk by d_um on every side, as (x0, y0, x1, y1)."""
        return (d_um, d_um, self.width_um - d_um, self.height_um - d_um)

    @property
    def seal_outer_um(self) -> float:
        return self.dicing_lane_um / 2.0

    @property
    def seal_inner_um(self) -> float:
        return self.dicing_lane_um / 2.0 + self.seal_ring_um

    @property
    def bump_margin_um(self) -> float:
        return self.seal_inner_um + self.keepout_um


@dataclass(frozen=True)
class Fill:
    """What fills the PI2 openings: material, largest particle (um), paste type if named."""

    material: str
    largest_particle_um: float
    paste_type: int | None = None


@dataclass(frozen=True)
class Ball:
    """The ball placed on each filled opening: diameter, core material, coating (um)."""

    diameter_um: float
    core: str
    coating_um: float


@dataclass(frozen=True)
class Stencil:
    """The optional removable stencil: thickness and aperture diameter (um)."""

    enabled: bool
    thickness_um: float | None = None
    aperture_um: float | None = None


@dataclass(frozen=True)
class Rdl:
    """RDL trace width and space (um) and where teardrops are drawn (TEARDROP_MODES)."""

    width_um: float
    space_um: float
    teardrops: str = "capture"


@dataclass(frozen=True)
class Preview:
    """The zoomed detail preview: which die corner ("none": no detail) and its size (um;
    None: derived from the bump array)."""

    detail_corner: str = "lower_left"
    detail_um: float | None = None


@dataclass(frozen=True)
class Design:
    """A validated design file; immutable.

    Args:
        name: the design name (output file names).
        family: the product family ("wlcsp").
        path: the design file.
        tech: the technology.
        tech_path: the technology file as resolved from the design file.
        layers: family layer role -> technology layer name.
        rules: the rule values the family derives its dimensions from.
        die, pads, bumps, fill, ball, stencil, rdl, preview: the sections.
        pad_source: "inline", "csv", "gds" or "def".
        pads_skipped: (pad name, reason) of the pads the source left out (too small for a PI1
            opening with [pads] too_small = "skip").
        assignment_mode: "auto" or "given"; assignment: pad name -> bump name (given pairs).
        ubm: whether an under-bump metallisation is drawn.
        inputs: every file read -> its sha256.
        generated: files made while loading (name -> bytes) that the build writes beside the
            outputs (the demo chip GDS of a generated pad source).
    """

    name: str
    family: str
    path: str
    tech: Technology
    tech_path: str
    layers: Mapping[str, str]
    rules: FamilyRules
    die: Die
    pads: tuple[Pad, ...]
    pad_source: str
    bumps: Bumps
    assignment_mode: str
    assignment: Mapping[str, str]
    fill: Fill
    ball: Ball
    ubm: bool
    stencil: Stencil
    rdl: Rdl
    inputs: Mapping[str, str]
    generated: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}))
    preview: Preview = field(default_factory=Preview)
    pads_skipped: tuple[tuple[str, str], ...] = ()

    def gds(self, role: str) -> tuple[int, int]:
        """The (layer, datatype) of a family layer role."""
        return self.tech.layers[self.layers[role]].gds


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_design(path: str | Path) -> Design:
    """Read, validate and resolve a design file.

    Args:
        path: the design TOML file.

    Raises:
        WlpmaskError: naming the file and key of the first problem found.
    """
    path = Path(path)
    data, raw = read_toml(path)
    r = Reader(path)
    r.keys("", data, SECTIONS)
    head = r.table(data, "", "design")
    r.keys("design", head, {"name", "technology", "family", "description"})
    name = r.string(head, "design", "name")
    if not _NAME.match(name):
        raise r.err("design.name", f"expected a name of letters, digits, '_', '.', '-' "
                    f"starting with a letter, got {name!r}")
    family = r.string(head, "design", "family", default="wlcsp", choices=FAMILIES)
    tech_path = r.path(r.string(head, "design", "technology"))
    if not tech_path.is_file():
        raise r.err("design.technology", f"technology file not found: {tech_path}")
    tech = load_technology(tech_path)
    inputs = {str(path): hashlib.sha256(raw).hexdigest(), str(tech_path): tech.sha256}

    ubm_t = r.table(data, "", "ubm", required=False)
    r.keys("ubm", ubm_t, {"enabled"})
    ubm = r.boolean(ubm_t, "ubm", "enabled", default=False)
    stencil = _stencil(r, data)
    layers = _layer_map(r, data, tech, ubm=ubm, stencil=stencil.enabled)
    rules = family_rules(tech, layers, ubm=ubm)
    die = _die(r, data)
    rdl = _rdl(r, data, rules)
    src = read_pads(r, r.table(data, "", "pads"), tech=tech, die=die)
    for f in src.files:
        inputs[str(f)] = _sha256(f)
    src = check_pads(src, die=die, pad_encloses_pi1_um=rules.pad_encloses_pi1_um)
    ball = _ball(r, data, tech)
    fill = _fill(r, data, tech)
    bumps = _bumps(r, data, tech, die, rules, rdl, ball, ubm=ubm, stencil=stencil)
    mode, table, bumps = resolve_assignment(
        r, r.table(data, "", "assignment", required=False), src.pads, bumps)
    return Design(
        name=name, family=family, path=str(path), tech=tech, tech_path=str(tech_path),
        layers=MappingProxyType(layers), rules=rules, die=die, pads=tuple(src.pads),
        pad_source=src.source, bumps=bumps, assignment_mode=mode,
        assignment=MappingProxyType(dict(table)), fill=fill, ball=ball, ubm=ubm,
        stencil=stencil, rdl=rdl, inputs=MappingProxyType(inputs),
        generated=MappingProxyType(src.generated), preview=_preview(r, data),
        pads_skipped=src.skipped)


def _stencil(r: Reader, data: dict) -> Stencil:
    t = r.table(data, "", "stencil", required=False)
    r.keys("stencil", t, {"enabled", "thickness_um", "aperture_um"})
    if not r.boolean(t, "stencil", "enabled", default=False):
        return Stencil(False)
    return Stencil(True, r.num(t, "stencil", "thickness_um", strict=True),
                   r.num(t, "stencil", "aperture_um", default=None, strict=True))


def _layer_map(r: Reader, data: dict, tech: Technology, *, ubm: bool,
               stencil: bool) -> dict[str, str]:
    t = r.table(data, "", "layers", required=False)
    r.keys("layers", t, set(ROLES))
    out = {}
    for role in ROLES:
        name = r.string(t, "layers", role, default=role)
        if name not in tech.layers:
            needed = role not in OPTIONAL_ROLES or {"UBM": ubm, "STENCIL": stencil}[role]
            if role in t or needed:
                where = f"layers.{role}" if role in t else "design.technology"
                raise r.err(where, f"unknown layer {name!r} for the {role} role; valid layers: "
                            f"{', '.join(tech.layers)}")
            continue
        out[role] = name
    return out


def _die(r: Reader, data: dict) -> Die:
    t = r.table(data, "", "die")
    r.keys("die", t, {"width_um", "height_um", "seal_ring_um", "keepout_um", "dicing_lane_um"})
    die = Die(
        width_um=r.num(t, "die", "width_um", strict=True),
        height_um=r.num(t, "die", "height_um", strict=True),
        seal_ring_um=r.num(t, "die", "seal_ring_um", default=0.0),
        keepout_um=r.num(t, "die", "keepout_um", default=0.0),
        dicing_lane_um=r.num(t, "die", "dicing_lane_um", default=0.0),
    )
    if 2 * die.bump_margin_um >= min(die.width_um, die.height_um):
        raise r.err("die", f"dicing lane, seal ring and keep-out ({die.bump_margin_um:g} um per "
                    f"side) leave no room on a {die.width_um:g} x {die.height_um:g} um die")
    return die


def _rdl(r: Reader, data: dict, rules: FamilyRules) -> Rdl:
    t = r.table(data, "", "rdl", required=False)
    r.keys("rdl", t, {"width_um", "space_um", "teardrops"})
    out = []
    for key, floor, what in (("width_um", rules.rdl_width_um, "width"),
                             ("space_um", rules.rdl_space_um, "space")):
        v = r.num(t, "rdl", key, default=floor, strict=True)
        if v < floor:
            raise r.err(f"rdl.{key}", f"{v:g} um is below the rules: RDL min {what} "
                        f"{floor:g} um")
        out.append(v)
    return Rdl(out[0], out[1], r.string(t, "rdl", "teardrops", default="capture",
                                        choices=TEARDROP_MODES))


def _ball(r: Reader, data: dict, tech: Technology) -> Ball:
    t = r.table(data, "", "ball", required=False)
    r.keys("ball", t, {"diameter_um", "core", "coating_um"})
    stack = tech.stack.get("BALL")
    d = r.num(t, "ball", "diameter_um", strict=True,
              default=stack.thickness_um if stack else REQUIRED)
    core = r.string(t, "ball", "core",
                    default=str(stack.constants.get("core_material", "")) if stack else "")
    coat = r.num(t, "ball", "coating_um",
                 default=float(stack.constants.get("coating_thickness_um", 0.0)) if stack else 0.0)
    if coat >= d / 2:
        raise r.err("ball.coating_um", f"coating {coat:g} um leaves no core in a {d:g} um ball")
    return Ball(d, core, coat)


def _fill(r: Reader, data: dict, tech: Technology) -> Fill:
    t = r.table(data, "", "fill")
    r.keys("fill", t, {"material", "largest_particle_um", "paste_type"})
    material = r.string(t, "fill", "material", choices=FILL_MATERIALS)
    if ("largest_particle_um" in t) == ("paste_type" in t):
        raise r.err("fill", "give either largest_particle_um or paste_type (3..6)")
    if "paste_type" not in t:
        return Fill(material, r.num(t, "fill", "largest_particle_um", strict=True))
    if material != "solder_paste":
        raise r.err("fill.paste_type", "a paste type applies to solder paste; give "
                    "largest_particle_um for a conductive adhesive")
    ptype = t["paste_type"]
    key = f"paste_type{ptype}_largest_particle_um"
    if isinstance(ptype, bool) or not isinstance(ptype, int) or key not in tech.process:
        types = sorted(k[10:11] for k in tech.process
                       if re.fullmatch(r"paste_type\d_largest_particle_um", k))
        raise r.err("fill.paste_type", f"expected a paste type the technology lists "
                    f"({', '.join(types) or 'none'}), got {ptype!r}")
    return Fill(material, float(tech.process[key]), ptype)


def _bumps(r: Reader, data: dict, tech: Technology, die: Die, rules: FamilyRules, rdl: Rdl,
           ball: Ball, *, ubm: bool, stencil: Stencil) -> Bumps:
    t = r.table(data, "", "bumps")
    r.keys("bumps", t, BUMP_KEYS)
    shape = r.string(t, "bumps", "shape", default="octagon", choices=("octagon", "circle"))
    opening = r.num(t, "bumps", "opening_um", default=None, strict=True)
    if opening is not None and opening < rules.pi2_width_um:
        raise r.err("bumps.opening_um", f"{opening:g} um is below the rules: PI2 opening min "
                    f"width {rules.pi2_width_um:g} um")
    dims = bump_dims(rules, opening_um=opening, shape=shape, ball_um=ball.diameter_um, ubm=ubm,
                     stencil=stencil.enabled, stencil_aperture_um=stencil.aperture_um,
                     rdl_space_um=rdl.space_um)
    return resolve_bumps(r, t, die=die, grid_um=tech.grid_um, dims=dims)


def _preview(r: Reader, data: dict) -> Preview:
    t = r.table(data, "", "preview", required=False)
    r.keys("preview", t, {"detail_corner", "detail_um"})
    return Preview(r.string(t, "preview", "detail_corner", default="lower_left",
                            choices=CORNERS),
                   r.num(t, "preview", "detail_um", default=None, strict=True))
