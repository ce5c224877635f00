"""The records of a DRC result: one violation, and a block of edge-pair violations as arrays.

A block stays arrays until a record is read, so counting and reporting many thousands of
violations cost no Python object per violation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["EdgeTuple", "Violation", "ViolationBlock"]

EdgeTuple = tuple[float, float, float, float]


@dataclass(frozen=True)
class Violation:
    """One rule violation.

    Args:
        rule: the rule id, e.g. "RDL.S".
        kind: the rule kind (width, space, separation, enclosure, min_area, inside,
            outer_radius, inner_radius).
        layers: the layer names in the rule's role order.
        required_um: the rule limit (um, or um2 for min_area).
        measured_um: what was measured (um, or um2 for min_area); below required_um. For
            edge pairs the smallest distance between the two edges; for polygon markers see
            the check of the kind (kinds.py).
        edge_pair: the two violating edge parts (x1, y1, x2, y2) in um, or None for a
            polygon marker (area, shapes outside their enclosing layer, corner radius).
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
        """The order of violations within a rule: (bbox, measured_um, edge pair)."""
        ep = self.edge_pair or ((0.0,) * 4, (0.0,) * 4)
        return (self.bbox, self.measured_um, ep)


@dataclass(frozen=True)
class ViolationBlock:
    """Edge-pair violations of one rule as arrays (um), sorted as Violation.sort_key sorts.

    Args:
        rule, kind, layers, required_um: as in Violation, shared by all rows.
        measured: (n,) smallest distance of each pair.
        first, second: (n, 4) the two edge parts.
        bbox: (n, 4) box of each pair.
    """

    rule: str
    kind: str
    layers: tuple[str, ...]
    required_um: float
    measured: np.ndarray
    first: np.ndarray
    second: np.ndarray
    bbox: np.ndarray

    @classmethod
    def sorted(cls, rule: str, kind: str, layers: tuple[str, ...], required_um: float,
               measured: np.ndarray, first: np.ndarray, second: np.ndarray,
               bbox: np.ndarray) -> ViolationBlock:
        """A block with its rows put in sort_key order (bbox, measured, edge pair).

        Args:
            rule: the rule id.
            kind: the rule kind.
            layers: the layer names in the rule's role order.
            required_um: the rule limit (um).
            measured: (n,) smallest distance of each pair (um).
            first: (n, 4) first edge parts (um).
            second: (n, 4) second edge parts (um).
            bbox: (n, 4) box of each pair (um).
        """
        keys = [second[:, k] for k in (3, 2, 1, 0)] + [first[:, k] for k in (3, 2, 1, 0)] \
            + [measured] + [bbox[:, k] for k in (3, 2, 1, 0)]
        order = np.lexsort(keys) if len(measured) else np.zeros(0, np.int64)
        return cls(rule, kind, layers, required_um, measured[order], first[order],
                   second[order], bbox[order])

    def __len__(self) -> int:
        return len(self.measured)

    def records(self) -> list[Violation]:
        """The rows as Violation records."""
        new, base = object.__new__, Violation
        rule, kind, layers, req = self.rule, self.kind, self.layers, self.required_um
        out = []
        for m, f, s, b in zip(self.measured.tolist(), map(tuple, self.first.tolist()),
                              map(tuple, self.second.tolist()), map(tuple, self.bbox.tolist())):
            v = new(base)
            # frozen: the fields are set once, as __init__ would set them
            v.__dict__.update(rule=rule, kind=kind, layers=layers, required_um=req,
                              measured_um=m, edge_pair=(f, s), bbox=b)
            out.append(v)
        return out

    def rows(self, a: int, b: int) -> ViolationBlock:
        """Rows a to b (exclusive) as a block.

        Args:
            a: the first row.
            b: the row after the last.
        """
        return ViolationBlock(self.rule, self.kind, self.layers, self.required_um,
                              self.measured[a:b], self.first[a:b], self.second[a:b],
                              self.bbox[a:b])

    def sort_key(self, i: int) -> tuple:
        """Violation.sort_key of row i.

        Args:
            i: the row index.
        """
        return (tuple(self.bbox[i].tolist()), float(self.measured[i]),
                (tuple(self.first[i].tolist()), tuple(self.second[i].tolist())))

    def worst_row(self) -> int:
        """Index of the row with the smallest measured value (first in sort order)."""
        return int(np.argmin(self.measured))

    def json_rows(self) -> list[dict]:
        """The rows as JSON report records (the keys of a Violation, lists for tuples)."""
        layers = list(self.layers)
        return [{"rule": self.rule, "kind": self.kind, "layers": list(layers),
                 "required_um": self.required_um, "measured_um": m,
                 "edge_pair": [f, s], "bbox": b}
                for m, f, s, b in zip(self.measured.tolist(), self.first.tolist(),
                                      self.second.tolist(), self.bbox.tolist())]
