"""The [pads] section of a design file: which import reads the bond pads, and their checks.

Four sources (io/pads.py does the reading): an inline list, a CSV file, a layer of a chip's
GDS (optionally a synthetic chip the design generates) or DEF + LEF. The pads are then checked
against each other and the die: unique names, inside the seal ring, room for a PI1 opening
(a DEF source may skip the pads without one: too_small = "skip"), no overlaps; each error
names the file and key (or CSV row, pad) the pad came from.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import WlpmaskError
from ..io.gds import write_cells
from ..io.pads import (
    DEMO_CHIP_DBU_UM,
    Pad,
    demo_chip,
    pads_from_csv,
    pads_from_def,
    pads_from_gds,
    pads_from_inline,
)
from ..validate import Reader

if TYPE_CHECKING:  # pragma: no cover
    from ..tech import Technology
    from .die import Die

PAD_SOURCES = ("inline", "csv", "gds", "def")
SOURCE_KEYS = {
    "inline": {"source", "pads"},
    "csv": {"source", "path"},
    "gds": {"source", "path", "layer", "cell", "label_layer", "offset_um", "generate"},
    "def": {"source", "path", "lef", "layer", "offset_um", "pins", "components", "too_small"},
}
GENERATE_KEYS = {"pads_per_side", "pad_um", "pitch_um", "edge_um", "metal_layer"}
# What to do with a pad too small for its PI1 opening: stop, or leave it out and say so.
TOO_SMALL = ("error", "skip")


@dataclass(frozen=True)
class PadSource:
    """The pads a [pads] section gives, and where they came from.

    Args:
        pads: the pads in the die frame.
        source: "inline", "csv", "gds" or "def".
        files: the files read (their hashes go into the manifest).
        generated: files made while loading (name -> bytes), written beside the outputs.
        origins: pad name -> (file, key) for messages about that pad.
        too_small: "error" or "skip" (TOO_SMALL): what check_pads does with a pad that has
            no room for a PI1 opening.
        skipped: (pad name, reason) of the pads check_pads left out, in pad order.
    """

    pads: list[Pad]
    source: str
    files: list[Path] = field(default_factory=list)
    generated: dict[str, bytes] = field(default_factory=dict)
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)
    too_small: str = "error"
    skipped: tuple[tuple[str, str], ...] = ()


def read_pads(r: Reader, t: dict, *, tech: Technology, die: Die) -> PadSource:
    """Read the pads a [pads] table names.

    Args:
        r: the design file's reader (paths are relative to the design file).
        t: the [pads] table.
        tech: the technology (layer names of a GDS source).
        die: the die (size of a generated chip).
    """
    source = r.string(t, "pads", "source", choices=PAD_SOURCES)
    r.keys("pads", t, SOURCE_KEYS[source])
    if source == "inline":
        pads = pads_from_inline(t.get("pads"), file=r.file, key="pads.pads")
        return PadSource(pads, source, origins={
            p.name: (r.file, f"pads.pads[{i}]") for i, p in enumerate(pads)})
    rel = r.string(t, "pads", "path")
    file = r.path(rel)
    if source == "csv":
        pads = pads_from_csv(file)
        return PadSource(pads, source, [file], origins=_origins(pads, str(file), "pad"))
    if source == "def":
        return _def_pads(r, t, file)
    return _gds_pads(r, t, file, rel, tech=tech, die=die)


def _origins(pads: list[Pad], file: str, what: str) -> dict[str, tuple[str, str]]:
    return {p.name: (file, f"{what} {p.name}") for p in pads}


def _def_pads(r: Reader, t: dict, file: Path) -> PadSource:
    lef_v = t.get("lef")
    if isinstance(lef_v, str):
        lef_v = [lef_v]
    if not isinstance(lef_v, list) or not lef_v or not all(isinstance(x, str) for x in lef_v):
        raise r.err("pads.lef", f"expected a LEF file or a list of them, got {lef_v!r}")
    lefs = [r.path(x) for x in lef_v]
    for lf in lefs:
        if not lf.is_file():
            raise r.err("pads.lef", f"LEF file not found: {lf}")
    if not file.is_file():
        raise r.err("pads.path", f"DEF file not found: {file}")
    too_small = r.string(t, "pads", "too_small", default="error", choices=TOO_SMALL)
    pads = pads_from_def(file, lefs, layer=r.string(t, "pads", "layer"),
                         pins=_patterns(r, t, "pins"), components=_patterns(r, t, "components"),
                         offset_um=r.xy(t, "pads", "offset_um"), patterns_from=(r.file, "pads"))
    return PadSource(pads, "def", [file, *lefs], origins=_origins(pads, str(file), "component"),
                     too_small=too_small)


def _patterns(r: Reader, t: dict, name: str) -> list[str] | None:
    """A non-empty list of non-empty glob patterns; None when the key is absent (all names)."""
    if name not in t:
        return None
    v = t[name]
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x for x in v):
        raise r.err(f"pads.{name}", f"expected a non-empty list of glob patterns, got {v!r}")
    return v


def _gds_pads(r: Reader, t: dict, file: Path, rel: str, *, tech: Technology,
              die: Die) -> PadSource:
    layer_v = t.get("layer", "PAD")
    if isinstance(layer_v, str):
        if layer_v not in tech.layers:
            raise r.err("pads.layer", f"unknown layer {layer_v!r}; valid layers: "
                        f"{', '.join(tech.layers)}")
        layer = tech.layers[layer_v].gds
    else:
        layer = r.pair(layer_v, "pads.layer")
    label = r.pair(t["label_layer"], "pads.label_layer") if "label_layer" in t else None
    off = r.xy(t, "pads", "offset_um")
    cell = r.string(t, "pads", "cell", default=None)
    if "generate" not in t:
        pads = pads_from_gds(file, layer=layer, cell=cell, label_layer=label, offset_um=off)
        return PadSource(pads, "gds", [file], origins=_origins(pads, str(file), "pad"))
    gen = r.table(t, "pads", "generate")
    key = "pads.generate"
    r.keys(key, gen, GENERATE_KEYS)
    if Path(rel).name != rel:
        raise r.err("pads.path", "a generated chip is written beside the outputs: give a "
                    f"file name without a directory, got {rel!r}")
    lib = demo_chip(
        cell=cell or "CHIP", width_um=die.width_um, height_um=die.height_um,
        pads_per_side=r.integer(gen, key, "pads_per_side", minimum=1),
        pad_um=r.num(gen, key, "pad_um", strict=True),
        pitch_um=r.num(gen, key, "pitch_um", strict=True),
        edge_um=r.num(gen, key, "edge_um", strict=True),
        layer=layer, label_layer=label,
        metal_layer=(r.pair(gen["metal_layer"], f"{key}.metal_layer")
                     if "metal_layer" in gen else None))
    with tempfile.TemporaryDirectory() as tmp:
        chip = Path(tmp) / rel
        write_cells(chip, lib.top_level(), dbu_um=DEMO_CHIP_DBU_UM, library_name=lib.name)
        pads = pads_from_gds(chip, layer=layer, cell=cell or "CHIP", label_layer=label,
                             offset_um=off)
        data = chip.read_bytes()
    return PadSource(pads, "gds", generated={rel: data}, origins=_origins(pads, rel, "pad"))


def check_pads(src: PadSource, *, die: Die, pad_encloses_pi1_um: float) -> PadSource:
    """Check the pads of a source; bad pads fail with the pad's file and key.

    Fails on duplicate names, a pad outside the seal ring, a pad too small for its PI1
    opening (unless the source skips those), or two overlapping pads.

    Args:
        src: the pads and their origins.
        die: the die (seal ring).
        pad_encloses_pi1_um: the PAD-encloses-PI1 rule, um.

    Returns:
        The source with the pads to build: too small ones left out and listed in `skipped`
        when src.too_small is "skip".
    """
    import shapely

    pads, origins = src.pads, src.origins
    seen: set[str] = set()
    for p in pads:
        if p.name in seen:
            f, k = origins[p.name]
            raise WlpmaskError(f"duplicate pad name {p.name!r}", file=f, key=k)
        seen.add(p.name)
    x0, y0, x1, y1 = die.inset(die.seal_inner_um)
    kept: list[Pad] = []
    skipped: list[tuple[str, str]] = []
    for p in pads:
        f, k = origins[p.name]
        a0, b0, a1, b1 = p.bounds
        if a0 < x0 or b0 < y0 or a1 > x1 or b1 > y1:
            raise WlpmaskError(
                f"pad {p.name!r} ({a0:g}..{a1:g}, {b0:g}..{b1:g} um) is off the die: pads lie "
                f"inside the seal ring ({x0:g}..{x1:g}, {y0:g}..{y1:g} um)", file=f, key=k)
        if min(p.w_um, p.h_um) > 2 * pad_encloses_pi1_um:
            kept.append(p)
            continue
        why = (f"{p.w_um:g} x {p.h_um:g} um leaves no PI1 opening: the pad encloses the "
               f"opening by {pad_encloses_pi1_um:g} um")
        if src.too_small != "skip":
            hint = ('; name the pad pins ([pads] pins) or leave such pads out (too_small = '
                    '"skip")' if src.source == "def" else "")
            raise WlpmaskError(f"pad {p.name!r}: {why}{hint}", file=f, key=k)
        skipped.append((p.name, why))
    if not kept:
        f, k = origins[pads[0].name]
        raise WlpmaskError(f"no pad left: every pad is too small, e.g. {pads[0].name!r}: "
                           f"{skipped[0][1]}", file=f, key=k)
    pads = kept
    polys = [shapely.Polygon(p.polygon()) for p in pads]
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    for i, j in sorted(zip(left.tolist(), right.tolist(), strict=True)):
        if i < j and polys[i].intersection(polys[j]).area > 0:
            f, k = origins[pads[j].name]
            raise WlpmaskError(f"pad {pads[j].name!r} overlaps pad {pads[i].name!r}",
                               file=f, key=k)
    return replace(src, pads=pads, skipped=tuple(skipped))


def skip_note(name: str, reason: str) -> str:
    """The warning a build prints (after "warning: ") for a pad that check_pads left out.

    Args:
        name: the pad.
        reason: why it was left out (PadSource.skipped).
    """
    return f"pad {name!r} left out: {reason}"
