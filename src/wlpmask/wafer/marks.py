"""Alignment marks: box-in-box from coarse to fine and verniers, one block per mask pair.

For every mask after the first, a block aligns it to the mask it follows: the outer part on
the layer aligned to, the inner part on the new layer. The fine box-in-box gap is 2.5 times
the aligner's overlay tolerance (DOMAIN.md 8: 2-3 x), the coarser ones 3 and 10 times that;
an inner square is eight gaps wide. The verniers (x and y) read the overlay in steps of half
the tolerance. No feature is drawn below the width and space rules of its layer, so a mark on
a thick layer grows with it, and frames and spaces are at least the rules between the pair's
two layers, so only a frame's window faces its inner square. Each mask also gets a CD bar (a
line of its critical dimension) where the job deck says to measure it. A site holds every
block and bar and is placed at two or more places on the wafer, where no die is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import gdstk
import numpy as np

from .. import geometry as geo
from ..cells import CellCache, polygon
from ..errors import WlpmaskError
from ..families.base import MaskStep
from ..tech import Layer, Technology

__all__ = ["GAP_FACTORS", "MarkPair", "MarkSite", "critical_dimension", "fine_gap", "mark_pairs",
           "mark_site"]

# Box-in-box gaps as multiples of the fine gap (2.5 x the overlay tolerance), coarse first.
GAP_FACTORS = (10.0, 3.0, 1.0)
FINE_GAP_PER_TOLERANCE = 2.5
INNER_PER_GAP = 8.0
VERNIER_LINES = 5  # lines each side of the centre line


@dataclass(frozen=True)
class MarkPair:
    """One alignment: the new mask's layer against the layer it aligns to.

    Args:
        step: the new mask's step in the flow.
        outer: the layer aligned to (the outer part of the marks).
        inner: the new mask's layer (the inner part).
    """

    step: int
    outer: Layer
    inner: Layer


def mark_pairs(masks: Sequence[MaskStep], roles: Mapping[str, Layer], *,
               source: str | None = None) -> list[MarkPair]:
    """The mark pairs of a mask sequence: every mask after the first against its aligned_to.

    Args:
        masks: the product's mask sequence.
        roles: the product's roles (role -> layer).
        source: the design file (named by the error when a mask aligns to a role not drawn).
    """
    out = []
    for m in masks[1:]:
        if m.aligned_to is None:
            continue
        if m.aligned_to not in roles:
            raise WlpmaskError(f"mask {m.step} ({m.layer.name}) aligns to role "
                               f"{m.aligned_to!r}, which the product does not draw: no "
                               "alignment mark can be drawn on it", file=source, key="wafer")
        out.append(MarkPair(m.step, roles[m.aligned_to], m.layer))
    return out


def _rule_min(tech: Technology, layer: Layer, kinds: Sequence[str]) -> float:
    """The largest limit of the technology's one-layer rules of these kinds on a layer."""
    vals = [r.limit for r in tech.rules.values()
            if r.kind in kinds and r.layers == (layer.name,)]
    return max(vals, default=0.0)


def fine_gap(tolerance_um: float, grid_um: float) -> float:
    """The fine box-in-box gap: 2.5 x the overlay tolerance on the grid (at least one step).

    Args:
        tolerance_um: the aligner's overlay tolerance.
        grid_um: the manufacturing grid.
    """
    return max(geo.snap_value(FINE_GAP_PER_TOLERANCE * tolerance_um, grid_um), grid_um)


def critical_dimension(tech: Technology, layer: Layer, fine_gap_um: float) -> float:
    """The critical dimension of a layer (um): its width rule, else space rule, else 4 gaps.

    The gaps are fine box-in-box gaps.

    Args:
        tech: the technology.
        layer: the mask layer.
        fine_gap_um: the fine box-in-box gap.
    """
    return (_rule_min(tech, layer, ("width",)) or _rule_min(tech, layer, ("space",))
            or 4 * fine_gap_um)


@dataclass(frozen=True)
class MarkSite:
    """The cell placed at each alignment-mark site, centred on its origin.

    Args:
        cell: the site cell.
        box_um: its extent (x0, y0, x1, y1) around the origin.
        blocks: step -> (x, y) centre of that mask's alignment block in the site.
        cd_bars: step -> (x, y, cd_um) centre and width of that mask's CD bar in the site.
    """

    cell: gdstk.Cell
    box_um: tuple[float, float, float, float]
    blocks: Mapping[int, tuple[float, float]]
    cd_bars: Mapping[int, tuple[float, float, float]]


class _Drawer:
    """Polygons on layers, snapped to the grid, with their extent."""

    def __init__(self, grid_um: float):
        self.grid = grid_um
        self.polys: list[tuple[Layer, np.ndarray]] = []

    def box(self, layer: Layer, x0: float, y0: float, x1: float, y1: float) -> None:
        self.polys.append((layer, geo.box(x0, y0, x1, y1)))

    def frame(self, layer: Layer, outer: Sequence[float], width: float) -> None:
        for p in geo.frame(outer=outer, width_um=width):
            self.polys.append((layer, p))

    def extent(self) -> tuple[float, float, float, float]:
        pts = np.concatenate([p for _, p in self.polys])
        return (*pts.min(axis=0), *pts.max(axis=0))


