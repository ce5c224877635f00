"""WLCSP cells and assembly: pad, bump and frame cells placed by reference under one top cell.

A pad cell holds the bond pad, its PI1 opening and its RDL landing (pads of one size share a
cell); the bump cell holds one site's capture pad, PI2 opening, fill, ball and optional UBM and
stencil aperture and is placed by array references; the frame cell holds the die boundary,
half the dicing lane and the seal ring; the routed RDL goes into one cell of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import gdstk
import numpy as np
import shapely

from ... import geometry as geo
from ...cells import CellCache, add_array, array_runs, cell_name, polygon
from ...errors import WlpmaskError
from ...frame import frame_cell
from .rules import BumpDims, FamilyRules, WlcspLayers

if TYPE_CHECKING:  # pragma: no cover
    from ...designfile import Die
    from ...io.pads import Pad
    from .bumps import Bumps


def pad_shapes(pad: Pad, rules: FamilyRules) -> dict[str, np.ndarray]:
    """PAD, PI1 opening and RDL landing of a pad, relative to the pad centre (um).

    Rectangular pads give exact rectangles; other outlines are offset with mitred corners.

    Args:
        pad: the pad (its size or outline, um).
        rules: the family's rules (enclosures and grid, um).
    """
    g = rules.grid_um
    e1, e2 = rules.pad_encloses_pi1_um, rules.rdl_encloses_pi1_um
    if pad.outline is None:
        w, h = pad.w_um, pad.h_um
        return {
            "PAD": geo.rect(width_um=w, height_um=h),
            "PI1": geo.rect(width_um=w - 2 * e1, height_um=h - 2 * e1),
            "RDL": geo.rect(width_um=w - 2 * e1 + 2 * e2, height_um=h - 2 * e1 + 2 * e2),
        }
    rel = np.array(pad.outline) - (pad.x_um, pad.y_um)
    outline = shapely.Polygon(rel)
    # Offsetting a snapped outline can lose up to a grid step; keep the margin on the safe side.
    opening = outline.buffer(-(e1 + g), join_style="mitre")
    if opening.is_empty or opening.geom_type != "Polygon":
        raise WlpmaskError(f"pad {pad.name!r} leaves no single PI1 opening inside "
                           f"a {e1:g} um enclosure", key=pad.name)
    landing = opening.buffer(e2 + g, join_style="mitre")
    return {
        "PAD": rel,
        "PI1": np.array(shapely.geometry.polygon.orient(opening).exterior.coords[:-1]),
        "RDL": np.array(shapely.geometry.polygon.orient(landing).exterior.coords[:-1]),
    }


def pad_cell(pad: Pad, *, rules: FamilyRules, layers: WlcspLayers, grid_um: float,
             cache: CellCache) -> gdstk.Cell:
    """The cell of a pad (PAD, PI1 opening, RDL landing); pads of one size share it.

    Args:
        pad: the bond pad.
        rules: the family's rule values.
        layers: the layer roles.
        grid_um: the manufacturing grid.
        cache: the build's cell cache.
    """
    shapes = pad_shapes(pad, rules)
    if pad.outline is None:
        params: dict[str, Any] = {"w_um": pad.w_um, "h_um": pad.h_um}
    else:
        params = {"outline": [tuple(p) for p in shapes["PAD"].round(6)]}
    on = {"PAD": layers.PAD, "PI1": layers.PI1, "RDL": layers.RDL}

    def build(**_: Any) -> gdstk.Cell:
        cell = gdstk.Cell("pad")
        for role in ("PAD", "PI1", "RDL"):
            cell.add(polygon(shapes[role], on[role], grid_um=grid_um))
        return cell

    return cache.cell("pad", build, **params)


def bump_shapes(dims: BumpDims, *, grid_um: float) -> dict[str, np.ndarray]:
    """Shapes of one bump site centred at the origin, by layer role (um).

    Args:
        dims: the bump's diameters (capture, opening, ball, UBM, stencil), um.
        grid_um: the manufacturing grid, um.
    """
    def rp(d: float) -> np.ndarray:
        return geo.round_pad(diameter_um=d, shape=dims.shape, grid_um=grid_um)

    out = {"RDL": rp(dims.capture_um), "PI2": rp(dims.opening_um), "FILL": rp(dims.opening_um),
           # The ball outline is drawn as a fine polygon: it is a marker, not a mask shape.
           "BALL": geo.regular_polygon(diameter_um=dims.ball_um, vertices=64, grid_um=grid_um)}
    if dims.ubm_um:
        out["UBM"] = rp(dims.ubm_um)
    if dims.stencil_um:
        out["STENCIL"] = rp(dims.stencil_um)
    return out


def bump_cell(dims: BumpDims, *, layers: WlcspLayers, grid_um: float,
              cache: CellCache) -> gdstk.Cell:
    """The cell of one bump site (capture pad, PI2 opening, fill, ball, UBM, aperture).

    Args:
        dims: the bump dimensions.
        layers: the layer roles.
        grid_um: the manufacturing grid.
        cache: the build's cell cache.
    """
    shapes = bump_shapes(dims, grid_um=grid_um)
    on = layers.drawn()

    def build(**_: Any) -> gdstk.Cell:
        cell = gdstk.Cell("bump")
        for role, pts in shapes.items():
            cell.add(polygon(pts, on[role], grid_um=grid_um))
        return cell

    return cache.cell("bump", build, shape=dims.shape, open_um=dims.opening_um,
                      cap_um=dims.capture_um, ball_um=dims.ball_um, ubm_um=dims.ubm_um or 0.0,
                      sten_um=dims.stencil_um or 0.0)


def _shapes_to_polygons(geoms: Iterable[np.ndarray | shapely.Geometry], gds: tuple[int, int],
                        grid_um: float) -> list[gdstk.Polygon]:
    out = []
    for gm in geoms:
        rings = [gm] if isinstance(gm, np.ndarray) else geo.hole_free_rings(gm)
        out.extend(polygon(pts, gds, grid_um=grid_um) for pts in rings)
    return out


def assemble(*, name: str, die: Die, pads: Sequence[Pad], bumps: Bumps, rules: FamilyRules,
             layers: WlcspLayers, grid_um: float, cache: CellCache,
             rdl: Sequence[np.ndarray | shapely.Geometry] = ()) -> gdstk.Cell:
    """The top cell: frame, pad cells, bump arrays and a cell with the RDL traces.

    Args:
        name: the top cell's name (the design name).
        die: the die frame.
        pads: the bond pads.
        bumps: the bump sites and dimensions.
        rules: the family's rule values.
        layers: the layer roles.
        grid_um: the manufacturing grid.
        cache: the cell cache to build in (a wafer shares it between dies).
        rdl: trace and teardrop polygons (numpy arrays or shapely geometry) in the die frame.

    Returns:
        The top cell; every cell below it is reachable through it.
    """
    top = gdstk.Cell(name)
    top.add(gdstk.Reference(frame_cell(die, die_layer=layers.DIE, dicing_layer=layers.DICING,
                                       seal_layer=layers.SEAL, grid_um=grid_um, cache=cache),
                            (0.0, 0.0)))
    for pad in sorted(pads, key=lambda p: p.name):
        cell = pad_cell(pad, rules=rules, layers=layers, grid_um=grid_um, cache=cache)
        top.add(gdstk.Reference(cell, (pad.x_um, pad.y_um)))
    bump = bump_cell(bumps.dims, layers=layers, grid_um=grid_um, cache=cache)
    for x0, y0, cols, rows, px, py in array_runs(
            [(s.x_um, s.y_um) for s in bumps.sites], bumps.pitch_um, grid_um):
        add_array(top, bump, columns=cols, rows=rows, pitch_x_um=px, pitch_y_um=py,
                  origin=(x0, y0))
    polys = _shapes_to_polygons(rdl, layers.RDL.gds, grid_um)
    if polys:
        routes = gdstk.Cell(cell_name(f"{name}_rdl"))
        routes.add(*polys)
        top.add(gdstk.Reference(routes, (0.0, 0.0)))
    return top
