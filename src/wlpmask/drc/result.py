"""DRC results: one record per violation, a summary per rule, and the JSON report form.

Edge-pair violations come out of the checks as arrays; they stay arrays (a ViolationBlock)
until a record is read, so counting, the worst value per rule and the JSON report of many
thousands of violations cost no Python object per violation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from .. import __version__ as _version
from .records import EdgeTuple, Violation, ViolationBlock  # noqa: F401 - re-exported


class Violations(Sequence):
    """The violation records of a result: a sequence read like a list.

    Its edge-pair blocks become Violation records only when a record is first read.

    Args:
        items: Violation records (or other Violations) to start with.
    """

    def __init__(self, items: Iterable = ()):
        self._parts: list = []
        self._len = 0
        self._flat: list | None = None
        self.extend(items)

    # --- building
    def append(self, v: Violation) -> None:
        """Add one record at the end.

        Args:
            v: the record.
        """
        self.extend([v])

    def extend(self, items: Iterable) -> None:
        """Add records at the end.

        Args:
            items: Violation records, a ViolationBlock (kept as arrays) or another
                Violations (its blocks kept as they are).
        """
        if isinstance(items, Violations):
            for part in items._parts:
                self._add(part)
        elif isinstance(items, ViolationBlock):
            self._add(items)
        else:
            self._add(list(items))

    def _add(self, part) -> None:
        if len(part) == 0:
            return
        if isinstance(part, list) and self._parts and isinstance(self._parts[-1], list):
            self._parts[-1].extend(part)
        else:
            self._parts.append(part)
        self._len += len(part)
        self._flat = None

    # --- reading
    def parts(self) -> list:
        """The blocks and record lists, in order."""
        return list(self._parts)

    def _records(self) -> list:
        if self._flat is None:
            flat: list = []
            for i, part in enumerate(self._parts):
                if isinstance(part, ViolationBlock):
                    part = self._parts[i] = part.records()
                flat.extend(part)
            self._flat = flat
        return self._flat

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, k):
        return self._records()[k]

    def __iter__(self) -> Iterator[Violation]:
        return iter(self._records())

    def __eq__(self, other) -> bool:
        if isinstance(other, Violations | list | tuple):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    def __add__(self, other) -> list:
        return [*self, *other]

    def __radd__(self, other) -> list:
        return [*other, *self]

    def __repr__(self) -> str:
        return f"Violations({len(self)} records)"

    # --- summaries without records
    def counts(self) -> dict[str, int]:
        """Violation count per rule id that has violations, in order of first appearance."""
        out: dict[str, int] = {}
        for part in self._parts:
            if isinstance(part, ViolationBlock):
                out[part.rule] = out.get(part.rule, 0) + len(part)
            else:
                for v in part:
                    out[v.rule] = out.get(v.rule, 0) + 1
        return out

    def worst(self, rule: str) -> Violation | None:
        """The violation of `rule` with the smallest measured value (None if it has none).

        Args:
            rule: the rule id.
        """
        cands = []
        for part in self._parts:
            if isinstance(part, ViolationBlock):
                if part.rule == rule:
                    k = part.worst_row()
                    cands.append(part.rows(k, k + 1).records()[0])
            else:
                cands.extend(v for v in part if v.rule == rule)
        return min(cands, key=lambda v: (v.measured_um, v.sort_key())) if cands else None


def in_order(block: ViolationBlock, records: Sequence[Violation]) -> Violations:
    """A sorted block and records of the same rule as one sequence in sort_key order.

    Records sort after block rows with an equal key.

    Args:
        block: the rule's edge-pair violations, sorted.
        records: the rule's marker violations, in any order.
    """
    out = Violations()
    start = 0
    for v in sorted(records, key=lambda r: r.sort_key()):
        key = v.sort_key()
        lo, hi = start, len(block)
        while lo < hi:
            mid = (lo + hi) // 2
            if block.sort_key(mid) <= key:
                lo = mid + 1
            else:
                hi = mid
        out.extend(block.rows(start, lo))
        out.append(v)
        start = lo
    out.extend(block.rows(start, len(block)))
    return out


def _json_record(v: Violation) -> dict:
    return {
        "rule": v.rule,
        "kind": v.kind,
        "layers": list(v.layers),
        "required_um": v.required_um,
        "measured_um": v.measured_um,
        "edge_pair": [list(v.edge_pair[0]), list(v.edge_pair[1])]
        if v.edge_pair is not None else None,
        "bbox": list(v.bbox),
    }


# The most violation records a report lists per rule (the counts are always complete).
MAX_REPORTED_PER_RULE = 10_000


@dataclass
class DrcResult:
    """The outcome of run_drc.

    Args:
        violations: every violation, grouped by rule in technology order, then by location
            (any iterable of Violation records; kept as a Violations sequence).
        rules_run: the rule ids that were checked, in technology order.
    """

    violations: Violations = field(default_factory=Violations)
    rules_run: list[str] = field(default_factory=list)

    def __post_init__(self):
        if not isinstance(self.violations, Violations):
            self.violations = Violations(self.violations)

    def summary(self) -> dict[str, int]:
        """Violation count per rule run (zeros included), in technology order."""
        counts = {r: 0 for r in self.rules_run}
        for rule, n in self.violations.counts().items():
            counts[rule] = counts.get(rule, 0) + n
        return counts

    def worst(self, rule: str) -> Violation | None:
        """The violation of `rule` with the smallest measured value (None if clean).

        Args:
            rule: the rule id.
        """
        return self.violations.worst(rule)

    @property
    def clean(self) -> bool:
        """No violation at all."""
        return not len(self.violations)

    def reported(self, max_per_rule: int | None = MAX_REPORTED_PER_RULE) -> DrcResult:
        """The result as a report lists it: at most max_per_rule records of each rule, in order.

        A die that breaks a rule breaks it once per die on a wafer: listing a million
        violations helps no one and costs minutes. Reports give the full result's counts.

        Args:
            max_per_rule: the most records of one rule (None: all).
        """
        if max_per_rule is None or all(n <= max_per_rule
                                       for n in self.violations.counts().values()):
            return self
        taken: dict[str, int] = {}
        kept = Violations()
        for part in self.violations.parts():
            if isinstance(part, ViolationBlock):
                room = max_per_rule - taken.get(part.rule, 0)
                if room > 0:
                    kept.extend(part.rows(0, min(room, len(part))))
                    taken[part.rule] = taken.get(part.rule, 0) + min(room, len(part))
                continue
            rows = []
            for v in part:
                if taken.get(v.rule, 0) < max_per_rule:
                    rows.append(v)
                    taken[v.rule] = taken.get(v.rule, 0) + 1
            kept.extend(rows)
        return DrcResult(violations=kept, rules_run=list(self.rules_run))

    def to_json(self, *, layout: str, cell: str, technology: str,
                max_per_rule: int | None = MAX_REPORTED_PER_RULE) -> dict:
        """The report as a JSON-ready dict (format shared with the .lyrdb writer and the CLI).

        Args:
            layout: the name of the checked layout file, as the report shows it.
            cell: the name of the checked top cell.
            technology: the technology name.
            max_per_rule: the most violation records listed per rule (None: all); `summary`
                counts every violation, `reported` what the list holds when it is shorter.
        """
        shown = self.reported(max_per_rule)
        records: list[dict] = []
        for part in shown.violations.parts():
            if isinstance(part, ViolationBlock):
                records.extend(part.json_rows())
            else:
                records.extend(_json_record(v) for v in part)
        out = {
            "tool": "wlpmask",
            "version": _version,
            "layout": layout,
            "cell": cell,
            "technology": technology,
            "summary": self.summary(),
            "violations": records,
        }
        if shown is not self:
            out["reported"] = shown.summary()
        return out
