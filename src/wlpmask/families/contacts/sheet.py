"""The breakaway-tab spring sheet (DOMAIN.md 6 and 10): artwork, coatings and the two plates.

Each spring, drawn with its bonded end on its contact area and pointing along an axis: the end
(its metal reaching beyond the contact area so that, rounded with the outer radius, it keeps
the etch tolerance), a body of the contact's width and of the spring length, and a neck across
the slot that holds it to the sheet: the breaking point. The slot around end and body is etched
through from both sides; the neck carries a half-etched notch (top side only), a solderable
coating, and the body's middle third is soft-annealed. The slot is drawn square-cornered, then
rounded by a closing with the metal's outer radius and an opening with its inner radius (each
5 % above the rule), so every corner keeps its radius; the neck and the body must therefore be
wider than twice the outer radius, the slot wider than twice the inner one.

Plates (photo-etching works from both sides through two aligned phototools): the top plate
carries the through-etched slots and the half-etched notches as seen from the top; the bottom
plate the slots only, mirrored about the sheet's vertical centre line (x -> 2 x_c - x) so it
reads right when seen from the bottom side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import gdstk
import numpy as np
import shapely

from ... import geometry as geo
from ...cells import CellCache
from ...errors import WlpmaskError
from .cells import group_by, place_groups, rotate, shapes_cell
from .design import ContactsDesign
from .lean import Placement

__all__ = ["ROUND_MARGIN", "SheetCells", "assemble_sheet", "sheet_dims", "sheet_record",
           "spring_artwork"]

# The drawn radii exceed the rules' by this factor: the DRC's tolerance stays clear.
ROUND_MARGIN = 1.05
QUAD_SEGS = 16
# Where two arcs of the buffers meet they may leave a zigzag of a few nm (an exact width check
# sees its reversed edge as a notch); vertices closer than this many grid steps to the one
# before are dropped: the arcs' chords are microns long, and the outline moves far less than
# the radius rules' tolerance (0.5 % of the radius).
SEAM_GRIDS = 100


def _without_seams(geom, min_edge_um: float):
    """The polygon without vertices closer than min_edge_um to the previous one kept."""
    def ring(coords) -> np.ndarray:
        pts = np.asarray(coords)[:-1]
        keep = [pts[0]]
        for p in pts[1:]:
            if math.dist(p, keep[-1]) >= min_edge_um:
                keep.append(p)
        if len(keep) > 3 and math.dist(keep[-1], keep[0]) < min_edge_um:
            keep.pop()
        return np.array(keep)

    parts = [shapely.Polygon(ring(p.exterior.coords), [ring(h.coords) for h in p.interiors])
             for p in geo.polygon_parts(geom)]
    return shapely.union_all(parts)


@dataclass(frozen=True)
class SheetDims:
    """The drawn sizes of a sheet spring (um), from T and the technology's ratios."""

    thickness_um: float
    slot_um: float
    neck_um: float
    notch_um: float
    notch_depth_um: float
    end_margin_um: float
    outer_r_um: float
    inner_r_um: float


def sheet_dims(part: ContactsDesign, *, inner_rule_um: float, outer_rule_um: float,
               slot_rule_um: float) -> SheetDims:
    """The sheet's drawn sizes.

    Args:
        part: the design (its technology's sheet).
        inner_rule_um: the rule on the metal's inner corners (0.75 T).
        outer_rule_um: the rule on the metal's outer corners (1 T).
        slot_rule_um: the slot's width rule (1.1 T): a slot's rounded end of radius r has
            edges a quarter turn apart 2 r sin(45 deg) from each other, which a euclidian
            width check measures, so its radius is at least the rule over sqrt(2) too.
    """
    s = part.process.sheet
    t = s.thickness_um
    r_out = ROUND_MARGIN * outer_rule_um
    r_in = ROUND_MARGIN * max(inner_rule_um, slot_rule_um / math.sqrt(2))
    sep = part.limits.end_to_slot_um
    # the end's metal, its corners rounded with r_out, still keeps the etch tolerance from the
    # contact area's corner: sqrt(2) m - (sqrt(2) - 1) r_out >= sep (plus 5 % T)
    margin = geo.ceil_value((sep + r_out * (math.sqrt(2) - 1)) / math.sqrt(2) + 0.05 * t, 1.0)
    return SheetDims(t, s.slot_ratio * t, s.neck_ratio * t, s.notch_width_ratio * t,
                     s.notch_depth_ratio * t, margin, r_out, r_in)


