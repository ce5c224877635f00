"""Pull-tight: replace runs of a routed path by one or two octilinear segments.

The lattice keeps nets apart by construction but makes wires longer than they need to be
(staircases, jogs at terminals, detours of one pitch). After routing, each path is shortened
greedily: a run of vertices i..j is replaced by a straight or a two-segment octilinear
connection when the new metal keeps the spacing to every foreign shape (checked exactly against
the current metal of all other nets, the obstacles and the terminals), no turn exceeds 90
degrees, and two turns in the same sense that add up to more than 90 degrees are far enough
apart not to fold the wire into a notch. The result leaves the lattice and hugs the obstacles.
"""

from __future__ import annotations

import math
import os
import pickle
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .lattice import DIRS, Rules

WINDOW = 6  # how many vertices ahead a shortcut may reach (8: 40 % slower, 0.001 % shorter)
PARALLEL_MIN = 300  # nets from which the two halves of the die are tightened in two processes


def _dir(a: tuple[int, int], b: tuple[int, int]) -> int:
    dx, dy = b[0] - a[0], b[1] - a[1]
    return DIRS.index(((dx > 0) - (dx < 0), (dy > 0) - (dy < 0)))


def _turn(d1: int, d2: int) -> int:
    """Signed turn from d1 to d2 in 45-degree steps, in -4..3."""
    t = (d2 - d1) % 8
    return t - 8 if t > 4 else t


def _length(pts: Sequence[tuple[int, int]]) -> float:
    return sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(pts, pts[1:]))


