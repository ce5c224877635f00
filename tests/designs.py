"""Design files for tests: a small TOML writer, a base WLCSP design, and loading helpers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wlpmask.cells import CellCache
from wlpmask.design import load_design
from wlpmask.errors import WlpmaskError
from wlpmask.families.wlcsp.cells import assemble as _assemble
from wlpmask.families.wlcsp.teardrops import teardrops as _teardrops
from wlpmask.families.wlcsp.terminals import routing_boundary as _boundary
from wlpmask.families.wlcsp.terminals import terminals as _terminals

ROOT = Path(__file__).resolve().parents[1]
PDK = ROOT / "pdk" / "wlcsp_generic.toml"


def _val(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_val(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_val(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def toml_text(doc: dict) -> str:
    """A small TOML writer for test designs and technologies (tables, scalars, lists, inline
    tables; keys quoted where TOML needs it)."""
    lines: list[str] = []

    def table(path: list[str], d: dict) -> None:
        if path:
            lines.append("[" + ".".join(_key(k) for k in path) + "]")
        for k, v in d.items():
            if not isinstance(v, dict):
                lines.append(f"{_key(k)} = {_val(v)}")
        for k, v in d.items():
            if isinstance(v, dict):
                table([*path, k], v)

    table([], doc)
    return "\n".join(lines) + "\n"


def pad(name: str, x: float, y: float, w: float = 60.0, h: float = 60.0, net=None) -> dict:
    d = {"name": name, "x_um": x, "y_um": y, "w_um": w, "h_um": h}
    if net:
        d["net"] = net
    return d


def base_design() -> dict:
    """A 2 x 2 mm die with two pads and a 3 x 3 array at 0.5 mm pitch."""
    return {
        "design": {"name": "t", "technology": str(PDK), "family": "wlcsp"},
        "die": {"width_um": 2000.0, "height_um": 2000.0, "dicing_lane_um": 60.0,
                "seal_ring_um": 20.0, "keepout_um": 255.0},
        "pads": {"source": "inline", "pads": [pad("P1", 1000.0, 110.0),
                                             pad("P2", 1890.0, 1000.0)]},
        "bumps": {"pitch_um": 500.0},
        "fill": {"material": "conductive_adhesive", "largest_particle_um": 20.0},
    }


def write_design(tmp_path: Path, doc: dict, name: str = "d.toml") -> Path:
    p = tmp_path / name
    p.write_text(toml_text(doc), encoding="utf-8")
    return p


class Loaded:
    """A loaded design seen as one object: the family part's fields, then the design's."""

    def __init__(self, design):
        self.design = design

    def __getattr__(self, name):
        try:
            return getattr(self.design.part, name)
        except AttributeError:
            return getattr(self.design, name)


def load_path(path: Path) -> Loaded:
    return Loaded(load_design(path)[0])


def load(tmp_path: Path, doc: dict) -> Loaded:
    return load_path(write_design(tmp_path, doc))


def assemble(d: Loaded, rdl=(), cache: CellCache | None = None):
    """The WLCSP top cell of a loaded design, in a fresh cell cache unless one is given."""
    return _assemble(name=d.name, die=d.die, pads=d.pads, bumps=d.bumps, rules=d.rules,
                     layers=d.layers, grid_um=d.tech.grid_um, cache=cache or CellCache(),
                     rdl=rdl)


def terminals(d: Loaded):
    return _terminals(pads=d.pads, bumps=d.bumps, rules=d.rules, grid_um=d.tech.grid_um)


def routing_boundary(d: Loaded):
    return _boundary(d.die, rdl_to_seal_um=d.rules.rdl_to_seal_um, grid_um=d.tech.grid_um)


def teardrops(d: Loaded, **kw):
    """Teardrops with the design's RDL, proportions, capture pad, boundary and grid."""
    return _teardrops(rdl=d.rdl, proportions=d.teardrop, capture_um=d.bumps.dims.capture_um,
                      boundary=routing_boundary(d), grid_um=d.tech.grid_um, **kw)


def error(tmp_path: Path, doc: dict) -> WlpmaskError:
    with pytest.raises(WlpmaskError) as ei:
        load(tmp_path, doc)
    return ei.value


def where(e: WlpmaskError) -> tuple[str | None, str | None]:
    return (Path(e.file).name if e.file else None, e.key)