def spring_artwork(*, along_um: float, across_um: float, spring_um: float, dims: SheetDims,
                   az_deg: float, grid_um: float) -> dict[str, list[np.ndarray]]:
    """One sheet spring with its end centred at the origin, pointing along an axis.

    Args:
        along_um: the contact area's extent along the spring.
        across_um: its extent across (the spring's width).
        spring_um: the spring length from the end's edge to the neck.
        dims: the sheet's drawn sizes.
        az_deg: the direction, an axis.
        grid_um: the grid.

    Returns:
        role -> polygons (um): SHEET_SLOT, SHEET_HALF, SHEET_END, SHEET_SOLDER, SHEET_ANNEAL.
    """
    a, b, d = along_um / 2, across_um / 2, dims
    e = d.end_margin_um
    xn = a + spring_um
    # drawn square-cornered first; the closing then rounds every concave corner of the slot
    # (the metal's outer corners, the end's included) and the opening every convex one
    metal = shapely.box(-a - e, -b - e, a + e, b + e).union(shapely.box(0.0, -b, xn, b))
    neck_w = min(d.neck_um, 2 * b)
    neck = shapely.box(xn - grid_um, -neck_w / 2, xn + d.slot_um + grid_um, neck_w / 2)
    ring = metal.buffer(d.slot_um, join_style="mitre").difference(metal).difference(neck)
    closed = ring.buffer(d.outer_r_um, quad_segs=QUAD_SEGS).buffer(-d.outer_r_um,
                                                                    quad_segs=QUAD_SEGS)
    slot = closed.buffer(-d.inner_r_um, quad_segs=QUAD_SEGS).buffer(d.inner_r_um,
                                                                     quad_segs=QUAD_SEGS)
    slot = _without_seams(slot, SEAM_GRIDS * grid_um)
    xc = xn + d.slot_um / 2
    out = {
        "SHEET_SLOT": geo.hole_free_rings(slot),
        "SHEET_HALF": [geo.box(xc - d.notch_um / 2, -neck_w / 2 - d.slot_um / 2,
                               xc + d.notch_um / 2, neck_w / 2 + d.slot_um / 2)],
        "SHEET_END": [geo.box(-a, -b, a, b)],
        "SHEET_SOLDER": [geo.box(xn, -neck_w / 2, xn + d.slot_um, neck_w / 2)],
        "SHEET_ANNEAL": [geo.box(a + spring_um / 3, -b, a + 2 * spring_um / 3, b)],
    }
    return {k: [geo.snap(rotate(np.asarray(p), az_deg), grid_um) for p in v]
            for k, v in out.items()}


def _pick(art: dict[str, list[np.ndarray]], roles: Sequence[str]):
    """A shapes generator (cells.shapes_cell) giving some roles of a drawn artwork."""
    return lambda **_: {r: art[r] for r in roles}


@dataclass(frozen=True)
class SheetCells:
    """The sheet build's cells.

    Args:
        top: the design's top cell (overlay, artwork, coatings, outline).
        top_plate: the top phototool: slots and notches as seen from the top.
        bottom_plate: the bottom phototool: slots, mirrored about x = mirror_x_um.
        mirror_x_um: the sheet's vertical centre line.
    """

    top: gdstk.Cell
    top_plate: gdstk.Cell
    bottom_plate: gdstk.Cell
    mirror_x_um: float


