"""Design files (layouts/*.toml): load, validate and resolve into a frozen Design.

A design names its technology, the die, where the bond pads come from, the bump array, the
pad-to-bump assignment, the fill, the balls and the optional UBM and stencil. Every problem
raises one WlpmaskError naming the file and the key (docs/design-file.md has the format).
Coordinates are in the die frame: um, the die boundary's lower-left corner at the origin.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import WlpmaskError
from .families import FAMILIES
from .families.wlcsp import OPTIONAL_ROLES, ROLES, BumpDims, FamilyRules, bump_dims, family_rules
from .io.pads import (
    Pad,
    demo_chip,
    pads_from_csv,
    pads_from_def,
    pads_from_gds,
    pads_from_inline,
)
from .tech import Technology, load_technology, read_toml

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
# JEDEC JEP95 row letters: I, O, Q, S, X and Z are skipped.
ROW_LETTERS = "ABCDEFGHJKLMNPRTUVWY"
FILL_MATERIALS = ("conductive_adhesive", "solder_paste")
PAD_SOURCES = ("inline", "csv", "gds", "def")
_MISSING = object()
# A fixed GDS timestamp keeps a generated chip byte-identical between builds.
_GDS_EPOCH = datetime.datetime(2000, 1, 1)


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
class BumpSite:
    """One bump site: name (row letter + column number for arrays), centre, net or None."""

    name: str
    x_um: float
    y_um: float
    net: str | None = None


@dataclass(frozen=True)
class Bumps:
    """The resolved bump array.

    Args:
        pitch_um: array pitch (None for an explicit map).
        rows, columns: array size (0 for an explicit map).
        stagger: odd rows (B, D, ...) shifted by half a pitch.
        depopulated: site names left empty.
        sites: the populated sites, sorted by name.
        dims: the derived bump dimensions (opening, capture pad, UBM, stencil, ball).
    """

    pitch_um: float | None
    rows: int
    columns: int
    stagger: bool
    depopulated: tuple[str, ...]
    sites: tuple[BumpSite, ...]
    dims: BumpDims


@dataclass(frozen=True)
class Fill:
    material: str
    largest_particle_um: float
    paste_type: int | None = None


@dataclass(frozen=True)
class Ball:
    diameter_um: float
    core: str
    coating_um: float


@dataclass(frozen=True)
class Stencil:
    enabled: bool
    thickness_um: float | None = None
    aperture_um: float | None = None


@dataclass(frozen=True)
class Rdl:
    width_um: float
    space_um: float


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
        die, pads, bumps, fill, ball, stencil, rdl: the sections.
        pad_source: "inline", "csv", "gds" or "def".
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

    def gds(self, role: str) -> tuple[int, int]:
        """The (layer, datatype) of a family layer role."""
        return self.tech.layers[self.layers[role]].gds


class _Reader:
    """Typed access to one TOML document; every error names the file and key."""

    def __init__(self, path: Path):
        self.file = str(path)

    def err(self, key: str, message: str) -> WlpmaskError:
        return WlpmaskError(message, file=self.file, key=key)

    def table(self, parent: dict, key: str, name: str, *, required: bool = True) -> dict:
        full = f"{key}.{name}" if key else name
        if name not in parent:
            if required:
                raise self.err(full, "missing section")
            return {}
        v = parent[name]
        if not isinstance(v, dict):
            raise self.err(full, f"expected a table, got {v!r}")
        return v

    def keys(self, key: str, table: dict, allowed: set[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.err(f"{key}.{unknown[0]}" if key else unknown[0],
                           f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def num(self, table: dict, key: str, name: str, *, default: Any = _MISSING,
            minimum: float | None = 0.0, strict: bool = False) -> float:
        full = f"{key}.{name}"
        if name not in table:
            if default is _MISSING:
                raise self.err(full, "missing value")
            return default
        v = table[name]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise self.err(full, f"expected a number, got {v!r}")
        if minimum is not None and (v < minimum or (strict and v == minimum)):
            what = "size" if minimum == 0 else "number"
            raise self.err(full, f"expected a {what} {'>' if strict else '>='} {minimum:g}, "
                           f"got {v!r}")
        return float(v)

    def integer(self, table: dict, key: str, name: str, *, default: Any = _MISSING,
                minimum: int = 0) -> int:
        full = f"{key}.{name}"
        if name not in table:
            if default is _MISSING:
                raise self.err(full, "missing value")
            return default
        v = table[name]
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            raise self.err(full, f"expected an integer >= {minimum}, got {v!r}")
        return v

    def string(self, table: dict, key: str, name: str, *, default: Any = _MISSING,
               choices: tuple[str, ...] | None = None) -> str:
        full = f"{key}.{name}"
        if name not in table:
            if default is _MISSING:
                raise self.err(full, "missing value" + (
                    f"; expected one of {', '.join(choices)}" if choices else ""))
            return default
        v = table[name]
        if not isinstance(v, str):
            raise self.err(full, f"expected a string, got {v!r}")
        if choices is not None and v not in choices:
            raise self.err(full, f"expected one of {', '.join(choices)}, got {v!r}")
        return v

    def boolean(self, table: dict, key: str, name: str, *, default: bool) -> bool:
        v = table.get(name, default)
        if not isinstance(v, bool):
            raise self.err(f"{key}.{name}", f"expected true or false, got {v!r}")
        return v

    def names(self, table: dict, key: str, name: str) -> list[str]:
        v = table.get(name, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.err(f"{key}.{name}", f"expected a list of names, got {v!r}")
        return v

    def pair(self, value: Any, key: str) -> tuple[int, int]:
        if (isinstance(value, list) and len(value) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 65535
                        for x in value)):
            return (value[0], value[1])
        raise self.err(key, f"expected a layer name or [layer, datatype], got {value!r}")


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
    r = _Reader(path)
    r.keys("", data, {"design", "die", "layers", "pads", "bumps", "assignment", "fill", "ball",
                      "ubm", "stencil", "rdl"})
    head = r.table(data, "", "design")
    r.keys("design", head, {"name", "technology", "family", "description"})
    name = r.string(head, "design", "name")
    if not _NAME.match(name):
        raise r.err("design.name", f"expected a name of letters, digits, '_', '.', '-' "
                    f"starting with a letter, got {name!r}")
    family = r.string(head, "design", "family", default="wlcsp", choices=FAMILIES)
    tech_rel = r.string(head, "design", "technology")
    tech_path = Path(os.path.normpath(path.parent / tech_rel))
    if not tech_path.is_file():
        raise r.err("design.technology", f"technology file not found: {tech_path}")
    tech = load_technology(tech_path)
    inputs = {str(path): hashlib.sha256(raw).hexdigest(), str(tech_path): tech.sha256}

    ubm_t = r.table(data, "", "ubm", required=False)
    r.keys("ubm", ubm_t, {"enabled"})
    ubm = r.boolean(ubm_t, "ubm", "enabled", default=False)
    st_t = r.table(data, "", "stencil", required=False)
    r.keys("stencil", st_t, {"enabled", "thickness_um", "aperture_um"})
    stencil_on = r.boolean(st_t, "stencil", "enabled", default=False)
    stencil = Stencil(
        stencil_on,
        r.num(st_t, "stencil", "thickness_um", strict=True) if stencil_on else None,
        r.num(st_t, "stencil", "aperture_um", default=None, strict=True) if stencil_on else None)

    layers = _layer_map(r, data, tech, ubm=ubm, stencil=stencil_on)
    rules = family_rules(tech, layers, ubm=ubm)
    die = _die(r, data)
    rdl = _rdl(r, data, rules)
    pads, pad_source, pad_files, generated, origins = _pads(r, data, path, tech, layers, die)
    for f in pad_files:
        inputs[str(f)] = _sha256(f)
    _check_pads(r, pads, origins, die, rules)
    ball = _ball(r, data, tech)
    fill = _fill(r, data, tech)
    bumps = _bumps(r, data, tech, die, rules, rdl, ball, ubm=ubm, stencil=stencil)
    mode, table, bumps = _assignment(r, data, pads, bumps)
    return Design(
        name=name, family=family, path=str(path), tech=tech, tech_path=str(tech_path),
        layers=MappingProxyType(layers), rules=rules, die=die, pads=tuple(pads),
        pad_source=pad_source, bumps=bumps, assignment_mode=mode,
        assignment=MappingProxyType(table), fill=fill, ball=ball, ubm=ubm, stencil=stencil,
        rdl=rdl, inputs=MappingProxyType(inputs), generated=MappingProxyType(generated))


def _layer_map(r: _Reader, data: dict, tech: Technology, *, ubm: bool,
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


def _die(r: _Reader, data: dict) -> Die:
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


def _rdl(r: _Reader, data: dict, rules: FamilyRules) -> Rdl:
    t = r.table(data, "", "rdl", required=False)
    r.keys("rdl", t, {"width_um", "space_um"})
    w = r.num(t, "rdl", "width_um", default=rules.rdl_width_um, strict=True)
    s = r.num(t, "rdl", "space_um", default=rules.rdl_space_um, strict=True)
    if w < rules.rdl_width_um:
        raise r.err("rdl.width_um", f"{w:g} um is below the rules: RDL min width "
                    f"{rules.rdl_width_um:g} um")
    if s < rules.rdl_space_um:
        raise r.err("rdl.space_um", f"{s:g} um is below the rules: RDL min space "
                    f"{rules.rdl_space_um:g} um")
    return Rdl(w, s)


def _pads(r: _Reader, data: dict, path: Path, tech: Technology, layers: Mapping[str, str],
          die: Die):
    """(pads, source, files read, generated files, pad name -> (file, key) for messages)."""
    t = r.table(data, "", "pads")
    source = r.string(t, "pads", "source", choices=PAD_SOURCES)
    allowed = {
        "inline": {"source", "pads"},
        "csv": {"source", "path"},
        "gds": {"source", "path", "layer", "cell", "label_layer", "offset_um", "generate"},
        "def": {"source", "path", "lef", "layer", "offset_um"},
    }[source]
    r.keys("pads", t, allowed)
    files: list[Path] = []
    generated: dict[str, bytes] = {}
    if source == "inline":
        pads = pads_from_inline(t.get("pads"), file=r.file, key="pads.pads")
        origins = {p.name: (r.file, f"pads.pads[{i}]") for i, p in enumerate(pads)}
        return pads, source, files, generated, origins
    rel = r.string(t, "pads", "path")
    file = Path(os.path.normpath(path.parent / rel))
    if source == "csv":
        pads = pads_from_csv(file)
        files.append(file)
        origins = {p.name: (str(file), f"pad {p.name}") for p in pads}
        return pads, source, files, generated, origins
    if source == "def":
        lef_v = t.get("lef")
        if isinstance(lef_v, str):
            lef_v = [lef_v]
        if not isinstance(lef_v, list) or not lef_v or not all(isinstance(x, str) for x in lef_v):
            raise r.err("pads.lef", f"expected a LEF file or a list of them, got {lef_v!r}")
        lefs = [Path(os.path.normpath(path.parent / x)) for x in lef_v]
        for lf in lefs:
            if not lf.is_file():
                raise r.err("pads.lef", f"LEF file not found: {lf}")
        if not file.is_file():
            raise r.err("pads.path", f"DEF file not found: {file}")
        off = _offset(r, t)
        pads = pads_from_def(file, lefs, layer=r.string(t, "pads", "layer"), offset_um=off)
        files.extend([file, *lefs])
        origins = {p.name: (str(file), f"component {p.name}") for p in pads}
        return pads, source, files, generated, origins
    layer_v = t.get("layer", "PAD")
    if isinstance(layer_v, str):
        if layer_v not in tech.layers:
            raise r.err("pads.layer", f"unknown layer {layer_v!r}; valid layers: "
                        f"{', '.join(tech.layers)}")
        layer = tech.layers[layer_v].gds
    else:
        layer = r.pair(layer_v, "pads.layer")
    label = r.pair(t["label_layer"], "pads.label_layer") if "label_layer" in t else None
    off = _offset(r, t)
    cell = r.string(t, "pads", "cell", default=None)
    if "generate" in t:
        gen = r.table(t, "pads", "generate")
        r.keys("pads.generate", gen, {"pads_per_side", "pad_um", "pitch_um", "edge_um",
                                      "metal_layer"})
        if Path(rel).name != rel:
            raise r.err("pads.path", "a generated chip is written beside the outputs: give a "
                        f"file name without a directory, got {rel!r}")
        lib = demo_chip(
            cell=cell or "CHIP", width_um=die.width_um, height_um=die.height_um,
            pads_per_side=r.integer(gen, "pads.generate", "pads_per_side", minimum=1),
            pad_um=r.num(gen, "pads.generate", "pad_um", strict=True),
            pitch_um=r.num(gen, "pads.generate", "pitch_um", strict=True),
            edge_um=r.num(gen, "pads.generate", "edge_um", strict=True),
            layer=layer, label_layer=label,
            metal_layer=(r.pair(gen["metal_layer"], "pads.generate.metal_layer")
                         if "metal_layer" in gen else None))
        with tempfile.TemporaryDirectory() as tmp:
            chip = Path(tmp) / rel
            lib.write_gds(str(chip), timestamp=_GDS_EPOCH)
            generated[rel] = chip.read_bytes()
            pads = pads_from_gds(chip, layer=layer, cell=cell or "CHIP", label_layer=label,
                                 offset_um=off)
    else:
        pads = pads_from_gds(file, layer=layer, cell=cell, label_layer=label, offset_um=off)
        files.append(file)
    src = rel if generated else str(file)
    origins = {p.name: (src, f"pad {p.name}") for p in pads}
    return pads, source, files, generated, origins


def _offset(r: _Reader, t: dict) -> list[float]:
    off = t.get("offset_um", [0.0, 0.0])
    if (not isinstance(off, list) or len(off) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in off)):
        raise r.err("pads.offset_um", f"expected [dx, dy] in um, got {off!r}")
    return [float(v) for v in off]


def _check_pads(r: _Reader, pads: list[Pad], origins: dict, die: Die, rules: FamilyRules) -> None:
    import shapely

    seen: dict[str, int] = {}
    for i, p in enumerate(pads):
        if p.name in seen:
            f, k = origins[p.name]
            raise WlpmaskError(f"duplicate pad name {p.name!r}", file=f, key=k)
        seen[p.name] = i
    x0, y0, x1, y1 = die.inset(die.seal_inner_um)
    for p in pads:
        f, k = origins[p.name]
        a0, b0, a1, b1 = p.bounds
        if a0 < x0 or b0 < y0 or a1 > x1 or b1 > y1:
            raise WlpmaskError(
                f"pad {p.name!r} ({a0:g}..{a1:g}, {b0:g}..{b1:g} um) is off the die: pads lie "
                f"inside the seal ring ({x0:g}..{x1:g}, {y0:g}..{y1:g} um)", file=f, key=k)
        if min(p.w_um, p.h_um) <= 2 * rules.pad_encloses_pi1_um:
            raise WlpmaskError(
                f"pad {p.name!r} ({p.w_um:g} x {p.h_um:g} um) leaves no PI1 opening: the pad "
                f"encloses the opening by {rules.pad_encloses_pi1_um:g} um", file=f, key=k)
    polys = [shapely.Polygon(p.polygon()) for p in pads]
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    for i, j in sorted(zip(left.tolist(), right.tolist(), strict=False)):
        if i < j and polys[i].intersection(polys[j]).area > 0:
            f, k = origins[pads[j].name]
            raise WlpmaskError(f"pad {pads[j].name!r} overlaps pad {pads[i].name!r}",
                               file=f, key=k)


def _ball(r: _Reader, data: dict, tech: Technology) -> Ball:
    t = r.table(data, "", "ball", required=False)
    r.keys("ball", t, {"diameter_um", "core", "coating_um"})
    stack = tech.stack.get("BALL")
    d = r.num(t, "ball", "diameter_um", strict=True,
              default=stack.thickness_um if stack else _MISSING)
    core = r.string(t, "ball", "core",
                    default=str(stack.constants.get("core_material", "")) if stack else "")
    coat = r.num(t, "ball", "coating_um",
                 default=float(stack.constants.get("coating_thickness_um", 0.0)) if stack else 0.0)
    if coat >= d / 2:
        raise r.err("ball.coating_um", f"coating {coat:g} um leaves no core in a {d:g} um ball")
    return Ball(d, core, coat)


def _fill(r: _Reader, data: dict, tech: Technology) -> Fill:
    t = r.table(data, "", "fill")
    r.keys("fill", t, {"material", "largest_particle_um", "paste_type"})
    material = r.string(t, "fill", "material", choices=FILL_MATERIALS)
    if ("largest_particle_um" in t) == ("paste_type" in t):
        raise r.err("fill", "give either largest_particle_um or paste_type (3..6)")
    if "paste_type" in t:
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
    return Fill(material, r.num(t, "fill", "largest_particle_um", strict=True))


def _bumps(r: _Reader, data: dict, tech: Technology, die: Die, rules: FamilyRules, rdl: Rdl,
           ball: Ball, *, ubm: bool, stencil: Stencil) -> Bumps:
    t = r.table(data, "", "bumps")
    r.keys("bumps", t, {"pitch_um", "rows", "columns", "depopulate", "stagger", "nets", "map",
                        "shape", "opening_um"})
    shape = r.string(t, "bumps", "shape", default="octagon", choices=("octagon", "circle"))
    opening = r.num(t, "bumps", "opening_um", default=None, strict=True)
    if opening is not None and opening < rules.pi2_width_um:
        raise r.err("bumps.opening_um", f"{opening:g} um is below the rules: PI2 opening min "
                    f"width {rules.pi2_width_um:g} um")
    dims = bump_dims(rules, opening_um=opening, shape=shape, ball_um=ball.diameter_um, ubm=ubm,
                     stencil=stencil.enabled, stencil_aperture_um=stencil.aperture_um,
                     rdl_space_um=rdl.space_um)
    x0, y0, x1, y1 = die.inset(die.bump_margin_um)
    eps = tech.grid_um / 2
    if "map" in t:
        for k in ("pitch_um", "rows", "columns", "depopulate", "stagger"):
            if k in t:
                raise r.err(f"bumps.{k}", "an explicit bump map takes no array parameters")
        sites = _bump_map(r, t["map"], tech, dims, (x0, y0, x1, y1))
        depop: list[str] = []
        pitch, rows, cols, stagger = None, 0, 0, False
    else:
        pitch = r.num(t, "bumps", "pitch_um", strict=True)
        stagger = r.boolean(t, "bumps", "stagger", default=False)
        if pitch < dims.min_pitch_um:
            raise r.err("bumps.pitch_um", f"pitch {pitch:g} um is below the rules: "
                        f"{dims.min_pitch_why} needs >= {dims.min_pitch_um:g} um")
        shift = pitch / 2 if stagger else 0.0
        cols = _count(r, t, "columns", x1 - x0 - shift, pitch, eps, die.width_um, die)
        rows = _count(r, t, "rows", y1 - y0, pitch, eps, die.height_um, die)
        cx, cy = die.width_um / 2, die.height_um / 2
        sx = cx - ((cols - 1) * pitch + shift) / 2
        sy = cy + (rows - 1) * pitch / 2
        grid = tech.grid_um
        all_sites = {}
        for i in range(rows):
            for j in range(cols):
                nm = f"{row_name(i)}{j + 1}"
                x = sx + j * pitch + (shift if i % 2 else 0.0)
                all_sites[nm] = BumpSite(nm, _snap(x, grid), _snap(sy - i * pitch, grid))
        depop = r.names(t, "bumps", "depopulate")
        for nm in depop:
            if nm not in all_sites:
                raise r.err("bumps.depopulate", f"no site {nm!r} in the {rows} x {cols} array")
        sites = [s for nm, s in all_sites.items() if nm not in set(depop)]
        if not sites:
            raise r.err("bumps.depopulate", "every site is depopulated")
    nets = r.table(t, "bumps", "nets", required=False)
    by_name = {s.name: s for s in sites}
    for nm, net in nets.items():
        if nm not in by_name:
            raise r.err(f"bumps.nets.{nm}", "no populated bump site of that name")
        if not isinstance(net, str) or not net:
            raise r.err(f"bumps.nets.{nm}", f"expected a net name, got {net!r}")
        by_name[nm] = BumpSite(nm, by_name[nm].x_um, by_name[nm].y_um, net)
    return Bumps(pitch, rows, cols, stagger, tuple(sorted(depop)),
                 tuple(sorted(by_name.values(), key=lambda s: _site_key(s.name))), dims)


def _count(r: _Reader, t: dict, name: str, span: float, pitch: float, eps: float,
           die_um: float, die: Die) -> int:
    fit = math.floor((span + eps) / pitch) + 1 if span >= -eps else 0
    v = t.get(name, "auto")
    if v == "auto":
        if fit < 1:
            raise r.err(f"bumps.{name}", "no bump fits between the keep-outs")
        return fit
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise r.err(f"bumps.{name}", f"expected an integer >= 1 or \"auto\", got {v!r}")
    if v > fit:
        raise r.err(f"bumps.{name}", f"bump array larger than the die: {v} {name} at "
                    f"{pitch:g} um need {(v - 1) * pitch:g} um between the outer bump centres; "
                    f"the {die_um:g} um die leaves {max(span, 0):g} um inside its keep-outs "
                    f"({die.bump_margin_um:g} um per side): at most {fit}")
    return v


def _bump_map(r: _Reader, items: Any, tech: Technology, dims: BumpDims,
              area: tuple[float, float, float, float]) -> list[BumpSite]:
    import numpy as np

    if not isinstance(items, list) or not items:
        raise r.err("bumps.map", "expected a non-empty list of {name, x_um, y_um, net} tables")
    sites = []
    x0, y0, x1, y1 = area
    for i, it in enumerate(items):
        key = f"bumps.map[{i}]"
        if not isinstance(it, dict):
            raise r.err(key, f"expected a table, got {it!r}")
        r.keys(key, it, {"name", "x_um", "y_um", "net"})
        nm = r.string(it, key, "name")
        x = r.num(it, key, "x_um", minimum=None)
        y = r.num(it, key, "y_um", minimum=None)
        net = r.string(it, key, "net", default=None)
        if not (x0 - 1e-9 <= x <= x1 + 1e-9 and y0 - 1e-9 <= y <= y1 + 1e-9):
            raise r.err(key, f"bump {nm!r} at ({x:g}, {y:g}) is off the die: bump centres lie "
                        f"inside the keep-out ({x0:g}..{x1:g}, {y0:g}..{y1:g} um)")
        sites.append(BumpSite(nm, _snap(x, tech.grid_um), _snap(y, tech.grid_um), net or None))
    names = [s.name for s in sites]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise r.err("bumps.map", f"duplicate bump name {dup[0]!r}")
    xy = np.array([(s.x_um, s.y_um) for s in sites])
    if len(sites) > 1:
        d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        np.fill_diagonal(d, np.inf)
        i, j = np.unravel_index(np.argmin(d), d.shape)
        if d[i, j] < dims.min_pitch_um - 1e-9:
            a, b = sorted((i, j))
            raise r.err(f"bumps.map[{b}]", f"bumps {names[a]!r} and {names[b]!r} are "
                        f"{d[i, j]:g} um apart: pitch below the rules ({dims.min_pitch_why} "
                        f"needs >= {dims.min_pitch_um:g} um)")
    return sites


def _assignment(r: _Reader, data: dict, pads: list[Pad], bumps: Bumps):
    t = r.table(data, "", "assignment", required=False)
    r.keys("assignment", t, {"mode", "table"})
    mode = r.string(t, "assignment", "mode", default="auto", choices=("auto", "given"))
    table = r.table(t, "assignment", "table", required=False)
    pad_by = {p.name: p for p in pads}
    site_by = {s.name: s for s in bumps.sites}
    depop = set(bumps.depopulated)
    nets = {s.name: s.net for s in bumps.sites}
    for pname, bname in table.items():
        key = f"assignment.table.{pname}"
        if pname not in pad_by:
            raise r.err(key, f"no pad {pname!r}")
        if not isinstance(bname, str):
            raise r.err(key, f"expected a bump name, got {bname!r}")
        if bname not in site_by:
            why = "depopulated" if bname in depop else "no such bump site"
            raise r.err(key, f"bump {bname!r}: {why}")
        net = pad_by[pname].net_name
        if nets[bname] not in (None, net):
            raise r.err(key, f"bump {bname!r} already carries net {nets[bname]!r}, "
                        f"pad {pname!r} is on net {net!r}")
        nets[bname] = net
    bump_nets = {n for n in nets.values() if n}
    if mode == "given":
        for p in pads:
            if p.net_name not in bump_nets:
                raise r.err("assignment.table", f"pad {p.name!r} (net {p.net_name!r}) has no "
                            "bump: a given assignment lists every pad")
    else:
        need = sorted({p.net_name for p in pads} - bump_nets)
        free = sum(1 for n in nets.values() if n is None)
        if len(need) > free:
            raise r.err("bumps", f"{len(need)} pad nets need a bump but only {free} bump sites "
                        "are free")
    sites = tuple(BumpSite(s.name, s.x_um, s.y_um, nets[s.name]) for s in bumps.sites)
    out = Bumps(bumps.pitch_um, bumps.rows, bumps.columns, bumps.stagger, bumps.depopulated,
                sites, bumps.dims)
    return mode, {k: table[k] for k in sorted(table)}, out


def row_name(i: int) -> str:
    """JEDEC row name of row index i (0 = A): A..Y without I O Q S X Z, then AA, AB, ..."""
    n = len(ROW_LETTERS)
    if i < n:
        return ROW_LETTERS[i]
    return row_name(i // n - 1) + ROW_LETTERS[i % n]


def _site_key(name: str) -> tuple[int, str, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", name)
    if not m:
        return (1, name, 0)
    return (0, f"{len(m.group(1)):02d}{m.group(1)}", int(m.group(2)))


def _snap(v: float, grid: float) -> float:
    return round(round(v / grid) * grid, 9) + 0.0

