"""The wafer map of a plan: map rows and columns of every die site, in G85, CSV and PNG form."""

from __future__ import annotations

import numpy as np

from ..io.g85 import NULL_BIN, G85Bin, G85Map, g85_text
from ..io.wafermap import MapSite, wafermap_csv, wafermap_png
from .layout import WaferPlan

__all__ = ["BINS", "map_files", "map_sites"]

# The bin code of each state of a die site.
BINS = {"full": G85Bin("1", "Pass", "full die: its whole step lies in the usable area"),
        "partial": G85Bin("P", "Null", "partial die: on the wafer, not wholly in the usable "
                                       "area (not placed)")}


def map_sites(plan: WaferPlan) -> list[MapSite]:
    """Every die site of the plan with its map row and column (row 0 at the top).

    Args:
        plan: the wafer plan.
    """
    s = plan.sites
    c = s.centres
    i0, j1 = int(s.i.min()), int(s.j.max())
    return [MapSite(j1 - int(j), int(i) - i0, float(x), float(y),
                    "full" if full else "partial")
            for i, j, (x, y), full in zip(s.i, s.j, c, s.full)]


def map_files(plan: WaferPlan, *, name: str) -> dict[str, bytes]:
    """The wafer map files: NAME.wafermap.xml (G85), .csv and .png.

    Args:
        plan: the wafer plan.
        name: the design name.
    """
    sites = map_sites(plan)
    rows = 1 + max(x.row for x in sites)
    cols = 1 + max(x.column for x in sites)
    grid = np.full((rows, cols), NULL_BIN)
    for x in sites:
        grid[x.row, x.column] = BINS[x.state].code
    full = [x for x in sites if x.state == "full"]
    ref = min(full, key=lambda x: (x.x_um ** 2 + x.y_um ** 2, x.row, x.column))
    used = [BINS[k] for k in ("full", "partial") if any(x.state == k for x in sites)]
    spec = plan.spec
    g85 = G85Map(spec.substrate_id, name, spec.diameter_mm, plan.step_um,
                 ["".join(r) for r in grid], used, (ref.column, ref.row),
                 (ref.x_um, ref.y_um), spec.date)
    title = (f"{name}: {len(full)} dies on {spec.diameter_mm:g} mm, offset "
             f"({plan.offset_um[0]:g}, {plan.offset_um[1]:g}) um")
    png = wafermap_png(sites, step_um=plan.step_um, wafer=plan.outline.polygon(),
                       usable=plan.outline.polygon(usable=True), marks=plan.mark_boxes(),
                       radius_um=plan.outline.radius_um, title=title)
    return {f"{name}.wafermap.xml": g85_text(g85).encode(),
            f"{name}.wafermap.csv": wafermap_csv(sites, name=name).encode(),
            f"{name}.wafermap.png": png}
