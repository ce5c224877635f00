"""Space check on unmerged input, as the reference runs it on a raw layer.

Each raw shape is a subject in turn. Alone, it is checked against itself. With neighbours
closer than d, the subject and its neighbours are merged, and the merged boundary is cut into
the part that lies on the subject's own outline and the rest: abutting shapes then meet at
zero distance where their outlines join on the merged boundary. Slow (one union per shape):
meant for comparing against reference results on raw layers, not for full layouts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from .boxes import box_pairs
from .contours import group_edges
from .edges import SPACE, check_pairs
from .merge import merge_layer
from .pairs import EdgePairs, dedupe_pairs, to_edge_pairs
from .shield import is_shielded


def _line_keys(edges: np.ndarray):
    edges = np.asarray(edges, dtype=np.int64)
    d = edges[:, 2:] - edges[:, :2]
    g = np.gcd(d[:, 0], d[:, 1])
    u = d // g[:, None]
    c = u[:, 0] * edges[:, 1] - u[:, 1] * edges[:, 0]
    t1 = u[:, 0] * edges[:, 0] + u[:, 1] * edges[:, 1]
    t2 = u[:, 0] * edges[:, 2] + u[:, 1] * edges[:, 3]
    return u, c, t1, t2


def _split_on_outline(merged: np.ndarray, outline: np.ndarray):
    """Cut merged boundary edges into (parts on the outline, parts off it), maximal pieces."""
    mu, mc, m1, m2 = _line_keys(merged)
    ou, oc, o1, o2 = _line_keys(outline)
    on, off = [], []
    for k, e in enumerate(merged):
        same = (ou[:, 0] == mu[k, 0]) & (ou[:, 1] == mu[k, 1]) & (oc == mc[k])
        cuts = sorted({int(m1[k]), int(m2[k])} | {int(v) for v in np.concatenate(
            [o1[same], o2[same]]) if m1[k] < v < m2[k]})
        g = int(np.gcd(e[2] - e[0], e[3] - e[1]))
        ux, uy = (e[2] - e[0]) // g, (e[3] - e[1]) // g
        norm = ux * ux + uy * uy
        for a, b in zip(cuts[:-1], cuts[1:]):
            mid = (a + b) / 2
            inside = bool(np.any(same & (o1 <= mid) & (o2 >= mid)))
            # point at projection t on this edge's line
            pa = (e[0] + ux * (a - m1[k]) // norm, e[1] + uy * (a - m1[k]) // norm)
            pb = (e[0] + ux * (b - m1[k]) // norm, e[1] + uy * (b - m1[k]) // norm)
            (on if inside else off).append((*pa, *pb))
    return _joined(on), _joined(off)


def _joined(edges: list) -> np.ndarray:
    arr = np.asarray(edges, dtype=np.int64).reshape(-1, 4)
    if len(arr) < 2:
        return arr
    u, c, t1, _ = _line_keys(arr)
    order = np.lexsort((t1, c, u[:, 1], u[:, 0]))
    out = [arr[order[0]].copy()]
    for k in order[1:]:
        e = arr[k]
        last = out[-1]
        if last[2] == e[0] and last[3] == e[1] and np.all(_line_keys(last[None])[0] == u[k]) \
                and _line_keys(last[None])[1][0] == c[k]:
            last[2], last[3] = e[2], e[3]
        else:
            out.append(e.copy())
    return np.asarray(out, dtype=np.int64)


def space_pairs_raw(polys: Sequence[np.ndarray], d: int,
                    metric: str = "euclidian") -> EdgePairs:
    """Space check on raw (unmerged) integer polygons, as the reference does on a raw layer.

    Each shape is merged with its neighbours only; the polygon indices of the result are 0.

    Args:
        polys: (N, 2) integer vertex arrays in database units.
        d: the minimum space in database units.
        metric: "euclidian", "projection" or "square".
    """
    shapes = [merge_layer([p]) for p in polys]
    shapes = [s for s in shapes if s.count]
    if not shapes:
        return to_edge_pairs(*(np.zeros((0, 4), np.int64),) * 2, *(np.zeros(0, np.int64),) * 2)
    boxes = np.vstack([s.bbox for s in shapes])
    i, j = box_pairs(boxes, boxes, d)
    firsts, seconds = [], []
    for k, subject in enumerate(shapes):
        nb = j[(i == k) & (j != k)]
        own = subject.edges.astype(np.int64)
        if len(nb) == 0:
            s_edges, i_edges = own, np.zeros((0, 4), np.int64)
        else:
            geoms = [subject.geoms_of([0])[0]] + [shapes[m].geoms_of([0])[0] for m in nb]
            _, merged = group_edges(shapely.union_all(geoms))
            s_edges, i_edges = _split_on_outline(merged, own)
        ctx = np.concatenate([s_edges, i_edges])
        ns = len(s_edges)
        ia, ib = np.triu_indices(len(ctx), 1)
        keep = ia < ns  # subject-subject and subject-neighbour pairs only
        ia, ib = ia[keep], ib[keep]
        ok, first, second = check_pairs(ctx[ia], ctx[ib], d, SPACE, metric)
        for a, b, f, s in zip(ia[ok], ib[ok], first[ok], second[ok]):
            if not is_shielded(ctx, int(a), int(b), f, s, d):
                firsts.append(f)
                seconds.append(s)
    first = np.asarray(firsts, dtype=np.int64).reshape(-1, 4)
    second = np.asarray(seconds, dtype=np.int64).reshape(-1, 4)
    z = np.zeros(len(first), np.int64)
    first, second, pa, pb = dedupe_pairs(first, second, z, z, True)
    return to_edge_pairs(first, second, pa, pb)
