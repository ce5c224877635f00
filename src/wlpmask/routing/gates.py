"""Gates: the plan's order of wires in each gap, made binding on the lattice.

On every gap (a cut between two bumps or obstacles) each planned wire gets its own crossing
node (its slot), in the plan's order; every other node of the gap line is closed to planned
wires. A planned wire can then cross a gap only at its own
slot, so no wire routed early can take the place of one routed later or cut it off: the
crossing-free plan carries over to the detail routes. Nodes of a bump's accesses are kept for
the bump's own net.

Slot positions are relaxed like rubber bands (each moves to where the line between its
neighbours crosses the gap, in order), so bundles run straight; a wire crossing its gap
obliquely keeps one node free to its neighbours (45-degree wires one node apart would be only
pitch / sqrt(2) apart).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .cuts import normal_dir as cut_normal
from .lattice import Lattice
from .occupancy import FREE
from .plan import Plan

SLOT_ROUNDS = 8  # relaxation sweeps of the slot positions
OBLIQUE = 0.38  # |cos| of a wire's angle to its gap above which it crosses it obliquely
# (45-degree wires one node apart on a gap along an axis would be only pitch / sqrt(2) apart:
# skip a node)

BLOCKED = -2  # a gate value: closed to every planned wire


@dataclass
class Gates:
    """The plan on the lattice.

    Args:
        gate: per node FREE, BLOCKED or the one net id that may use it.
        ways: net id -> slot nodes in order from its pad to its bump.
        cut_of: net id -> the cut of each of its slots.
    """

    gate: list[int]
    ways: dict[int, list[int]]
    cut_of: dict[int, list[int]]


def build_gates(plan: Plan, *, lat: Lattice, net_of_pad: Mapping[int, int],
                kept: Mapping[int, Sequence[int]]) -> Gates:
    """Gate values per lattice node and the slots (waypoints) of every planned net.

    Args:
        plan: the fan-in plan (lattice nodes of its cuts).
        lat: the routing lattice.
        net_of_pad: planned pad terminal -> net id.
        kept: net id -> nodes only that net may use (its bump's accesses).

    Returns:
        Gates.
    """
    gate = [FREE] * lat.size
    for net, nodes in sorted(kept.items()):
        for n in nodes:
            gate[n] = net if gate[n] in (FREE, net) else BLOCKED
    cands: dict[int, list[int]] = {}
    seen: set[int] = set()
    for e, cut in enumerate(plan.cuts):
        if cut.gap and plan.count.get(e, 0) <= len(cut.usable):
            o = lat.off[normal_dir(plan, e)]
            c = [n for n in (cut.nodes[k] for k in cut.usable)
                 if gate[n] == FREE and n not in seen
                 and gate[n - o] == FREE and gate[n + o] == FREE]
            if len(c) >= plan.count.get(e, 0):
                cands[e] = c
                seen.update(c)
    slot = _place_slots(plan, lat, cands)
    owner = {(e, i): net_of_pad[pad] for pad, seq in plan.crossings.items() for e, i in seq}
    for key, n in slot.items():
        gate[n] = owner[key]
    for e, cut in enumerate(plan.cuts):
        if cut.gap and (e in cands or not plan.count.get(e)):
            for n in cut.nodes:
                if gate[n] == FREE:
                    gate[n] = BLOCKED
    ways: dict[int, list[int]] = {}
    cut_of: dict[int, list[int]] = {}
    for pad, seq in sorted(plan.crossings.items()):
        net = net_of_pad[pad]
        hits = [(slot[(e, i)], e) for e, i in seq if (e, i) in slot]
        hits = [h for k, h in enumerate(hits) if k == 0 or h[0] != hits[k - 1][0]]
        ways[net] = [n for n, _ in hits]
        cut_of[net] = [e for _, e in hits]
    return Gates(gate, ways, cut_of)


def _place_slots(plan: Plan, lat: Lattice, cands: Mapping[int, Sequence[int]]
                 ) -> dict[tuple[int, int], int]:
    """Slot node for each (gap, position in order).

    The wires are pulled straight like rubber bands, each slot moving to where the line
    between its neighbours (the slots before and after it, or the pad and the bump) crosses
    the gap, in the plan's order.
    """
    wires: dict[int, list[tuple[int, int, int]]] = {}
    gseq: dict[int, list[tuple[int, int]]] = {}
    for pad, seq in sorted(plan.crossings.items()):
        g = [(e, i) for e, i in seq if e in cands]
        gseq[pad] = g
        for j, (e, i) in enumerate(g):
            wires.setdefault(e, []).append((i, pad, j))
    geo: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    pos: dict[tuple[int, int], int] = {}
    for e, ws in wires.items():
        ws.sort()
        cut = plan.cuts[e]
        u = plan.points[cut.u]
        d = plan.points[cut.v] - u
        d = d / math.hypot(*d)
        xy = np.array([lat.xy(n) for n in cands[e]], dtype=float)
        geo[e] = (u, d, (xy - u) @ d)
        for i, _pad, _j in ws:
            pos[(e, i)] = int((i + 0.5) * len(cands[e]) / len(ws))

    def at(pad: int, j: int) -> np.ndarray:
        g = gseq[pad]
        if j < 0:
            return np.asarray(plan.centers[pad], dtype=float)
        if j >= len(g):
            return np.asarray(plan.centers[plan.bump_of[pad]], dtype=float)
        e, i = g[j]
        return np.asarray(lat.xy(cands[e][pos[(e, i)]]), dtype=float)

    # an oblique wire needs a free node beside it only on a gap along an axis: on a diagonal
    # gap, wires through neighbouring nodes in any octilinear direction are a pitch apart
    axis = {e: normal_dir(plan, e) % 2 == 0 for e in wires}
    for _ in range(SLOT_ROUNDS):
        for e in sorted(wires):
            u, d, s = geo[e]
            want = []
            oblique = []
            for _i, pad, j in wires[e]:
                a, b = at(pad, j - 1), at(pad, j + 1)
                ab = b - a
                oblique.append(axis[e] and
                               abs(float(ab @ d)) > OBLIQUE * (math.hypot(*ab) or 1.0))
                den = d[0] * ab[1] - d[1] * ab[0]
                if abs(den) > 1e-9 * math.hypot(*ab):
                    w = ((a[0] - u[0]) * ab[1] - (a[1] - u[1]) * ab[0]) / den
                else:
                    w = float(((a + b) / 2 - u) @ d)
                want.append(w)
            gaps = [2 if (o1 or o2) else 1 for o1, o2 in zip(oblique, oblique[1:])]
            while gaps and sum(gaps) > len(s) - 1:  # too few nodes: pack the oblique ones too
                gaps[gaps.index(max(gaps))] = 1
            for (i, _pad, _j), c in zip(wires[e], _fit(s, want, [1, *gaps])):
                pos[(e, i)] = c
    return {key: cands[key[0]][c] for key, c in pos.items()}


def _fit(s: np.ndarray, want: Sequence[float], gap: Sequence[int]) -> list[int]:
    """Increasing indices into the sorted positions s, one per wanted position (in order).

    Index k lies at least gap[k] above index k - 1; the choice minimises the sum of squared
    distances (dynamic programme).
    """
    n = len(s)
    idx = np.arange(n)
    back = np.zeros((len(want), n), dtype=np.int64)
    prev = None
    for k, w in enumerate(want):
        cost = (s - w) ** 2
        if prev is None:
            cur = cost
        else:
            pm = np.minimum.accumulate(prev)
            am = np.maximum.accumulate(np.where(prev == pm, idx, -1))
            g = gap[k]
            before = np.full(n, np.inf)
            before[g:] = pm[:n - g]
            back[k, g:] = am[:n - g]
            cur = cost + before
        prev = cur
    out = [int(np.argmin(prev))]
    for k in range(len(want) - 1, 0, -1):
        out.append(int(back[k, out[-1]]))
    return out[::-1]


def normal_dir(plan: Plan, e: int) -> int:
    """The octilinear line direction (0..3, DIRS) most nearly normal to cut e.

    Args:
        plan: the fan-in plan.
        e: the cut's index in plan.cuts.
    """
    c = plan.cuts[e]
    return cut_normal(plan.points[c.u], plan.points[c.v])
