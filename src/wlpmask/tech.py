"""Load and validate a technology file (pdk/*.toml) into a frozen Technology.

A technology is data: layers with their GDS numbers, mask tone and bias; the process stack with
material constants; named process parameters; and design rules. Nothing here knows a process
number; every value comes from the file, and every problem is reported with file and key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import WlpmaskError
from .validate import (  # read_toml: design files use it too
    UNIT_SUFFIX,
    Reader,
    dotted,
    is_number,
    read_toml,
)

PURPOSES = ("input", "mask", "marker")
TONES = ("clear", "dark")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

# The manufacturing grid is the GDS database unit, a fraction of the user unit (1 um): a grid
# coarser than the user unit has no meaning there, and no packaging layer is drawn that coarse.
MAX_GRID_UM = 1.0

# Distance metrics of the edge-pair rule kinds, as wlpmask.drc.edges.METRICS (a test keeps the
# two in step); "euclidean" is read as "euclidian".
METRICS = ("euclidian", "euclidean", "projection", "square")

# What a rule parameter beyond layers and limit may say.
RULE_PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType({"metric": METRICS})


@dataclass(frozen=True)
class RuleKind:
    """What a rule kind reads: its layer roles and the unit of its limit.

    Args:
        roles: the keys that name layers, in order (e.g. ("outer", "inner")). A role named
            "layers" takes a list of two layer names.
        limit_key: "min_um" for lengths, "min_um2" for areas.
        params: the further keys a rule of the kind may give (see RULE_PARAMS).
    """

    roles: tuple[str, ...]
    limit_key: str = "min_um"
    params: tuple[str, ...] = ()


# The rule kinds a technology may use. Adding a kind: one entry here and one check function
# in wlpmask.drc.kinds (a test keeps the two in step).
RULE_KINDS: Mapping[str, RuleKind] = MappingProxyType(
    {
        "width": RuleKind(("layer",), params=("metric",)),
        "space": RuleKind(("layer",), params=("metric",)),
        "separation": RuleKind(("layers",), params=("metric",)),
        "enclosure": RuleKind(("outer", "inner"), params=("metric",)),
        "min_area": RuleKind(("layer",), "min_um2"),
        "inside": RuleKind(("outer", "inner"), "min_um"),
        "outer_radius": RuleKind(("layer",)),
        "inner_radius": RuleKind(("layer",)),
        "convex_corner_radius": RuleKind(("layer",)),
        "concave_corner_radius": RuleKind(("layer",)),
    }
)


@dataclass(frozen=True)
class Layer:
    """One drawn layer.

    Args:
        name: the name used in rules, design files and the CLI.
        gds: (layer, datatype), each 0..65535.
        purpose: input (comes with the wafer), mask (becomes a plate) or marker (never printed).
        tone: clear or dark: what the drawn data is on the plate.
        bias_um: CD bias per edge applied when the mask is written (negative shrinks).
        color: "#rrggbb" for the layer-properties file and previews.
        pattern: KLayout dither-pattern index of an input or mask layer in the layer-properties
            file and previews; None: not set, the writers choose (markers are always outlines).
        description: free text.
    """

    name: str
    gds: tuple[int, int]
    purpose: str
    tone: str
    bias_um: float
    color: str
    pattern: int | None
    description: str


@dataclass(frozen=True)
class StackLayer:
    """One film of the process stack: thickness, material and material constants."""

    name: str
    thickness_um: float
    material: str
    constants: Mapping[str, Any]


@dataclass(frozen=True)
class Rule:
    """One design rule.

    Args:
        id: the rule name, e.g. "RDL.S".
        kind: one of RULE_KINDS.
        layers: the layer names in role order (for separation: the two layers).
        limit: the rule value in um (or um2 for min_area); a violation is strictly below it.
        description: what the rule protects.
        params: further keys, for kinds that take more than a limit.
        basis: how the file states the limit when it is not a plain number, e.g.
            "0.8 x stack SHEET thickness" (the limit is then that product, in um).
    """

    id: str
    kind: str
    layers: tuple[str, ...]
    limit: float
    description: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    basis: str = ""

    @property
    def unit(self) -> str:
        """The limit's unit: "um2" for an area rule, else "um"."""
        return "um2" if RULE_KINDS[self.kind].limit_key == "min_um2" else "um"


