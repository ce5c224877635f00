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
from ...cells import CellCache, add_array, cell_name, polygon
from ...errors import WlpmaskError
from .rules import BumpDims, FamilyRules

if TYPE_CHECKING:  # pragma: no cover
    from ...design import Design
    from ...io.pads import Pad


def pad_shapes(pad: Pad, rules: FamilyRules) -> dict[str, np.ndarray]:
    """PAD, PI1 opening and RDL landing of a pad, relative to the pad centre (um).

    Rectangular pads give exact rectangles; other outlines are offset with mitred corners.
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


def _pad_cell(design: Design, pad: Pad, cache: CellCache) -> gdstk.Cell:
    shapes = pad_shapes(pad, design.rules)
    if pad.outline is None:
        params: dict[str, Any] = {"w_um": pad.w_um, "h_um": pad.h_um}
    else:
        params = {"outline": [tuple(p) for p in shapes["PAD"].round(6)]}

    def build(**_: Any) -> gdstk.Cell:
        cell = gdstk.Cell("pad")
        for role in ("PAD", "PI1", "RDL"):
            cell.add(polygon(shapes[role], design.gds(role), grid_um=design.tech.grid_um))
        return cell

    return cache.cell("pad", build, **params)


def bump_shapes(dims: BumpDims, *, grid_um: float) -> dict[str, np.ndarray]:
    """Shapes of one bump site centred at the origin, by layer role (um)."""
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


def _bump_cell(design: Design, cache: CellCache) -> gdstk.Cell:
    dims = design.bumps.dims
    shapes = bump_shapes(dims, grid_um=design.tech.grid_um)

    def build(**_: Any) -> gdstk.Cell:
        cell = gdstk.Cell("bump")
        for role, pts in shapes.items():
            cell.add(polygon(pts, design.gds(role), grid_um=design.tech.grid_um))
        return cell

    return cache.cell("bump", build, shape=dims.shape, open_um=dims.opening_um,
                      cap_um=dims.capture_um, ball_um=dims.ball_um, ubm_um=dims.ubm_um or 0.0,
                      sten_um=dims.stencil_um or 0.0)


def frame_shapes(design: Design) -> dict[str, list[np.ndarray]]:
    """Die boundary, half dicing lane and seal ring (four rectangles per band), in um."""
    die = design.die
    w, h = die.width_um, die.height_um
    out: dict[str, list[np.ndarray]] = {"DIE": [geo.box(0, 0, w, h)], "DICING": [], "SEAL": []}
    if die.dicing_lane_um > 0:
        out["DICING"] = geo.frame(outer=(0, 0, w, h), width_um=die.seal_outer_um)
    if die.seal_ring_um > 0:
        out["SEAL"] = geo.frame(outer=die.inset(die.seal_outer_um), width_um=die.seal_ring_um)
    return out


def _frame_cell(design: Design, cache: CellCache) -> gdstk.Cell:
    die = design.die

    def build(**_: Any) -> gdstk.Cell:
        cell = gdstk.Cell("frame")
        for role, polys in frame_shapes(design).items():
            for pts in polys:
                cell.add(polygon(pts, design.gds(role), grid_um=design.tech.grid_um))
        return cell

    return cache.cell("frame", build, w_um=die.width_um, h_um=die.height_um,
                      lane_um=die.dicing_lane_um, seal_um=die.seal_ring_um)


def _shapes_to_polygons(geoms: Iterable[np.ndarray | shapely.Geometry], gds: tuple[int, int],
                        grid_um: float) -> list[gdstk.Polygon]:
    out = []
    for gm in geoms:
        rings = [gm] if isinstance(gm, np.ndarray) else geo.hole_free_rings(gm)
        out.extend(polygon(pts, gds, grid_um=grid_um) for pts in rings)
    return out


def bump_runs(sites: Sequence[tuple[float, float]], pitch_um: float | None,
              grid_um: float) -> list[tuple[float, float, int, int, float, float]]:
    """Group bump centres into array references.

    Returns (x0, y0, columns, rows, pitch_x, pitch_y) tuples covering every site once: runs of
    equal pitch along each row, then equal runs stacked at a constant row step.
    """
    tol = grid_um / 2
    rows: dict[float, list[float]] = {}
    for x, y in sites:
        rows.setdefault(round(y / grid_um) * grid_um, []).append(x)
    runs: list[tuple[float, float, int]] = []
    for y in sorted(rows):
        xs = sorted(rows[y])
        start, n = xs[0], 1
        for prev, x in zip(xs[:-1], xs[1:], strict=False):
            if pitch_um is not None and abs(x - prev - pitch_um) <= tol:
                n += 1
            else:
                runs.append((start, y, n))
                start, n = x, 1
        runs.append((start, y, n))
    by_key: dict[tuple[float, int], list[float]] = {}
    for x0, y, n in runs:
        by_key.setdefault((round(x0 / grid_um) * grid_um, n), []).append(y)
    out = []
    for (x0, n), ys in sorted(by_key.items()):
        ys.sort()
        group = [ys[0]]
        for y in ys[1:]:
            if len(group) == 1 or abs((y - group[-1]) - (group[1] - group[0])) <= tol:
                group.append(y)
            else:
                out.append(_run(x0, group, n, pitch_um))
                group = [y]
        out.append(_run(x0, group, n, pitch_um))
    return sorted(out)


def _run(x0: float, ys: list[float], n: int, pitch: float | None):
    dy = ys[1] - ys[0] if len(ys) > 1 else 0.0
    return (x0, ys[0], n, len(ys), pitch if (n > 1 and pitch) else 0.0, dy)


def assemble(design: Design, *, rdl: Sequence[np.ndarray | shapely.Geometry] = ()) -> gdstk.Cell:
    """The top cell: frame, pad cells, bump arrays and a cell with the RDL traces.

    Args:
        design: the validated design.
        rdl: trace and teardrop polygons (numpy arrays or shapely geometry) in the die frame.

    Returns:
        The top cell named after the design; every cell below it is reachable through it.
    """
    cache = CellCache()
    top = gdstk.Cell(design.name)
    top.add(gdstk.Reference(_frame_cell(design, cache), (0.0, 0.0)))
    for pad in sorted(design.pads, key=lambda p: p.name):
        cell = _pad_cell(design, pad, cache)
        top.add(gdstk.Reference(cell, (pad.x_um, pad.y_um)))
    bump = _bump_cell(design, cache)
    for x0, y0, cols, rows, px, py in bump_runs(
            [(s.x_um, s.y_um) for s in design.bumps.sites], design.bumps.pitch_um,
            design.tech.grid_um):
        add_array(top, bump, columns=cols, rows=rows, pitch_x_um=px, pitch_y_um=py,
                  origin=(x0, y0))
    polys = _shapes_to_polygons(rdl, design.gds("RDL"), design.tech.grid_um)
    if polys:
        routes = gdstk.Cell(cell_name(f"{design.name}_rdl"))
        routes.add(*polys)
        top.add(gdstk.Reference(routes, (0.0, 0.0)))
    return top


def placed_cells(top: gdstk.Cell) -> list[gdstk.Cell]:
    """Top cell and every cell under it, sorted by name."""
    return sorted([top, *[c for c in top.dependencies(True) if isinstance(c, gdstk.Cell)]],
                  key=lambda c: c.name)

