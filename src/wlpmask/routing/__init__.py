"""Automatic redistribution-layer (RDL) routing: pad-to-bump assignment and single-layer routing.

Public API: Terminal, RoutedNet, RouteResult, route_rdl; pair_pads_with_bumps splits power nets
with many pads and bumps into one-pad sub-nets before routing.
"""

from .assign import pair_pads_with_bumps
from .model import RoutedNet, RouteResult, Terminal
from .router import route_rdl

__all__ = ["RouteResult", "RoutedNet", "Terminal", "pair_pads_with_bumps", "route_rdl"]
