"""The router's public records: terminals in, routed nets and the pad-to-bump assignment out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

__all__ = ["RouteResult", "RoutedNet", "Terminal"]

KINDS = ("pad", "bump")


@dataclass(frozen=True)
class Terminal:
    """A piece of metal a wire may land on.

    Args:
        name: instance name, e.g. "pad_17" or "bump_C4"; unique among the terminals.
        kind: "pad" or "bump".
        shape: the landing metal, um.
        net: the net; None for a free bump that the assignment may give a net to.
    """

    name: str
    kind: str
    shape: Polygon
    net: str | None = None


@dataclass(frozen=True)
class RoutedNet:
    """One routed net.

    Args:
        net: net name.
        terminals: names of the terminals it connects, sorted.
        centerlines: (N, 2) centre-line polylines in um, one per branch.
        metal: the drawn wire metal (grid-snapped, terminals not included), um.
        length_um: total centre-line length.
    """

    net: str
    terminals: tuple[str, ...]
    centerlines: tuple[np.ndarray, ...]
    metal: shapely.Geometry
    length_um: float


@dataclass(frozen=True)
class RouteResult:
    """What route_rdl returns.

    Args:
        routed: net -> RoutedNet, for every net that passed sign-off.
        unrouted: net -> reason, for every net that is not drawn.
        assignment: pad terminal name -> bump terminal name, for every pad that was given a
            free bump (and for every pad whose net already had exactly one bump).
        total_length_um: sum of the routed nets' centre-line lengths.
    """

    routed: Mapping[str, RoutedNet]
    unrouted: Mapping[str, str]
    assignment: Mapping[str, str]
    total_length_um: float