def assemble_sheet(part: ContactsDesign, placements: Sequence[Placement], *, spring_um: float,
                   dims: SheetDims, outline: gdstk.Cell, overlay: dict,
                   cache: CellCache) -> SheetCells:
    """The sheet's top cell and its two plates.

    Args:
        part: the design.
        placements: one per contact (axis directions).
        spring_um: the springs' length.
        dims: the sheet's drawn sizes.
        outline: the substrate outline with the sheet blank.
        overlay: cell name -> (contact overlay cell, sites).
        cache: the build's cell cache.
    """
    g, drawn = part.limits.grid_um, part.layers.drawn()
    roles = {"through": ("SHEET_SLOT",), "half": ("SHEET_HALF",),
             "coat": ("SHEET_END", "SHEET_SOLDER", "SHEET_ANNEAL")}
    parts: dict[str, list] = {k: [] for k in roles}
    drawn_art: dict[tuple, dict] = {}  # springs of one size and direction share their artwork
    for pl in placements:
        pad = pl.pad
        along_x = pl.free_az_deg % 180 == 0
        along, across = (pad.w_um, pad.h_um) if along_x else (pad.h_um, pad.w_um)
        if across < 2 * ROUND_MARGIN * dims.outer_r_um:
            raise WlpmaskError(
                f"contact {pad.name!r} ({pad.w_um:g} x {pad.h_um:g} um) is too narrow for a "
                f"sheet spring: its width must exceed twice the metal's outer radius "
                f"({2 * ROUND_MARGIN * dims.outer_r_um:g} um at T = {dims.thickness_um:g} um)",
                file=part.areas.origins[pad.name][0], key=part.areas.origins[pad.name][1])
        key_art = (along, across, pl.free_az_deg)
        if key_art not in drawn_art:
            drawn_art[key_art] = spring_artwork(along_um=along, across_um=across,
                                                spring_um=spring_um, dims=dims,
                                                az_deg=pl.free_az_deg, grid_um=g)
        art = drawn_art[key_art]
        params = dict(along_um=along, across_um=across, spring_um=spring_um,
                      az_deg=pl.free_az_deg, t_um=dims.thickness_um, slot_um=dims.slot_um,
                      neck_um=dims.neck_um, notch_um=dims.notch_um)
        for key, rs in roles.items():
            cell = shapes_cell(f"sheet_{key}", _pick(art, rs), drawn, grid_um=g, cache=cache,
                               **params)
            parts[key].append((cell, (pad.x_um, pad.y_um)))
    layer_cells = {}
    for key in roles:
        cell = gdstk.Cell(f"{part.name}_sheet_{key}")
        place_groups(cell, group_by(parts[key]), part.areas.pitch_um, g)
        layer_cells[key] = cell
    top = gdstk.Cell(part.name)
    top.add(gdstk.Reference(outline, (0.0, 0.0)))
    place_groups(top, overlay, part.areas.pitch_um, g)
    for key in roles:
        top.add(gdstk.Reference(layer_cells[key], (0.0, 0.0)))
    xc = part.die.width_um / 2
    top_plate = gdstk.Cell(f"{part.name}_plate_top")
    bottom = gdstk.Cell(f"{part.name}_plate_bottom")
    top_plate.add(gdstk.Reference(layer_cells["through"], (0.0, 0.0)),
                  gdstk.Reference(layer_cells["half"], (0.0, 0.0)))
    # x -> 2 xc - x: reflect about the x axis, then turn by 180 degrees, then shift
    bottom.add(gdstk.Reference(layer_cells["through"], (2 * xc, 0.0), rotation=math.pi,
                               x_reflection=True))
    return SheetCells(top, top_plate, bottom, xc)


def sheet_record(part: ContactsDesign, dims: SheetDims, cells: SheetCells, *, spring_um: float,
                 files: tuple[str, str]) -> dict:
    """The manifest's `sheet` record: drawn sizes, and each plate with its mirroring.

    Args:
        part: the design.
        dims: the drawn sizes.
        cells: the sheet's cells.
        spring_um: the springs' length.
        files: the (top, bottom) plate files.
    """
    L = part.layers  # noqa: N806 - the role map
    return {
        "thickness_um": dims.thickness_um, "slot_um": dims.slot_um, "neck_um": dims.neck_um,
        "notch_width_um": dims.notch_um, "notch_depth_um": dims.notch_depth_um,
        "end_margin_um": dims.end_margin_um, "spring_length_um": spring_um,
        "frame_um": part.process.sheet.frame_um,
        "plates": {
            "top": {"file": files[0], "cell": cells.top_plate.name,
                    "layers": [L.SHEET_SLOT.name, L.SHEET_HALF.name],
                    "mirrored": False, "mirror": "none: as seen from the top side"},
            "bottom": {"file": files[1], "cell": cells.bottom_plate.name,
                       "layers": [L.SHEET_SLOT.name], "mirrored": True,
                       "mirror": "x -> 2 x_c - x about the sheet's vertical centre line x_c, "
                                 "as seen from the bottom side",
                       "mirror_axis_x_um": cells.mirror_x_um}}}
