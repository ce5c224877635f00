"""The chip-on-chip family object the build driver calls: load, generate, checks, manifest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from ...cells import CellCache
from ...checks import ProcessCheck
from ...designfile import DesignDoc, Die
from ...errors import WlpmaskError
from ...io.preview import png_bytes, png_image
from ...polys import rings
from ...tech import Technology
from ..base import Detail, MaskStep, Product, Progress, Shapes, quiet
from . import design as design_mod
from .cells import assemble, plate_cells, strip_cell, strip_file
from .checks import run_checks, strip_sample
from .manifest import lead_table, manifest_keys
from .plan import CocPart, make_plan

# The masks in the order they are used, with what each does and the mask it aligns to: chip 1's
# wafer, the upper chips' wafer, the frame's two plates, the adhesive print.
FLOW = (("PORE", "pores etched into chip 1 (capacitors)", None),
        ("BUMP1", "chip 1 first bumps (the fields under the upper chips)", "PORE"),
        ("BUMP2", "chip 1 second bumps (periphery, lower-melting solder)", "BUMP1"),
        ("BUMPC", "upper chips' bumps (their own wafer)", None),
        ("PLATE_TOP", "lead-frame top etch plate (drawn wider)", None),
        ("PLATE_BOT", "lead-frame bottom etch plate (mirrored: seen from below)", "PLATE_TOP"),
        ("ADHESIVE", "conductive adhesive printed on the heat sinks", "PLATE_TOP"))
# The masks made on chip 1's wafer (the others belong to the upper chips' wafers, the frame
# sheet and the assembly).
CHIP1_MASKS = ("PORE", "BUMP1", "BUMP2")
# Drawing order of the previews, bottom first.
PREVIEW_ORDER = ("FRAME", "MOULD", "HALF_TOP", "PACKAGE", "ADHESIVE", "CHIP", "CAP", "LAND",
                 "BUMP2", "BUMP1", "BUMPC")


@dataclass
class CocReport:
    """What was drawn (everything asked for is drawn, or loading failed)."""

    lines: list[str]

    @property
    def ok(self) -> bool:
        """Always True: a package that cannot be drawn fails at load (exit 2)."""
        return True

    def summary_lines(self) -> list[str]:
        """The build's summary: chips, bumps, leads, heat sinks, capacitors."""
        return list(self.lines)

    def problem_lines(self) -> list[str]:
        """None: see ok."""
        return []


