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

__all__ = ["ASSEMBLY", "assemble", "plate_cells"]

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
    artwork, drawn from above like the frame, is placed mirrored about the site's vertical
    centre line (x -> site width - x).

    Args:
        cp: the loaded design and its plan.
    """
    d, fp = cp.design, cp.plan.frame
    g = d.tech.grid_um
    top = gdstk.Cell(f"{d.name}_plate_top")
    _polys(top, [fp.plate_top], d.layers.PLATE_TOP, g)
    art = gdstk.Cell(f"{d.name}_plate_bottom_art")
    _polys(art, [fp.plate_bot], d.layers.PLATE_BOT, g)
    bottom = gdstk.Cell(f"{d.name}_plate_bottom")
    bottom.add(bottom_mirror(cp).reference(art))
    return {"top": top, "bottom": bottom}


def bottom_mirror(cp: CocPart) -> Placement:
    """The bottom plate's mirroring: x -> site width - x (a reflection and a half turn).

    Args:
        cp: the package part (its frame site's width, um).
    """
    return Placement((cp.design.frame.width_um, 0.0), 180, True)
