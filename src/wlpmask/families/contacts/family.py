"""The contacts family object the build driver calls: load, generate, checks, manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gdstk

from ... import geometry as geo
from ...cells import CellCache, drawn_layers
from ...checks import ProcessCheck
from ...designfile import DesignDoc
from ...frame import frame_cell
from ...tech import Technology
from ..base import Product, Progress, Shapes, corner_detail, mask_steps, quiet
from . import design as design_mod
from .cells import contact_shapes, group_by, place_groups, shapes_cell
from .checks import run_checks
from .design import ContactsDesign
from .grown import assemble_grown, outline_cell
from .manifest import contact_map, family_keys
from .plan import Plan, make_plan
from .rules import PREVIEW_ORDER, rule_limit
from .sheet import assemble_sheet, sheet_dims, sheet_record

# The masks of each flow in the order they are used, with what each does.
GROWN_FLOW = (("CONTACT", "patterned conductor: interconnects and contact areas"),
              ("PASSIVATION", "passivation windows over the contact areas"),
              ("SPRING", "leaf-spring outlines in the stress-graded film"),
              ("RELEASE", "release windows under the springs' free parts"),
              ("MOULD", "plating mould openings, exposed at an angle"),
              ("HEAD", "contact heads on the free ends"))
SHEET_FLOW = (("SHEET_SLOT", "slots etched through the sheet: top plate and (mirrored) bottom "
               "plate"),
              ("SHEET_HALF", "half-etched notches at the breaking points: top plate only"),
              ("SHEET_END", "Ni/Au coating of the bonded ends"),
              ("SHEET_SOLDER", "solderable coating at the breaking points"))


@dataclass
class ContactsReport:
    """What the build made.

    Args:
        plan: every element's place, direction and length.
        lines: the build's summary lines.
        sheet: a sheet build's record for the manifest (None: not a sheet).
    """

    plan: Plan
    lines: list[str] = field(default_factory=list)
    sheet: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """Always: every contact gets its element (the checks judge them)."""
        return True

    def summary_lines(self) -> list[str]:
        """What was made, one line per element kind."""
        return list(self.lines)

    def problem_lines(self) -> list[str]:
        """Nothing is left out of a build."""
        return []


def _summary(part: ContactsDesign, plan: Plan) -> list[str]:
    out = []
    e, lean = part.exposure, part.lean
    if plan.count("pin"):
        way = (f"radial {lean.free_end} in {lean.sectors} exposures" if lean.policy == "radial"
               else f"free ends to {lean.azimuth_deg:g} deg")
        out.append(f"{plan.count('pin')} pins: {e.medium} at {e.tilt_deg:.2f} deg -> "
                   f"{e.angle_deg:.2f} deg in the resist, opening offset {e.offset_um:.2f} um, "
                   f"length {e.length_um:.2f} um; {way}")
    if plan.free_um is not None:
        out.append(f"{plan.count('leaf_spring')} leaf springs, free length {plan.free_um:g} um")
    if plan.sheet_um is not None:
        out.append(f"{plan.count('sheet_spring')} sheet springs, length {plan.sheet_um:g} um; "
                   "top and bottom plates")
    return out


def _contact_overlay(part: ContactsDesign, cache: CellCache) -> dict:
    """The contact areas alone, as the overlay a sheet must match."""
    g, drawn = part.limits.grid_um, part.layers.drawn()
    items = []
    for pad in part.pads:
        cell = shapes_cell("contact", contact_shapes, drawn, grid_um=g, cache=cache,
                           w_um=pad.w_um, h_um=pad.h_um, stub_az_deg=None, stub_length_um=0.0,
                           stub_width_um=0.0, window_inset_um=None)
        items.append((cell, (pad.x_um, pad.y_um)))
    return group_by(items)


class Contacts:
    """Micro contact elements: angled-exposure pins, leaf springs, the breakaway-tab sheet."""

    name = "contacts"
    summary = ("micro contact elements on contact areas: pins plated in an angled-exposure "
               "mould, leaf springs, or a breakaway-tab spring sheet with top and bottom plates")
    sections = design_mod.SECTIONS

    def load(self, doc: DesignDoc) -> ContactsDesign:
        """The contacts part of a design file.

        Args:
            doc: the design file with its header and technology.
        """
        return design_mod.load(doc)

    def generate(self, part: ContactsDesign, *, tech: Technology, cache: CellCache,
                 progress: Progress = quiet) -> Product:
        """Place every element and draw the product.

        Args:
            part: the contacts design part.
            tech: the technology.
            cache: the cell cache to build in.
            progress: where the steps are reported.
        """
        progress("placing", 0, len(part.pads))
        plan = make_plan(part)
        progress("placing", len(part.pads), len(part.pads))
        progress("drawing")
        roles = part.layers.drawn()
        layouts: dict[str, gdstk.Cell] = {}
        sheet = None
        wafer_cell, wafer_masks = None, None
        if part.method == "sheet":
            L = part.layers  # noqa: N806 - the role map
            dims = sheet_dims(
                part, inner_rule_um=rule_limit(tech, "outer_radius", (L.SHEET_SLOT,)),
                outer_rule_um=rule_limit(tech, "inner_radius", (L.SHEET_SLOT,)),
                slot_rule_um=rule_limit(tech, "width", (L.SHEET_SLOT,)))
            f = part.process.sheet.frame_um
            blank = geo.box(-f, -f, part.die.width_um + f, part.die.height_um + f)
            outline = outline_cell(part.die, part.wafer, L, extra={"SHEET": [blank]},
                                   grid_um=tech.grid_um, cache=cache)
            overlay = _contact_overlay(part, cache)
            cells = assemble_sheet(part, plan.placements, spring_um=plan.sheet_um, dims=dims,
                                   outline=outline, overlay=overlay, cache=cache)
            # On a wafer: the substrate whose contact areas the sheet is pressed onto (the
            # sheet itself is etched from a foil through its two plates, written as layouts).
            wafer_cell = gdstk.Cell(f"{part.name}_substrate")
            wafer_cell.add(gdstk.Reference(frame_cell(
                part.die, die_layer=L.DIE, dicing_layer=L.DICING, seal_layer=L.SEAL,
                grid_um=tech.grid_um, cache=cache), (0.0, 0.0)))
            place_groups(wafer_cell, overlay, part.areas.pitch_um, tech.grid_um)
            wafer_masks = tuple(m for m in mask_steps(roles, GROWN_FLOW)
                                if m.role in ("CONTACT", "PASSIVATION")
                                and m.layer.gds in drawn_layers(wafer_cell))
            top = cells.top
            layouts = {f"{part.name}.plate_top.gds": cells.top_plate,
                       f"{part.name}.plate_bottom.gds": cells.bottom_plate}
            sheet = sheet_record(part, dims, cells, spring_um=plan.sheet_um,
                                 files=(f"{part.name}.plate_top.gds",
                                        f"{part.name}.plate_bottom.gds"))
            masks = mask_steps(roles, SHEET_FLOW)
        else:
            top = assemble_grown(part, plan.placements, free_length_um=plan.free_um,
                                 cache=cache)
            masks = mask_steps(roles, GROWN_FLOW)
        pitch = min(part.areas.pitch_um) if part.areas.pitch_um else \
            max(max(p.w_um, p.h_um) for p in part.pads)
        detail = corner_detail(part.preview, part.die, near=[(p.x_um, p.y_um) for p in part.pads],
                               pitch_um=pitch)
        return Product(
            top=top, roles=roles, die=part.die, masks=masks,
            report=ContactsReport(plan, _summary(part, plan), sheet),
            preview_layers=tuple(roles[r].name for r in PREVIEW_ORDER if r in roles),
            detail=detail, layouts=layouts,
            handoff={f"{part.name}.contacts.csv": contact_map(part, plan)},
            wafer_cell=wafer_cell, wafer_masks=wafer_masks)

    def checks(self, part: ContactsDesign, product: Product, shapes: Shapes,
               tech: Technology) -> list[ProcessCheck]:
        """The contacts process checks.

        Args:
            part: the contacts design part.
            product: what generate() drew.
            shapes: technology layer name -> polygons (um) of the flattened top cell.
            tech: the technology.
        """
        plan = product.report.plan
        return run_checks(part, plan.placements, lengths=plan.lengths_um, free_um=plan.free_um,
                          tech=tech)

    def manifest(self, part: ContactsDesign, product: Product) -> dict[str, Any]:
        """The family's manifest keys.

        They are substrate, exposure, thermal, neutral_point_um, contacts, and springs or
        sheet.

        Args:
            part: the contacts design part.
            product: what generate() drew.
        """
        return family_keys(part, product.report.plan, sheet=product.report.sheet)
