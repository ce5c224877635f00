"""Pad-to-bump assignment: a minimum-length matching, which is crossing-free.

In a minimum-total-length matching of pads to bumps no two straight pad-bump segments cross
(if two did, swapping their bumps would be shorter by the triangle inequality), so the wires,
which follow those segments around the bumps in between, can be drawn without crossing and the
total length is as short as a matching can make it. The matching is the rectangular linear
assignment problem, solved exactly by shortest augmenting paths (Jonker-Volgenant) in numpy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..errors import WlpmaskError
from .model import Terminal

# Pad-bump distances one assignment may weigh (8 bytes each: 1.6 GB); a 30 x 30 mm die with a
# full 0.15 mm bump array (40,000 bumps) and 5,000 pads has 200 million.
MAX_PAIRS = 200_000_000
ROWS = 1 << 22  # distances made at a time


def linear_assignment(cost: np.ndarray) -> np.ndarray:
    """Minimum-cost assignment of every row to a distinct column (rows <= columns).

    Args:
        cost: (n, m) finite costs, n <= m.

    Returns:
        col[i], the column assigned to row i.
    """
    cost = np.asarray(cost, dtype=float)
    n, m = cost.shape
    if n > m:
        raise ValueError("more rows than columns")
    u = np.zeros(n)
    v = np.zeros(m)
    col4row = np.full(n, -1, dtype=np.int64)
    row4col = np.full(m, -1, dtype=np.int64)
    rows = np.arange(n)
    for cur in range(n):
        shortest = np.full(m, np.inf)
        path = np.full(m, -1, dtype=np.int64)
        sr = np.zeros(n, dtype=bool)
        sc = np.zeros(m, dtype=bool)
        min_val = 0.0
        i = cur
        sink = -1
        while sink < 0:
            sr[i] = True
            r = min_val + cost[i] - u[i] - v
            better = ~sc & (r < shortest)
            path[better] = i
            shortest[better] = r[better]
            cand = np.where(sc, np.inf, shortest)
            # among equal minima prefer an unassigned column: ends the augmentation sooner
            low = cand.min()
            if not np.isfinite(low):
                raise ValueError("infeasible assignment")
            ties = np.flatnonzero(cand == low)
            free = ties[row4col[ties] < 0]
            j = int(free[0] if len(free) else ties[0])
            min_val = float(low)
            sc[j] = True
            if row4col[j] < 0:
                sink = j
            else:
                i = int(row4col[j])
        u[cur] += min_val
        mask = sr & (rows != cur)
        u[mask] += min_val - shortest[col4row[mask]]
        v[sc] -= min_val - shortest[sc]
        j = sink
        while True:
            i = int(path[j])
            row4col[j] = i
            col4row[i], j = j, int(col4row[i])
            if i == cur:
                break
    return col4row


def _center(t: Terminal) -> tuple[float, float]:
    c = t.shape.centroid
    return c.x, c.y


def distances(a: Sequence[Terminal], b: Sequence[Terminal]) -> np.ndarray:
    """The distance between the centres of every terminal of a and every terminal of b.

    Args:
        a: terminals (um).
        b: terminals (um).

    Returns:
        (len(a), len(b)) distances, um.

    Raises:
        WlpmaskError: (key "terminals") more than MAX_PAIRS distances; nothing is made then.
    """
    if len(a) * len(b) > MAX_PAIRS:
        raise WlpmaskError(f"the assignment would weigh {len(a):,} pads against {len(b):,} "
                           f"bumps ({len(a) * len(b):,} pairs), more than the bound of "
                           f"{MAX_PAIRS:,}", key="terminals")
    ac = np.array([_center(t) for t in a], dtype=float).reshape(-1, 2)
    bc = np.array([_center(t) for t in b], dtype=float).reshape(-1, 2)
    out = np.empty((len(a), len(b)))
    rows = max(1, ROWS // max(1, len(b)))
    for r in range(0, len(a), rows):  # a block of rows at a time: no full-size temporaries
        p = ac[r:r + rows]
        out[r:r + rows] = np.hypot(p[:, None, 0] - bc[None, :, 0], p[:, None, 1] - bc[None, :, 1])
    return out


def assign_free_bumps(terminals: Sequence[Terminal]
                      ) -> tuple[list[Terminal], dict[str, str], dict[str, str]]:
    """Give each pad whose net has no bump one free bump (net None).

    Args:
        terminals: all terminals.

    Returns:
        (terminals with the chosen bumps' nets set, pad -> bump for those pads,
        net -> reason for nets left without a bump).
    """
    nets: dict[str, list[Terminal]] = defaultdict(list)
    for t in terminals:
        if t.net is not None:
            nets[t.net].append(t)
    needy = sorted(
        (p for t_list in nets.values() if not any(t.kind == "bump" for t in t_list)
         for p in t_list if p.kind == "pad"), key=lambda p: p.name)
    # one bump per net: its first pad (by name) asks for it
    asked: dict[str, Terminal] = {}
    for p in needy:
        asked.setdefault(p.net, p)
    pads = sorted(asked.values(), key=lambda p: p.name)
    free = sorted((t for t in terminals if t.kind == "bump" and t.net is None),
                  key=lambda t: t.name)
    unassigned: dict[str, str] = {}
    if not pads:
        return list(terminals), {}, unassigned
    if not free:
        for p in pads:
            unassigned[p.net] = "no free bump left for the assignment"
        return list(terminals), {}, unassigned
    if len(pads) > len(free):
        # the pads farthest from every free bump go without (reported by net)
        dmin = np.min(distances(pads, free), axis=1)
        order = sorted(range(len(pads)), key=lambda k: (dmin[k], pads[k].name))
        keep = sorted(order[:len(free)])
        for k in order[len(free):]:
            unassigned[pads[k].net] = "no free bump left for the assignment"
        pads = [pads[k] for k in keep]
    col = linear_assignment(distances(pads, free))
    chosen = {free[int(c)].name: pads[k] for k, c in enumerate(col)}
    pairs = {pads[k].name: free[int(c)].name for k, c in enumerate(col)}
    out = [replace(t, net=chosen[t.name].net) if t.name in chosen else t for t in terminals]
    return out, pairs, unassigned


def pair_pads_with_bumps(terminals: Sequence[Terminal], *, sep: str = "/") -> list[Terminal]:
    """Split each net with several pads and several bumps into one-pad sub-nets.

    Power nets connect many pad cells to many bumps; on a single routing layer a tree over all
    of them would wall off the die. Each pad gets the bump(s) of a minimum-length matching;
    spare bumps join the sub-net of their nearest pad. Sub-nets are named net + sep + pad name.

    Args:
        terminals: all terminals.
        sep: separator between the net and the pad name.
    """
    nets: dict[str, list[Terminal]] = defaultdict(list)
    for t in terminals:
        if t.net is not None:
            nets[t.net].append(t)
    rename: dict[str, str] = {}
    for net, ts in sorted(nets.items()):
        pads = sorted((t for t in ts if t.kind == "pad"), key=lambda t: t.name)
        bumps = sorted((t for t in ts if t.kind == "bump"), key=lambda t: t.name)
        if len(pads) < 2 or not bumps:
            continue
        cost = distances(pads, bumps)
        if len(pads) <= len(bumps):
            col = linear_assignment(cost)
            for k, c in enumerate(col):
                rename[bumps[int(c)].name] = f"{net}{sep}{pads[k].name}"
            used = {int(c) for c in col}
            for c in range(len(bumps)):
                if c not in used:
                    k = int(np.argmin(cost[:, c]))
                    rename[bumps[c].name] = f"{net}{sep}{pads[k].name}"
            for p in pads:
                rename[p.name] = f"{net}{sep}{p.name}"
        else:
            row = linear_assignment(cost.T)
            for c, k in enumerate(row):
                rename[pads[int(k)].name] = f"{net}{sep}{pads[int(k)].name}"
                rename[bumps[c].name] = f"{net}{sep}{pads[int(k)].name}"
            # pads without a bump stay on the original net name alone (reported unroutable)
    return [replace(t, net=rename[t.name]) if t.name in rename else t for t in terminals]
