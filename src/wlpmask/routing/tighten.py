"""Pull-tight of polylines one by one, each against the current metal of all the others.

A run of vertices i..j is replaced greedily by a straight or a two-segment octilinear
connection when the result is shorter (or as long with fewer vertices) and legal
(clearance.py). The metal of every net, terminal and obstacle is kept in a spatial hash and
updated as each net is tightened.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .clearance import Ctx, Shapes, direction, joint_ring, legal, seg_ring
from .lattice import Rules

WINDOW = 6  # how many vertices ahead a shortcut may reach (8: 40 % slower, 0.001 % shorter)


def _length(pts: Sequence[tuple[int, int]]) -> float:
    return sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(pts, pts[1:]))


def _pieces(pts: Sequence[tuple[int, int]], rules: Rules, joints_at: Sequence[int]
            ) -> list[tuple[int, BaseGeometry]]:
    """(segment index or -1 for a joint, polygon) for the segments and the given joints."""
    out: list[tuple[int, BaseGeometry]] = []
    if len(pts) > 1:
        rings = np.array([seg_ring(pts[k], pts[k + 1], rules) for k in range(len(pts) - 1)],
                         dtype=float)
        out.extend(enumerate(shapely.polygons(rings).tolist()))
    joints = list(joints_at)
    if joints:
        rings = np.array([joint_ring(pts[k], rules) for k in joints], dtype=float)
        out.extend((-1, g) for g in shapely.polygons(rings).tolist())
    return out


@dataclass(frozen=True)
class Setup:
    """The fixed inputs of pull-tight (what a second process needs besides the polylines)."""

    rules: Rules
    terminals: Sequence[BaseGeometry]
    terminal_net: Sequence[int]
    obstacles: Sequence[BaseGeometry]
    boundary: BaseGeometry
    parity: int
    allow45: bool


class Tightener:
    """The metal of every net, terminal and obstacle, and the nets tightened against it.

    Args:
        setup: the fixed inputs (rules, terminals, obstacles, boundary).
        polylines: net id -> its centre-line polylines, grid units.
        skip: nets whose metal is not placed now (a later `replace` places it).
    """

    def __init__(self, setup: Setup, polylines: dict[int, list[list[tuple[int, int]]]],
                 skip: set[int] | frozenset[int] = frozenset()):
        self.setup = setup
        rules = setup.rules
        shapely.prepare(setup.boundary)
        x0, y0, x1, y1 = setup.boundary.bounds  # (new metal is inside the boundary)
        g = rules.space
        self.shapes = shapes = Shapes(cell=4.0 * rules.pitch,
                                      window=(x0 - g, y0 - g, x1 + g, y1 + g))
        for t, g in enumerate(setup.terminals):
            shapes.add(setup.terminal_net[t], g)
        for g in setup.obstacles:
            for part in getattr(g, "geoms", [g]):
                shapes.add(-1, part)
        self.lines = {k: [list(pl) for pl in v] for k, v in polylines.items()}
        self.ids: dict[tuple[int, int], list[int]] = {}
        for net in sorted(polylines):
            if net not in skip:  # (placed by `replace`)
                for b, pl in enumerate(polylines[net]):
                    self._put(net, b, pl)
        self.own_terms: dict[int, list[BaseGeometry]] = defaultdict(list)
        for t, n in enumerate(setup.terminal_net):
            if n >= 0:
                self.own_terms[n].append(setup.terminals[t])

    def _put(self, net: int, b: int, pl: Sequence[tuple[int, int]]) -> None:
        for i in self.ids.get((net, b), ()):
            self.shapes.remove(i)
        self.ids[(net, b)] = [self.shapes.add(net, g) for _, g in
                              _pieces(pl, self.setup.rules, range(1, len(pl) - 1))]

    def replace(self, net: int, lines: list[list[tuple[int, int]]]) -> None:
        """Put a net's new polylines in place of its old ones.

        Args:
            net: the net id.
            lines: its polylines, grid units, one per branch as before.
        """
        for b, pl in enumerate(lines):
            if (net, b) not in self.ids or pl != self.lines[net][b]:
                self._put(net, b, pl)
        self.lines[net] = lines

    def run(self, nets: Sequence[int]) -> dict[int, list[list[tuple[int, int]]]]:
        """Tighten the given nets in order, each against the current metal of all others.

        Args:
            nets: net ids, in the order they are tightened.

        Returns:
            Net id -> its tightened polylines (grid units), for the given nets.
        """
        s = self.setup
        out: dict[int, list[list[tuple[int, int]]]] = {}
        for net in nets:
            new_lines = []
            for pl in self.lines[net]:
                ctx = Ctx(net, s.rules, self.shapes, self.own_terms[net], s.boundary,
                          s.parity, s.allow45)
                new_lines.append(_tighten(list(pl), ctx))
            self.replace(net, new_lines)
            out[net] = new_lines
        return out


def _tighten(pts: list[tuple[int, int]], ctx: Ctx) -> list[tuple[int, int]]:
    if len(pts) < 3:
        return pts
    ctx.d_first = direction(pts[0], pts[1])
    ctx.d_last = direction(pts[-2], pts[-1])
    i = 0
    while i < len(pts) - 2:
        done = False
        for j in range(min(len(pts) - 1, i + WINDOW), i + 1, -1):
            old_len = _length(pts[i:j + 1])
            for mid in _connections(pts[i], pts[j], ctx.allow45):
                cand = pts[:i + 1] + mid + pts[j:]
                new_len = _length(cand[i:i + len(mid) + 2])
                if new_len > old_len - 0.5 and not (new_len <= old_len + 0.5 and
                                                    len(mid) < j - i - 1):
                    continue
                if legal(cand, i, i + len(mid) + 1, ctx):
                    pts = cand
                    done = True
                    break
            if done:
                break
        if not done:
            i += 1
    return pts


def _connections(a: tuple[int, int], b: tuple[int, int], allow45: bool
                 ) -> list[list[tuple[int, int]]]:
    """Intermediate vertices of the octilinear connections from a to b (straight first)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 or dy == 0:
        return [[]]
    if not allow45:
        return [[(a[0], b[1])], [(b[0], a[1])]]
    if abs(dx) == abs(dy):
        return [[]]
    sx, sy = (dx > 0) - (dx < 0), (dy > 0) - (dy < 0)
    m = min(abs(dx), abs(dy))
    diag_first = (a[0] + sx * m, a[1] + sy * m)
    axis_first = (b[0] - sx * m, b[1] - sy * m)
    return [[diag_first], [axis_first]]
