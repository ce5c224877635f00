"""Assembly of a grown build: substrate, contact areas, pins and leaf springs under one top cell.

The substrate cell carries the die frame (or a wafer's round outline), the seed layer's extent
and the potting area; contact, pin and leaf-spring cells are placed over the contacts' grid
(cells.py). Everything is relative to the substrate frame (um).
"""

from __future__ import annotations

from collections.abc import Sequence

import gdstk
import numpy as np

from ... import geometry as geo
from ...cells import CellCache, polygon
from ...designfile import Die
from ...frame import frame_cell
from .cells import (
    axis_toward,
    contact_shapes,
    group_by,
    pin_shapes,
    place_groups,
    shapes_cell,
    spring_shapes,
)
from .design import ContactsDesign
from .lean import Placement, unit
from .rules import ContactLayers

__all__ = ["WAFER_VERTICES", "assemble_grown", "outline_cell", "stub_axis"]

# A wafer outline drawn as a polygon: fine enough that a contact inside the edge exclusion
# never meets a chord.
WAFER_VERTICES = 360


def stub_axis(part: ContactsDesign, x_um: float, y_um: float) -> float | None:
    """The axis of a contact's interconnect (None: not drawn).

    Args:
        part: the design.
        x_um: the contact centre's x.
        y_um: the contact centre's y.
    """
    ic = part.interconnect
    if ic.length_um <= 0:
        return None
    fixed = {"+x": 0.0, "+y": 90.0, "-x": 180.0, "-y": 270.0}
    if ic.direction in fixed:
        return fixed[ic.direction]
    nx, ny = part.neutral_point_um
    sign = -1.0 if ic.direction == "inward" else 1.0
    return axis_toward(sign * (x_um - nx), sign * (y_um - ny))


def outline_cell(die: Die, wafer: bool, layers: ContactLayers, *, extra: dict[str, list],
                 grid_um: float, cache: CellCache) -> gdstk.Cell:
    """The substrate's outline (die frame or wafer circle) with further shapes by role.

    Args:
        die: the substrate frame.
        wafer: draw a round wafer outline instead of the die frame.
        layers: the layer roles.
        extra: role -> polygons (um) in the substrate frame (seed, potting, sheet blank).
        grid_um: the grid.
        cache: the build's cell cache.
    """
    top = gdstk.Cell("substrate")
    if wafer:
        top.add(polygon(geo.regular_polygon(diameter_um=die.width_um, vertices=WAFER_VERTICES,
                                            center=(die.width_um / 2, die.height_um / 2),
                                            grid_um=grid_um), layers.DIE, grid_um=grid_um))
    else:
        top.add(gdstk.Reference(frame_cell(die, die_layer=layers.DIE,
                                           dicing_layer=layers.DICING, seal_layer=layers.SEAL,
                                           grid_um=grid_um, cache=cache), (0.0, 0.0)))
    drawn = layers.drawn()
    for role in sorted(extra):
        for pts in extra[role]:
            top.add(polygon(pts, drawn[role], grid_um=grid_um))
    return top


def _inner(part: ContactsDesign) -> np.ndarray:
    """Inside the seal ring (or the wafer's edge exclusion)."""
    die, g = part.die, part.limits.grid_um
    if part.wafer:
        return geo.regular_polygon(diameter_um=die.width_um - 2 * die.seal_inner_um,
                                   vertices=WAFER_VERTICES,
                                   center=(die.width_um / 2, die.height_um / 2), grid_um=g)
    return geo.box(*die.inset(die.seal_inner_um))


def _potting(part: ContactsDesign) -> list[np.ndarray]:
    if part.potting_um is None:
        return []
    b = geo.bbox([p.polygon() for p in part.pads])
    m = part.potting_um
    x0, y0, x1, y1 = part.die.inset(part.die.seal_inner_um)
    return [geo.box(max(b[0] - m, x0), max(b[1] - m, y0), min(b[2] + m, x1),
                    min(b[3] + m, y1))]


