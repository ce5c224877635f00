"""Load and validate a technology file (pdk/*.toml) into a frozen Technology.

A technology is data: layers with their GDS numbers, mask tone and bias; the process stack with
material constants; named process parameters; and design rules. Nothing here knows a process
number; every value comes from the file, and every problem is reported with file and key.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from .errors import WlpmaskError

PURPOSES = ("input", "mask", "marker")
TONES = ("clear", "dark")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_UNIT_SUFFIX = re.compile(r"_(um|um2|nm|mm|deg|c|k|ppm_per_k|percent|ratio|count|s|min|um_per_s)$")


@dataclass(frozen=True)
class RuleKind:
    """What a rule kind reads: its layer roles and the unit of its limit.

    Args:
        roles: the keys that name layers, in order (e.g. ("outer", "inner")). A role named
            "layers" takes a list of two layer names.
        limit_key: "min_um" for lengths, "min_um2" for areas.
    """

    roles: tuple[str, ...]
    limit_key: str = "min_um"


# The rule kinds a technology may use. Adding a kind: one entry here and one check function
# in wlpmask.drc.kinds (a test keeps the two in step).
RULE_KINDS: Mapping[str, RuleKind] = MappingProxyType(
    {
        "width": RuleKind(("layer",)),
        "space": RuleKind(("layer",)),
        "separation": RuleKind(("layers",)),
        "enclosure": RuleKind(("outer", "inner")),
        "min_area": RuleKind(("layer",), "min_um2"),
        "inside": RuleKind(("outer", "inner"), "min_um"),
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
    """

    id: str
    kind: str
    layers: tuple[str, ...]
    limit: float
    description: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def unit(self) -> str:
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
        """The layer called name; an unknown name fails with the list of valid ones."""
        try:
            return self.layers[name]
        except KeyError:
            raise WlpmaskError(
                f"unknown layer {name!r}; valid layers: {', '.join(self.layers)}", file=self.source
            ) from None

    def layer_by_gds(self) -> dict[tuple[int, int], str]:
        return {lay.gds: lay.name for lay in self.layers.values()}

    def param(self, key: str) -> Any:
        """A [process] parameter; a missing one fails naming the file and key."""
        if key not in self.process:
            raise WlpmaskError("missing process parameter", file=self.source, key=f"process.{key}")
        return self.process[key]

    def snap(self, value_um: float) -> float:
        """Round a length to the manufacturing grid."""
        return round(round(value_um / self.grid_um) * self.grid_um, 9)


def _err(path: Path, key: str, message: str) -> WlpmaskError:
    return WlpmaskError(message, file=path, key=key)


