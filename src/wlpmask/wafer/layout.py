"""The wafer plan (which dies, which offset, where the marks go) and the wafer cell.

Dies are placed as array references of the die cell the family built (one per run of equal
rows), never as copies; the mark site is one cell placed at each site. The wafer outline and
its usable area are drawn on documentation layers that no technology uses (DOC_LAYERS).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import gdstk
import numpy as np

from ..cells import CellCache, add_array, array_runs, polygon
from ..designfile import WaferSpec
from ..errors import WlpmaskError
from ..families.base import Product
from ..tech import Technology
from .grid import DieSites, Outline, die_sites, outline_of, search_offset
from .marks import MarkPair, MarkSite, mark_pairs, mark_site

__all__ = ["DOC_LAYERS", "WaferPlan", "die_refs", "plan_wafer", "wafer_cell"]

# Documentation layers of wafer and plate files (layer 0 carries no design data): the wafer
# outline, the usable area, the plate outline and the plate's field.
DOC_LAYERS: Mapping[str, tuple[int, int]] = {"wafer": (0, 1), "usable": (0, 2), "plate": (0, 3),
                                             "field": (0, 4)}

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class WaferPlan:
    """Where everything goes on the wafer (um, wafer centre at the origin).

    Args:
        spec: the [wafer] section.
        outline: the wafer outline.
        step_um: the die step.
        offset_um: the centre of one full die relative to the wafer centre.
        candidates: the offsets tried with their die counts (empty when the offset is given).
        sites: the dies placed (full) and, with partial_dies = "map", the partial ones.
        pairs: the alignment pairs.
        site: the mark-site cell.
        marks_um: the centre of each mark site.
        keepout_um: the margin kept free of dies around a mark site.
    """

    spec: WaferSpec
    outline: Outline
    step_um: tuple[float, float]
    offset_um: tuple[float, float]
    candidates: list[dict]
    sites: DieSites
    pairs: list[MarkPair]
    site: MarkSite
    marks_um: tuple[tuple[float, float], ...]
    keepout_um: float

    @property
    def full(self) -> DieSites:
        """The full dies (those placed on the wafer)."""
        return self.sites.select(self.sites.full)

    def mark_boxes(self, margin_um: float = 0.0) -> list[Box]:
        """Each mark site's box grown by margin_um, wafer frame (um).

        Args:
            margin_um: how far to grow each box on every side, um.
        """
        x0, y0, x1, y1 = self.site.box_um
        m = margin_um
        return [(x + x0 - m, y + y0 - m, x + x1 + m, y + y1 + m) for x, y in self.marks_um]


def _keepout(tech: Technology, rules: Sequence[str], product: Product) -> float:
    """The margin around a mark site (um): the largest distance rule run.

    At least the dicing lane (and one grid step).
    """
    limits = [tech.rules[r].limit for r in rules if tech.rules[r].unit == "um"]
    return max([*limits, product.die.dicing_lane_um, tech.grid_um])


def _default_marks(outline: Outline, box: Box) -> tuple[tuple[float, float], ...]:
    """Two sites on the x axis, as far out as the usable area lets them."""
    half = math.hypot(max(-box[0], box[2]), max(-box[1], box[3]))
    x = outline.usable_radius_um - half
    if x <= half:
        raise WlpmaskError("the wafer is too small for two alignment-mark sites of "
                           f"{box[2] - box[0]:g} x {box[3] - box[1]:g} um")
    return ((-x, 0.0), (x, 0.0))


def plan_wafer(spec: WaferSpec, product: Product, *, tech: Technology, rules: Sequence[str],
               cache: CellCache) -> WaferPlan:
    """Plan the wafer of a product: mark sites, grid offset, dies.

    Args:
        spec: the [wafer] section.
        product: what the family drew (die, masks, roles).
        tech: the technology.
        rules: the rules the build runs (their largest distance keeps dies off the marks).
        cache: the build's cell cache.
    """
    outline = outline_of(spec)
    die = product.die
    step = (die.width_um, die.height_um)
    if max(step) > outline.usable_radius_um:
        raise WlpmaskError(f"a {step[0]:g} x {step[1]:g} um die does not fit the usable area "
                           f"of a {spec.diameter_mm:g} mm wafer", file=spec.source,
                           key="wafer.diameter_mm")
    pairs = mark_pairs(product.stepped_masks, product.roles, source=spec.source)
    site = mark_site(pairs, product.stepped_masks, tech=tech,
                     tolerance_um=spec.alignment_tolerance_um,
                     name=f"{product.stepped_cell.name}_marks", cache=cache)
    if not product.stepped_masks:
        marks: tuple[tuple[float, float], ...] = ()  # no plate, nothing to align
    elif spec.marks_mm is None:
        marks = _default_marks(outline, site.box_um)
    else:
        marks = tuple((x * 1000.0, y * 1000.0) for x, y in spec.marks_mm)
    keep = _keepout(tech, rules, product)
    x0, y0, x1, y1 = site.box_um
    boxes = [(x + x0, y + y0, x + x1, y + y1) for x, y in marks]
    if boxes and not outline.full(np.array(boxes)).all():
        raise WlpmaskError("an alignment-mark site leaves the usable area of the wafer",
                           file=spec.source, key="wafer.marks_mm")
    grown = [(a - keep, b - keep, c + keep, d + keep) for a, b, c, d in boxes]
    if spec.offset_um is None:
        offset, candidates = search_offset(outline, step, keepouts=grown)
    else:
        offset, candidates = spec.offset_um, []
    sites = die_sites(outline, step, offset, keepouts=grown,
                      partial=spec.partial_dies == "map")
    if sites.count == 0:
        raise WlpmaskError("no full die fits the wafer", file=spec.source, key="wafer")
    return WaferPlan(spec, outline, step, offset, candidates, sites, pairs, site, marks, keep)


def die_refs(parent: gdstk.Cell, cell: gdstk.Cell, sites: DieSites, *, grid_um: float) -> int:
    """Place a die cell (origin at its lower-left corner) on every site as array references.

    Args:
        parent: the cell that receives the references.
        cell: the die cell.
        sites: the die sites (their centres).
        grid_um: the manufacturing grid.

    Returns:
        The number of references added.
    """
    sx, sy = sites.step_um
    origins = sites.centres - [sx / 2, sy / 2]
    runs = array_runs([tuple(p) for p in origins.tolist()], sx, grid_um)
    for x0, y0, cols, rows, px, py in runs:
        add_array(parent, cell, columns=cols, rows=rows, pitch_x_um=px, pitch_y_um=py,
                  origin=(x0, y0))
    return len(runs)


def doc_polygons(plan: WaferPlan, *, grid_um: float) -> list[gdstk.Polygon]:
    """The wafer outline and its usable area on the documentation layers.

    Args:
        plan: the wafer plan.
        grid_um: the manufacturing grid.
    """
    return [polygon(plan.outline.polygon(), DOC_LAYERS["wafer"], grid_um=grid_um),
            polygon(plan.outline.polygon(usable=True), DOC_LAYERS["usable"], grid_um=grid_um)]


def wafer_cell(plan: WaferPlan, die: gdstk.Cell, *, name: str, grid_um: float) -> gdstk.Cell:
    """The whole wafer: the die cell on every full site, the mark sites, the outline.

    Args:
        plan: the wafer plan.
        die: the die cell (every layer).
        name: the wafer cell's name.
        grid_um: the manufacturing grid.
    """
    top = gdstk.Cell(name)
    die_refs(top, die, plan.full, grid_um=grid_um)
    for x, y in plan.marks_um:
        top.add(gdstk.Reference(plan.site.cell, (x, y)))
    top.add(*doc_polygons(plan, grid_um=grid_um))
    return top
