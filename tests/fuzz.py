"""Hostile inputs, made systematically: mutate design and technology files, build, tally.

Each case takes one shipped example (or the small test design), rewrites its paths to absolute
ones in a scratch directory, applies one mutation to one key of the design file or of its
technology file, and runs `wlpmask build` (or `wlpmask tech check`) through click's runner.
The promise checked: every case ends in exit 0, 1 or 2, within seconds, never a traceback;
an exit 2 prints one line and leaves the output directory as it was.

`python -m tests.fuzz --cases 2000` (make fuzz) runs many cases and prints the tally;
tests/test_fuzz.py runs a few through hypothesis on every `make test`.
"""

from __future__ import annotations

import argparse
import copy
import math
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomllib
from click.testing import CliRunner

from tests.designs import ROOT, base_design, toml_text
from wlpmask.cli import main

BOM = "\ufeff"
# What a hostile user puts in place of a value.
VALUES: tuple[Any, ...] = (math.nan, math.inf, -math.inf, 0, 0.0, -1.0, -1e9, 1e12, 1e300, "",
                           [], {}, "\u00e9t\u00e9 \U0001f600", True, "0", [1, 2, 3], 7)
MUTATIONS = ("delete", "value", "unknown_key", "directory", "bom", "unicode_name")
# A case that takes more CPU time than this is a hang: the promise is "within seconds" (CPU
# time, so that other work on the machine does not count against the case).
SLOW_S = 30.0


@dataclass
class Outcome:
    """What one case did."""

    label: str
    exit_code: int
    seconds: float
    traceback: str | None
    problem: str | None


def _examples() -> list[Path]:
    return sorted((ROOT / "layouts").glob("*.toml"))