def _pin_cell(part: ContactsDesign, pl: Placement, cache: CellCache) -> gdstk.Cell:
    e, g = part.exposure, part.limits.grid_um
    fx, fy = unit(pl.free_az_deg)
    # the opening lies against the beam from the foot, i.e. towards the free end; the top of
    # the column lies g tan(tilt) on along the beam from the opening
    ox, oy = pl.offset_um * fx, pl.offset_um * fy
    tx, ty = ox - e.top_shift_um * fx, oy - e.top_shift_um * fy
    d = part.pin_diameter_um
    head = (part.heads.diameter_um or d) if part.heads.enabled else None
    unc = head + 2 * (part.limits.uncover_encloses_head_um + g) if head and \
        part.potting_um is not None else None
    return shapes_cell("pin", pin_shapes, part.layers.drawn(), grid_um=g, cache=cache,
                       diameter_um=d, shape=part.pin_shape, opening_um=(ox, oy),
                       top_um=(tx, ty), head_um=head, uncover_um=unc)


def _spring_cell(part: ContactsDesign, pl: Placement, free_um: float,
                 cache: CellCache) -> gdstk.Cell:
    g, p = part.limits.grid_um, part.process
    along_x = pl.free_az_deg % 180 == 0
    along, across = (pl.pad.w_um, pl.pad.h_um) if along_x else (pl.pad.h_um, pl.pad.w_um)
    film = p.spring.thickness_um
    head = part.heads.enabled
    unc = 3 * film + 2 * (part.limits.uncover_encloses_head_um + g) if head and \
        part.potting_um is not None else None
    return shapes_cell("spring", spring_shapes, part.layers.drawn(), grid_um=g, cache=cache,
                       along_um=along, across_um=across, az_deg=pl.free_az_deg,
                       free_length_um=free_um, film_um=film, taper_ratio=p.taper_ratio,
                       release_gap_um=part.limits.release_to_anchor_um,
                       release_margin_um=p.release_margin_um, head=head, uncover_um=unc)


def assemble_grown(part: ContactsDesign, placements: Sequence[Placement], *,
                   free_length_um: float | None, cache: CellCache) -> gdstk.Cell:
    """The top cell of a grown build.

    Args:
        part: the design.
        placements: one per contact, in the contacts' order.
        free_length_um: the leaf springs' free length (None: no leaf springs).
        cache: the cell cache to build in.
    """
    g, L = part.limits.grid_um, part.layers  # noqa: N806 - the role map
    top = gdstk.Cell(part.name)
    extra: dict[str, list] = {}
    if L.SEED is not None:
        extra["SEED"] = [_inner(part)]
    if L.POTTING is not None:
        extra["POTTING"] = _potting(part)
    top.add(gdstk.Reference(outline_cell(part.die, part.wafer, L, extra=extra, grid_um=g,
                                         cache=cache), (0.0, 0.0)))
    ic, e = part.interconnect, part.limits.contact_encloses_window_um
    contacts, elements = [], []
    # contacts of one size and interconnect, and elements of one kind, size and direction,
    # share a cell: look each up once
    seen: dict[tuple, gdstk.Cell] = {}
    for pl in placements:
        pad = pl.pad
        stub = stub_axis(part, pad.x_um, pad.y_um)
        key = ("contact", pad.w_um, pad.h_um, stub)
        if key not in seen:
            seen[key] = shapes_cell("contact", contact_shapes, L.drawn(), grid_um=g,
                                    cache=cache, w_um=pad.w_um, h_um=pad.h_um,
                                    stub_az_deg=stub, stub_length_um=ic.length_um,
                                    stub_width_um=ic.width_um, window_inset_um=e)
        contacts.append((seen[key], (pad.x_um, pad.y_um)))
        key = (pl.element, pad.w_um, pad.h_um, pl.free_az_deg, pl.offset_um)
        if key not in seen:
            seen[key] = _pin_cell(part, pl, cache) if pl.element == "pin" else \
                _spring_cell(part, pl, free_length_um, cache)
        elements.append((seen[key], (pad.x_um, pad.y_um)))
    place_groups(top, group_by(contacts), part.areas.pitch_um, g)
    place_groups(top, group_by(elements), part.areas.pitch_um, g)
    return top
