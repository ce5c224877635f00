"""The WLCSP family object the build driver calls: load, generate, checks, manifest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...cells import CellCache
from ...checks import ProcessCheck
from ...designfile import DesignDoc
from ...tech import Technology
from ..base import Product, Progress, Shapes, corner_detail, mask_steps, quiet
from . import design as design_mod
from .cells import assemble
from .checks import run_process_checks
from .design import WlcspDesign
from .handoff import handoff_files
from .rdl import route_design
from .rules import PREVIEW_ORDER
from .teardrops import TeardropReport

# The masks of the flow in the order they are used, with what each does; the first aligns
# to the incoming wafer (its pads), each later one to the mask before it.
FLOW = (("PI1", "first insulator openings over the bond pads"),
        ("RDL", "redistribution traces, landings and capture pads"),
        ("PI2", "thick second insulator openings over the capture pads"),
        ("UBM", "under-bump metallisation"),
        ("STENCIL", "removable stencil apertures for the fill"))


@dataclass
class WlcspReport:
    """What the RDL step did.

    Args:
        routed: routed net names.
        unrouted: net -> why it is not routed.
        assignment: pad name -> bump name.
        total_length_um: RDL centre-line length of the routed nets.
        teardrops: what the teardrop step did.
    """

    routed: list[str]
    unrouted: dict[str, str]
    assignment: dict[str, str]
    total_length_um: float
    teardrops: TeardropReport = field(default_factory=TeardropReport)

    @property
    def ok(self) -> bool:
        """True when every net is routed."""
        return not self.unrouted

    def summary_lines(self) -> list[str]:
        """The build's summary: nets routed and RDL length."""
        n = len(self.routed)
        return [f"nets {n}/{n + len(self.unrouted)} routed, RDL {self.total_length_um:g} um"]

    def problem_lines(self) -> list[str]:
        """One line per unrouted net, with its reason."""
        return [f"unrouted {net}: {why}" for net, why in self.unrouted.items()]


def _default_router() -> Callable[..., Any] | None:
    try:
        from ...routing import route_rdl
    except ImportError:
        return None
    return route_rdl


class Wlcsp:
    """Wafer-level chip-scale package: pads -> PI1 -> RDL -> PI2 -> fill -> balls."""

    name = "wlcsp"
    summary = ("wafer-level CSP: bond pads, PI1 openings, RDL routed to a bump array, thick PI2 "
               "openings, fill, balls")
    sections = design_mod.SECTIONS

    def __init__(self, router: Callable[..., Any] | None | str = "default") -> None:
        """A family object routing with `router`.

        Args:
            router: a route_rdl-compatible function; "default": wlpmask.routing.route_rdl;
                None: no routing (every net reported unrouted).
        """
        self.router = router

    def load(self, doc: DesignDoc) -> WlcspDesign:
        """The WLCSP part of a design file.

        Args:
            doc: the design file with its header and technology.
        """
        return design_mod.load(doc)

    def generate(self, part: WlcspDesign, *, tech: Technology, cache: CellCache,
                 progress: Progress = quiet) -> Product:
        """Route the RDL and draw the die.

        Args:
            part: the WLCSP design part.
            tech: the technology.
            cache: the cell cache to build in.
            progress: where the steps are reported.
        """
        nets = len({p.net_name for p in part.pads})
        progress("routing", 0, nets)
        router = _default_router() if self.router == "default" else self.router
        rt = route_design(part, grid_um=tech.grid_um, router=router, progress=progress)
        progress("routing", len(rt.routed), nets)
        progress("drawing")
        top = assemble(name=part.name, die=part.die, pads=part.pads, bumps=part.bumps,
                       rules=part.rules, layers=part.layers, grid_um=tech.grid_um, cache=cache,
                       rdl=rt.polygons)
        roles = part.layers.drawn()
        masks = mask_steps(roles, FLOW, first_aligned_to="PAD")
        absent = {role: f"[{role.lower()}] enabled = false"
                  for role, on in (("UBM", part.ubm), ("STENCIL", part.stencil.enabled))
                  if not on}
        b = part.bumps
        detail = corner_detail(part.preview, part.die, near=[(s.x_um, s.y_um) for s in b.sites],
                               pitch_um=b.pitch_um or b.dims.min_pitch_um)
        return Product(
            top=top, roles=roles, die=part.die, masks=masks,
            report=WlcspReport(rt.routed, rt.unrouted, rt.assignment, rt.total_length_um,
                               rt.teardrops),
            preview_layers=tuple(roles[r].name for r in PREVIEW_ORDER if r in roles),
            detail=detail, absent=absent,
            handoff=handoff_files(part, rt.assignment))

    def checks(self, part: WlcspDesign, product: Product, shapes: Shapes,
               tech: Technology) -> list[ProcessCheck]:
        """The WLCSP process checks.

        Args:
            part: the WLCSP design part.
            product: what generate() drew.
            shapes: technology layer name -> polygons (um) of the flattened top cell.
            tech: the technology.
        """
        return run_process_checks(shapes, part=part, tech=tech)

    def manifest(self, part: WlcspDesign, product: Product) -> dict[str, Any]:
        """The family's manifest keys: pads, bumps, fill, routing.

        Args:
            part: the WLCSP design part.
            product: what generate() drew.
        """
        b, d, rep = part.bumps, part.bumps.dims, product.report
        return {
            "pads": {"source": part.pad_source, "count": len(part.pads)},
            "pads_skipped": [{"name": n, "reason": why} for n, why in part.pads_skipped],
            "bumps": {"pitch_um": b.pitch_um, "rows": b.rows, "columns": b.columns,
                      "stagger": b.stagger, "sites": len(b.sites),
                      "depopulated": list(b.depopulated), "shape": d.shape,
                      "opening_um": d.opening_um, "capture_pad_um": d.capture_um,
                      "ubm_um": d.ubm_um, "stencil_aperture_um": d.stencil_um,
                      "ball_um": d.ball_um},
            "fill": {"material": part.fill.material,
                     "largest_particle_um": part.fill.largest_particle_um,
                     "paste_type": part.fill.paste_type},
            "routing": {
                "assignment_mode": part.assignment_mode,
                "width_um": part.rdl.width_um, "space_um": part.rdl.space_um,
                "nets": len(rep.routed) + len(rep.unrouted),
                "routed": rep.routed, "unrouted": rep.unrouted,
                "assignment": rep.assignment,
                "total_length_um": rep.total_length_um, "teardrops": rep.teardrops.to_json(),
            },
        }