@dataclass(frozen=True)
class Technology:
    """A validated technology file; immutable."""

    name: str
    description: str
    grid_um: float
    layers: Mapping[str, Layer]
    stack: Mapping[str, StackLayer]
    process: Mapping[str, Any]
    rules: Mapping[str, Rule]
    source: str
    sha256: str

    def layer(self, name: str) -> Layer:
        """The layer called name; an unknown name fails with the list of valid ones.

        Args:
            name: the technology layer name.

        Raises:
            WlpmaskError: no layer of that name.
        """
        try:
            return self.layers[name]
        except KeyError:
            raise WlpmaskError(
                f"unknown layer {name!r}; valid layers: {', '.join(self.layers)}", file=self.source
            ) from None

    def layer_by_gds(self) -> dict[tuple[int, int], str]:
        """Layer name by its GDS (layer, datatype) pair."""
        return {lay.gds: lay.name for lay in self.layers.values()}

    def param(self, key: str) -> Any:
        """A [process] parameter; a missing one fails naming the file and key.

        Args:
            key: the parameter's name in [process].

        Raises:
            WlpmaskError: the technology has no such parameter.
        """
        if key not in self.process:
            raise WlpmaskError("missing process parameter", file=self.source, key=f"process.{key}")
        return self.process[key]


_TOP_KEYS = {"technology", "layers", "stack", "process", "rules"}
_HEAD_KEYS = {"name", "description", "grid_um", "version"}
_LAYER_KEYS = {"gds", "purpose", "tone", "bias_um", "color", "pattern", "description"}
_STACK_KEYS = {"thickness_um", "material", "description"}


def _load_layer(r: Reader, layers: dict, name: str) -> Layer:
    key = dotted("layers", name)
    t = r.table(layers, "layers", name)
    r.keys(key, t, _LAYER_KEYS)
    gds = r.pair(t.get("gds"), dotted(key, "gds"), named=False)
    purpose = r.string(t, key, "purpose", default="mask", choices=PURPOSES)
    tone = r.string(t, key, "tone", default="clear", choices=TONES)
    bias = r.quantity(t, key, "bias_um") if "bias_um" in t else 0.0
    color = r.string(t, key, "color", default="#808080")
    if not _COLOR.match(color):
        raise r.err(dotted(key, "color"), f"expected a colour '#rrggbb', got {color!r}")
    pattern = r.integer(t, key, "pattern", default=None, maximum=45)
    desc = r.string(t, key, "description", default="")
    return Layer(name, gds, purpose, tone, bias, color.lower(), pattern, desc)


def _load_stack(r: Reader, stack: dict, name: str) -> StackLayer:
    key = dotted("stack", name)
    t = r.table(stack, "stack", name)
    thickness = r.quantity(t, key, "thickness_um", minimum=0.0, strict=True)
    material = r.string(t, key, "material", default="")
    r.string(t, key, "description", default="")
    constants: dict[str, Any] = {}
    for k, v in t.items():
        if k in _STACK_KEYS:
            continue
        if is_number(v) or UNIT_SUFFIX.search(k):
            constants[k] = r.quantity(t, key, k)
        elif isinstance(v, str):
            constants[k] = v
        else:
            raise r.err(dotted(key, k), f"expected a number or string, got {v!r}")
    return StackLayer(name, thickness, material, MappingProxyType(constants))


def _load_process(r: Reader, t: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in t.items():
        if is_number(v) or UNIT_SUFFIX.search(k):
            out[k] = r.quantity(t, "process", k)
        elif isinstance(v, (str, bool)):
            out[k] = v
        elif isinstance(v, list) and all(isinstance(x, (int, float, str)) for x in v):
            out[k] = tuple(v)
        else:
            raise r.err(dotted("process", k),
                        f"expected a number, string, boolean or list, got {v!r}")
    return out


def _rule_layers(r: Reader, t: dict, key: str, kind: str, layers: Mapping[str, Layer]) -> tuple:
    """The layer names of a rule in role order, each one a layer of the technology."""
    names: list[str] = []
    for role in RULE_KINDS[kind].roles:
        if role not in t:
            raise r.err(dotted(key, role), f"missing layer for a {kind} rule")
        v = t[role]
        if role == "layers":
            if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)):
                raise r.err(dotted(key, role), f"expected two layer names, got {v!r}")
            names.extend(v)
        else:
            names.append(r.string(t, key, role))
    for role_name in names:
        if role_name not in layers:
            raise r.err(key, f"unknown layer {role_name!r}; valid layers: {', '.join(layers)}")
    return tuple(names)


