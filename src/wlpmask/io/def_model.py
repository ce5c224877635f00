"""What a DEF file holds once read: placed components, I/O pins, nets and routed wires (um)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from shapely.geometry import Polygon


@dataclass(frozen=True)
class Component:
    """A placed DEF component with its pin shapes in die coordinates.

    Args:
        name: instance name.
        macro: LEF macro name.
        status: PLACED, FIXED, COVER or UNPLACED.
        location: DEF location (lower-left of the placed bounding box), um.
        orient: one of N S E W FN FS FE FW.
        pins: pin name -> (layer, polygon) pairs, placed, um.
    """

    name: str
    macro: str
    status: str
    location: tuple[float, float]
    orient: str
    pins: Mapping[str, tuple[tuple[str, Polygon], ...]]
    obs: tuple[tuple[str, Polygon], ...] = ()

    def shapes_on(self, layer: str) -> list[Polygon]:
        """Every pin polygon of this component on `layer`, in pin-name order.

        Args:
            layer: the LEF layer name.
        """
        return [g for name in sorted(self.pins) for lay, g in self.pins[name] if lay == layer]


@dataclass(frozen=True)
class DefPin:
    """A DEF (I/O) pin.

    Args:
        name: pin name.
        net: the net it belongs to.
        use: USE value or None.
        ports: (layer, polygon) pairs, placed, um.
    """

    name: str
    net: str
    use: str | None
    ports: tuple[tuple[str, Polygon], ...]


@dataclass(frozen=True)
class Wire:
    """One routed DEF wire segment chain.

    Args:
        layer: routing layer.
        width_um: wire width (SPECIALNETS), None in regular NETS (layer default).
        points: (N, 2) centre-line points in um (N = 1 for a via-only statement).
        shape: SHAPE value (IOWIRE, STRIPE ...) or None.
    """

    layer: str
    width_um: float | None
    points: np.ndarray
    shape: str | None = None


@dataclass(frozen=True)
class DefNet:
    """A DEF net (regular or special).

    Args:
        name: net name.
        special: True for SPECIALNETS.
        use: USE value or None.
        connections: (component, pin) pairs; component "PIN" names a DEF pin, "*" every
            component that has that pin.
        wires: routed wires.
    """

    name: str
    special: bool
    use: str | None
    connections: tuple[tuple[str, str], ...]
    wires: tuple[Wire, ...] = ()


@dataclass(frozen=True)
class DefDesign:
    """What read_def returns.

    Args:
        name: DESIGN name.
        dbu_per_um: UNITS DISTANCE MICRONS.
        die_area: DIEAREA polygon, um.
        components: by instance name.
        pins: DEF pins by name.
        nets: regular nets by name.
        special_nets: special nets by name.
    """

    name: str
    dbu_per_um: int
    die_area: Polygon
    components: Mapping[str, Component]
    pins: Mapping[str, DefPin]
    nets: Mapping[str, DefNet]
    special_nets: Mapping[str, DefNet] = field(default_factory=dict)

    def net_shapes(self, net: str, layer: str) -> list[tuple[str, Polygon]]:
        """(component, polygon) for every component pin of `net` (regular and special) on `layer`.

        Connections to DEF pins are left out (they are overlays of component pins in the flows
        this reader serves); "*" connections expand to every component with that pin name.

        Args:
            net: the net name.
            layer: the LEF layer name.
        """
        seen: set[tuple[str, str]] = set()
        conns: list[tuple[str, str]] = []
        for table in (self.nets, self.special_nets):
            if net in table:
                conns.extend(table[net].connections)
        out: list[tuple[str, Polygon]] = []
        for comp, pin in conns:
            if comp == "PIN":
                continue
            names = sorted(self.components) if comp == "*" else [comp]
            for name in names:
                if (name, pin) in seen:
                    continue
                c = self.components.get(name)
                if c is None or pin not in c.pins:
                    continue
                seen.add((name, pin))
                out.extend((name, g) for lay, g in c.pins[pin] if lay == layer)
        return out