class _Shapes:
    """Spatial hash of metal pieces, terminals and obstacles, each with its owner net."""

    def __init__(self, cell: float):
        self.cell = cell
        self.cells: dict[tuple[int, int], dict[int, tuple[int, BaseGeometry]]] = {}
        self._next = 0
        self.where: dict[int, list[tuple[int, int]]] = {}

    def _keys(self, b: tuple[float, float, float, float], grow: float
              ) -> list[tuple[int, int]]:
        c = self.cell
        return [(i, j) for i in range(int((b[0] - grow) // c), int((b[2] + grow) // c) + 1)
                for j in range(int((b[1] - grow) // c), int((b[3] + grow) // c) + 1)]

    def add(self, owner: int, geom: BaseGeometry) -> int:
        ident = self._next
        self._next += 1
        keys = self._keys(geom.bounds, 0.0)
        for k in keys:
            self.cells.setdefault(k, {})[ident] = (owner, geom)
        self.where[ident] = keys
        return ident

    def remove(self, ident: int) -> None:
        for k in self.where.pop(ident, ()):
            del self.cells[k][ident]

    def foreign(self, bounds: tuple[float, float, float, float], dist: float, net: int
                ) -> list[BaseGeometry]:
        """Shapes of owners other than `net` in the cells within dist of the bounds."""
        found: dict[int, tuple[int, BaseGeometry]] = {}
        cells = self.cells
        for k in self._keys(bounds, dist):
            c = cells.get(k)
            if c:
                found.update(c)
        return [g for owner, g in found.values() if owner != net]


def _pieces(pts: Sequence[tuple[int, int]], rules: Rules, joints_at: Sequence[int]
            ) -> list[tuple[int, BaseGeometry]]:
    """(segment index or -1 for a joint, polygon) for the segments and the given joints."""
    out: list[tuple[int, BaseGeometry]] = []
    if len(pts) > 1:
        rings = np.array([_seg_ring(pts[k], pts[k + 1], rules) for k in range(len(pts) - 1)],
                         dtype=float)
        out.extend(enumerate(shapely.polygons(rings).tolist()))
    joints = list(joints_at)
    if joints:
        rings = np.array([_joint_ring(pts[k], rules) for k in joints], dtype=float)
        out.extend((-1, g) for g in shapely.polygons(rings).tolist())
    return out


def pull_tight(polylines: dict[int, list[list[tuple[int, int]]]], *, rules: Rules,
               terminals: Sequence[BaseGeometry], terminal_net: Sequence[int],
               obstacles: Sequence[BaseGeometry], boundary: BaseGeometry, parity: int,
               allow45: bool = True) -> dict[int, list[list[tuple[int, int]]]]:
    """Shorten every polyline where the exact geometry allows (grid units).

    Nets are taken in order of their ids, each against the current metal of the others.
    From PARALLEL_MIN nets on, the nets wholly left of the boundary's centre and those
    wholly right (which cannot come near each other) are taken in two processes at once,
    and the nets between after both; the result is the same on every machine.

    Args:
        polylines: net id -> centre-line polylines; each starts (and, unless it ends on a
            branch of its own net, ends) at a terminal centre.
        rules: wire rules.
        terminals: terminal shapes; terminal_net gives each one's net id or -1.
        obstacles: obstacle shapes.
        boundary: the routing area; all metal stays inside it.
        parity: (x + y) % 2 of the lattice nodes; diagonal segments must keep it so that all
            outline intersections stay on the grid.
        allow45: whether shortcuts may use diagonal segments.
    """
    setup = _Setup(rules, terminals, terminal_net, obstacles, boundary, parity, allow45)
    left, right, rest = _halves(polylines, rules, boundary)
    out: dict[int, list[list[tuple[int, int]]]] = {}
    parallel = bool(left and right) and len(polylines) >= PARALLEL_MIN and (
        os.cpu_count() or 1) > 1
    # (the right half and the nets between cannot reach the left half's metal: it is placed
    # when its tightened form comes back)
    t = _Tightener(setup, polylines, skip=set(left) if parallel else set())
    if parallel:
        # the two halves cannot touch each other's metal: one is tightened in a second
        # process (a fresh interpreter; the nets between the halves wait for both, so the
        # result does not depend on the machine)
        skip = set(right)
        job = _start(setup, {k: v for k, v in polylines.items() if k not in skip}, left)
        out.update(t.run(right))
        done = _finish(job) if job is not None else None
        if done is None:  # no second process: the same work here
            done = _Tightener(setup, {k: v for k, v in polylines.items()
                                      if k not in skip}).run(left)
        for net in left:
            t.replace(net, done[net])
        out.update(done)
    else:
        rest = sorted(polylines)
    out.update(t.run(rest))
    return {k: out[k] for k in sorted(out)}


def _halves(polylines: dict[int, list[list[tuple[int, int]]]], rules: Rules,
            boundary: BaseGeometry) -> tuple[list[int], list[int], list[int]]:
    """Nets wholly left of the boundary's centre, wholly right, and the rest; the metal of a
    left net stays more than the spacing away from that of a right one (a net's metal stays
    within `reach` of its centre-line vertices, and pull-tight keeps it in their bounding box).
    """
    xc = boundary.centroid.x
    grow = rules.reach + rules.space
    left, right, rest = [], [], []
    for k in sorted(polylines):
        xs = [p[0] for pl in polylines[k] for p in pl]
        if not xs or max(xs) + grow < xc:
            left.append(k)
        elif min(xs) - grow > xc:
            right.append(k)
        else:
            rest.append(k)
    return left, right, rest


@dataclass(frozen=True)
class _Setup:
    """The fixed inputs of pull-tight (what a second process needs besides the polylines)."""

    rules: Rules
    terminals: Sequence[BaseGeometry]
    terminal_net: Sequence[int]
    obstacles: Sequence[BaseGeometry]
    boundary: BaseGeometry
    parity: int
    allow45: bool


def _start(setup: _Setup, polylines: dict[int, list[list[tuple[int, int]]]],
           nets: list[int]) -> subprocess.Popen | None:
    """Tighten `nets` (in order) among `polylines` in a second interpreter (None: could not)."""
    # the package's own location first on the path: the worker imports this very code
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    try:
        job = subprocess.Popen([sys.executable, "-m", "wlpmask.routing.tighten_worker"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=env)
        assert job.stdin is not None
        pickle.dump((setup, polylines, nets), job.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        job.stdin.close()
    except OSError:
        return None
    return job


def _finish(job: subprocess.Popen) -> dict[int, list[list[tuple[int, int]]]] | None:
    """The second interpreter's result, or None if it failed."""
    assert job.stdout is not None
    try:
        data = job.stdout.read()
    finally:
        job.stdout.close()
        code = job.wait()
    if code != 0 or not data:
        return None
    return pickle.loads(data)


class _Tightener:
    """The metal of every net, terminal and obstacle, and the nets tightened against it."""

    def __init__(self, setup: _Setup, polylines: dict[int, list[list[tuple[int, int]]]],
                 skip: set[int] | frozenset[int] = frozenset()):
        self.setup = setup
        rules = setup.rules
        shapely.prepare(setup.boundary)
        self.shapes = shapes = _Shapes(cell=4.0 * rules.pitch)
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
        """Put a net's new polylines in place of its old ones."""
        for b, pl in enumerate(lines):
            if (net, b) not in self.ids or pl != self.lines[net][b]:
                self._put(net, b, pl)
        self.lines[net] = lines

    def run(self, nets: Sequence[int]) -> dict[int, list[list[tuple[int, int]]]]:
        """Tighten the given nets in order, each against the current metal of all others."""
        s = self.setup
        out: dict[int, list[list[tuple[int, int]]]] = {}
        for net in nets:
            new_lines = []
            for pl in self.lines[net]:
                ctx = _Ctx(net, s.rules, self.shapes, self.own_terms[net], s.boundary,
                           s.parity, s.allow45)
                new_lines.append(_tighten(list(pl), ctx))
            self.replace(net, new_lines)
            out[net] = new_lines
        return out


class _Ctx:
    """What the legality test of one polyline needs."""

    def __init__(self, net: int, rules: Rules, shapes: _Shapes, own_terms: list[BaseGeometry],
                 boundary: BaseGeometry, parity: int, allow45: bool):
        self.allow45 = allow45
        self.net = net
        self.rules = rules
        self.shapes = shapes
        self.own_terms = own_terms
        self.boundary = boundary
        self.parity = parity
        self.space = rules.space
        self.d_first = -1
        self.d_last = -1


def _tighten(pts: list[tuple[int, int]], ctx: _Ctx) -> list[tuple[int, int]]:
    if len(pts) < 3:
        return pts
    ctx.d_first = _dir(pts[0], pts[1])
    ctx.d_last = _dir(pts[-2], pts[-1])
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
                if _legal(cand, i, i + len(mid) + 1, ctx):
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


def _seg_ring(a: tuple[int, int], b: tuple[int, int], rules: Rules) -> list[tuple[int, int]]:
    """The four corners of segment_polygon(a, b) (same order)."""
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    h, d = rules.half, rules.diag
    if dy == 0:
        x0, x1 = min(ax, bx), max(ax, bx)
        return [(x0, ay - h), (x1, ay - h), (x1, ay + h), (x0, ay + h)]
    if dx == 0:
        y0, y1 = min(ay, by), max(ay, by)
        return [(ax - h, y0), (ax + h, y0), (ax + h, y1), (ax - h, y1)]
    sx, sy = (dx > 0) - (dx < 0), (dy > 0) - (dy < 0)
    ox, oy = -sy * d, sx * d
    return [(ax + ox, ay + oy), (bx + ox, by + oy), (bx - ox, by - oy), (ax - ox, ay - oy)]


def _joint_ring(p: tuple[int, int], rules: Rules) -> list[tuple[int, int]]:
    """The eight corners of joint_polygon(p) (same order)."""
    x, y = p
    h, e = rules.half, 2 * rules.diag - rules.half
    return [(x + h, y - e), (x + h, y + e), (x + e, y + h), (x - e, y + h),
            (x - h, y + e), (x - h, y - e), (x - e, y - h), (x + e, y - h)]


def _legal(pts: list[tuple[int, int]], i: int, j: int, ctx: _Ctx) -> bool:
    """Is polyline pts legal where vertices i..j changed (segments i..j-1 are new)?"""
    n = len(pts)
    rules, space, net = ctx.rules, ctx.space, ctx.net
    # vertices 0..i and j..n-1 are as before: only the end segments that moved are checked
    if (i == 0 and _dir(pts[0], pts[1]) != ctx.d_first) or (
            j == n - 1 and _dir(pts[-2], pts[-1]) != ctx.d_last):
        return False
    lo, hi = max(0, i - 2), min(n - 2, j + 1)
    d0 = max(0, lo - 1)
    dirs = {k: _dir(pts[k], pts[k + 1]) for k in range(d0, min(n - 1, hi + 2))}
    for k in range(max(1, i), min(n - 1, j + 1)):
        if abs(_turn(dirs[k - 1], dirs[k])) > 2:
            return False
    # two turns in the same sense adding up to more than 90 degrees need room between them
    for k in range(max(1, lo), min(n - 2, hi) + 1):
        t1 = _turn(dirs[k - 1], dirs[k])
        if k + 1 > n - 2:
            break
        t2 = _turn(dirs[k], dirs[k + 1])
        if t1 * t2 > 0 and abs(t1 + t2) > 2:
            seg = math.hypot(pts[k + 1][0] - pts[k][0], pts[k + 1][1] - pts[k][1])
            if seg < math.sqrt(2.0) * rules.pitch:
                return False
    for k in range(i, j):
        if dirs[k] % 2 and (pts[k][0] + pts[k][1]) % 2 != ctx.parity:
            return False
    joints = [k for k in range(max(1, i), min(n - 1, j + 1))]
    segs = list(range(i, j))
    # build the changed pieces in one vectorized call per kind (this test runs very often)
    geoms = []
    if segs:
        geoms += list(shapely.polygons(np.array(
            [_seg_ring(pts[k], pts[k + 1], rules) for k in segs], dtype=float)))
    if joints:
        geoms += list(shapely.polygons(np.array([_joint_ring(pts[k], rules) for k in joints],
                                                dtype=float)))
    pieces = list(zip(segs + [-1] * len(joints), geoms))
    if not shapely.covers(ctx.boundary, np.array(geoms, dtype=object)).all():
        return False
    # the path's own segments away from the change (a shortcut must not fold onto itself)
    # (only those whose bounding box comes near the change: the rest cannot be in reach)
    near_pad = rules.reach + rules.seg_reach + space + 2
    xy = np.asarray(pts)
    win = xy[i:j + 1]
    (bx0, by0), (bx1, by1) = win.min(axis=0) - near_pad, win.max(axis=0) + near_pad
    a, b = xy[:-1], xy[1:]
    hit = ((np.maximum(a[:, 0], b[:, 0]) >= bx0) & (np.minimum(a[:, 0], b[:, 0]) <= bx1)
           & (np.maximum(a[:, 1], b[:, 1]) >= by0) & (np.minimum(a[:, 1], b[:, 1]) <= by1))
    hit[max(0, i - 2):j + 2] = False
    far_k = np.flatnonzero(hit).tolist()
    far = (shapely.polygons(np.array([_seg_ring(pts[k], pts[k + 1], rules) for k in far_k],
                                     dtype=float)) if far_k else None)
    own_terms = ctx.own_terms
    d = space - 1e-6
    for k, g in pieces:
        others = ctx.shapes.foreign(g.bounds, space, net)
        if others and shapely.dwithin(g, np.array(others, dtype=object), d).any():
            return False
        if k >= 0 and far is not None and shapely.dwithin(g, far, d).any():
            return False
        if k == 0 or k == n - 2:
            continue  # the end segments land on their terminals
        if own_terms and shapely.dwithin(g, np.array(own_terms, dtype=object), d).any():
            return False
    return True
