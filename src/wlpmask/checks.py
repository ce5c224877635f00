"""Process checks: one number compared with a limit, reported beside the DRC.

A family's process checks (fill ratios, thermal length, solder order, isolation, ...) each give
a `ProcessCheck` record; failed ones become DRC violations of kind "process" in the JSON and
.lyrdb reports. The limits come from the technology, never from code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Box", "ProcessCheck", "as_violations", "check", "passes", "round_items"]

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
        unit: "ratio", "um", "C", ... the unit of required and measured.
        passed: whether every instance meets the limit.
        source: where the limit comes from (technology or design key).
        layers: the technology layers the check reads.
        locations: boxes (um) of the failing instances; empty for a check of the stack.
        detail: one line for a person: what failed where, or how it could pass.
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
    detail: str = ""

    def to_json(self) -> dict:
        """The record as JSON data."""
        out = {"id": self.id, "description": self.description, "comparison": self.comparison,
               "required": self.required, "measured": self.measured, "unit": self.unit,
               "passed": self.passed, "source": self.source, "layers": list(self.layers),
               "locations": [list(b) for b in self.locations]}
        if self.detail:
            out["detail"] = self.detail
        return out


def passes(measured: float | None, required: float, comparison: str) -> bool:
    """Whether a measured value meets a limit; a violation is strictly beyond it.

    Args:
        measured: the value (None: nothing measured, which fails).
        required: the limit.
        comparison: ">=" or "<=".
    """
    if measured is None:
        return False
    # 1e-9 absorbs float noise, as the DRC's strict comparison does.
    if comparison == ">=":
        return measured >= required - 1e-9
    return measured <= required + 1e-9


def check(id_: str, description: str, comparison: str, required: float,
          measured: float | None, unit: str, source: str, layers: Sequence[str] = (),
          locations: Sequence[Box] = (), detail: str = "") -> ProcessCheck:
    """A ProcessCheck whose pass/fail follows from measured and required.

    Args:
        id_: the check id.
        description: what the check protects.
        comparison: ">=" or "<=".
        required: the limit.
        measured: the worst measured value (None: nothing measured).
        unit: the unit of both values.
        source: where the limit comes from.
        layers: the technology layers read.
        locations: boxes (um) of failing instances; dropped when the check passes.
        detail: one line for a person.
    """
    ok = bool(passes(measured, required, comparison))
    return ProcessCheck(id_, description, comparison, float(required),
                        None if measured is None else round(float(measured), 6), unit, ok,
                        source, tuple(layers), tuple(locations) if not ok else (), detail)


def round_items(polys: Sequence[np.ndarray]) -> list[tuple[float, float, float, Box]]:
    """(centre x, centre y, diameter across flats, box) of round shapes, from their boxes.

    Args:
        polys: polygons in um.
    """
    out = []
    for p in polys:
        p = np.asarray(p)
        x0, y0 = p.min(axis=0)
        x1, y1 = p.max(axis=0)
        out.append(((x0 + x1) / 2, (y0 + y1) / 2, min(x1 - x0, y1 - y0),
                    (float(x0), float(y0), float(x1), float(y1))))
    return out


def as_violations(checks: Sequence[ProcessCheck], *, die_box: Box) -> list:
    """Failed checks as DRC Violation records (kind "process"), one per failing location.

    Args:
        checks: the process checks.
        die_box: the marker box (um) of a check without a location (a property of the stack).
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
