"""Product families and the immutable family table.

A family is a package `families/<name>/` exposing one object (`FAMILY`) that the build driver
calls; the driver knows no family, and a family imports only shared packages. Adding a family
is a new package plus one line in `FAMILIES` below. The object implements `base.Family`:

- `name`: the value of `[design] family` that selects it; `summary`: one line for
  `wlpmask families`.
- `sections`: the design-file sections it owns (besides the shared ones of
  `wlpmask.designfile`: design, die, layers, pads, preview); any other section is an error.
- `load(doc)`: read those sections (and the shared ones it uses) from the `DesignDoc` into a
  typed, frozen design part; layer roles are resolved here, once, into a typed role map.
- `generate(part, *, tech, cache, progress)`: draw the product into cells built in the
  caller's `CellCache` and return a `base.Product`: the top cell, every role drawn with its
  layer, the family's report data (`ok`, summary and problem lines), the die frame, the mask
  sequence of its flow, preview hints (layer order, detail window), roles it does not draw and
  why (their rules are skipped), and extra files.
- `checks(part, product, shapes, tech)`: its process checks (`wlpmask.checks.ProcessCheck`)
  on the flattened layout; a failed one is a violation (exit 1).
- `manifest(part, product)`: its keys of manifest.json (merged into the top level; the names
  are an interface other tools read: add, never rename).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import coc, contacts, wlcsp
from .base import Family

# name -> family; the first is the default of a design file without [design] family.
FAMILIES: Mapping[str, Family] = MappingProxyType({
    "wlcsp": wlcsp.FAMILY,
    "contacts": contacts.FAMILY,
    "coc": coc.FAMILY,
})
DEFAULT_FAMILY = next(iter(FAMILIES))

__all__ = ["DEFAULT_FAMILY", "FAMILIES", "Family"]