def _load_rule(r: Reader, rules: dict, rid: str, layers: Mapping[str, Layer],
               stack: Mapping[str, StackLayer]) -> Rule:
    key = dotted("rules", rid)
    t = r.table(rules, "rules", rid)
    kind = r.string(t, key, "kind", choices=tuple(RULE_KINDS))
    spec = RULE_KINDS[kind]
    names = _rule_layers(r, t, key, kind, layers)
    limit_key = spec.limit_key
    if limit_key not in t:
        other = "min_um" if limit_key == "min_um2" else "min_um2"
        hint = f" (a {kind} rule takes {limit_key}, not {other})" if other in t else ""
        raise r.err(dotted(key, limit_key), f"missing limit{hint}")
    basis = ""
    if isinstance(t[limit_key], dict) and limit_key == "min_um":
        limit, basis = _relative_limit(r, t[limit_key], dotted(key, limit_key), stack)
    else:
        limit = r.quantity(t, key, limit_key, minimum=0.0)
    r.keys(key, t, {"kind", "description", limit_key, *spec.roles, *spec.params})
    desc = r.string(t, key, "description", default="")
    params = {k: r.string(t, key, k, choices=RULE_PARAMS[k]) for k in spec.params if k in t}
    return Rule(rid, kind, names, limit, desc, MappingProxyType(params), basis)


def _relative_limit(r: Reader, t: dict, key: str,
                    stack: Mapping[str, StackLayer]) -> tuple[float, str]:
    """A limit stated as a multiple of a stack film's thickness: {times, thickness}.

    Photo-etch rules scale with the sheet (web >= 0.8 T, slot >= 1.1 T): the file states the
    factor and the film, and the limit follows when the film's thickness changes.
    """
    r.keys(key, t, {"times", "thickness"})
    times = r.num(t, key, "times", strict=True, maximum=1000.0)
    film = r.string(t, key, "thickness")
    if film not in stack:
        raise r.err(dotted(key, "thickness"), f"no stack film {film!r}; stack films: "
                    f"{', '.join(stack) or 'none'}")
    return times * stack[film].thickness_um, f"{times:g} x stack {film} thickness"


def load_technology(path: str | Path) -> Technology:
    """Read and validate a technology file.

    Args:
        path: the TOML file.

    Raises:
        WlpmaskError: naming the file and key of the first problem found.
    """
    path = Path(path)
    data, raw = read_toml(path)
    r = Reader(path)
    r.keys("", data, _TOP_KEYS)
    head = r.table(data, "", "technology")
    r.keys("technology", head, _HEAD_KEYS)
    name = r.string(head, "technology", "name")
    desc = r.string(head, "technology", "description", default="")
    grid = r.num(head, "technology", "grid_um", strict=True, maximum=MAX_GRID_UM)

    layers: dict[str, Layer] = {}
    seen: dict[tuple[int, int], str] = {}
    layers_t = r.table(data, "", "layers", required=False)
    for lname in layers_t:
        lay = _load_layer(r, layers_t, lname)
        if lay.gds in seen:
            raise r.err(dotted(dotted("layers", lname), "gds"),
                        f"GDS pair {list(lay.gds)} already used by layer {seen[lay.gds]!r}")
        seen[lay.gds] = lname
        layers[lname] = lay
    if not layers:
        raise r.err("layers", "a technology needs at least one layer")

    stack_t = r.table(data, "", "stack", required=False)
    stack = {n: _load_stack(r, stack_t, n) for n in stack_t}
    process = _load_process(r, r.table(data, "", "process", required=False))
    rules_t = r.table(data, "", "rules", required=False)
    rules = {rid: _load_rule(r, rules_t, rid, layers, stack) for rid in rules_t}
    return Technology(
        name=name,
        description=desc,
        grid_um=grid,
        layers=MappingProxyType(layers),
        stack=MappingProxyType(stack),
        process=MappingProxyType(process),
        rules=MappingProxyType(rules),
        source=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
