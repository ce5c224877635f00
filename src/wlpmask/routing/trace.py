"""Wires from the fan-in plan's flow: which bump each pad gets and its place in every cut.

The flow says how many wires cross each cut, but not which: in each face, the units entering
and leaving through its sides (and starting or ending at its corner terminals) are paired
without crossing by a stack over their cyclic order; following the pairs from face to face
gives every pad its bump and its position in the order of wires on every cut it crosses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .cuts import Cut
from .faces import Faces


@dataclass
class Wires:
    """The traced wires (see Plan for the meaning of each field)."""

    bump_of: dict[int, int] = field(default_factory=dict)
    crossings: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    entry: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    unserved: list[int] = field(default_factory=list)


def trace_wires(*, faces: Faces, pts: np.ndarray, vterms: Sequence[Sequence[int]],
                cuts: Sequence[Cut], cut_id: Mapping[tuple[int, int], int],
                across: Mapping[int, int], starts: set[tuple[int, int]],
                ends: set[tuple[int, int]], pads: Sequence[int]) -> Wires:
    """Pair the flow's units in every face without crossings and follow each pad's wire.

    Args:
        faces: the plan's faces.
        pts: vertex coordinates (grid units).
        vterms: the terminals at each vertex.
        cuts: every cut.
        cut_id: side (u, v) -> cut id.
        across: cut id -> net wires across it (positive: from the first face of the side to
            the second), for the cuts that carry any.
        starts: (pad, face) where a pad's wire leaves into the face.
        ends: (bump, face) where a wire reaches the bump from the face.
        pads: the pads that need a bump, in order.
    """
    term_vertex = {t: v for v, ts in enumerate(vterms) for t in ts}
    out = Wires()
    # cyclic items of each face, paired without crossings
    partner: dict[tuple[int, tuple], tuple] = {}
    start_face: dict[int, int] = {}
    for f, cyc in enumerate(faces.cycles):
        items: list[tuple[int, tuple]] = []
        for a, b in zip(cyc, cyc[1:] + cyc[:1]):
            for t in sorted(vterms[a]):
                if (t, f) in starts:
                    items.append((1, ("T", t)))
                    start_face[t] = f
                elif (t, f) in ends:
                    items.append((-1, ("T", t)))
            key = (min(a, b), max(a, b))
            e = cut_id.get(key)
            if e is None or e not in across:
                continue
            first = faces.edge_faces[key][0]
            n = across[e]
            sign = -1 if (n > 0) == (first == f) else 1  # leaving f: -1
            idx = range(abs(n)) if a == key[0] else range(abs(n) - 1, -1, -1)
            items.extend((sign, ("P", e, i)) for i in idx)
        stack: list[tuple[int, tuple]] = []
        for s, it in items:
            if stack and stack[-1][0] == -s:
                other = stack.pop()[1]
                partner[(f, it)] = other
                partner[(f, other)] = it
            else:
                stack.append((s, it))
    limit = 2 * sum(abs(n) for n in across.values()) + 2
    for t in pads:
        if t not in start_face:
            out.unserved.append(t)
            continue
        f, key = start_face[t], ("T", t)
        seq: list[tuple[int, int]] = []
        for _ in range(limit):
            other = partner[(f, key)]
            if other[0] == "T":
                out.bump_of[t] = other[1]
                cyc = faces.cycles[f]  # the corner of the face it enters the bump through
                i = cyc.index(term_vertex[other[1]])
                out.entry[t] = (pts[cyc[(i + 1) % len(cyc)]], pts[cyc[i - 1]])
                break
            _, e, i = other
            seq.append((e, i))
            a, b = faces.edge_faces[(cuts[e].u, cuts[e].v)]
            f, key = (b if f == a else a), other
        else:
            out.unserved.append(t)
            continue
        out.crossings[t] = seq
    return out
