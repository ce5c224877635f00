"""Command line: a thin click group that parses, calls the library and reports.

Exit codes: 0 success, 1 design-rule or process-check violations, 2 bad input.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import WlpmaskError

EXIT_VIOLATIONS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


def user_errors(func):
    """Turn WlpmaskError (and OSError) into one line on stderr and exit 2, never a traceback.

    An interrupt says nothing was written and exits 130.

    Args:
        func: the command function to wrap.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except WlpmaskError as exc:
            click.echo(f"error: {exc.one_line()}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except OSError as exc:
            # Output paths the library did not already turn into a WlpmaskError.
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            # Writers clean up on the way out (staging directories, temporary files).
            click.echo("interrupted: nothing written", err=True)
            sys.exit(EXIT_INTERRUPTED)

    return wrapper


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM unwinds like an interrupt, so temporary files are removed on the way out."""
    sys.exit(EXIT_TERMINATED)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wlpmask")
def main() -> None:
    """wlpmask: wafer-level packaging layouts, masks and DRC."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)


@main.group()
def tech() -> None:
    """Technology files: check, export KLayout layer properties."""


@tech.command("check")
@click.argument("file", type=click.Path())
@user_errors
def tech_check(file: str) -> None:
    """Validate FILE and print a summary of its layers, stack and rules.

    \f
    Args:
        file: the technology file (TOML).
    """
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
        basis = f" ({r.basis})" if r.basis else ""
        click.echo(f"  {r.id:<14} {r.kind:<10} {','.join(r.layers):<20} >= {r.limit:g} {r.unit}"
                   f"{basis}  {r.description}")



@tech.command("lyp")
@click.argument("file", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(),
              help="the .lyp file to write")
@user_errors
def tech_lyp(file: str, output: str) -> None:
    """Write the KLayout layer-properties file of technology FILE.

    \f
    Args:
        file: the technology file (TOML).
        output: the .lyp file to write.
    """
    from .io.lyp import write_lyp
    from .tech import load_technology

    t = load_technology(file)
    write_lyp(t, output)
    click.echo(f"wrote {output} ({len(t.layers)} layers)")


@main.command("drc")
@click.argument("layout", type=click.Path())
@click.option("--tech", "tech_file", required=True, type=click.Path(),
              help="technology file (TOML)")
@click.option("--cell", help="cell to check (default: the single top cell)")
@click.option("--rules", help="comma-separated rule ids to run (default: all)")
@click.option("--json", "json_out", type=click.Path(),
              help="write the violations as JSON")
@click.option("--lyrdb", "lyrdb_out", type=click.Path(),
              help="write a KLayout report database")
@click.option("--hier", is_flag=True,
              help="check each distinct cell once, then only where instances meet (a wafer, "
                   "a strip: the same violations as the flat check, in a fraction of its time)")
@user_errors
def drc(layout: str, tech_file: str, cell: str | None, rules: str | None,
        json_out: str | None, lyrdb_out: str | None, hier: bool) -> None:
    """Check LAYOUT (GDS) against the rules of a technology; exit 1 on violations.

    \f
    Args:
        layout: the GDS file.
        tech_file: the technology file (TOML).
        cell: the cell to check; None for the single top cell.
        rules: comma-separated rule ids to run; None for all.
        json_out: where to write the violations as JSON, or None.
        lyrdb_out: where to write a KLayout report database, or None.
        hier: check hierarchically (drc.hier) instead of flat.
    """
    from .io.gds import flatten_layers, layer_pairs, read_layout, unknown_layers
    from .tech import load_technology

    t = load_technology(tech_file)
    rule_ids = _rule_ids(rules, t)
    for out in (json_out, lyrdb_out):
        _check_output_path(out)
    lay = read_layout(layout)
    top = lay.top(cell)
    # a hierarchical check never flattens the layout (a wafer of thousands of dies)
    if hier:
        shapes, drawn = None, set(layer_pairs(top))
        checked = any(layer.gds in drawn for layer in t.layers.values())
    else:
        shapes = flatten_layers(top, t, dbu_um=lay.dbu_um)
        checked = any(shapes.values())
    extra = unknown_layers(top, t)
    pairs = ", ".join(f"{a}/{b}" for a, b in extra)
    if not checked:
        present = f"; layers present: {pairs}" if pairs else ""
        raise WlpmaskError(f"no polygons on any layer of technology {t.name}{present}",
                           file=layout, key=f"cell {top.name}")
    for message in lay.messages:
        click.echo(f"warning: {layout}: {message}", err=True)
    if extra:
        click.echo(f"warning: {layout}: cell {top.name}: layers not in technology {t.name} "
                   f"(not checked): {pairs}", err=True)
    if hier:
        from .drc.hier import run_drc_hier

        result = run_drc_hier(top, t, rules=rule_ids).result
    else:
        from .drc import run_drc

        result = run_drc(shapes, t, rules=rule_ids)
    _print_table(result, t)
    n = len(result.violations)
    click.echo(f"{top.name}: {n} violation{'s' if n != 1 else ''} of "
               f"{len(result.rules_run)} rules checked")
    if json_out:
        _write_json(result, json_out, layout=layout, cell=top.name, tech=t)
        click.echo(f"wrote {json_out}")
    if lyrdb_out:
        from .io.lyrdb import write_lyrdb

        write_lyrdb(result, lyrdb_out, cell=top.name, tech=t,
                    description=f"wlpmask DRC of {top.name} against {t.name}",
                    layout_file=layout)
        click.echo(f"wrote {lyrdb_out}")
    if n:
        sys.exit(EXIT_VIOLATIONS)


def _rule_ids(rules: str | None, t) -> list[str] | None:
    """The --rules list, checked against the technology (unknown ids fail at once)."""
    if rules is None:
        return None
    ids = [r.strip() for r in rules.split(",") if r.strip()]
    if not ids:
        raise WlpmaskError("expected one or more rule ids", key="--rules")
    unknown = [r for r in ids if r not in t.rules]
    if unknown:
        raise WlpmaskError(f"unknown rule {unknown[0]!r}; rules of {t.name}: "
                           f"{', '.join(t.rules)}", key="--rules")
    return list(dict.fromkeys(ids))


def _check_output_path(out: str | None) -> None:
    """Fail before a long check rather than after it when an output cannot be written.

    The directory must exist and take a new file (tried with a probe file, removed at once).
    """
    import os
    import tempfile

    if out is None:
        return
    path = Path(out)
    if path.is_dir():
        raise WlpmaskError("is a directory; expected a file name", file=path)
    if not path.parent.is_dir():
        raise WlpmaskError(f"directory {str(path.parent)!r} does not exist", file=path)
    try:
        fd, probe = tempfile.mkstemp(prefix=".wlpmask-probe-", dir=path.parent)
    except OSError as exc:
        raise WlpmaskError(f"cannot write here: {exc.strerror or exc}", file=path) from None
    os.close(fd)
    os.unlink(probe)


def _print_table(result, t) -> None:
    counts = result.summary()
    rows = [("rule", "kind", "layers", "count", "worst", "required")]
    for rid in result.rules_run:
        rule = t.rules[rid]
        w = result.worst(rid)
        rows.append((rid, rule.kind, ",".join(rule.layers), str(counts.get(rid, 0)),
                     f"{w.measured_um:g} {rule.unit}" if w is not None else "-",
                     f"{rule.limit:g} {rule.unit}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cols = [c.rjust(w) if i == 3 else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        click.echo("  ".join(cols).rstrip())


def _write_json(result, out: str, *, layout: str, cell: str, tech) -> None:
    from .io import json_text, write_text_atomic

    data = result.to_json(layout=layout, cell=cell, technology=tech.name)
    write_text_atomic(out, json_text(data, indent=2))


@main.command("build")
@click.argument("design", type=click.Path())
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False),
              help="output directory (default: layouts/out/NAME beside the design file)")
@click.option("-q", "--quiet", is_flag=True, help="no progress display")
@user_errors
def build_cmd(design: str, out_dir: str | None, quiet: bool) -> None:
    """Build DESIGN (a design TOML) into GDS, reports and previews; exit 1 on violations.

    \f
    Args:
        design: the design file (TOML).
        out_dir: the output directory; None for layouts/out/NAME beside the design file.
        quiet: no progress display.
    """
    from .build import build
    from .progress import TerminalProgress

    progress = TerminalProgress(enabled=not quiet)
    try:
        r = build(design, out_dir, progress=progress)
    finally:
        progress.close()
    for note in [*r.design.notes, *r.product.notes]:
        click.echo(f"warning: {note}", err=True)
    failed = [c for c in r.checks if not c.passed]
    click.echo(f"{r.design.name}: {len(r.files)} files in {r.out_dir}")
    click.echo("  " + "; ".join([
        *r.report.summary_lines(), f"DRC {r.drc_violations} violations",
        f"process checks {len(r.checks) - len(failed)}/{len(r.checks)} passed"]))
    if r.wafer is not None:
        for line in r.wafer.summary_lines():
            click.echo(f"  {line}")
        for rule, n in r.wafer.drc.summary().items():
            if n:
                click.echo(f"  wafer DRC {rule}: {n} violations", err=True)
    ids = {c.id for c in r.checks}
    for rule, n in r.drc.summary().items():
        if n and rule not in ids:
            click.echo(f"  DRC {rule}: {n} violations", err=True)
    for line in r.report.problem_lines():
        click.echo(f"  {line}", err=True)
    for c in failed:
        click.echo(f"  process check failed: {c.id}" + (f": {c.detail}" if c.detail else ""),
                   err=True)
    if not r.ok:
        sys.exit(EXIT_VIOLATIONS)


@main.command("families")
def families_cmd() -> None:
    """List the product families a design file may name."""
    from .families import FAMILIES

    for name, fam in FAMILIES.items():
        click.echo(f"{name:<10} {fam.summary}")


if __name__ == "__main__":  # pragma: no cover
    main()
