"""The state of one routing problem: lattice, accesses, occupancy, and each net's progress.

Shared by the net-by-net router (ripup.py, netroute.py) and the fan-in plan's passes
(fanin.py, legs.py). All in integer grid units.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from .access import Access, AccessBuilder
from .lattice import Lattice, Rules, choose_origin
from .model import Terminal
from .occupancy import FREE, Occupancy
from .outline import wire_metal

BEND = 0.02  # pitches per change of direction: a tie-breaker towards straight runs


@dataclass
class NetState:
    """One net's routing state."""

    id: int
    name: str
    terms: list[int]
    polylines: list[list[tuple[int, int]]] = field(default_factory=list)
    paths: list[tuple[int, ...]] = field(default_factory=list)
    rips: int = 0
    corridor: tuple[frozenset[int], int, int] | None = None
    waypoints: list[int] | None = None  # slots of the fan-in plan, pad to bump (gated net)
    gave_up: bool = False  # planned, but a leg of it found no path (it is named, not retried)


class Problem:
    """Everything one call of route_rdl works on (held in integer grid units).

    Args:
        terms: the terminals, shapes in um.
        obstacles: shapes wires keep their spacing from, um.
        boundary: the routing area, um.
        rules: wire rules (their grid_um converts um to grid units).
        allow45: whether diagonal moves and stubs exist.
    """

    def __init__(self, terms: Sequence[Terminal], obstacles: Sequence[BaseGeometry],
                 boundary: Polygon, rules: Rules, allow45: bool):
        g = rules.grid_um
        self.rules = rules
        self.terms = list(terms)
        self.names = [t.name for t in terms]
        self.shape = [shapely.transform(t.shape, lambda c: c / g) for t in terms]
        self.obstacles = [shapely.transform(o, lambda c: c / g) for o in obstacles]
        bnd = shapely.transform(boundary, lambda c: c / g)
        self.boundary = bnd
        x0, y0, x1, y1 = bnd.bounds
        p = rules.pitch
        self.outside = box(x0 - 4 * p, y0 - 4 * p, x1 + 4 * p, y1 + 4 * p).difference(bnd)
        centers = []
        weights = []
        for t, s in zip(terms, self.shape):
            c = s.centroid
            centers.append((int(round(c.x)), int(round(c.y))))
            weights.append(2.0 if t.kind == "bump" else 1.0)
        origin = choose_origin(centers, weights, p)
        self.lat = Lattice(rules, (math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1)),
                           origin, allow45)
        blockers = self.obstacles + self.shape
        owner = [-1] * len(self.obstacles) + list(range(len(terms)))
        free = self.lat.build_static(blockers, self.outside)
        self.builder = AccessBuilder(self.lat, free, blockers, owner, self.outside)
        self.occ = Occupancy(self.lat.size, cell=8.0 * p)
        # Where the steps say how far they are: (phase, done, total); silent by default.
        self.progress: Callable[[str, int, int], None] = lambda phase, done=0, total=0: None
        self._access: dict[int, list[Access]] = {}
        self._stub_metal: dict[tuple[int, int], BaseGeometry] = {}
        self.allow45 = allow45
        self.plan = None  # the fan-in plan, if the assignment was planned
        self.slot_cuts: dict[int, list[int]] = {}  # net -> the cut of each of its slots
        self.protected: set[int] = set()  # nets of the planned pass: never ripped up
        self.cross_corners: dict[int, int] = {}  # node -> net whose slot crossing cuts it
        self.bump_sides: dict[int, set[int]] = {}  # planned net -> its bump's accesses to take

    def accesses(self, t: int) -> list[Access]:
        """The accesses of terminal t (built on first use).

        Args:
            t: terminal index.
        """
        if t not in self._access:
            self._access[t] = self.builder.accesses(t, self.shape[t], self.allow45)
        return self._access[t]

    def gate_open(self, net: int, node: int, gated: bool) -> bool:
        """Whether the plan's gates let `net` use `node`.

        Args:
            net: the net id.
            node: lattice node index.
            gated: the net is part of the plan: gates closed to planned nets stop it too.
        """
        g = self.occ.gate[node]
        return g == FREE or g == net or (g < 0 and not gated)

    def access_nodes(self, t: int) -> list[int]:
        """Lattice nodes of all accesses of terminal t (access nodes and stub nodes).

        Args:
            t: terminal index.
        """
        return [n for a in self.accesses(t) for n in (a.node, *a.own)]

    def open_accesses(self, net: int, t: int, *, gated: bool, soft: bool = False
                      ) -> Iterator[tuple[int, Access, set[int]]]:
        """(index, access, nets in its way) of each access of terminal t that `net` may take.

        An access may be taken where the gates let the net through and, unless `soft`, no
        other net is in its way.

        Args:
            net: the net id.
            t: terminal index.
            gated: the net is part of the plan (see gate_open).
            soft: also yield accesses other nets are in the way of.
        """
        for ai, a in enumerate(self.accesses(t)):
            if not self.gate_open(net, a.node, gated):
                continue
            conf = self.access_conflicts(net, t, ai)
            if conf and not soft:
                continue
            yield ai, a, conf

    def stub_metal(self, t: int, k: int) -> BaseGeometry:
        """The metal of the stub of access k of terminal t, grid units (built on first use).

        Args:
            t: terminal index.
            k: access index.
        """
        key = (t, k)
        if key not in self._stub_metal:
            self._stub_metal[key] = wire_metal([self.accesses(t)[k].stub], self.rules)
        return self._stub_metal[key]

    def center(self, t: int) -> tuple[float, float]:
        """The centroid of terminal t, grid units.

        Args:
            t: terminal index.
        """
        c = self.shape[t].centroid
        return c.x, c.y

    # ------------------------------------------------------------------------ availability
    def access_conflicts(self, net: int, t: int, k: int) -> set[int]:
        """Nets that make access k of terminal t illegal for `net` (empty: usable).

        Args:
            net: the net id.
            t: terminal index.
            k: access index.
        """
        a = self.accesses(t)[k]
        occ = self.occ
        out: set[int] = set()
        for n in a.own:
            if occ.entry[n] not in (FREE, net):
                out |= occ.owners(n) - {net}
        for n in a.corners:
            if occ.corner[n] not in (FREE, net):
                out |= occ.corner_owners(n) - {net}
        for n in a.halo:
            o = occ.own[n]
            if o not in (FREE, net):
                out.add(o)
            cs = occ.corner_sets.get(n)
            if cs:
                out |= cs - {net}
        out |= occ.stub_conflicts(net, self.stub_metal(t, k), self.rules.space)
        return out