def _pair_min(tech: Technology, pair: MarkPair) -> float:
    """The largest limit of the technology's rules between the pair's two layers."""
    names = {pair.outer.name, pair.inner.name}
    return max([r.limit for r in tech.rules.values()
                if r.unit == "um" and len(r.layers) == 2 and set(r.layers) == names],
               default=0.0)


def _box_in_box(dr: _Drawer, pair: MarkPair, x: float, gap: float, feat_a: float,
                feat_b: float, between: float) -> float:
    """One box-in-box level with its left edge at x (centred on y = 0); returns its width.

    The frame is at least `between` wide, so its outer edges stay beyond the rules between
    the two layers: only its window faces the inner square.
    """
    s = max(INNER_PER_GAP * gap, feat_b)
    window = s + 2 * gap
    fw = max(4 * gap, feat_a, between)
    half = window / 2 + fw
    cx = x + half
    dr.frame(pair.outer, (cx - half, -half, cx + half, half), fw)
    dr.box(pair.inner, cx - s / 2, -s / 2, cx + s / 2, s / 2)
    return 2 * half


def _vernier(dr: _Drawer, pair: MarkPair, x: float, width: float, res: float,
             vertical: bool) -> float:
    """A vernier with its left edge at x; returns its width.

    The main scale is on the outer layer, the vernier scale (pitch longer by the resolution)
    on the inner layer; bars run across the read axis (x, or y when vertical).
    """
    n = VERNIER_LINES
    boxes = []
    for k in range(-n, n + 1):
        length = 6 * width * (1.5 if k == 0 else 1.0)
        for layer, pitch, sign in ((pair.outer, 2 * width, 1.0),
                                   (pair.inner, 2 * width + res, -1.0)):
            c = k * pitch
            y0, y1 = sorted((sign * width / 2, sign * (width / 2 + length)))
            b = (c - width / 2, y0, c + width / 2, y1)
            boxes.append((layer, (b[1], b[0], b[3], b[2]) if vertical else b))
    left = min(b[0] for _, b in boxes)
    right = max(b[2] for _, b in boxes)
    for layer, b in boxes:
        dr.box(layer, b[0] - left + x, b[1], b[2] - left + x, b[3])
    return right - left


def mark_site(pairs: Sequence[MarkPair], masks: Sequence[MaskStep], *, tech: Technology,
              tolerance_um: float, name: str, cache: CellCache) -> MarkSite:
    """The alignment-mark site cell: one block per pair, a CD bar per mask.

    Args:
        pairs: the mark pairs (mark_pairs).
        masks: every mask (each gets a CD bar).
        tech: the technology (grid, width and space rules).
        tolerance_um: the aligner's overlay tolerance.
        name: the cell name.
        cache: the build's cell cache.
    """
    grid = tech.grid_um
    fine = fine_gap(tolerance_um, grid)
    res = max(geo.snap_value(tolerance_um / 2, grid), grid)
    dr = _Drawer(grid)
    blocks: dict[int, tuple[float, float]] = {}
    y = 0.0
    for pair in pairs:
        feat_a = _rule_min(tech, pair.outer, ("width", "space"))
        feat_b = _rule_min(tech, pair.inner, ("width", "space"))
        between = _pair_min(tech, pair)
        space = max(feat_a, feat_b, 10 * fine, between)
        row = _Drawer(grid)
        x = 0.0
        for f in GAP_FACTORS:
            x += _box_in_box(row, pair, x, geo.snap_value(f * fine, grid), feat_a, feat_b,
                             between)
            x += space
        w = max(4 * fine, feat_a, feat_b)
        x += _vernier(row, pair, x, w, res, False) + space
        _vernier(row, pair, x, w, res, True)
        x0, y0, x1, y1 = row.extent()
        shift = y - y1
        dr.polys.extend((lay, p + [0.0, shift]) for lay, p in row.polys)
        blocks[pair.step] = ((x0 + x1) / 2, (y0 + y1) / 2 + shift)
        y = y0 + shift - space
    bars: dict[int, tuple[float, float, float]] = {}
    bx = dr.extent()[2] + 20 * fine if dr.polys else 0.0
    by = 0.0
    for m in masks:
        cd = critical_dimension(tech, m.layer, fine)
        length = 10 * cd
        dr.box(m.layer, bx, by - length, bx + cd, by)
        bars[m.step] = (bx + cd / 2, by - length / 2, cd)
        bx += cd + max(_rule_min(tech, m.layer, ("space",)), 10 * fine, cd)
    x0, y0, x1, y1 = dr.extent() if dr.polys else (0.0, 0.0, 0.0, 0.0)
    cx, cy = geo.snap_value((x0 + x1) / 2, grid), geo.snap_value((y0 + y1) / 2, grid)
    polys = [(lay, p - [cx, cy]) for lay, p in dr.polys]

    def build(**_) -> gdstk.Cell:
        cell = gdstk.Cell(name)
        for lay, p in polys:
            cell.add(polygon(p, lay, grid_um=grid))
        return cell

    cell = cache.get(name, build)
    box = (x0 - cx, y0 - cy, x1 - cx, y1 - cy)
    return MarkSite(cell, box, {k: (a - cx, b - cy) for k, (a, b) in blocks.items()},
                    {k: (a - cx, b - cy, c) for k, (a, b, c) in bars.items()})
