"""KLayout report database (.lyrdb) from a DRC result: one category per rule, one item each.

Every violation is an item with its marker in um (edge pairs where the check gives them, else the
violation's box). A category's description names what it checks, its limit and the unit: a
technology rule's from the rule (always a minimum, in um or um2), any other category's (a process
check, whose limit may be a maximum and a dimensionless ratio) from a ``Category`` the caller
passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Category:
    """What a report category that is not a technology rule checks.

    Args:
        description: what the check protects.
        comparison: ">=" (the measured value must reach the limit) or "<=" (must not pass it).
        limit: the limit.
        unit: "um", "um2" or "ratio" (dimensionless).
    """

    description: str
    comparison: str
    limit: float
    unit: str

    @property
    def bound(self) -> str:
        """"min" for a limit the value must reach, "max" for one it must not pass."""
        return "min" if self.comparison == ">=" else "max"


def _amount(v: float, unit: str) -> str:
    """A value with its unit; a ratio has none."""
    return _num(v) if unit == "ratio" else f"{_num(v)} {unit}"


def _rule_category(rule_id: str, tech: Technology) -> Category | None:
    rule = tech.rules.get(rule_id)
    if rule is None:
        return None
    return Category(rule.description, ">=", rule.limit, rule.unit)


def _category_description(cat: Category | None) -> str:
    if cat is None:
        return ""
    limit = f"{cat.bound} {_amount(cat.limit, cat.unit)}"
    if cat.unit == "ratio":
        limit = f"ratio, {limit}"
    return f"{cat.description} ({limit})" if cat.description else limit


def _comment(v: Any, cat: Category | None, *, rule: bool) -> str:
    unit = cat.unit if cat is not None else "um"
    # A rule is always a minimum (its description says so); a process check names its bound.
    bound = "" if rule or cat is None else f"{cat.bound} "
    required = f"required {bound}{_amount(v.required_um, unit)}"
    if v.measured_um is None:
        return "text: " + _quoted(required)
    return "text: " + _quoted(f"measured {_amount(v.measured_um, unit)}, {required}")


def lyrdb_text(result: _Result, *, cell: str, tech: Technology, description: str = "",
               layout_file: str | Path | None = None,
               categories: Mapping[str, Category] | None = None) -> str:
    """The .lyrdb XML of a DRC result (the arguments as write_lyrdb takes them).

    Args:
        result: the DrcResult (markers in um).
        cell: the checked cell's name.
        tech: the technology.
        description: the report's description.
        layout_file: the report's original file.
        categories: rule id -> Category for the ids that are not technology rules.
    """
    counts = result.summary() if hasattr(result, "summary") else {}
    if hasattr(result, "reported"):
        result = result.reported()  # at most MAX_REPORTED_PER_RULE markers per rule
    shown = result.summary() if hasattr(result, "summary") else counts
    rule_ids: list[str] = list(dict.fromkeys(
        [*result.rules_run, *(v.rule for v in result.violations)]))
    cats = {rid: (categories or {}).get(rid) or _rule_category(rid, tech) for rid in rule_ids}
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<report-database>",
           f" <description>{escape(description)}</description>",
           f" <original-file>{escape(str(layout_file or ''))}</original-file>",
           f" <generator>{escape(f'wlpmask {__version__}')}</generator>",
           f" <top-cell>{escape(cell)}</top-cell>",
           " <tags>", " </tags>", " <categories>"]
    for rid in rule_ids:
        text = _category_description(cats[rid])
        if counts.get(rid, 0) > shown.get(rid, 0):
            text += f" [{shown[rid]:,} of {counts[rid]:,} violations listed]"
        out += ["  <category>", f"   <name>{escape(rid)}</name>",
                f"   <description>{escape(text)}</description>",
                "   <categories>", "   </categories>", "  </category>"]
    out += [" </categories>", " <cells>", "  <cell>", f"   <name>{escape(cell)}</name>",
            "   <variant/>", "   <layout-name/>", "   <references>", "   </references>",
            "  </cell>", " </cells>", " <items>"]
    out += _items(result.violations, cell=cell, cats=cats, tech=tech)
    out += [" </items>", "</report-database>"]
    return "\n".join(out) + "\n"


def _items(violations: Iterable[Any], *, cell: str, cats: Mapping[str, Category | None],
           tech: Technology) -> list[str]:
    out: list[str] = []
    for v in violations:
        comment = _comment(v, cats.get(v.rule), rule=v.rule in tech.rules)
        out += ["  <item>", "   <tags/>", f"   <category>{escape(_quoted(v.rule))}</category>",
                f"   <cell>{escape(cell)}</cell>", "   <visited>false</visited>",
                "   <multiplicity>1</multiplicity>", "   <comment/>", "   <image/>",
                "   <values>", f"    <value>{escape(_value(v))}</value>",
                f"    <value>{escape(comment)}</value>", "   </values>", "  </item>"]
    return out


def write_lyrdb(result: _Result, path: str | Path, *, cell: str, tech: Technology,
                description: str = "", layout_file: str | Path | None = None,
                categories: Mapping[str, Category] | None = None) -> None:
    """Write a DRC result as a KLayout report database (atomically).

    Args:
        result: the DrcResult (violations with rule, edge_pair or bbox in um).
        path: the .lyrdb file to create or replace.
        cell: the checked cell's name.
        tech: the technology whose rules the categories describe.
        description: the report's description.
        layout_file: the checked layout, recorded as the report's original file.
        categories: rule id -> Category for ids that are not rules of the technology (the
            process checks); without one such a category has no description.
    """
    write_text_atomic(path, lyrdb_text(result, cell=cell, tech=tech, description=description,
                                       layout_file=layout_file, categories=categories))
