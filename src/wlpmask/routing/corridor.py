"""Global stage: two-terminal nets routed on a coarse grid of tiles with track capacities.

The lattice is cut into square tiles of `tile` x `tile` nodes. The capacity of the boundary
between two neighbouring tiles is the number of lattice moves that cross it (from the static
move masks, so bumps, pads and obstacles are accounted for); a diagonal step between tiles that
share a corner gets the smallest capacity of the four boundaries meeting there (a diagonal
wire uses the corner region, so it cannot carry more than the narrowest of them). Nets are
routed on the tile graph by negotiated congestion (a cost for overuse that grows with each
round, plus a history cost on tiles that stay overused), which spreads them over the gaps
between bumps before any detail routing; each net's tiles, widened by `widen` tiles, become
its corridor, which the detail search may not leave.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping

import numpy as np

from .lattice import Lattice

# tile steps: E, NE, N, NW, W, SW, S, SE
TDIRS = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))


class TileGraph:
    """Tiles over the lattice and the capacity of each tile-to-tile step.

    Args:
        lat: the lattice, its static move masks filled.
        tile: lattice nodes per tile side.
    """

    def __init__(self, lat: Lattice, tile: int):
        self.tile = tile
        self.nx, self.ny = lat.nx, lat.ny
        tx = -(-lat.nx // tile)
        ty = -(-lat.ny // tile)
        self.tx, self.ty = tx, ty
        em = np.asarray(lat.emask, dtype=np.int64).reshape(lat.ny, lat.nx)
        east = (em & 1) != 0
        north = (em & 4) != 0
        cap_e = np.zeros((ty, tx), dtype=np.int64)  # boundary between (a, b) and (a + 1, b)
        cap_n = np.zeros((ty, tx), dtype=np.int64)  # boundary between (a, b) and (a, b + 1)
        if tx > 1:
            cols = np.arange(1, tx) * tile - 1
            sub = east[:, cols]
            cap_e[:, :tx - 1] = np.add.reduceat(sub, np.arange(0, lat.ny, tile), axis=0)
        if ty > 1:
            rows = np.arange(1, ty) * tile - 1
            sub = north[rows, :]
            cap_n[:ty - 1, :] = np.add.reduceat(sub, np.arange(0, lat.nx, tile), axis=1)
        # diagonal step across the corner shared by (a, b), (a + 1, b), (a, b + 1), (a + 1, b + 1)
        cap_c = np.zeros((ty, tx), dtype=np.int64)
        if tx > 1 and ty > 1:
            cap_c[:ty - 1, :tx - 1] = np.minimum.reduce([
                cap_e[:ty - 1, :tx - 1], cap_e[1:, :tx - 1],
                cap_n[:ty - 1, :tx - 1], cap_n[:ty - 1, 1:]])
        self.cap: dict[tuple[int, int, int], int] = {}
        self._cap_e, self._cap_n, self._cap_c = cap_e, cap_n, cap_c

    def edge(self, t: int, d: int) -> tuple[tuple[int, int, int], int] | None:
        """The boundary key and capacity of the step from tile t in tile direction d.

        The capacity is the number of lattice moves across the boundary (for a diagonal
        step, the least of the four boundaries at the shared corner).

        Args:
            t: flat tile id.
            d: tile direction 0..7 (TDIRS).

        Returns:
            (key, capacity), or None where the step leaves the tiles.
        """
        b, a = divmod(t, self.tx)
        dx, dy = TDIRS[d]
        a2, b2 = a + dx, b + dy
        if not (0 <= a2 < self.tx and 0 <= b2 < self.ty):
            return None
        if dy == 0:
            key = (0, min(a, a2), b)
            return key, int(self._cap_e[b, min(a, a2)])
        if dx == 0:
            key = (1, a, min(b, b2))
            return key, int(self._cap_n[min(b, b2), a])
        ca, cb = min(a, a2), min(b, b2)
        return (2, ca, cb), int(self._cap_c[cb, ca])

    def tile_of(self, n: int) -> int:
        """The flat id of the tile holding lattice node n.

        Args:
            n: flat lattice node index.
        """
        j, i = divmod(n, self.nx)
        return (j // self.tile) * self.tx + i // self.tile


def route_tiles(graph: TileGraph, demands: Mapping[int, tuple[int, int]], *,
                rounds: int = 6) -> dict[int, list[int]]:
    """Negotiated-congestion routing of two-terminal demands on the tile graph.

    Args:
        graph: tiles and capacities.
        demands: net id -> (source tile, target tile).
        rounds: rip-up-all rounds; stops early once no boundary is overused.

    Returns:
        net id -> tiles of its path (source to target).
    """
    tx = graph.tx
    edges: dict[int, list[tuple[int, tuple[int, int, int], int, float]]] = {}

    def nbrs(t: int):
        lst = edges.get(t)
        if lst is None:
            lst = []
            b, a = divmod(t, tx)
            for d in range(8):
                e = graph.edge(t, d)
                if e is None or e[1] <= 0:
                    continue
                dx, dy = TDIRS[d]
                lst.append(((b + dy) * tx + a + dx, e[0], e[1], math.sqrt(2.0) if d & 1 else 1.0))
            edges[t] = lst
        return lst

    use: dict[tuple[int, int, int], int] = {}
    hist: dict[tuple[int, int, int], float] = {}
    paths: dict[int, list[tuple[int, tuple[int, int, int]]]] = {}
    order = sorted(demands, key=lambda k: (_dist(graph, *demands[k]), k))
    pres = 0.5
    for _ in range(max(1, rounds)):
        for k in order:
            old = paths.pop(k, None)
            if old:
                for _t, e in old[1:]:
                    use[e] -= 1
            s, g = demands[k]
            p = _astar(s, g, nbrs, use, hist, pres, graph)
            if p is None:
                continue
            for _t, e in p[1:]:
                use[e] = use.get(e, 0) + 1
            paths[k] = p
        over = False
        for k in order:
            for _t, e in paths.get(k, [])[1:]:
                cap = _cap_of(graph, e)
                if use[e] > cap:
                    hist[e] = hist.get(e, 0.0) + 0.5 * (use[e] - cap) / max(cap, 1)
                    over = True
        if not over:
            break
        pres *= 2.0
    return {k: [t for t, _e in p] for k, p in paths.items()}


def _cap_of(graph: TileGraph, e: tuple[int, int, int]) -> int:
    kind, a, b = e
    arr = (graph._cap_e, graph._cap_n, graph._cap_c)[kind]
    return int(arr[b, a])


def _dist(graph: TileGraph, s: int, g: int) -> float:
    bs, as_ = divmod(s, graph.tx)
    bg, ag = divmod(g, graph.tx)
    dx, dy = abs(as_ - ag), abs(bs - bg)
    return max(dx, dy) + (math.sqrt(2.0) - 1.0) * min(dx, dy)


def _astar(s: int, g: int, nbrs, use, hist, pres: float, graph: TileGraph):
    if s == g:
        return [(s, None)]
    best = {s: 0.0}
    parent: dict[int, tuple[int, tuple[int, int, int]] | None] = {s: None}
    heap = [(_dist(graph, s, g), 0.0, s)]
    closed: set[int] = set()
    while heap:
        _f, c, t = heapq.heappop(heap)
        if t in closed:
            continue
        closed.add(t)
        if t == g:
            out = []
            while t is not None:
                pe = parent[t]
                out.append((t, pe[1] if pe else None))
                t = pe[0] if pe else None
            out.reverse()
            return out
        for v, e, cap, length in nbrs(t):
            if v in closed:
                continue
            u = use.get(e, 0)
            over = u + 1 - cap
            cost = length * (1.0 + hist.get(e, 0.0)) * (1.0 + (pres * over if over > 0 else 0.0))
            nc = c + cost
            if nc < best.get(v, math.inf):
                best[v] = nc
                parent[v] = (t, e)
                heapq.heappush(heap, (nc + _dist(graph, v, g), nc, v))
    return None


def corridor_mask(graph: TileGraph, tiles: list[int], widen: int) -> frozenset[int]:
    """Tiles (flat ids) a net's detail search may use: its path widened by `widen` tiles.

    A set of the tiles, not a mask over all of them: every two-terminal net keeps one, and a
    mask would cost each net a byte per tile of the die.

    Args:
        graph: the tile graph.
        tiles: the net's path, flat tile ids.
        widen: how many tiles to add on every side of each path tile (a square around it).
    """
    tx, ty = graph.tx, graph.ty
    out: set[int] = set()
    for t in tiles:
        b, a = divmod(t, tx)
        for bb in range(max(0, b - widen), min(ty, b + widen + 1)):
            row = bb * tx
            out.update(range(row + max(0, a - widen), row + min(tx, a + widen + 1)))
    return frozenset(out)
