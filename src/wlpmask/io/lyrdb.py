"""KLayout report database (.lyrdb) from a DRC result: one category per rule, one item per
violation, markers in um (edge pairs where the check gives them, else the violation's box).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape

from .. import __version__
from ..tech import Technology
from . import write_text_atomic


class _Result(Protocol):
    violations: list[Any]
    rules_run: list[str]


def _num(x: float) -> str:
    """A coordinate in um without exponent; 1e-6 um resolution is below any database unit."""
    s = f"{float(x):.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _quoted(name: str) -> str:
    # Item categories are paths ("parent.child"); a quoted name keeps dots inside one name.
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _value(v: Any) -> str:
    if getattr(v, "edge_pair", None):
        (x1, y1, x2, y2), (x3, y3, x4, y4) = v.edge_pair
        return (f"edge-pair: ({_num(x1)},{_num(y1)};{_num(x2)},{_num(y2)})/"
                f"({_num(x3)},{_num(y3)};{_num(x4)},{_num(y4)})")
    x0, y0, x1, y1 = v.bbox
    return f"box: ({_num(x0)},{_num(y0)};{_num(x1)},{_num(y1)})"


def _comment(v: Any, unit: str) -> str:
    required = f"required {_num(v.required_um)} {unit}"
    if v.measured_um is None:
        return "text: " + _quoted(required)
    return "text: " + _quoted(f"measured {_num(v.measured_um)} {unit}, {required}")


def _category_description(rule_id: str, tech: Technology) -> str:
    rule = tech.rules.get(rule_id)
    if rule is None:
        return ""
    limit = f"min {rule.limit:g} {rule.unit}"
    return f"{rule.description} ({limit})" if rule.description else limit


def lyrdb_text(result: _Result, *, cell: str, tech: Technology, description: str = "",
               layout_file: str | Path | None = None) -> str:
    """The .lyrdb XML of a DRC result (see write_lyrdb)."""
    rule_ids: list[str] = list(dict.fromkeys(
        [*result.rules_run, *(v.rule for v in result.violations)]))
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<report-database>",
           f" <description>{escape(description)}</description>",
           f" <original-file>{escape(str(layout_file or ''))}</original-file>",
           f" <generator>{escape(f'wlpmask {__version__}')}</generator>",
           f" <top-cell>{escape(cell)}</top-cell>",
           " <tags>", " </tags>", " <categories>"]
    for rid in rule_ids:
        out += ["  <category>", f"   <name>{escape(rid)}</name>",
                f"   <description>{escape(_category_description(rid, tech))}</description>",
                "   <categories>", "   </categories>", "  </category>"]
    out += [" </categories>", " <cells>", "  <cell>", f"   <name>{escape(cell)}</name>",
            "   <variant/>", "   <layout-name/>", "   <references>", "   </references>",
            "  </cell>", " </cells>", " <items>"]
    out += _items(result.violations, cell=cell, tech=tech)
    out += [" </items>", "</report-database>"]
    return "\n".join(out) + "\n"


def _items(violations: Iterable[Any], *, cell: str, tech: Technology) -> list[str]:
    out: list[str] = []
    for v in violations:
        rule = tech.rules.get(v.rule)
        unit = rule.unit if rule is not None else "um"
        out += ["  <item>", "   <tags/>", f"   <category>{escape(_quoted(v.rule))}</category>",
                f"   <cell>{escape(cell)}</cell>", "   <visited>false</visited>",
                "   <multiplicity>1</multiplicity>", "   <comment/>", "   <image/>",
                "   <values>", f"    <value>{escape(_value(v))}</value>",
                f"    <value>{escape(_comment(v, unit))}</value>", "   </values>", "  </item>"]
    return out


def write_lyrdb(result: _Result, path: str | Path, *, cell: str, tech: Technology,
                description: str = "", layout_file: str | Path | None = None) -> None:
    """Write a DRC result as a KLayout report database (atomically).

    Args:
        result: the DrcResult (violations with rule, edge_pair or bbox in um).
        path: the .lyrdb file to create or replace.
        cell: the checked cell's name.
        tech: the technology whose rules the categories describe.
        description: the report's description.
        layout_file: the checked layout, recorded as the report's original file.
    """
    write_text_atomic(path, lyrdb_text(result, cell=cell, tech=tech, description=description,
                                       layout_file=layout_file))
