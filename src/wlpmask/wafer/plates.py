"""One plate per mask: the wafer array of that layer, biased, inverted where dark field, read
the right way, with its outline and label.

A plate is a 1x plate for contact or proximity printing: a square of glass (plate code, e.g.
5009) carrying the whole wafer. Its data (the file's only data layer: the mask layer's GDS
number, datatype 0) is the layer's die cell biased once (wafer.bias) and placed on every die
site by array reference, plus the mark site. The tone of the drawn data comes from the
technology: drawn openings ("clear") make a dark-field plate, drawn chrome ("dark") a clear
field. A dark-field plate is inverted inside its field (a square a little larger than the
wafer) unless the design says not to, so the data is then the chrome ("digitized data dark").
The data reads right with the chrome down (as seen on the wafer) unless the design asks for a
mirror (x -> -x: right-reading chrome-up). The label, outside the field, is never mirrored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gdstk
import shapely

from ..cells import polygon
from ..designfile.wafer import FIELD_MARGIN_MM, Plate
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

    @property
    def reading(self) -> str:
        """The reading sense of the data."""
        return "right-reading chrome-up" if self.mirror else "right-reading chrome-down"

    def on_plate(self, x: float, y: float) -> tuple[float, float]:
        """A wafer-frame point where it lands on the plate (um)."""
        return (-x if self.mirror else x, y)


def plate_file(mask: MaskStep) -> str:
    """The plate's file name, relative to the output directory.

    Args:
        mask: the mask step.
    """
    return f"masks/{mask.step:02d}_{mask.layer.name}.gds"


def field_box(plan: WaferPlan) -> Box:
    """The field: a square around the wafer, FIELD_MARGIN_MM beyond its edge."""
    h = plan.outline.radius_um + FIELD_MARGIN_MM * 1000.0
    return (-h, -h, h, h)


def _label_polys(lines: tuple[str, ...], plan: WaferPlan, plate: Plate,
                 layer: tuple[int, int], grid_um: float) -> list[gdstk.Polygon]:
    """The label in polygon text, left-aligned below the field."""
    top = field_box(plan)[1]
    band = plate.size_mm * 500.0 + top
    size = min(1000.0, band / (1.6 * len(lines) + 1.0))
    out = []
    for k, text in enumerate(lines):
        y = top - size * (1.6 * k + 1.6)
        for p in gdstk.text(text, size, (field_box(plan)[0], y), layer=layer[0],
                            datatype=layer[1]):
            out.append(polygon(p.points, layer, grid_um=grid_um))
    return out


def _field_rest(plan: WaferPlan) -> list:
    """The field less every die step and mark site: where a dark-field plate is all chrome."""
    boxes = plan.full.boxes
    steps = shapely.union_all(shapely.box(boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]))
    sites = shapely.union_all([shapely.box(*b) for b in plan.mark_boxes()])
    return shapely.box(*field_box(plan)).difference(steps).difference(sites)


def _one_plate(plan: WaferPlan, product: Product, mask: MaskStep, plate: Plate, *,
               name: str, grid_um: float) -> PlateData:
    layer: Layer = mask.layer
    data = (layer.gds[0], 0)
    dark_field = layer.tone == "clear"
    inverted = dark_field and plan.spec.invert_dark_field
    tag = f"{name}_{mask.step:02d}_{layer.name}"
    w, h = plan.step_um
    die = to_cell(f"{tag}_die", biased(layer_geometry(product.top, layer.gds, grid_um=grid_um),
                                       layer.bias_um, grid_um=grid_um),
                  data, grid_um=grid_um, invert_in=(0.0, 0.0, w, h) if inverted else None)
    marks = to_cell(f"{tag}_marks", biased(layer_geometry(plan.site.cell, layer.gds,
                                                          grid_um=grid_um),
                                           layer.bias_um, grid_um=grid_um),
                    data, grid_um=grid_um, invert_in=plan.site.box_um if inverted else None)
    content = gdstk.Cell(f"{tag}_wafer")
    die_refs(content, die, plan.full, grid_um=grid_um)
    for x, y in plan.marks_um:
        content.add(gdstk.Reference(marks, (x, y)))
    if inverted:
        rest = snap_geometry(_field_rest(plan), grid_um)
        for ring in hole_free_rings(rest):
            content.add(gdstk.Polygon(ring, layer=data[0], datatype=data[1]))
    top = gdstk.Cell(f"PLATE_{mask.step:02d}_{layer.name}")
    if plan.spec.mirror:
        top.add(gdstk.Reference(content, (0, 0), rotation=math.pi, x_reflection=True))
    else:
        top.add(gdstk.Reference(content, (0, 0)))
    data_tone = "dark" if inverted else layer.tone
    field_tone = "dark" if dark_field else "clear"
    lines = (f"{name} {layer.name} STEP {mask.step}/{len(product.masks)}",
             f"DIGITIZED DATA {data_tone.upper()} {field_tone.upper()} FIELD "
             f"{'RR CHROME UP' if plan.spec.mirror else 'RR CHROME DOWN'}",
             f"REV {plan.spec.revision} {plan.spec.date}")
    half = plate.size_mm * 500.0
    top.add(polygon([(-half, -half), (half, -half), (half, half), (-half, half)],
                    DOC_LAYERS["plate"], grid_um=grid_um))
    fb = field_box(plan)
    top.add(polygon([(fb[0], fb[1]), (fb[2], fb[1]), (fb[2], fb[3]), (fb[0], fb[3])],
                    DOC_LAYERS["field"], grid_um=grid_um))
    top.add(*_label_polys(lines, plan, plate, data, grid_um))
    return PlateData(mask, plate_file(mask), top, data, field_tone, data_tone, inverted, fb,
                     lines, plate, plan.spec.mirror)


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
    for k, mask in enumerate(product.masks):
        progress("plates", k, len(product.masks))
        out.append(_one_plate(plan, product, mask, plate, name=name, grid_um=grid_um))
    progress("plates", len(product.masks), len(product.masks))
    return out
