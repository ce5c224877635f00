"""Who uses which lattice node: wire nodes, diagonal-cell corners and stub halos, per net.

Spacing between nets is kept by three rules on the lattice (pitch = width + spacing):
a node carries at most one net's centre-line; a diagonal move needs both corner nodes of its
cell free of foreign centre-lines and stub halos (parallel diagonals one pitch apart are only
pitch / sqrt(2) apart, and crossing diagonals share a cell); and no foreign wire may enter a
corner node or a halo node. Off-lattice stubs are also checked exactly against each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import shapely

FREE = -1
MANY = -2


@dataclass
class NetUse:
    """What one net has put on the lattice."""

    own: list[int] = field(default_factory=list)
    corners: list[int] = field(default_factory=list)
    halo: list[int] = field(default_factory=list)
    stubs: list[shapely.Geometry] = field(default_factory=list)  # stub metal, grid units


class Occupancy:
    """Dynamic occupancy of the lattice.

    `entry[n]` is FREE, a net id, or MANY: which nets may move onto node n (FREE: all; id: only
    that net; MANY: none). `corner[n]` is the same for a node used as the corner of a diagonal
    move (wire nodes and stub halos only). `hist[n]` is the rip-up history cost.

    Args:
        size: the number of lattice nodes.
        cell: side of a cell of the stub-metal hash, grid units.
    """

    def __init__(self, size: int, cell: float = 1.0):
        self.own = [FREE] * size
        self.corner_sets: dict[int, set[int]] = defaultdict(set)
        self.halo_sets: dict[int, set[int]] = defaultdict(set)
        self.entry = [FREE] * size
        self.corner = [FREE] * size
        self.hist = [0.0] * size
        # escape lanes in front of terminals: other nets pay reserve_cost to cross them
        self.reserve = [FREE] * size
        self.reserve_cost = 0.0
        # planned pad-bump segments: other nets pay plan_cost to cross them
        self.plan = [FREE] * size
        self.plan_cost = 0.0
        # gates of a fan-in plan: FREE, a net id (only that net may enter) or a negative value
        # (closed to planned nets, open to the others)
        self.gate = [FREE] * size
        self.uses: dict[int, NetUse] = {}
        # spatial hash of stub metal: cell -> [(net, geometry)]
        self.cell = float(cell)
        self.stub_cells: dict[tuple[int, int], list[tuple[int, shapely.Geometry]]] = \
            defaultdict(list)

    def reserve_lane(self, net: int, nodes: Iterable[int]) -> None:
        """Mark nodes as the escape lane of a terminal of `net` (MANY where two nets meet).

        Args:
            net: the net id.
            nodes: lattice node indices.
        """
        for n in nodes:
            r = self.reserve[n]
            self.reserve[n] = net if r in (FREE, net) else MANY

    def reserve_plan(self, net: int, nodes: Iterable[int]) -> None:
        """Mark nodes as lying on the planned (straight) route of `net` (MANY where shared).

        Args:
            net: the net id.
            nodes: lattice node indices.
        """
        for n in nodes:
            r = self.plan[n]
            self.plan[n] = net if r in (FREE, net) else MANY

    @staticmethod
    def _combine(nets: Iterable[int]) -> int:
        s = {n for n in nets if n != FREE}
        if not s:
            return FREE
        return next(iter(s)) if len(s) == 1 else MANY

    def _refresh(self, n: int) -> None:
        o = self.own[n]
        cs = self.corner_sets.get(n, ())
        hs = self.halo_sets.get(n, ())
        self.entry[n] = self._combine([o, *cs, *hs])
        self.corner[n] = self._combine([o, *hs])

    def owners(self, n: int) -> set[int]:
        """Every net that constrains node n (its wire, corners or halos).

        Args:
            n: lattice node index.
        """
        s = set(self.corner_sets.get(n, ())) | set(self.halo_sets.get(n, ()))
        if self.own[n] != FREE:
            s.add(self.own[n])
        return s

    def corner_owners(self, n: int) -> set[int]:
        """Every net that bars node n as the corner of a diagonal move (its wire or halo).

        Args:
            n: lattice node index.
        """
        s = set(self.halo_sets.get(n, ()))
        if self.own[n] != FREE:
            s.add(self.own[n])
        return s

    def add(self, net: int, *, own: Iterable[int] = (), corners: Iterable[int] = (),
            halo: Iterable[int] = (), stub: shapely.Geometry | None = None) -> None:
        """Record lattice use of `net` (the caller has checked it is legal).

        Args:
            net: the net id.
            own: nodes its centre-line runs through.
            corners: corner nodes of the diagonal cells it crosses.
            halo: nodes near its off-lattice stub metal.
            stub: the stub metal (grid units), kept for exact checks, or None.

        Raises:
            RuntimeError: a node of `own` already carries another net.
        """
        use = self.uses.setdefault(net, NetUse())
        touched = set()
        for n in own:
            if self.own[n] not in (FREE, net):
                raise RuntimeError(f"node {n} already carries net {self.own[n]}")
            self.own[n] = net
            use.own.append(n)
            touched.add(n)
        for n in corners:
            self.corner_sets[n].add(net)
            use.corners.append(n)
            touched.add(n)
        for n in halo:
            self.halo_sets[n].add(net)
            use.halo.append(n)
            touched.add(n)
        if stub is not None:
            use.stubs.append(stub)
            for key in self._cells(stub.bounds, 0.0):
                self.stub_cells[key].append((net, stub))
        for n in touched:
            self._refresh(n)

    def remove(self, net: int) -> None:
        """Rip up everything `net` put on the lattice.

        Args:
            net: the net id (nothing happens if it has put nothing there).
        """
        use = self.uses.pop(net, None)
        if use is None:
            return
        touched = set()
        for n in use.own:
            if self.own[n] == net:
                self.own[n] = FREE
            touched.add(n)
        for n in use.corners:
            self.corner_sets[n].discard(net)
            touched.add(n)
        for n in use.halo:
            self.halo_sets[n].discard(net)
            touched.add(n)
        for n in touched:
            if not self.corner_sets.get(n, True):
                del self.corner_sets[n]
            if not self.halo_sets.get(n, True):
                del self.halo_sets[n]
            self._refresh(n)
        for g in use.stubs:
            for key in self._cells(g.bounds, 0.0):
                self.stub_cells[key] = [(k, h) for k, h in self.stub_cells[key] if k != net]

    def stub_conflicts(self, net: int, metal: shapely.Geometry, space: float) -> set[int]:
        """Nets whose stub metal comes closer than `space` to `metal`.

        Args:
            net: the asking net; its own stubs are left out.
            metal: the metal to test, grid units.
            space: the spacing, grid units.
        """
        out: set[int] = set()
        seen: set[int] = set()
        for key in self._cells(metal.bounds, space):
            for k, g in self.stub_cells.get(key, ()):
                if k == net or k in out or id(g) in seen:
                    continue
                seen.add(id(g))
                if shapely.dwithin(g, metal, space - 1e-6):
                    out.add(k)
        return out

    def _cells(self, bounds: tuple[float, float, float, float], grow: float):
        c = self.cell
        x0, y0, x1, y1 = bounds
        for i in range(int((x0 - grow) // c), int((x1 + grow) // c) + 1):
            for j in range(int((y0 - grow) // c), int((y1 + grow) // c) + 1):
                yield (i, j)
