"""A* over lattice nodes with the arrival direction, octile heuristic, no acute turns.

A move may turn by at most 90 degrees from the direction the node was reached in (so the wire
never folds back into an acute angle); a small bend cost prefers straight runs among equally
short paths. In `soft` mode, nodes and corners used by other nets are passable at a penalty:
the path found tells which nets stand in the way (rip-up candidates).
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .lattice import Lattice
from .occupancy import FREE, Occupancy

SQRT2M1 = math.sqrt(2.0) - 1.0
# Expansions one search may make, whatever budget it is given: a search holds about 300 bytes
# per expansion (its maps and heap), so about 5 GB; a soft search on a large die would
# otherwise comb the whole lattice (twice its nodes) when its terminals are walled apart.
MAX_EXPAND = 16_000_000


@dataclass(frozen=True)
class Found:
    """A path: lattice nodes from source to goal, the tags of both ends, its cost."""

    nodes: tuple[int, ...]
    dirs: tuple[int, ...]  # move direction into nodes[k] for k >= 1
    source_tag: int
    goal_tag: int
    cost: float


@functools.lru_cache(maxsize=2)
def _turn_table(allow45: bool) -> tuple[tuple[int, ...], ...]:
    if allow45:
        table = [tuple((d + t) % 8 for t in (0, 1, -1, 2, -2)) for d in range(8)]
    else:
        table = [tuple((d + t) % 8 for t in (0, 2, -2)) if d % 2 == 0 else () for d in range(8)]
    # index 8 + mask: a source, which may be left in the directions of the mask
    for mask in range(256):
        table.append(tuple(d for d in range(8) if (mask >> d) & 1 and (allow45 or d % 2 == 0)))
    return tuple(table)


def search(lat: Lattice, occ: Occupancy, net: int,
           sources: Sequence[tuple[int, int, int, float, int]],
           goals: Mapping[int, Sequence[tuple[int, int, float]]], *,
           soft: bool = False, penalty: float = 0.0, bend: float = 0.0,
           max_expand: int = 2_000_000, weight: float = 1.0, stats: list | None = None,
           guide: tuple[float, float, float, float, float, float] | None = None,
           corridor: tuple[frozenset[int], int, int] | None = None,
           gated: bool = False) -> Found | None:
    """Cheapest path from any source to any goal.

    Args:
        lat: lattice with static move masks.
        occ: occupancy (entry/corner maps and history).
        net: the net being routed (its own nodes are free to it).
        sources: (node, arrival direction, mask of directions it may be left in, start cost,
            tag); the arrival direction is what a goal at the same node sees.
        goals: node -> [(mask of allowed arrival directions, tag, extra cost)].
        soft: let the path run over other nets' nodes at `penalty` per node.
        penalty: cost (grid units of path length) added per node, or per diagonal past a
            corner, that another net holds; used with soft only.
        bend: cost (grid units of path length) added per change of direction.
        max_expand: give up after this many node expansions (at most MAX_EXPAND).
        weight: heuristic weight; above 1 trades optimality for fewer expansions.
        stats: if given, the number of expansions is appended to it.
        guide: (i0, j0, i1, j1, cost, free): a segment in lattice coordinates; a node farther
            than `free` pitches from it costs `cost` pitches per pitch of distance beyond.
            Routes that keep near their straight pad-bump segments (which a minimum-length
            assignment makes mutually crossing-free) leave the way open for the others.
        corridor: (tile ids, tile side in nodes, tiles per row): only nodes in those tiles
            may be entered (the net's corridor from the global stage).
        gated: the net is part of the fan-in plan: closed gates (negative values of
            occ.gate) stop it too, not only gates kept for other nets.
    """
    if not sources or not goals:
        return None
    max_expand = min(max_expand, MAX_EXPAND)
    nx = lat.nx
    emask, off, step = lat.emask, lat.off, lat.step
    entry, corner, hist, resv = occ.entry, occ.corner, occ.hist, occ.reserve
    rcost = occ.reserve_cost
    plan, pcost = occ.plan, occ.plan_cost
    gate = occ.gate
    p = float(lat.pitch)
    c1 = SQRT2M1 if lat.allow45 else 1.0
    turns = _turn_table(lat.allow45)
    gi = [n % nx for n in goals]
    gj = [n // nx for n in goals]
    imin, imax, jmin, jmax = min(gi), max(gi), min(gj), max(gj)

    def h(n: int) -> float:
        j, i = divmod(n, nx)
        dx = imin - i if i < imin else (i - imax if i > imax else 0)
        dy = jmin - j if j < jmin else (j - jmax if j > jmax else 0)
        return p * (dx + c1 * dy) if dx > dy else p * (dy + c1 * dx)

    if guide is not None:
        gi0, gj0, gi1, gj1, gcost, gfree = guide
        gvx, gvy = gi1 - gi0, gj1 - gj0
        gll = gvx * gvx + gvy * gvy or 1.0
        gcost *= p
        gfree2 = gfree * gfree if gfree > 0.0 else -1.0
    else:
        gcost = 0.0
    if corridor is not None:
        cmask, ctile, ctx = corridor
    else:
        cmask, ctile, ctx = None, 1, 0
    inf = math.inf
    # State key: the node, or (node, direction) at goal nodes, whose acceptance depends on
    # the arrival direction.
    best: dict[object, float] = {}
    parent: dict[object, tuple[object, int]] = {}
    start_tag: dict[object, int] = {}
    start_dir: dict[object, int] = {}
    heap: list[tuple[float, float, int, int, object]] = []
    for n, d, exits, g0, tag in sources:
        key = (n, 8 + exits) if n in goals else n
        if g0 < best.get(key, inf):
            best[key] = g0
            parent[key] = (None, d)
            start_tag[key] = tag
            start_dir[key] = d
            heapq.heappush(heap, (g0 + weight * h(n), -g0, n, 8 + exits, key))
    closed: set[object] = set()
    expanded = 0
    push, pop = heapq.heappush, heapq.heappop
    while heap:
        _, mg, n, d, key = pop(heap)
        g = -mg
        if key in closed or g > best.get(key, inf):
            continue
        closed.add(key)
        gl = goals.get(n)
        if gl is not None:
            hit = None
            arrived = d if d < 8 else start_dir[key]
            for mask, tag, extra in gl:
                if (mask >> arrived) & 1:
                    if hit is None or extra < hit[2]:
                        hit = (mask, tag, extra)
            if hit is not None:
                if stats is not None:
                    stats.append(expanded)
                return _trace(parent, start_tag, key, hit[1], g + hit[2])
        expanded += 1
        if expanded > max_expand:
            break
        m = emask[n]
        for nd in turns[d]:
            if not (m >> nd) & 1:
                continue
            v = n + off[nd]
            vkey = (v, nd) if v in goals else v
            if vkey in closed:
                continue
            if cmask is not None:
                j, i = divmod(v, nx)
                if (j // ctile) * ctx + i // ctile not in cmask:
                    continue
            gv = gate[v]
            if gv != FREE and gv != net and (gated or gv >= 0):
                continue
            cost = step[nd]
            e = entry[v]
            if e != FREE and e != net:
                if not soft:
                    continue
                cost += penalty
            if nd & 1:
                c1n, c2n = n + off[(nd + 1) & 7], n + off[(nd - 1) & 7]
                g1, g2 = gate[c1n], gate[c2n]
                if ((g1 != FREE and g1 != net and (gated or g1 >= 0))
                        or (g2 != FREE and g2 != net and (gated or g2 >= 0))):
                    continue  # a diagonal past a gate crosses the gap line beside it
                e1 = corner[c1n]
                e2 = corner[c2n]
                if (e1 != FREE and e1 != net) or (e2 != FREE and e2 != net):
                    if not soft:
                        continue
                    cost += penalty
            if nd != d and d < 8:
                cost += bend
            hv = hist[v]
            if hv:
                cost += hv * p
            r = resv[v]
            if r != FREE and r != net:
                cost += rcost
            if pcost:
                r = plan[v]
                if r != FREE and r != net:
                    cost += pcost
            j, i = divmod(v, nx)
            if gcost:
                t = ((i - gi0) * gvx + (j - gj0) * gvy) / gll
                t = 0.0 if t < 0.0 else (1.0 if t > 1.0 else t)
                ex, ey = i - gi0 - t * gvx, j - gj0 - t * gvy
                d2 = ex * ex + ey * ey
                if d2 > gfree2:  # (most nodes lie within the free band: no square root)
                    cost += gcost * (math.sqrt(d2) - gfree)
            ng = g + cost
            if ng < best.get(vkey, inf):
                best[vkey] = ng
                parent[vkey] = (key, nd)
                dx = imin - i if i < imin else (i - imax if i > imax else 0)
                dy = jmin - j if j < jmin else (j - jmax if j > jmax else 0)
                hv = p * (dx + c1 * dy) if dx > dy else p * (dy + c1 * dx)
                push(heap, (ng + weight * hv, -ng, v, nd, vkey))
    if stats is not None:
        stats.append(-expanded)
    return None


def _trace(parent: dict[object, tuple[object, int]], start_tag: dict[object, int],
           goal_key: object, goal_tag: int, cost: float) -> Found:
    keys = [goal_key]
    dirs = []
    k = goal_key
    while True:
        prev, d = parent[k]
        if prev is None:
            break
        dirs.append(d)
        keys.append(prev)
        k = prev
    keys.reverse()
    dirs.reverse()
    nodes = tuple(x[0] if isinstance(x, tuple) else x for x in keys)
    return Found(nodes, tuple(dirs), start_tag[k], goal_tag, cost)
