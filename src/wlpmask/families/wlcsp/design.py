"""The WLCSP part of a design file: pads, bumps, assignment, fill, ball, UBM, stencil, RDL.

`load(doc)` reads the family's sections (and the shared die, pads, layers and preview) into a
frozen `WlcspDesign`; every problem raises one WlpmaskError naming the file and key
(docs/design-file.md has the format). Bump sites and the assignment are resolved in bumps.py.
Coordinates are in the die frame: um, the die boundary's lower-left corner at the origin.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ...designfile import DesignDoc, Die, Preview, read_die, read_preview, read_roles
from ...designfile.pads import check_pads, read_pads, skip_note
from ...io.pads import Pad
from ...tech import Technology
from ...validate import REQUIRED, Reader
from .bumps import BUMP_KEYS, Bumps, resolve_assignment, resolve_bumps
from .rules import OPTIONAL_ROLES, FamilyRules, WlcspLayers, bump_dims, family_rules

__all__ = ["SECTIONS", "TEARDROP_MODES", "Ball", "Fill", "Rdl", "Stencil", "TeardropShape",
           "WlcspDesign", "load"]

# The sections the family reads besides the shared ones.
SECTIONS = frozenset({"bumps", "assignment", "fill", "ball", "ubm", "stencil", "rdl"})
# Where teardrops go: nowhere, where traces meet capture pads, or also at the pad landings.
TEARDROP_MODES = ("none", "capture", "all")
# The largest ball: a bump of a millimetre is already a BGA, not a wafer-level package.
MAX_BALL_UM = 5_000.0


@dataclass(frozen=True)
class Fill:
    """What fills the PI2 openings.

    Args:
        material: one of the technology's fill materials.
        largest_particle_um: the largest filler particle.
        paste_type: the solder-paste type, if named.
    """

    material: str
    largest_particle_um: float
    paste_type: int | None = None


@dataclass(frozen=True)
class Ball:
    """The ball placed on each filled opening.

    Args:
        diameter_um: ball diameter.
        core: core material.
        coating_um: metal coating thickness.
    """

    diameter_um: float
    core: str
    coating_um: float


@dataclass(frozen=True)
class Stencil:
    """The optional removable stencil.

    Args:
        enabled: whether apertures are drawn.
        thickness_um: stencil thickness.
        aperture_um: aperture diameter (None: the PI2 opening).
    """

    enabled: bool
    thickness_um: float | None = None
    aperture_um: float | None = None


@dataclass(frozen=True)
class Rdl:
    """The redistribution layer's routing.

    Args:
        width_um: trace width.
        space_um: trace space.
        teardrops: where teardrops are drawn (TEARDROP_MODES).
    """

    width_um: float
    space_um: float
    teardrops: str = "capture"


@dataclass(frozen=True)
class TeardropShape:
    """A teardrop's size relative to its pad (from the technology).

    Args:
        width_ratio: width where it meets the pad over the pad diameter.
        reach_ratio: how far it follows the trace beyond the pad edge over the pad radius.
    """

    width_ratio: float
    reach_ratio: float


@dataclass(frozen=True)
class WlcspDesign:
    """The WLCSP part of a validated design; immutable.

    Args:
        name: the design name (top cell).
        layers: the layer roles.
        rules: the rule values the dimensions derive from.
        die: the die frame.
        pads: the bond pads; pad_source: "inline", "csv", "gds" or "def".
        bumps: the bump sites and dimensions.
        assignment_mode: "auto" or "given"; assignment: pad name -> bump name (given pairs).
        fill: the fill; ball: the ball; ubm: whether a UBM is drawn; stencil: the stencil.
        rdl: trace width, space and teardrop mode; teardrop: the teardrop's proportions.
        preview: the detail preview settings.
        pads_skipped: pads the source left out, with the reason.
        path: the design file (for errors found after loading).
    """

    name: str
    layers: WlcspLayers
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
    teardrop: TeardropShape
    preview: Preview = field(default_factory=Preview)
    pads_skipped: tuple[tuple[str, str], ...] = ()
    path: str = ""


def load(doc: DesignDoc) -> WlcspDesign:
    """Read and resolve the WLCSP sections of a design file.

    Args:
        doc: the design file with its header and technology.

    Raises:
        WlpmaskError: naming the file and key of the first problem found.
    """
    r, data, tech = doc.reader, doc.data, doc.tech
    ubm_t = doc.table("ubm", required=False)
    r.keys("ubm", ubm_t, {"enabled"})
    ubm = r.boolean(ubm_t, "ubm", "enabled", default=False)
    stencil = _stencil(r, data)
    layers = read_roles(r, doc.table("layers", required=False), tech, WlcspLayers,
                        optional=dict(zip(OPTIONAL_ROLES, (ubm, stencil.enabled))))
    rules = family_rules(tech, layers)
    die = read_die(r, doc.table("die"))
    rdl = _rdl(r, data, rules)
    src = read_pads(r, doc.table("pads"), tech=tech, die=die)
    for f in src.files:
        doc.add_input(f)
    doc.generated.update(src.generated)
    src = check_pads(src, die=die, pad_encloses_pi1_um=rules.pad_encloses_pi1_um)
    doc.notes.extend(skip_note(n, why) for n, why in src.skipped)
    ball = _ball(r, data, tech)
    fill = _fill(r, data, tech)
    bumps = _bumps(r, data, tech, die, rules, rdl, ball, ubm=ubm, stencil=stencil)
    mode, table, bumps = resolve_assignment(
        r, doc.table("assignment", required=False), src.pads, bumps)
    return WlcspDesign(
        name=doc.header.name, layers=layers, rules=rules, die=die, pads=tuple(src.pads),
        pad_source=src.source, bumps=bumps, assignment_mode=mode, assignment=dict(table),
        fill=fill, ball=ball, ubm=ubm, stencil=stencil, rdl=rdl,
        teardrop=_teardrop(tech), preview=read_preview(r, doc.table("preview", required=False)),
        pads_skipped=tuple(src.skipped), path=str(doc.path))


def _teardrop(tech: Technology) -> TeardropShape:
    vals = []
    for key in ("teardrop_width_ratio", "teardrop_reach_ratio"):
        v = tech.param(key)
        if not isinstance(v, float) or not 0 < v <= 1:
            raise tech_error(tech, f"process.{key}", f"expected a ratio in (0, 1], got {v!r}")
        vals.append(v)
    return TeardropShape(*vals)


def tech_error(tech: Technology, key: str, message: str):
    """An error naming a key of the technology file.

    Args:
        tech: the technology.
        key: the dotted key.
        message: what is wrong.
    """
    from ...errors import WlpmaskError

    return WlpmaskError(message, file=tech.source, key=key)


def _stencil(r: Reader, data: dict) -> Stencil:
    t = r.table(data, "", "stencil", required=False)
    r.keys("stencil", t, {"enabled", "thickness_um", "aperture_um"})
    if not r.boolean(t, "stencil", "enabled", default=False):
        return Stencil(False)
    return Stencil(True, r.num(t, "stencil", "thickness_um", strict=True, maximum=MAX_BALL_UM),
                   r.num(t, "stencil", "aperture_um", default=None, strict=True,
                         maximum=MAX_BALL_UM))


def _rdl(r: Reader, data: dict, rules: FamilyRules) -> Rdl:
    t = r.table(data, "", "rdl", required=False)
    r.keys("rdl", t, {"width_um", "space_um", "teardrops"})
    out = []
    for key, floor, what in (("width_um", rules.rdl_width_um, "width"),
                             ("space_um", rules.rdl_space_um, "space")):
        v = r.num(t, "rdl", key, default=floor, strict=True, maximum=MAX_BALL_UM)
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
    d = r.num(t, "ball", "diameter_um", strict=True, maximum=MAX_BALL_UM,
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
    materials = tech.param("fill_materials")
    if not isinstance(materials, tuple) or not all(isinstance(m, str) for m in materials):
        raise tech_error(tech, "process.fill_materials",
                         f"expected a list of material names, got {materials!r}")
    material = r.string(t, "fill", "material", choices=materials)
    if ("largest_particle_um" in t) == ("paste_type" in t):
        raise r.err("fill", "give either largest_particle_um or paste_type (3..6)")
    if "paste_type" not in t:
        return Fill(material, r.num(t, "fill", "largest_particle_um", strict=True,
                                    maximum=MAX_BALL_UM))
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
    opening = r.num(t, "bumps", "opening_um", default=None, strict=True, maximum=MAX_BALL_UM)
    if opening is not None and opening < rules.pi2_width_um:
        raise r.err("bumps.opening_um", f"{opening:g} um is below the rules: PI2 opening min "
                    f"width {rules.pi2_width_um:g} um")
    dims = bump_dims(rules, opening_um=opening, shape=shape, ball_um=ball.diameter_um, ubm=ubm,
                     stencil=stencil.enabled, stencil_aperture_um=stencil.aperture_um,
                     rdl_space_um=rdl.space_um)
    return resolve_bumps(r, t, die=die, grid_um=tech.grid_um, dims=dims)
