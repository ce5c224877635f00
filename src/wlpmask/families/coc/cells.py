"""Chip-on-chip cells: the chips, the lead-frame site, the etch plates and the assembly.

A bump is one cell per layer and diameter, placed by array references; every bump also gets a
text with its net at its centre (on its layer), so the nets can be read back from the GDS. The
frame site's leads carry a text "L<n>" at their land, each heat sink its name. `ASSEMBLY`
places the frame and, by reference, chip 1 face down and the upper chips face up; the top
cell (the design's name) holds `ASSEMBLY`. The plates are top cells of their own files.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import gdstk
import numpy as np

from ... import geometry as geo
from ...cells import CellCache, add_array, array_runs, polygon
from ...tech import Layer
from .placement import BumpSet, Placement
from .plan import CocPart
from .strip import StripPlan

__all__ = ["ASSEMBLY", "assemble", "plate_cells", "strip_cell", "strip_file"]

ASSEMBLY = "ASSEMBLY"


def _bump(layer: Layer, diameter_um: float, grid_um: float, cache: CellCache) -> gdstk.Cell:
    def build(**_: Any) -> gdstk.Cell:
        cell = gdstk.Cell("bump")
        cell.add(polygon(geo.round_pad(diameter_um=diameter_um, grid_um=grid_um), layer,
                         grid_um=grid_um))
        return cell

    return cache.cell(f"bump_{layer.name}", build, d_um=diameter_um)


def _place(cell: gdstk.Cell, bumps: BumpSet, bump: gdstk.Cell, pitch_um: float | None,
           layer: Layer, grid_um: float) -> None:
    """Bumps by array references, and a net text at each one's centre."""
    for x0, y0, cols, rows, px, py in array_runs([tuple(p) for p in bumps.xy.tolist()],
                                                  pitch_um, grid_um):
        add_array(cell, bump, columns=cols, rows=rows, pitch_x_um=px, pitch_y_um=py,
                  origin=(x0, y0))
    _texts(cell, zip(bumps.nets, bumps.xy.tolist(), strict=True), layer)


def _texts(cell: gdstk.Cell, items: Iterable[tuple[str, Any]], layer: Layer) -> None:
    gl, dt = layer.gds
    cell.add(*(gdstk.Label(text, tuple(xy), layer=gl, texttype=dt) for text, xy in items))


def _polys(cell: gdstk.Cell, shapes: Iterable, layer: Layer, grid_um: float) -> None:
    for s in shapes:
        if isinstance(s, tuple):
            s = geo.box(*s)
        rings = [s] if isinstance(s, np.ndarray) else geo.hole_free_rings(s)
        cell.add(*(polygon(r, layer, grid_um=grid_um) for r in rings))


def _chip1(cp: CocPart, cache: CellCache) -> gdstk.Cell:
    d, plan = cp.design, cp.plan
    L, g = d.layers, d.tech.grid_um  # noqa: N806 - role map
    cell = gdstk.Cell(f"{d.name}_{d.chip1.name}")
    _polys(cell, [(0.0, 0.0, d.chip1.width_um, d.chip1.height_um)], L.CHIP, g)
    first = _bump(L.BUMP1, d.kind.diameter_um, g, cache)
    for f in plan.fields:
        _place(cell, f.on_chip1, first, d.pitch_um, L.BUMP1, g)
    _place(cell, plan.second, _bump(L.BUMP2, d.tech.second.diameter_um, g, cache),
           d.frame.lead_pitch_um, L.BUMP2, g)
    pt = d.tech.pore
    pore = _bump(L.PORE, pt.diameter_um, g, cache)
    for arr in plan.capacitors:
        _polys(cell, [arr.region.box_um], L.CAP, g)
        x0, y0 = arr.origin_um
        if arr.full_rows:
            add_array(cell, pore, columns=arr.columns, rows=arr.full_rows,
                      pitch_x_um=pt.pitch_um, pitch_y_um=pt.pitch_um, origin=(x0, y0))
        if arr.remainder:
            add_array(cell, pore, columns=arr.remainder, rows=1, pitch_x_um=pt.pitch_um,
                      pitch_y_um=0.0, origin=(x0, y0 + arr.full_rows * pt.pitch_um))
    return cell


def _upper(cp: CocPart, index: int, cache: CellCache) -> gdstk.Cell:
    d = cp.design
    chip, f = d.uppers[index], cp.plan.fields[index]
    g = d.tech.grid_um
    cell = gdstk.Cell(f"{d.name}_{chip.name}")
    _polys(cell, [(0.0, 0.0, chip.width_um, chip.height_um)], d.layers.CHIP, g)
    _place(cell, f.on_upper, _bump(d.layers.BUMPC, d.kind.diameter_um, g, cache), d.pitch_um,
           d.layers.BUMPC, g)
    return cell


