"""DRC results: one record per violation, a summary per rule, and the JSON report form."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import __version__ as _version

EdgeTuple = tuple[float, float, float, float]


@dataclass(frozen=True)
class Violation:
    """One rule violation.

    Args:
        rule: the rule id, e.g. "RDL.S".
        kind: the rule kind (width, space, separation, enclosure, min_area, inside).
        layers: the layer names in the rule's role order.
        required_um: the rule limit (um, or um2 for min_area).
        measured_um: what was measured (um, or um2 for min_area); below required_um.
        edge_pair: the two violating edge parts (x1, y1, x2, y2) in um, or None for a
            polygon marker (area, shapes outside their enclosing layer).
        bbox: (x0, y0, x1, y1) in um of the edge pair or the marker polygon.
    """

    rule: str
    kind: str
    layers: tuple[str, ...]
    required_um: float
    measured_um: float
    edge_pair: tuple[EdgeTuple, EdgeTuple] | None
    bbox: tuple[float, float, float, float]

    def sort_key(self) -> tuple:
        ep = self.edge_pair or ((0.0,) * 4, (0.0,) * 4)
        return (self.bbox, self.measured_um, ep)


@dataclass
class DrcResult:
    """The outcome of run_drc.

    Args:
        violations: every violation, grouped by rule in technology order, then by location.
        rules_run: the rule ids that were checked, in technology order.
    """

    violations: list[Violation] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """Violation count per rule run (zeros included), in technology order."""
        counts = {r: 0 for r in self.rules_run}
        for v in self.violations:
            counts[v.rule] = counts.get(v.rule, 0) + 1
        return counts

    def worst(self, rule: str) -> Violation | None:
        """The violation of `rule` with the smallest measured value (None if clean)."""
        own = [v for v in self.violations if v.rule == rule]
        return min(own, key=lambda v: (v.measured_um, v.sort_key())) if own else None

    @property
    def clean(self) -> bool:
        return not self.violations

    def to_json(self, *, layout: str, cell: str, technology: str) -> dict:
        """The report as a JSON-ready dict (format shared with the .lyrdb writer and the CLI)."""
        return {
            "tool": "wlpmask",
            "version": _version,
            "layout": layout,
            "cell": cell,
            "technology": technology,
            "summary": self.summary(),
            "violations": [
                {
                    "rule": v.rule,
                    "kind": v.kind,
                    "layers": list(v.layers),
                    "required_um": v.required_um,
                    "measured_um": v.measured_um,
                    "edge_pair": [list(v.edge_pair[0]), list(v.edge_pair[1])]
                    if v.edge_pair is not None else None,
                    "bbox": list(v.bbox),
                }
                for v in self.violations
            ],
        }
