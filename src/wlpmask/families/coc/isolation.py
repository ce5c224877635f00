"""Isolation once the frame is cut: which heat sinks and leads share a piece of metal.

Before singulation every lead and heat sink hangs on the rails; the saw cuts along the package
outline, and only then must heat sinks at different voltages, a heat sink and a lead, or two
leads of different nets lie on different pieces. The frame metal is clipped to the package
outline and split into connected pieces; each heat sink and lead is found by the text at its
middle (its name, "L<n>" for a lead).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["Short", "pieces", "shorts"]

Box = tuple[float, float, float, float]


def pieces(metal: Sequence[np.ndarray], outline: Sequence[np.ndarray]) -> list[shapely.Geometry]:
    """The connected pieces of metal inside the outline.

    Polygons touching in a point or along an edge are one piece.

    Args:
        metal: the frame's polygons (um), as drawn (hole-free pieces of one outline).
        outline: the package outline's polygons (um).
    """
    cut = shapely.union_all([shapely.Polygon(p) for p in metal]).intersection(
        shapely.union_all([shapely.Polygon(p) for p in outline]))
    parts = [g for g in getattr(cut, "geoms", [cut]) if g.geom_type == "Polygon" and g.area > 0]
    if len(parts) < 2:
        return parts
    # Pieces that touch (a shared vertex or edge) conduct: join them.
    left, right = shapely.STRtree(parts).query(parts, predicate="intersects")
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(parts), len(parts)))
    _, label = connected_components(graph, directed=False)
    groups: dict[int, list[shapely.Geometry]] = {}
    for i, g in enumerate(parts):
        groups.setdefault(int(label[i]), []).append(g)
    return [shapely.union_all(gs) for _, gs in sorted(groups.items())]


@dataclass(frozen=True)
class Short:
    """Two things that must be apart on one piece of metal.

    Args:
        a, b: the names (heat sink, or "L<n>" for a lead).
        why: e.g. "0 V and 3.3 V" or "heat sink and lead".
        box: the piece's bounding box (um).
        kind: "heat_sinks" (two heat sinks) or "leads" (a lead involved).
    """

    a: str
    b: str
    why: str
    box: Box
    kind: str


def shorts(parts: Sequence[shapely.Geometry], marks: Mapping[str, tuple[float, float]], *,
           voltages: Mapping[str, float], nets: Mapping[str, str]) -> list[Short]:
    """Pairs on one piece that must be isolated.

    Args:
        parts: the pieces of metal.
        marks: name -> the point its text marks (heat sinks and leads).
        voltages: heat sink name -> voltage.
        nets: lead name ("L<n>") -> net.
    """
    members: dict[int, list[str]] = {}
    if parts:
        tree = shapely.STRtree(parts)
        for name in sorted(marks):
            hit = tree.query(shapely.Point(marks[name]), predicate="intersects")
            if len(hit):
                members.setdefault(int(min(hit)), []).append(name)
    out = []
    for i, names in sorted(members.items()):
        box = tuple(float(v) for v in parts[i].bounds)
        for k, a in enumerate(names):
            for b in names[k + 1:]:
                short = _why(a, b, voltages, nets)
                if short:
                    kind = "heat_sinks" if a in voltages and b in voltages else "leads"
                    out.append(Short(a, b, short, box, kind))
    return out


def _why(a: str, b: str, voltages: Mapping[str, float], nets: Mapping[str, str]) -> str:
    if a in voltages and b in voltages:
        va, vb = voltages[a], voltages[b]
        return "" if va == vb else f"{va:g} V and {vb:g} V"
    if a in voltages or b in voltages:
        return "heat sink and lead"
    return "" if nets.get(a) == nets.get(b) else f"nets {nets.get(a)} and {nets.get(b)}"