def _number(path: Path, key: str, value: Any, *, minimum: float | None = 0.0,
            strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _err(path, key, f"expected a number, got {value!r}")
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        rel = ">" if strict else ">="
        raise _err(path, key, f"expected a number {rel} {minimum}, got {value!r}")
    return float(value)


def _string(path: Path, key: str, value: Any, *, choices: tuple[str, ...] | None = None) -> str:
    if not isinstance(value, str):
        raise _err(path, key, f"expected a string, got {value!r}")
    if choices is not None and value not in choices:
        raise _err(path, key, f"expected one of {', '.join(choices)}, got {value!r}")
    return value


def _table(path: Path, key: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise _err(path, key, f"expected a table, got {value!r}")
    return value


def _check_keys(path: Path, key: str, table: dict, allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _err(path, f"{key}.{unknown[0]}",
                   f"unknown key; expected one of {', '.join(sorted(allowed))}")


def read_toml(path: str | Path) -> tuple[dict, bytes]:
    """Read a TOML file; errors name the file (and line, as tomllib reports it)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise WlpmaskError("file not found", file=path) from None
    except OSError as exc:
        raise WlpmaskError(f"cannot read: {exc.strerror}", file=path) from None
    try:
        return tomllib.loads(raw.decode("utf-8")), raw
    except UnicodeDecodeError:
        raise WlpmaskError("not UTF-8 text; expected a TOML file", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise WlpmaskError(f"malformed TOML: {exc}", file=path) from None


def _load_layer(path: Path, name: str, raw: Any) -> Layer:
    key = f"layers.{name}"
    t = _table(path, key, raw)
    _check_keys(path, key, t, {"gds", "purpose", "tone", "bias_um", "color", "pattern",
                               "description"})
    gds = t.get("gds")
    if (not isinstance(gds, list) or len(gds) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in gds)
            or not all(0 <= v <= 65535 for v in gds)):
        raise _err(path, f"{key}.gds",
                   f"expected [layer, datatype], integers 0..65535, got {gds!r}")
    purpose = _string(path, f"{key}.purpose", t.get("purpose", "mask"), choices=PURPOSES)
    tone = _string(path, f"{key}.tone", t.get("tone", "clear"), choices=TONES)
    bias = _number(path, f"{key}.bias_um", t.get("bias_um", 0.0), minimum=None)
    color = _string(path, f"{key}.color", t.get("color", "#808080"))
    if not _COLOR.match(color):
        raise _err(path, f"{key}.color", f"expected a colour '#rrggbb', got {color!r}")
    pattern = t.get("pattern")
    if pattern is not None and (isinstance(pattern, bool) or not isinstance(pattern, int)
                                or not 0 <= pattern <= 45):
        raise _err(path, f"{key}.pattern", f"expected a dither pattern 0..45, got {pattern!r}")
    desc = _string(path, f"{key}.description", t.get("description", ""))
    return Layer(name, (gds[0], gds[1]), purpose, tone, bias, color.lower(), pattern, desc)


def _load_stack(path: Path, name: str, raw: Any) -> StackLayer:
    key = f"stack.{name}"
    t = _table(path, key, raw)
    if "thickness_um" not in t:
        raise _err(path, f"{key}.thickness_um", "missing thickness")
    thickness = _number(path, f"{key}.thickness_um", t["thickness_um"], strict=True)
    material = _string(path, f"{key}.material", t.get("material", ""))
    constants = {}
    for k, v in t.items():
        if k in ("thickness_um", "material", "description"):
            continue
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            constants[k] = _number(path, f"{key}.{k}", v, minimum=None)
        elif isinstance(v, str):
            constants[k] = v
        else:
            raise _err(path, f"{key}.{k}", f"expected a number or string, got {v!r}")
    return StackLayer(name, thickness, material, MappingProxyType(constants))


def _load_process(path: Path, raw: Any) -> dict[str, Any]:
    t = _table(path, "process", raw)
    out: dict[str, Any] = {}
    for k, v in t.items():
        key = f"process.{k}"
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if not _UNIT_SUFFIX.search(k):
                raise _err(path, key, "a numeric parameter needs a unit suffix (_um, _deg, ...)")
            out[k] = _number(path, key, v, minimum=None)
        elif isinstance(v, (str, bool)):
            out[k] = v
        elif isinstance(v, list) and all(isinstance(x, (int, float, str)) for x in v):
            out[k] = tuple(v)
        else:
            raise _err(path, key, f"expected a number, string, boolean or list, got {v!r}")
    return out


def _load_rule(path: Path, rid: str, raw: Any, layers: Mapping[str, Layer]) -> Rule:
    key = f'rules."{rid}"' if not re.fullmatch(r"[A-Za-z0-9_-]+", rid) else f"rules.{rid}"
    t = _table(path, key, raw)
    if "kind" not in t:
        raise _err(path, f"{key}.kind",
                   f"missing rule kind; expected one of {', '.join(RULE_KINDS)}")
    kind = _string(path, f"{key}.kind", t["kind"])
    if kind not in RULE_KINDS:
        raise _err(path, f"{key}.kind", f"unknown rule kind {kind!r}; expected one of "
                   f"{', '.join(RULE_KINDS)}")
    spec = RULE_KINDS[kind]
    names: list[str] = []
    for role in spec.roles:
        if role not in t:
            raise _err(path, f"{key}.{role}", f"missing layer for a {kind} rule")
        v = t[role]
        if role == "layers":
            if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)):
                raise _err(path, f"{key}.layers", f"expected two layer names, got {v!r}")
            names.extend(v)
        else:
            names.append(_string(path, f"{key}.{role}", v))
    for role_name in names:
        if role_name not in layers:
            raise _err(path, key, f"unknown layer {role_name!r}; valid layers: {', '.join(layers)}")
    limit_key = spec.limit_key
    other = "min_um" if limit_key == "min_um2" else "min_um2"
    if limit_key not in t:
        hint = f" (a {kind} rule takes {limit_key}, not {other})" if other in t else ""
        raise _err(path, f"{key}.{limit_key}", f"missing limit{hint}")
    limit = _number(path, f"{key}.{limit_key}", t[limit_key])
    desc = _string(path, f"{key}.description", t.get("description", ""))
    params = {k: v for k, v in t.items()
              if k not in {"kind", "description", limit_key, *spec.roles}}
    return Rule(rid, kind, tuple(names), limit, desc, MappingProxyType(params))


def load_technology(path: str | Path) -> Technology:
    """Read and validate a technology file.

    Args:
        path: the TOML file.

    Raises:
        WlpmaskError: naming the file and key of the first problem found.
    """
    path = Path(path)
    data, raw = read_toml(path)
    _check_keys(path, "(top level)", data, {"technology", "layers", "stack", "process", "rules"})
    head = _table(path, "technology", data.get("technology"))
    _check_keys(path, "technology", head, {"name", "description", "grid_um", "version"})
    name = _string(path, "technology.name", head.get("name"))
    desc = _string(path, "technology.description", head.get("description", ""))
    if "grid_um" not in head:
        raise _err(path, "technology.grid_um", "missing manufacturing grid")
    grid = _number(path, "technology.grid_um", head["grid_um"], strict=True)

    layers: dict[str, Layer] = {}
    seen: dict[tuple[int, int], str] = {}
    for lname, lraw in _table(path, "layers", data.get("layers", {})).items():
        lay = _load_layer(path, lname, lraw)
        if lay.gds in seen:
            raise _err(path, f"layers.{lname}.gds",
                       f"GDS pair {list(lay.gds)} already used by layer {seen[lay.gds]!r}")
        seen[lay.gds] = lname
        layers[lname] = lay
    if not layers:
        raise _err(path, "layers", "a technology needs at least one layer")

    stack = {n: _load_stack(path, n, s)
             for n, s in _table(path, "stack", data.get("stack", {})).items()}
    process = _load_process(path, data.get("process", {}))
    rules = {rid: _load_rule(path, rid, r, layers)
             for rid, r in _table(path, "rules", data.get("rules", {})).items()}
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
