"""Hierarchical DRC: each distinct cell checked once, then only where instances meet.

For each rule, every distinct child of the top cell (drc.placements) is checked alone, in its
own frame. Two instances interact where shapes of the rule's layers come closer than the rule
distance (touching, for layers that only merge): the overlap of those shapes' boxes, grown by
that distance, is an interaction box. A violation found in a cell alone is moved to every
instance whose interaction boxes stay farther than the halo (rule distance + 2 database units)
from it; the rest is checked once more, flat, on the shapes of all instances that lie within
three rule distances of an interaction box (each with every shape it merges with), and of that
check the violations near an interaction box are kept. So a wafer of one die costs about a die
plus its borders, and the violations are those of the flat engine (drc.engine.run_drc), which
stays the reference. Instances with the same interaction boxes around them are one group: they
are filtered and gathered once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

import gdstk
import numpy as np
import shapely

from ..tech import Rule, Technology
from .boxes import box_pairs, unique_rows
from .corners import K
from .engine import select_rules
from .kinds import KIND_CHECKS, LayerSet
from .merge import flatten
from .placements import Placement, Rows, placements
from .polyset import PolygonSet
from .result import DrcResult, ViolationBlock, Violations, in_order

__all__ = ["HierResult", "influence_um", "run_drc_hier"]

_TOUCH = 2  # database units: shapes closer than this merge (or touch)
# Per rule kind, the layers (by position) without which the kind finds nothing: a check where
# instances meet is skipped when one of them has no shape there.
_SUBJECTS = {"width": (0,), "space": (0,), "min_area": (0,), "separation": (0, 1),
             "enclosure": (1,), "inside": (1,)}


@dataclass
class HierResult:
    """What the hierarchical check found.

    Args:
        result: the violations, as run_drc reports them.
        waived: rule -> violations found inside a waived cell alone (left out of result).
        border: rule -> violations that came from the check where instances meet.
        cells: the distinct cells checked, with their instance counts.
    """

    result: DrcResult
    waived: dict[str, int] = field(default_factory=dict)
    border: dict[str, int] = field(default_factory=dict)
    cells: dict[str, int] = field(default_factory=dict)


def _near(boxes: np.ndarray, others: np.ndarray, gap: int) -> np.ndarray:
    """Which boxes have one of `others` at most `gap` away (box gap, both axes)."""
    hit = np.zeros(len(boxes), dtype=bool)
    if len(boxes) and len(others):
        hit[box_pairs(boxes, others, gap + 1)[0]] = True
    return hit


def _extent(kind: str, d: float) -> tuple[float | None, float]:
    """(gap, influence) of a rule kind with distance d (any unit; the same unit back).

    Shapes of two instances closer than the gap change each other's result (None: the edge
    kinds' gap, by layer pair, see _RuleCheck._dist); a result can change as far as the
    influence from where they meet. The radius kinds reach further than their distance: an
    opening by discs of R changes up to 2R from where shapes merge, a closing bridges gaps up
    to 2R, and a corner is worked in a window (K + 1) R around it (corners.py).
    """
    if kind == "outer_radius":
        return _TOUCH, 2 * d
    if kind == "inner_radius":
        return 2 * d + _TOUCH, 2 * d
    if kind == "convex_corner_radius":  # discs in the corner's own polygon
        return _TOUCH, 2 * (K + 1) * d
    if kind == "concave_corner_radius":  # discs in the space around it, others' shapes too
        return (K + 1) * d + _TOUCH, 2 * (K + 1) * d
    return None, d


def influence_um(rule: Rule) -> float:
    """How far from a point a rule's result can depend on the layout (um).

    Args:
        rule: the technology rule.
    """
    return 0.0 if rule.kind == "min_area" else _extent(rule.kind, rule.limit)[1]


class _RuleCheck:
    """One rule over the placements: the interaction boxes, groups and the two checks."""

    def __init__(self, rule: Rule, places: list[Placement], sets: list[LayerSet], dbu: float):
        self.rule, self.places, self.sets, self.dbu = rule, places, sets, dbu
        self.layers = list(dict.fromkeys(rule.layers))
        self.d = 0 if rule.kind == "min_area" else int(round(rule.limit / dbu))
        gap, influence = _extent(rule.kind, self.d)
        self.gap = None if gap is None else int(gap)
        influence = int(influence)
        self.halo = influence + _TOUCH
        self.reach = self.halo + 2 * influence + 2 * _TOUCH
        self.pair_gap = max(self.d + _TOUCH, self.gap or 0)
        self.boxes = [{n: s.merged(n).bbox for n in self.layers} for s in sets]
        self._raw: dict[tuple[int, str], tuple] = {}

    def _dist(self, la: str, lb: str) -> int:
        if self.gap is not None:
            return self.gap
        # merging is all two shapes of one layer do to each other, except in a space check
        if la == lb and self.rule.kind != "space":
            return _TOUCH
        return self.d + _TOUCH

    def _regions(self, pa: int, pb: int, delta: np.ndarray) -> np.ndarray:
        """Interaction boxes of instance pb (moved by delta) with pa, in pa's frame."""
        out = []
        shift = np.tile(delta, 2)
        for la in self.layers:
            a = self.boxes[pa][la]
            for lb in self.layers:
                b = self.boxes[pb][lb] + shift
                h = self._dist(la, lb)
                i, j = box_pairs(a, b, h)
                if len(i):
                    lo = np.maximum(a[i, :2], b[j, :2]) - h
                    hi = np.minimum(a[i, 2:], b[j, 2:]) + h
                    out.append(np.column_stack([lo, hi]))
        return np.concatenate(out) if out else np.zeros((0, 4), np.int64)

    def instances(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(placement index, offset, box) of every instance with shapes on the rule's layers."""
        ip, off, box = [], [], []
        for k, p in enumerate(self.places):
            b = [self.boxes[k][n] for n in self.layers if len(self.boxes[k][n])]
            if not b:
                continue
            b = np.concatenate(b)
            pbox = np.array([*b[:, :2].min(axis=0), *b[:, 2:].max(axis=0)], np.int64)
            ip.append(np.full(len(p.offsets), k))
            off.append(p.offsets)
            box.append(pbox + np.tile(p.offsets, 2))
        if not ip:
            z = np.zeros((0, 2), np.int64)
            return np.zeros(0, np.int64), z, np.zeros((0, 4), np.int64)
        return np.concatenate(ip), np.concatenate(off), np.concatenate(box)

    def interactions(self, ip: np.ndarray, off: np.ndarray, box: np.ndarray) -> np.ndarray:
        """Every interaction box of the layout (database units)."""
        a, b = box_pairs(box, box, self.pair_gap, same=True)
        if len(a) == 0:
            return np.zeros((0, 4), np.int64)
        first, inv = unique_rows(np.column_stack([ip[a], ip[b], off[b] - off[a]]))
        regions = [self._regions(int(ip[a[k]]), int(ip[b[k]]), off[b[k]] - off[a[k]])
                   for k in first]
        counts = np.array([len(r) for r in regions])
        if counts.sum() == 0:
            return np.zeros((0, 4), np.int64)
        cat = np.concatenate(regions)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        n = counts[inv]
        rows = np.repeat(starts[inv] - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
        return cat[rows] + np.tile(np.repeat(off[a], n, axis=0), 2)

    def groups(self, ip, off, box, inter) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Instances with the same interaction boxes around them, grouped.

        Each group is (placement, those boxes in its frame, the offsets of its instances).
        """
        if len(inter) == 0:
            return [(int(p), np.zeros((0, 4), np.int64), off[ip == p]) for p in np.unique(ip)]
        ii, kk = box_pairs(box, inter, self.halo + 1)
        rel = inter[kk] - np.tile(off[ii], 2)
        order = np.lexsort((rel[:, 3], rel[:, 2], rel[:, 1], rel[:, 0], ii))
        ii, rel = ii[order], np.ascontiguousarray(rel[order])
        if len(ii):
            dup = np.concatenate([[False], (ii[1:] == ii[:-1])
                                  & np.all(rel[1:] == rel[:-1], axis=1)])
            ii, rel = ii[~dup], rel[~dup]
        starts = np.searchsorted(ii, np.arange(len(ip) + 1))
        sig: dict[tuple, list] = {}
        for n in range(len(ip)):
            r = rel[starts[n]:starts[n + 1]]
            sig.setdefault((int(ip[n]), r.tobytes()), [r, []])[1].append(n)
        return [(p, r, off[idx]) for (p, _), (r, idx) in sig.items()]

    def _raw_index(self, p: int, name: str):
        if (p, name) not in self._raw:
            polys = self.places[p].shapes.get(name, [])
            xy, lens = flatten(polys, self.dbu)
            starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
            ok = lens > 0
            box = np.zeros((len(lens), 4), np.int64)
            if ok.any():
                s = starts[ok]
                box[ok] = np.column_stack([np.minimum.reduceat(xy[:, 0], s),
                                           np.minimum.reduceat(xy[:, 1], s),
                                           np.maximum.reduceat(xy[:, 0], s),
                                           np.maximum.reduceat(xy[:, 1], s)])
            self._raw[(p, name)] = (polys, xy, starts, box, ok)
        return self._raw[(p, name)]

    def selected(self, p: int, name: str, rel: np.ndarray) -> list[np.ndarray]:
        """The raw polygons of p on a layer that belong to a merged shape near the boxes."""
        merged = self.sets[p].merged(name)
        units = np.flatnonzero(_near(merged.bbox, rel, self.reach))
        if len(units) == 0:
            return []
        polys, xy, starts, box, ok = self._raw_index(p, name)
        ri, uj = box_pairs(box, merged.bbox[units], 1)
        keep = ok[ri]
        ri, uj = ri[keep], uj[keep]
        pts = shapely.points(xy[starts[ri]].astype(np.float64))
        hit = shapely.intersects(pts, merged.geoms_of(units)[uj])
        return [polys[k] for k in np.unique(ri[hit])]


def _moved(polys: list[np.ndarray], offsets_um: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and counts of the polygons copied to every offset."""
    xy = np.concatenate(polys)
    lens = np.array([len(q) for q in polys], np.int64)
    return ((xy[None, :, :] + offsets_um[:, None, :]).reshape(-1, 2),
            np.tile(lens, len(offsets_um)))


def _assemble(rule: Rule, arrays: list[list], records: list) -> Violations:
    arrays = [a for a in arrays if a]
    if arrays:
        m, f, s, b = (np.concatenate([a[k] for a in arrays]) for k in range(4))
    else:
        m, f, s, b = np.zeros(0), *(np.zeros((0, 4)) for _ in range(3))
    block = ViolationBlock.sorted(rule.id, rule.kind, rule.layers, rule.limit, m, f, s, b)
    return in_order(block, records)


def _check_rule(rc: _RuleCheck, waive: Collection[str], out: HierResult) -> Violations:
    rule, dbu = rc.rule, rc.dbu
    check = KIND_CHECKS[rule.kind]
    alone = [Rows.of(check(rule, s), dbu) if any(len(b) for b in rc.boxes[k].values())
             else None for k, s in enumerate(rc.sets)]
    ip, off, box = rc.instances()
    inter = rc.interactions(ip, off, box)
    arrays, records = [], []
    shapes: dict[str, list] = {n: [] for n in rc.layers}
    for p, rel, offs in rc.groups(ip, off, box, inter):
        rows = alone[p]
        if rows is not None and len(rows):
            keep = ~_near(rows.boxes(), rel, rc.halo)
            if rc.places[p].name in waive:
                out.waived[rule.id] = out.waived.get(rule.id, 0) + int(keep.sum()) * len(offs)
            else:
                a, r = rows.take(keep, offs, dbu)
                arrays.append(a)
                records.extend(r)
        if len(rel):
            for n in rc.layers:
                polys = rc.selected(p, n, rel)
                if polys:
                    shapes[n].append(_moved(polys, offs * dbu))
    subjects = [rule.layers[k] for k in _SUBJECTS.get(rule.kind, ())]
    if any(shapes.values()) and all(shapes[n] for n in subjects):
        sets = {}
        for n, parts in shapes.items():
            if parts:
                xy = np.concatenate([q[0] for q in parts])
                lens = np.concatenate([q[1] for q in parts])
                sets[n] = PolygonSet(xy, np.concatenate([[0], np.cumsum(lens)]))
        rows = Rows.of(check(rule, LayerSet(sets, dbu)), dbu)
        keep = _near(rows.boxes(), inter, rc.halo)
        out.border[rule.id] = int(keep.sum())
        a, r = rows.take(keep, np.zeros((1, 2), np.int64), dbu)
        arrays.append(a)
        records.extend(r)
    return _assemble(rule, arrays, records)


def run_drc_hier(top: gdstk.Cell, tech: Technology, *, rules: Sequence[str] | None = None,
                 waive: Collection[str] = (),
                 progress: Callable[[int, str], None] | None = None) -> HierResult:
    """Check a layout hierarchically: each distinct child of top once, then where they meet.

    Args:
        top: the top cell; its children are placed by translation (other orientations are
            checked as cells of their own).
        tech: the technology; its grid is the database unit.
        rules: rule ids to run (default: all), in technology order.
        waive: names of cells whose own violations (found in the cell alone, away from every
            other instance) are counted in `waived` instead of reported, e.g. alignment marks
            that no product rule is meant for. Violations where they meet others are reported.
        progress: called with (rules done, rule id) before each rule.

    Raises:
        WlpmaskError: an unknown rule id.
    """
    selected = select_rules(tech, rules)
    places = placements(top, tech)
    sets = [LayerSet(p.shapes, tech.grid_um) for p in places]
    out = HierResult(DrcResult(rules_run=selected),
                     cells={p.name: len(p.offsets) for p in places})
    for i, rid in enumerate(selected):
        if progress is not None:
            progress(i, rid)
        rc = _RuleCheck(tech.rules[rid], places, sets, tech.grid_um)
        out.result.violations.extend(_check_rule(rc, set(waive), out))
    return out
