"""Process checks of the wafer-level CSP (DOMAIN.md 1A and 3), reported beside the DRC.

Each check reads the drawn shapes (or the technology's stack) and compares one number with a
limit from the technology's [process] table: PI2 at least 4x as thick as PI1, the five-particle
rule, fill depth over diameter, the removable stencil's area and aspect ratios, the ball resting
on the opening's free end, and the bump keep-out from the die edge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import shapely

from ...checks import Box, ProcessCheck, check, passes, round_items
from ...errors import WlpmaskError
from ...physics import fill as phys
from ...tech import Layer, Technology

if TYPE_CHECKING:  # pragma: no cover
    from .design import WlcspDesign


def _stack_thickness(tech: Technology, layer: Layer) -> float:
    film = tech.stack.get(layer.name)
    if film is None:
        raise WlpmaskError(f"the process checks need the thickness of {layer.name!r}: add "
                           f"[stack.{layer.name}]", file=tech.source, key=f"stack.{layer.name}")
    return film.thickness_um


def run_process_checks(shapes: Mapping[str, Sequence[np.ndarray]], *, part: WlcspDesign,
                       tech: Technology) -> list[ProcessCheck]:
    """Run every process check on the flattened layout.

    Args:
        shapes: technology layer name -> polygons (um), e.g. from flatten_layers.
        part: the WLCSP design part (fill, ball, stencil, die, layer roles).
        tech: the technology (limits, stack).

    Returns:
        The checks in a fixed order; the stencil checks only when the design uses a stencil.
    """
    L = part.layers  # noqa: N806 - role map
    p = tech.param
    out: list[ProcessCheck] = []

    pi1_t, pi2_t = _stack_thickness(tech, L.PI1), _stack_thickness(tech, L.PI2)
    out.append(check(
        "PROC.PI2_PI1_THICKNESS", "second insulator (PI2) thickness over the first (PI1)",
        ">=", p("pi2_to_pi1_thickness_min_ratio"),
        phys.thickness_ratio(thick_um=pi2_t, thin_um=pi1_t), "ratio",
        "process.pi2_to_pi1_thickness_min_ratio", (L.PI2.name, L.PI1.name)))

    openings = round_items(shapes.get(L.PI2.name, []))
    smallest = min(openings, key=lambda o: o[2]) if openings else None
    particle = part.fill.largest_particle_um
    bad = [o[3] for o in openings
           if not passes(o[2] / particle, p("fill_particle_rule_min_ratio"), ">=")]
    out.append(check(
        "PROC.FILL_PARTICLE", f"smallest PI2 opening over the largest filler particle "
        f"({particle:g} um, {part.fill.material})", ">=", p("fill_particle_rule_min_ratio"),
        phys.particle_ratio(opening_um=smallest[2], largest_particle_um=particle)
        if smallest else None, "ratio", "process.fill_particle_rule_min_ratio", (L.PI2.name,),
        bad))

    limit = p("fill_depth_to_diameter_max_ratio")
    bad = [o[3] for o in openings
           if not passes(phys.fill_depth_ratio(depth_um=pi2_t, diameter_um=o[2]), limit, "<=")]
    out.append(check(
        "PROC.FILL_DEPTH", f"fill depth (PI2 {pi2_t:g} um) over opening diameter", "<=", limit,
        phys.fill_depth_ratio(depth_um=pi2_t, diameter_um=smallest[2]) if smallest else None,
        "ratio", "process.fill_depth_to_diameter_max_ratio", (L.PI2.name,), bad))

    if part.stencil.enabled:
        t = part.stencil.thickness_um
        apertures = round_items(shapes.get(L.STENCIL.name, []))
        narrow = min(apertures, key=lambda a: a[2]) if apertures else None
        for id_, key, fn, what in (
                ("PROC.STENCIL_AREA_RATIO", "stencil_area_ratio_min_ratio",
                 lambda d: phys.area_ratio_round(diameter_um=d, thickness_um=t),
                 "area ratio D / (4 t)"),
                ("PROC.STENCIL_ASPECT_RATIO", "stencil_aspect_ratio_min_ratio",
                 lambda d: phys.aspect_ratio(width_um=d, thickness_um=t), "aspect ratio D / t")):
            lim = p(key)
            bad = [a[3] for a in apertures if not passes(fn(a[2]), lim, ">=")]
            out.append(check(id_, f"removable stencil ({t:g} um) {what}", ">=", lim,
                              fn(narrow[2]) if narrow else None, "ratio", f"process.{key}",
                              (L.STENCIL.name,), bad))

    out.append(_ball_check(shapes, part, tech, openings))
    out.append(_keepout_check(shapes, part, tech))
    return out


def _ball_check(shapes, part: WlcspDesign, tech: Technology, openings) -> ProcessCheck:
    """Every ball overhangs the opening under its centre by the margin on every side."""
    L = part.layers  # noqa: N806
    margin = tech.param("ball_on_opening_margin_um")
    balls = round_items(shapes.get(L.BALL.name, []))
    tree = shapely.STRtree([shapely.box(*o[3]) for o in openings]) if openings else None
    worst: float | None = math.inf if balls else None
    bad: list[Box] = []
    for bx, by, bd, box in balls:
        hits = tree.query(shapely.Point(bx, by), predicate="intersects") if tree else []
        if len(hits) == 0:
            worst = None
            bad.append(box)
            continue
        ox, oy, od, _ = openings[int(min(hits))]
        overhang = bd / 2 - math.hypot(bx - ox, by - oy) - od / 2
        if worst is not None:
            worst = min(worst, overhang)
        if not passes(overhang, margin, ">="):
            bad.append(box)
    return check("PROC.BALL_ON_OPENING",
                  "ball overhangs the opening's free end on every side by the margin",
                  ">=", margin, worst, "um", "process.ball_on_opening_margin_um",
                  (L.BALL.name, L.PI2.name), bad)


def _keepout_check(shapes, part: WlcspDesign, tech: Technology) -> ProcessCheck:
    """Every bump centre lies at least the keep-out inside the seal ring."""
    L = part.layers  # noqa: N806
    die = part.die
    need = die.keepout_um
    source = "design die.keepout_um"
    tech_min = tech.process.get("bump_center_to_seal_min_um")
    if isinstance(tech_min, float) and tech_min > need:
        need, source = tech_min, "process.bump_center_to_seal_min_um"
    balls = round_items(shapes.get(L.BALL.name, []))
    worst: float | None = None
    bad: list[Box] = []
    for bx, by, _, box in balls:
        edge = min(bx, by, die.width_um - bx, die.height_um - by)
        d = edge - die.seal_inner_um
        worst = d if worst is None else min(worst, d)
        if not passes(d, need, ">="):
            bad.append(box)
    if worst is None:
        worst = math.inf
    return check("PROC.BUMP_KEEPOUT", "bump centre to the seal ring's inner edge", ">=", need,
                  worst if math.isfinite(worst) else None, "um", source, (L.BALL.name,), bad)
