"""run_drc: the loop over a technology's rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..errors import WlpmaskError
from ..tech import Technology
from .edges import METRICS
from .kinds import KIND_CHECKS, METRIC_KINDS, LayerSet, metric_of
from .result import DrcResult, Violations


def run_drc(shapes: Mapping[str, Sequence[np.ndarray]], tech: Technology, *,
            rules: Sequence[str] | None = None,
            progress: Callable[[int, str], None] | None = None) -> DrcResult:
    """Check raw shapes against the technology's design rules.

    Args:
        shapes: per technology layer name, the raw (unmerged) polygons as (N, 2) float arrays
            in um. A missing layer is empty.
        tech: the technology; its grid_um is the database unit of the check.
        rules: rule ids to run (default: all), run in technology order.
        progress: called with (rules done, rule id) before each rule.

    Raises:
        WlpmaskError: an unknown rule id or layer name.
    """
    for name in shapes:
        if name not in tech.layers:
            raise WlpmaskError(f"unknown layer {name!r}; valid layers: {', '.join(tech.layers)}",
                               file=tech.source)
    selected = select_rules(tech, rules)
    layers = LayerSet(shapes, tech.grid_um)
    result = DrcResult(rules_run=selected)
    for i, rid in enumerate(selected):
        if progress is not None:
            progress(i, rid)
        rule = tech.rules[rid]
        found = KIND_CHECKS[rule.kind](rule, layers)
        # the built-in checks hand back their violations sorted, as arrays where they can
        result.violations.extend(found if isinstance(found, Violations)
                                 else sorted(found, key=lambda v: v.sort_key()))
    return result


def select_rules(tech: Technology, rules: Sequence[str] | None) -> list[str]:
    """The rule ids to run, in technology order, each checked for parameters it cannot honour.

    Args:
        tech: the technology.
        rules: rule ids (None: all).

    Raises:
        WlpmaskError: an unknown rule id or a parameter its kind does not take.
    """
    if rules is None:
        selected = list(tech.rules)
    else:
        unknown = [r for r in rules if r not in tech.rules]
        if unknown:
            raise WlpmaskError(f"unknown rule {unknown[0]!r}; valid rules: "
                               f"{', '.join(tech.rules)}", file=tech.source)
        wanted = set(rules)
        selected = [r for r in tech.rules if r in wanted]
    for rid in selected:
        _check_params(tech, rid)
    return selected


def _check_params(tech: Technology, rid: str) -> None:
    """Refuse a rule parameter the check cannot honour (so it is never silently ignored)."""
    rule = tech.rules[rid]
    key = f'rules."{rid}".metric'
    if "metric" in rule.params:
        if rule.kind not in METRIC_KINDS:
            raise WlpmaskError(f"a {rule.kind} rule takes no metric", file=tech.source, key=key)
        if metric_of(rule) not in METRICS:
            raise WlpmaskError(f"unknown metric {rule.params['metric']!r}; expected one of "
                               f"{', '.join(METRICS)}", file=tech.source, key=key)
