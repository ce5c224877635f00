"""Command line: a thin click group that parses, calls the library and reports.

Exit codes: 0 success, 1 design-rule or process-check violations, 2 bad input.
"""

from __future__ import annotations

import functools
import sys

import click

from . import __version__
from .errors import WlpmaskError

EXIT_VIOLATIONS = 1
EXIT_BAD_INPUT = 2


def user_errors(func):
    """Turn WlpmaskError into one line on stderr and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except WlpmaskError as exc:
            click.echo(f"error: {exc.one_line()}", err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wlpmask")
def main() -> None:
    """wlpmask: wafer-level packaging layouts, masks and DRC."""


@main.group()
def tech() -> None:
    """Technology files: check, export KLayout layer properties."""


@tech.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@user_errors
def tech_check(file: str) -> None:
    """Validate FILE and print a summary of its layers, stack and rules."""
    from .tech import load_technology

    t = load_technology(file)
    click.echo(f"{t.name}: {t.description}")
    click.echo(f"grid {t.grid_um} um, sha256 {t.sha256[:12]}")
    click.echo(f"{len(t.layers)} layers:")
    for lay in t.layers.values():
        bias = f" bias {lay.bias_um:+g} um" if lay.bias_um else ""
        click.echo(f"  {lay.name:<12} {lay.gds[0]}/{lay.gds[1]:<4} {lay.purpose:<6} "
                   f"{lay.tone:<5}{bias}  {lay.description}")
    if t.stack:
        click.echo(f"{len(t.stack)} stack layers:")
        for s in t.stack.values():
            click.echo(f"  {s.name:<12} {s.thickness_um:g} um {s.material}")
    click.echo(f"{len(t.process)} process parameters, {len(t.rules)} rules:")
    for r in t.rules.values():
        click.echo(f"  {r.id:<14} {r.kind:<10} {','.join(r.layers):<20} >= {r.limit:g} {r.unit}"
                   f"  {r.description}")


if __name__ == "__main__":  # pragma: no cover
    main()