def _absolute(doc: dict, base: Path) -> dict:
    """The design with its file paths made absolute (it is written elsewhere)."""
    doc = copy.deepcopy(doc)
    head = doc.get("design", {})
    if isinstance(head.get("technology"), str):
        head["technology"] = str((base / head["technology"]).resolve())
    pads = doc.get("pads", {})
    if isinstance(pads, dict) and isinstance(pads.get("path"), str) \
            and "generate" not in pads:
        pads["path"] = str((base / pads["path"]).resolve())
    return doc


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path of a document (tables and list items), deepest included."""
    out = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append((*prefix, k))
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:4]):
            out.append((*prefix, i))
            out.extend(_paths(v, (*prefix, i)))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for k in path[:-1]:
        doc = doc[k]
    return doc


def mutate(doc: dict, rng: random.Random, scratch: Path) -> tuple[dict, str, bool]:
    """One mutation of a document: (new document, label, write with a BOM)."""
    doc = copy.deepcopy(doc)
    kind = rng.choice(MUTATIONS)
    if kind == "bom":
        return doc, "bom", True
    paths = _paths(doc)
    path = rng.choice(paths)
    parent = _parent(doc, path)
    key = path[-1]
    where = ".".join(str(p) for p in path)
    if kind == "delete":
        if isinstance(parent, list):
            parent.pop(key)
        else:
            del parent[key]
        return doc, f"delete {where}", False
    if kind == "unknown_key":
        target = parent[key] if isinstance(parent[key], dict) else parent
        if isinstance(target, dict):
            target["bogus_key"] = 1.0
        return doc, f"unknown key at {where}", False
    if kind == "directory":
        parent[key] = str(scratch)
        return doc, f"directory at {where}", False
    if kind == "unicode_name":
        parent[key] = "n\u00e4me\u200b\u05d0"
        return doc, f"unicode at {where}", False
    value = rng.choice(VALUES)
    parent[key] = value
    return doc, f"{where} = {value!r}", False


def _snapshot(out: Path) -> dict[str, bytes] | None:
    if not out.exists():
        return None
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def run_case(seed: int, scratch: Path, *, examples: list[Path] | None = None) -> Outcome:
    """Build one mutated design (or technology) in `scratch`; report what happened.

    Args:
        seed: picks the design, the key and the mutation.
        scratch: a directory for the case's files.
        examples: the design files to start from (default: every example in layouts/); the
            small test design is always among the choices.
    """
    rng = random.Random(seed)
    examples = _examples() if examples is None else examples
    source = rng.choice([*examples, None])
    if source is None:
        doc = base_design()
        doc["assignment"] = {"mode": "given", "table": {"P1": "C2", "P2": "B3"}}
        doc["design"]["technology"] = str((ROOT / "pdk" / "wlcsp_generic.toml").resolve())
        name = "base"
    else:
        doc = _absolute(tomllib.loads(source.read_text(encoding="utf-8")), source.parent)
        name = source.stem
    case_dir = scratch / f"case{seed}"
    case_dir.mkdir(parents=True, exist_ok=True)
    on_tech = rng.random() < 0.35
    if on_tech:
        tech_path = Path(doc["design"]["technology"])
        tech = tomllib.loads(tech_path.read_text(encoding="utf-8"))
        tech, label, bom = mutate(tech, rng, case_dir)
        target = case_dir / "tech.toml"
        target.write_text((BOM if bom else "") + toml_text(tech), encoding="utf-8")
        doc["design"]["technology"] = str(target)
        label = f"{name}: technology: {label}"
    else:
        doc, label, bom = mutate(doc, rng, case_dir)
        label = f"{name}: {label}"
    design = case_dir / "d.toml"
    try:
        design.write_text((BOM if bom else "") + toml_text(doc), encoding="utf-8")
    except (TypeError, ValueError) as exc:  # a value TOML cannot hold: not a case
        return Outcome(label, 0, 0.0, None, f"unwritable case: {exc}")
    out = case_dir / "out"
    before = _snapshot(out)
    if on_tech and rng.random() < 0.5:
        args = ["tech", "check", str(doc["design"]["technology"])]
    else:
        args = ["build", str(design), "-o", str(out), "--quiet"]
    t0 = time.process_time()
    res = CliRunner().invoke(main, args)
    dt = time.process_time() - t0
    tb = None
    if res.exc_info and not isinstance(res.exc_info[1], SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(*res.exc_info))
    problem = None
    if res.exit_code not in (0, 1, 2):
        problem = f"exit {res.exit_code}"
    elif "Traceback" in res.output:
        problem = "traceback printed"
    elif res.exit_code == 2:
        lines = res.stderr.strip().splitlines()
        if len(lines) != 1 or not lines[0].startswith("error: "):
            problem = f"exit 2 without one error line: {res.stderr!r}"
        elif _snapshot(out) != before:
            problem = "exit 2 changed the output directory"
    if dt > SLOW_S:
        problem = f"took {dt:.1f} s of CPU"
    if tb:
        problem = "traceback"
    return Outcome(label, res.exit_code, dt, tb, problem)


def main_(argv: list[str] | None = None) -> int:
    """Run many cases and print the tally; exit 1 when any case broke the promise."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scratch", type=Path, default=None)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case")
    args = ap.parse_args(argv)
    import tempfile

    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="wlpmask-fuzz-"))
    tally: Counter[str] = Counter()
    bad: list[Outcome] = []
    slowest = (0.0, "")
    t0 = time.monotonic()
    for i in range(args.cases):
        if args.verbose:
            print(f"case {i} (seed {args.seed * 1_000_003 + i}) ...", file=sys.stderr, flush=True)
        o = run_case(args.seed * 1_000_003 + i, scratch)
        if args.verbose:
            print(f"  {o.seconds:.1f} s exit {o.exit_code} {o.label}"
                  + (f"  BROKEN: {o.problem}" if o.problem else ""), file=sys.stderr, flush=True)
            if o.traceback:
                print(o.traceback, file=sys.stderr, flush=True)
        if o.problem and o.problem.startswith("unwritable case"):
            tally["not a case (value TOML cannot hold)"] += 1
            continue
        tally[f"exit {o.exit_code}"] += 1
        slowest = max(slowest, (o.seconds, o.label))
        if o.problem:
            bad.append(o)
        if (i + 1) % 100 == 0:
            print(f"{i + 1}/{args.cases} cases, {len(bad)} broken", file=sys.stderr, flush=True)
    import shutil

    if args.scratch is None:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{args.cases} cases in {time.monotonic() - t0:.0f} s (seed {args.seed}):")
    for k, n in sorted(tally.items()):
        print(f"  {k}: {n}")
    print(f"  tracebacks: {sum(1 for o in bad if o.traceback)}")
    print(f"  promise broken: {len(bad)}")
    print(f"  slowest case: {slowest[0]:.1f} s ({slowest[1]})")
    for o in bad[:20]:
        print(f"BROKEN {o.label}: {o.problem}")
        if o.traceback:
            print(o.traceback.rstrip().splitlines()[-1])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main_())
