"""One plate per mask: the wafer array of that layer, ready to write, outlined and labelled.

The data is biased, inverted where dark field and read the right way.

A plate is a 1x plate for contact or proximity printing: a square of glass (plate code, e.g.
5009) carrying the whole wafer. Its data (the file's only data layer: the mask layer's GDS
number, datatype 0) is the layer's die cell biased once (wafer.bias) and placed on every die
site by array reference, plus the mark site. The tone of the drawn data comes from the
technology: drawn openings ("clear") make a dark-field plate, drawn chrome ("dark") a clear
field. A dark-field plate is inverted inside its field (a square a little larger than the
wafer) unless the design says not to, so the data is then the chrome ("digitized data dark").
The data reads right with the chrome down (as seen on the wafer) unless the design asks for a
mirror (x -> -x: right-reading chrome-up). The label, outside the field, is never mirrored.

With `reticle_reduction` the plates are stepper reticles instead (6025 by default): the die
cell and the mark site, each biased and inverted inside its own box as above, magnified by the
reduction, the die image at the centre and the mark image below it; the stepper places the
die image on every die site and the mark image on every mark site (the job deck lists both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gdstk
import shapely

from ..cells import polygon
from ..designfile.wafer import FIELD_MARGIN_MM, LABEL_BAND_MM, Plate
from ..errors import WlpmaskError
from ..families.base import MaskStep, Product, Progress, quiet
from ..geometry import hole_free_rings, snap_geometry
from ..tech import Layer
from .bias import biased, layer_geometry, to_cell
from .layout import DOC_LAYERS, WaferPlan, die_refs

__all__ = ["PlateData", "field_box", "make_plates", "plate_file"]

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PlateData:
    """One plate and what its job-deck entry says.

    Args:
        mask: the mask step.
        file: the plate file, relative to the output directory.
        cell: the plate's top cell.
        data_gds: the (layer, datatype) of its data.
        field_tone: "dark" or "clear" (the plate's field).
        data_tone: what the data in the file is on the plate: "clear" or "dark" (chrome).
        inverted: the drawn data was inverted inside the field.
        field_um: the field box (plate frame, the wafer centre at the origin).
        label: the label's lines.
        plate: the plate.
        mirror: the data is mirrored (x -> -x).
        sites_um: where the mark site's origin lands, before the mirror: every mark site on a
            1x plate, the mark image on a reticle.
        scale: the magnification of the images (the reticle reduction; 1 for a 1x plate).
    """

    mask: MaskStep
    file: str
    cell: gdstk.Cell
    data_gds: tuple[int, int]
    field_tone: str
    data_tone: str
    inverted: bool
    field_um: Box
    label: tuple[str, ...]
    plate: Plate
    mirror: bool
    sites_um: tuple[tuple[float, float], ...] = ()
    scale: float = 1.0

    @property
    def reading(self) -> str:
        """The reading sense of the data."""
        return "right-reading chrome-up" if self.mirror else "right-reading chrome-down"

    def on_plate(self, x: float, y: float) -> tuple[float, float]:
        """Where a point of the content (the wafer frame on a 1x plate) lands (um).

        Args:
            x: um.
            y: um.
        """
        return (-x if self.mirror else x, y)

    def in_sites(self, x: float, y: float) -> list[list[float]]:
        """Where a point of the mark site lands on the plate, once per site image (um).

        Args:
            x: in the mark site's frame, um.
            y: in the mark site's frame, um.
        """
        return [list(self.on_plate(ox + x * self.scale, oy + y * self.scale))
                for ox, oy in self.sites_um]


def plate_file(mask: MaskStep) -> str:
    """The plate's file name, relative to the output directory.

    Args:
        mask: the mask step.
    """
    return f"masks/{mask.step:02d}_{mask.layer.name}.gds"


def field_box(plan: WaferPlan) -> Box:
    """The field: a square around the wafer, FIELD_MARGIN_MM beyond its edge (um).

    Args:
        plan: the wafer plan (its outline's radius).
    """
    h = plan.outline.radius_um + FIELD_MARGIN_MM * 1000.0
    return (-h, -h, h, h)


def _label_polys(lines: tuple[str, ...], field: Box, plate: Plate,
                 layer: tuple[int, int], grid_um: float) -> list[gdstk.Polygon]:
    """The label in polygon text, left-aligned below the field."""
    top = field[1]
    band = plate.size_mm * 500.0 + top
    size = min(1000.0, band / (1.6 * len(lines) + 1.0))
    out = []
    for k, text in enumerate(lines):
        y = top - size * (1.6 * k + 1.6)
        for p in gdstk.text(text, size, (field[0], y), layer=layer[0], datatype=layer[1]):
            out.append(polygon(p.points, layer, grid_um=grid_um))
    return out


def _field_rest(plan: WaferPlan) -> list:
    """The field less every die step and mark site: where a dark-field plate is all chrome."""
    boxes = plan.full.boxes
    steps = shapely.union_all(shapely.box(boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]))
    sites = shapely.union_all([shapely.box(*b) for b in plan.mark_boxes()])
    return shapely.box(*field_box(plan)).difference(steps).difference(sites)


def _wafer_content(plan: WaferPlan, die: gdstk.Cell, marks: gdstk.Cell, tag: str,
                   inverted: bool, data: tuple[int, int], grid_um: float):
    """A 1x plate's content: the die on every site, the mark sites, the chrome around them."""
    content = gdstk.Cell(f"{tag}_wafer")
    die_refs(content, die, plan.full, grid_um=grid_um)
    for x, y in plan.marks_um:
        content.add(gdstk.Reference(marks, (x, y)))
    if inverted:
        rest = snap_geometry(_field_rest(plan), grid_um)
        for ring in hole_free_rings(rest):
            content.add(gdstk.Polygon(ring, layer=data[0], datatype=data[1]))
    return content, field_box(plan), plan.marks_um, 1.0


def _reticle_content(plan: WaferPlan, die: gdstk.Cell, marks: gdstk.Cell, tag: str,
                     plate: Plate):
    """A reticle's content: the die image at the centre, the mark image below it."""
    r = float(plan.spec.reticle_reduction)
    w, h = plan.step_um
    x0, y0, x1, y1 = plan.site.box_um
    gap = FIELD_MARGIN_MM * 1000.0
    site = (0.0, -h * r / 2 - gap - y1 * r)
    content = gdstk.Cell(f"{tag}_reticle")
    content.add(gdstk.Reference(die, (-w * r / 2, -h * r / 2), magnification=r))
    content.add(gdstk.Reference(marks, site, magnification=r))
    field = (min(-w * r / 2, x0 * r), site[1] + y0 * r, max(w * r / 2, x1 * r), h * r / 2)
    reach = max(abs(v) for v in field) / 1000.0 + LABEL_BAND_MM
    if reach > plate.size_mm / 2:
        raise WlpmaskError(f"the {r:g}x die and mark images need a {2 * reach:g} mm plate; "
                           f"the {plate.code} plate is {plate.size_mm:g} mm",
                           file=plan.spec.source, key="wafer.reticle_reduction")
    return content, field, (site,), r


def _one_plate(plan: WaferPlan, product: Product, mask: MaskStep, plate: Plate, *,
               name: str, grid_um: float) -> PlateData:
    layer: Layer = mask.layer
    data = (layer.gds[0], 0)
    dark_field = layer.tone == "clear"
    inverted = dark_field and plan.spec.invert_dark_field
    tag = f"{name}_{mask.step:02d}_{layer.name}"
    w, h = plan.step_um
    die = to_cell(f"{tag}_die", biased(layer_geometry(product.stepped_cell, layer.gds,
                                                      grid_um=grid_um),
                                       layer.bias_um, grid_um=grid_um),
                  data, grid_um=grid_um, invert_in=(0.0, 0.0, w, h) if inverted else None)
    marks = to_cell(f"{tag}_marks", biased(layer_geometry(plan.site.cell, layer.gds,
                                                          grid_um=grid_um),
                                           layer.bias_um, grid_um=grid_um),
                    data, grid_um=grid_um, invert_in=plan.site.box_um if inverted else None)
    if plan.spec.reticle_reduction is None:
        content, field, sites, scale = _wafer_content(plan, die, marks, tag, inverted, data,
                                                      grid_um)
    else:
        content, field, sites, scale = _reticle_content(plan, die, marks, tag, plate)
    top = gdstk.Cell(f"PLATE_{mask.step:02d}_{layer.name}")
    if plan.spec.mirror:
        top.add(gdstk.Reference(content, (0, 0), rotation=math.pi, x_reflection=True))
        field = (-field[2], field[1], -field[0], field[3])
    else:
        top.add(gdstk.Reference(content, (0, 0)))
    data_tone = "dark" if inverted else layer.tone
    field_tone = "dark" if dark_field else "clear"
    kind = "" if scale == 1.0 and plan.spec.reticle_reduction is None else f" {scale:g}X"
    lines = (f"{name} {layer.name} STEP {mask.step}/{len(product.stepped_masks)}{kind}",
             f"DIGITIZED DATA {data_tone.upper()} {field_tone.upper()} FIELD "
             f"{'RR CHROME UP' if plan.spec.mirror else 'RR CHROME DOWN'}",
             f"REV {plan.spec.revision} {plan.spec.date}")
    half = plate.size_mm * 500.0
    top.add(polygon([(-half, -half), (half, -half), (half, half), (-half, half)],
                    DOC_LAYERS["plate"], grid_um=grid_um))
    top.add(polygon([(field[0], field[1]), (field[2], field[1]), (field[2], field[3]),
                     (field[0], field[3])], DOC_LAYERS["field"], grid_um=grid_um))
    top.add(*_label_polys(lines, field, plate, data, grid_um))
    return PlateData(mask, plate_file(mask), top, data, field_tone, data_tone, inverted, field,
                     lines, plate, plan.spec.mirror, tuple(sites), scale)


def make_plates(plan: WaferPlan, product: Product, *, name: str, grid_um: float,
                progress: Progress = quiet) -> list[PlateData]:
    """Every plate of the product's mask sequence.

    Args:
        plan: the wafer plan.
        product: what the family drew.
        name: the design name (cell names, labels).
        grid_um: the manufacturing grid.
        progress: where each plate is reported.
    """
    plate = plan.spec.plate
    out = []
    for k, mask in enumerate(product.stepped_masks):
        progress("plates", k, len(product.stepped_masks))
        out.append(_one_plate(plan, product, mask, plate, name=name, grid_um=grid_um))
    progress("plates", len(product.stepped_masks), len(product.stepped_masks))
    return out
