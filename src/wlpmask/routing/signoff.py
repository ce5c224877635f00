"""Sign-off of routed nets before anything is drawn: spacing, width, boundary, connectivity.

Works on grid-unit geometry. A net that fails is reported with the first reason found; the
router removes it so that no violation is ever written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import shapely
from shapely.geometry.base import BaseGeometry

from .lattice import Rules


def _parts(geom: BaseGeometry) -> list[BaseGeometry]:
    if geom.is_empty:
        return []
    return list(getattr(geom, "geoms", [geom]))


def check_nets(metal: Mapping[int, BaseGeometry], *, rules: Rules,
               terminals: Sequence[BaseGeometry], terminal_net: Sequence[int],
               terminal_names: Sequence[str], net_terminals: Mapping[int, Sequence[int]],
               obstacles: Sequence[BaseGeometry], outside: BaseGeometry | None,
               net_names: Sequence[str]) -> dict[int, str]:
    """Check every routed net; return net id -> reason for those that fail.

    Args:
        metal: net id -> wire metal (grid units).
        rules: wire rules (width, space, grid).
        terminals: every terminal shape (grid units).
        terminal_net: each terminal's net id, or -1.
        terminal_names: names for messages.
        net_terminals: net id -> the terminal indices it must connect.
        obstacles: obstacle shapes (grid units).
        outside: region outside the boundary (grid units) or None.
        net_names: names for messages.
    """
    g = rules.grid_um
    space = rules.space
    geoms: list[BaseGeometry] = []
    label: list[str] = []
    owner: list[int] = []
    for k in sorted(metal):
        for part in _parts(metal[k]):
            geoms.append(part)
            owner.append(k)
            label.append(f"net {net_names[k]}")
    for t, shape in enumerate(terminals):
        geoms.append(shape)
        owner.append(terminal_net[t])
        label.append(f"terminal {terminal_names[t]}")
    for o in obstacles:
        for part in _parts(o):
            geoms.append(part)
            owner.append(-1)
            label.append("an obstacle")
    tree = shapely.STRtree(geoms)
    bad: dict[int, str] = {}
    for k in sorted(metal):
        m = metal[k]
        if m.is_empty:
            bad[k] = "sign-off: no metal"
            continue
        hits = sorted(tree.query(m, predicate="dwithin", distance=space - 1e-6).tolist())
        for h in hits:
            if owner[h] == k:
                continue
            d = shapely.distance(m, geoms[h])
            bad[k] = (f"sign-off: spacing {d * g:.4g} um < {space * g:.4g} um to {label[h]}")
            break
        if k in bad:
            continue
        if outside is not None and shapely.intersection(m, outside).area > 0:
            bad[k] = "sign-off: wire leaves the boundary"
            continue
        own = [terminals[t] for t in net_terminals[k]]
        merged = shapely.union_all([m, *own])
        if len(_parts(merged)) != 1 or not all(shapely.intersects(m, s) for s in own):
            bad[k] = "sign-off: wire does not connect all terminals"
            continue
        # A neck narrower than the width splits the eroded shape. Terminals are included: two
        # stubs may meet only inside their terminal.
        eroded = shapely.buffer(merged, -(rules.width / 2.0 - 1.0))
        if len(_parts(eroded)) > 1:
            bad[k] = f"sign-off: wire narrower than {rules.width * g:.4g} um"
    return bad