def commit(prob: Problem, net: NetState, nodes: tuple[int, ...], dirs: tuple[int, ...],
           stubs: list[tuple[int, int]]) -> None:
    """Put a path of `net` on the occupancy, with the given terminal stubs.

    Args:
        prob: the routing problem.
        net: the net.
        nodes: the path's lattice nodes.
        dirs: the direction of each move, from nodes[k]; diagonal moves bar their corners.
        stubs: (terminal index, access index) of each stub to put with it.
    """
    prob.occ.add(net.id, own=nodes, corners=cut_corners(prob.lat, nodes, dirs))
    for t, ai in stubs:
        a = prob.accesses(t)[ai]
        prob.occ.add(net.id, own=a.own, corners=a.corners, halo=a.halo,
                     stub=prob.stub_metal(t, ai))


def cut_corners(lat: Lattice, nodes: Sequence[int], dirs: Sequence[int]) -> list[int]:
    """The two nodes beside each diagonal move of a path: no other wire may run there.

    Args:
        lat: the lattice.
        nodes: the path's lattice nodes.
        dirs: the direction of each move, from nodes[k].
    """
    return [a + lat.off[(d + t) & 7] for a, d in zip(nodes, dirs) if d & 1 for t in (1, -1)]


def guide_between(lat: Lattice, a: tuple[float, float], b: tuple[float, float],
                  shape: tuple[float, float]) -> tuple[float, float, float, float, float, float]:
    """astar.search's guide along the segment a-b.

    Args:
        lat: the lattice (to convert to lattice coordinates).
        a: the segment's start, grid units.
        b: the segment's end, grid units.
        shape: (cost, free) of the guide, in pitches (see astar.search).
    """
    p = float(lat.pitch)
    return ((a[0] - lat.x0) / p, (a[1] - lat.y0) / p, (b[0] - lat.x0) / p, (b[1] - lat.y0) / p,
            shape[0], shape[1])