def _frame(cp: CocPart) -> gdstk.Cell:
    d, fp = cp.design, cp.plan.frame
    L, g = d.layers, d.tech.grid_um  # noqa: N806 - role map
    cell = gdstk.Cell(f"{d.name}_frame")
    for layer, shapes in (
            (L.FRAME, [fp.metal]), (L.HEATSINK, [s.box for s in fp.sinks]),
            (L.LEAD, [ld.marker for ld in fp.leads]), (L.LAND, [ld.land for ld in fp.leads]),
            (L.TIE, [p for s in fp.sinks for t in s.ties for p in t.polygons]
             + [p for t in fp.links for p in t.polygons]),
            (L.DAM, fp.dams), (L.MOULD, [h for s in fp.sinks for h in s.holes]),
            (L.HALF_TOP, [fp.half_top]), (L.HALF_BOT, [fp.half_bot]),
            (L.ADHESIVE, [s.adhesive for s in fp.sinks]), (L.PACKAGE, [fp.package])):
        _polys(cell, shapes, layer, g)
    _texts(cell, ((f"L{ld.number}", ld.bump_xy) for ld in fp.leads), L.LEAD)
    _texts(cell, ((s.name, ((s.footprint[0] + s.footprint[2]) / 2,
                            (s.footprint[1] + s.footprint[3]) / 2)) for s in fp.sinks),
           L.HEATSINK)
    return cell


def assemble(cp: CocPart, cache: CellCache) -> gdstk.Cell:
    """The top cell: `ASSEMBLY` with the frame site, chip 1 face down and the upper chips.

    Args:
        cp: the loaded design and its plan.
        cache: the cell cache to build the bump cells in.
    """
    d, plan = cp.design, cp.plan
    asm = gdstk.Cell(ASSEMBLY)
    asm.add(gdstk.Reference(_frame(cp), (0.0, 0.0)))
    asm.add(plan.chip1.reference(_chip1(cp, cache)))
    for i, chip in enumerate(d.uppers):
        asm.add(plan.uppers[chip.name].reference(_upper(cp, i, cache)))
    top = gdstk.Cell(d.name)
    top.add(gdstk.Reference(asm, (0.0, 0.0)))
    return top


def plate_cells(cp: CocPart) -> dict[str, gdstk.Cell]:
    """The etch plates: side ("top", "bottom") -> top cell of its own GDS file.

    The top plate is drawn as seen from above; the bottom plate as seen from below: its
    artwork, drawn from above like the frame, is placed mirrored about the vertical centre
    line of the site, or of the strip when the design steps the site into one (x -> width -
    x). A strip's plate steps the site's plate by an array reference, with the side rails.

    Args:
        cp: the loaded design and its plan.
    """
    d, fp, sp = cp.design, cp.plan.frame, cp.plan.strip
    g = d.tech.grid_um
    layers = {"top": d.layers.PLATE_TOP, "bottom": d.layers.PLATE_BOT}
    plates = {"top": fp.plate_top, "bottom": fp.plate_bot}
    out = {}
    for side, layer in layers.items():
        art = gdstk.Cell(f"{d.name}_plate_{side}" + ("_art" if side == "bottom" else ""))
        if sp is None:
            _polys(art, [plates[side]], layer, g)
        else:
            site = gdstk.Cell(f"{d.name}_plate_{side}_site")
            _polys(site, [sp.site_plates[side]], layer, g)
            _step(art, site, sp)
            _polys(art, [sp.rail_plates[side]], layer, g)
        if side == "top":
            out[side] = art
        else:
            out[side] = gdstk.Cell(f"{d.name}_plate_bottom")
            out[side].add(bottom_mirror(cp).reference(art))
    return out


def _step(cell: gdstk.Cell, site: gdstk.Cell, sp: StripPlan) -> None:
    """The site cell stepped over the strip by one array reference."""
    (w, h), spec = sp.pitch, sp.spec
    add_array(cell, site, columns=spec.columns, rows=spec.rows, pitch_x_um=w, pitch_y_um=h,
              origin=sp.origin)


def strip_file(name: str) -> str:
    """The file the strip of design `name` is written to.

    Args:
        name: the design's name.
    """
    return f"{name}.strip.gds"


def strip_cell(cp: CocPart, sp: StripPlan | None = None) -> gdstk.Cell | None:
    """The strip for review: the site's metal stepped, the side rails, each site's package.

    On FRAME (all metal as etched through) and PACKAGE (where each package is cut); None when
    the design draws one site.

    Args:
        cp: the loaded design and its plan.
        sp: the strip to draw (default: the plan's).
    """
    d, sp = cp.design, sp or cp.plan.strip
    if sp is None:
        return None
    L, g = d.layers, d.tech.grid_um  # noqa: N806 - role map
    site = gdstk.Cell(f"{d.name}_strip_site")
    _polys(site, [sp.site_metal], L.FRAME, g)
    _polys(site, [cp.plan.frame.package], L.PACKAGE, g)
    cell = gdstk.Cell(f"{d.name}_strip")
    _step(cell, site, sp)
    _polys(cell, [sp.rails], L.FRAME, g)
    return cell


def bottom_mirror(cp: CocPart) -> Placement:
    """The bottom plate's mirroring: x -> width - x (a reflection and a half turn).

    Args:
        cp: the package part (its frame site's width, or its strip's, um).
    """
    sp = cp.plan.strip
    width = cp.design.frame.width_um if sp is None else sp.size[0]
    return Placement((width, 0.0), 180, True)