class Coc:
    """Chip on chip: face-to-face bump maps, pore capacitors, an etched lead frame."""

    name = "coc"
    summary = ("chip on chip: face-to-face bump maps from one netlist, pore capacitors, lead "
               "frame with isolated heat sinks and its etch plates")
    sections = design_mod.SECTIONS

    def load(self, doc: DesignDoc) -> CocPart:
        """The design part and its plan (a package that cannot be drawn is bad input).

        Args:
            doc: the design file with its header and technology.
        """
        part = design_mod.load(doc)
        try:
            return CocPart(part, make_plan(part))
        except WlpmaskError as exc:
            raise WlpmaskError(exc.message, file=doc.path, key=exc.key) from None

    def generate(self, part: CocPart, *, tech: Technology, cache: CellCache,
                 progress: Progress = quiet) -> Product:
        """Draw the chips, the frame site, the plates and the assembly.

        Args:
            part: the loaded design and its plan.
            tech: the technology.
            cache: the cell cache to build in.
            progress: where the steps are reported.
        """
        progress("drawing")
        d, plan = part.design, part.plan
        top = assemble(part, cache)
        roles = d.layers.drawn()
        masks, step = [], 0
        for role, note, after in FLOW:
            if roles[role].purpose == "mask":
                step += 1
                masks.append(MaskStep(step, role, roles[role], note, after))
        plates = plate_cells(part)
        n_first = sum(len(f.on_chip1) for f in plan.fields)
        lines = [f"chips {1 + len(d.uppers)}: {n_first} first bumps, {len(plan.second)} second "
                 f"bumps, {len(plan.frame.leads)} leads, {len(plan.frame.sinks)} heat sinks"]
        if plan.strip is not None:
            sp = plan.strip
            lines.append(f"strip {sp.spec.columns} x {sp.spec.rows} sites, "
                         f"{sp.size[0]:g} x {sp.size[1]:g} um, {len(sp.holes)} pilot holes")
        lines += [f"capacitor {a.region.name}: {a.pores:,} pores, {a.capacitance_nf:.4g} nF "
                  f"(target {a.region.target_nf:g}), {a.density_nf_per_mm2:.4g} nF/mm2"
                  for a in plan.capacitors]
        # On a wafer: chip 1 (its masks up to the second bumps); the upper chips come from
        # wafers of their own and the frame is etched from a sheet (its plates are layouts).
        chip1 = next(c for c in top.dependencies(True) if c.name == f"{d.name}_{d.chip1.name}")
        on_chip1 = tuple(m for m in masks if m.role in CHIP1_MASKS)
        return Product(
            top=top, roles=roles, report=CocReport(lines),
            wafer_cell=chip1, wafer_masks=on_chip1,
            die=Die(d.chip1.width_um, d.chip1.height_um), masks=tuple(masks),
            preview_layers=tuple(roles[r].name for r in PREVIEW_ORDER),
            detail=self._detail(part),
            layouts=self._layouts(part, plates),
            files=self._strip_preview(part, tech),
            handoff={f"{d.name}.leads.csv": lead_table(part)})

    @staticmethod
    def _layouts(part: CocPart, plates: dict[str, Any]) -> dict[str, Any]:
        """The plates' files, and the strip's when the design steps the site into one."""
        name = part.design.name
        out = {f"{name}.plate_{side}.gds": cell for side, cell in plates.items()}
        strip = strip_cell(part)
        if strip is not None:
            out[strip_file(name)] = strip
        return out

    @staticmethod
    def _strip_preview(part: CocPart, tech: Technology) -> dict[str, bytes]:
        """NAME.strip.png: the strip's metal and its sites' package outlines.

        The site's merged outlines (not the cuts that make its GDS polygons hole-free) are
        moved to every site: no union of the whole strip, whatever its size.
        """
        d, sp = part.design, part.plan.strip
        if sp is None:
            return {}
        # detail finer than half a pixel of the picture (about 1,000 px across) is left out
        site = rings(shapely.simplify(sp.site_metal, max(sp.size) / 2000))
        x0, y0, x1, y1 = part.plan.frame.package
        package = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        at = [np.array(o) for o in sp.site_origins()]
        shapes = {d.layers.FRAME.name: [r + o for o in at for r in site] + rings(sp.rails),
                  d.layers.PACKAGE.name: [package + o for o in at]}
        title = (f"{d.name} strip: {sp.spec.columns} x {sp.spec.rows} sites, "
                 f"{sp.size[0]:g} x {sp.size[1]:g} um")
        img = png_image(shapes, tech=tech, layers=(d.layers.FRAME.name, d.layers.PACKAGE.name),
                        title=title)
        return {f"{d.name}.strip.png": png_bytes(img)}

    @staticmethod
    def _detail(part: CocPart) -> Detail | None:
        d = part.design
        corner = d.preview.detail_corner
        if corner == "none":
            return None
        chip = d.uppers[0]
        ox, oy = part.plan.uppers[chip.name].origin_um
        x = ox + (chip.width_um if corner.endswith("right") else 0.0)
        y = oy + (chip.height_um if corner.startswith("upper") else 0.0)
        side = d.preview.detail_um or max(8 * d.pitch_um, 1500.0)
        return Detail((x - side / 2, y - side / 2, x + side / 2, y + side / 2),
                      f"{chip.name} {corner.replace('_', '-')} corner on its heat sink, "
                      f"{side:g} um", corner)

    def checks(self, part: CocPart, product: Product, shapes: Shapes,
               tech: Technology) -> list[ProcessCheck]:
        """The chip-on-chip process checks.

        Args:
            part: the loaded design and its plan.
            product: what generate() drew.
            shapes: technology layer name -> polygons (um) of the flattened top cell.
            tech: the technology.
        """
        return run_checks(part, product.top, shapes, tech, strip=strip_sample(part, tech))

    def manifest(self, part: CocPart, product: Product) -> dict[str, Any]:
        """The family's manifest keys (chips, heat_sinks, leads, solders, z_stack, ...).

        Args:
            part: the loaded design and its plan.
            product: what generate() drew.
        """
        files = {name.rsplit(".", 2)[1][len("plate_"):]: name for name in product.layouts
                 if ".plate_" in name}
        return manifest_keys(part, product.top, files)
