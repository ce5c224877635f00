"""Process checks of the wafer-level CSP (DOMAIN.md 1A and 3), reported beside the DRC.

Each check reads the drawn shapes (or the technology's stack) and compares one number with a
limit from the technology's [process] table: PI2 at least 4x as thick as PI1, the five-particle
rule, fill depth over diameter, the removable stencil's area and aspect ratios, the ball resting
on the opening's free end, and the bump keep-out from the die edge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import shapely

from .errors import WlpmaskError
from .physics import fill as phys

if TYPE_CHECKING:  # pragma: no cover
    from .design import Design

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class ProcessCheck:
    """The outcome of one process check.

    Args:
        id: check id, e.g. "PROC.PI2_PI1_THICKNESS".
        description: what the check protects.
        comparison: ">=" (measured must reach required) or "<=" (must not exceed it).
        required: the limit, from the technology (source names the key).
        measured: the worst measured value (None: nothing to measure, e.g. a missing opening).
        unit: "ratio" or "um".
        passed: whether every instance meets the limit.
        source: where the limit comes from (technology or design key).
        layers: the technology layers the check reads.
        locations: boxes (um) of the failing instances; empty for a check of the stack.
    """

    id: str
    description: str
    comparison: str
    required: float
    measured: float | None
    unit: str
    passed: bool
    source: str
    layers: tuple[str, ...] = ()
    locations: tuple[Box, ...] = field(default=())

    def to_json(self) -> dict:
        return {"id": self.id, "description": self.description, "comparison": self.comparison,
                "required": self.required, "measured": self.measured, "unit": self.unit,
                "passed": self.passed, "source": self.source, "layers": list(self.layers),
                "locations": [list(b) for b in self.locations]}


def _ok(measured: float | None, required: float, comparison: str) -> bool:
    if measured is None:
        return False
    # A violation is strictly beyond the limit, as in the DRC; 1e-9 absorbs float noise.
    if comparison == ">=":
        return measured >= required - 1e-9
    return measured <= required + 1e-9


def _check(id_: str, description: str, comparison: str, required: float,
           measured: float | None, unit: str, source: str, layers: Sequence[str] = (),
           locations: Sequence[Box] = ()) -> ProcessCheck:
    passed = bool(_ok(measured, required, comparison))
    return ProcessCheck(id_, description, comparison, float(required),
                        None if measured is None else round(float(measured), 6), unit, passed,
                        source, tuple(layers), tuple(locations) if not passed else ())


def _stack_thickness(design: Design, role: str) -> float:
    name = design.layers[role]
    film = design.tech.stack.get(name)
    if film is None:
        raise WlpmaskError(f"the process checks need the thickness of {name!r}: add "
                           f"[stack.{name}]", file=design.tech.source, key=f"stack.{name}")
    return film.thickness_um


def _round_items(polys: Sequence[np.ndarray]) -> list[tuple[float, float, float, Box]]:
    """(centre x, centre y, diameter across flats, box) of round shapes, from their boxes."""
    out = []
    for p in polys:
        p = np.asarray(p)
        x0, y0 = p.min(axis=0)
        x1, y1 = p.max(axis=0)
        out.append(((x0 + x1) / 2, (y0 + y1) / 2, min(x1 - x0, y1 - y0),
                    (float(x0), float(y0), float(x1), float(y1))))
    return out


def run_process_checks(shapes: Mapping[str, Sequence[np.ndarray]], *,
                       design: Design) -> list[ProcessCheck]:
    """Run every process check on the flattened layout.

    Args:
        shapes: technology layer name -> polygons (um), e.g. from flatten_layers.
        design: the design (technology, fill, ball, stencil, die, layer roles).

    Returns:
        The checks in a fixed order; the stencil checks only when the design uses a stencil.
    """
    tech, L = design.tech, design.layers  # noqa: N806 - role map
    p = tech.param
    out: list[ProcessCheck] = []

    pi1_t, pi2_t = _stack_thickness(design, "PI1"), _stack_thickness(design, "PI2")
    out.append(_check(
        "PROC.PI2_PI1_THICKNESS", "second insulator (PI2) thickness over the first (PI1)",
        ">=", p("pi2_to_pi1_thickness_min_ratio"),
        phys.thickness_ratio(thick_um=pi2_t, thin_um=pi1_t), "ratio",
        "process.pi2_to_pi1_thickness_min_ratio", (L["PI2"], L["PI1"])))

    openings = _round_items(shapes.get(L["PI2"], []))
    smallest = min(openings, key=lambda o: o[2]) if openings else None
    particle = design.fill.largest_particle_um
    bad = [o[3] for o in openings
           if not _ok(o[2] / particle, p("fill_particle_rule_min_ratio"), ">=")]
    out.append(_check(
        "PROC.FILL_PARTICLE", f"smallest PI2 opening over the largest filler particle "
        f"({particle:g} um, {design.fill.material})", ">=", p("fill_particle_rule_min_ratio"),
        phys.particle_ratio(opening_um=smallest[2], largest_particle_um=particle)
        if smallest else None, "ratio", "process.fill_particle_rule_min_ratio", (L["PI2"],),
        bad))

    limit = p("fill_depth_to_diameter_max_ratio")
    bad = [o[3] for o in openings
           if not _ok(phys.fill_depth_ratio(depth_um=pi2_t, diameter_um=o[2]), limit, "<=")]
    out.append(_check(
        "PROC.FILL_DEPTH", f"fill depth (PI2 {pi2_t:g} um) over opening diameter", "<=", limit,
        phys.fill_depth_ratio(depth_um=pi2_t, diameter_um=smallest[2]) if smallest else None,
        "ratio", "process.fill_depth_to_diameter_max_ratio", (L["PI2"],), bad))

    if design.stencil.enabled:
        t = design.stencil.thickness_um
        apertures = _round_items(shapes.get(L["STENCIL"], []))
        narrow = min(apertures, key=lambda a: a[2]) if apertures else None
        for id_, key, fn, what in (
                ("PROC.STENCIL_AREA_RATIO", "stencil_area_ratio_min_ratio",
                 lambda d: phys.area_ratio_round(diameter_um=d, thickness_um=t),
                 "area ratio D / (4 t)"),
                ("PROC.STENCIL_ASPECT_RATIO", "stencil_aspect_ratio_min_ratio",
                 lambda d: phys.aspect_ratio(width_um=d, thickness_um=t), "aspect ratio D / t")):
            lim = p(key)
            bad = [a[3] for a in apertures if not _ok(fn(a[2]), lim, ">=")]
            out.append(_check(id_, f"removable stencil ({t:g} um) {what}", ">=", lim,
                              fn(narrow[2]) if narrow else None, "ratio", f"process.{key}",
                              (L["STENCIL"],), bad))

    out.append(_ball_check(shapes, design, openings))
    out.append(_keepout_check(shapes, design))
    return out


def _ball_check(shapes, design: Design, openings) -> ProcessCheck:
    """Every ball overhangs the opening under its centre by the margin on every side."""
    L = design.layers  # noqa: N806
    margin = design.tech.param("ball_on_opening_margin_um")
    balls = _round_items(shapes.get(L["BALL"], []))
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
        if not _ok(overhang, margin, ">="):
            bad.append(box)
    return _check("PROC.BALL_ON_OPENING",
                  "ball overhangs the opening's free end on every side by the margin",
                  ">=", margin, worst, "um", "process.ball_on_opening_margin_um",
                  (L["BALL"], L["PI2"]), bad)


def _keepout_check(shapes, design: Design) -> ProcessCheck:
    """Every bump centre lies at least the keep-out inside the seal ring."""
    L = design.layers  # noqa: N806
    die = design.die
    need = die.keepout_um
    source = "design die.keepout_um"
    tech_min = design.tech.process.get("bump_center_to_seal_min_um")
    if isinstance(tech_min, float) and tech_min > need:
        need, source = tech_min, "process.bump_center_to_seal_min_um"
    balls = _round_items(shapes.get(L["BALL"], []))
    worst: float | None = None
    bad: list[Box] = []
    for bx, by, _, box in balls:
        edge = min(bx, by, die.width_um - bx, die.height_um - by)
        d = edge - die.seal_inner_um
        worst = d if worst is None else min(worst, d)
        if not _ok(d, need, ">="):
            bad.append(box)
    if worst is None:
        worst = math.inf
    return _check("PROC.BUMP_KEEPOUT", "bump centre to the seal ring's inner edge", ">=", need,
                  worst if math.isfinite(worst) else None, "um", source, (L["BALL"],), bad)


def as_violations(checks: Sequence[ProcessCheck], *, die_box: Box) -> list:
    """Failed checks as DRC Violation records (kind "process"), one per failing location.

    Args:
        checks: the process checks.
        die_box: the marker box of a check without a location (a property of the stack).
    """
    from .drc import Violation

    out = []
    for c in checks:
        if c.passed:
            continue
        # Nothing measurable (e.g. no opening under a ball) is reported as 0.
        measured = c.measured if c.measured is not None else 0.0
        for box in c.locations or (die_box,):
            out.append(Violation(rule=c.id, kind="process", layers=c.layers,
                                 required_um=c.required, measured_um=measured, edge_pair=None,
                                 bbox=box))
    return out
