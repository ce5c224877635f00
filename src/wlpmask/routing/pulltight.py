"""Pull-tight: replace runs of a routed path by one or two octilinear segments.

The lattice keeps nets apart by construction but makes wires longer than they need to be
(staircases, jogs at terminals, detours of one pitch). After routing, each path is shortened
greedily (tighten.py) wherever the exact geometry allows (clearance.py); the result leaves the
lattice and hugs the obstacles. Here: the order of the nets, and on large dies the two halves
tightened in two processes at once.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from .lattice import Rules
from .tighten import Setup, Tightener

PARALLEL_MIN = 300  # nets from which the two halves of the die are tightened in two processes


def pull_tight(polylines: dict[int, list[list[tuple[int, int]]]], *, rules: Rules,
               terminals: Sequence[BaseGeometry], terminal_net: Sequence[int],
               obstacles: Sequence[BaseGeometry], boundary: BaseGeometry, parity: int,
               allow45: bool = True) -> dict[int, list[list[tuple[int, int]]]]:
    """Shorten every polyline where the exact geometry allows (grid units).

    Nets are taken in order of their ids, each against the current metal of the others.
    From PARALLEL_MIN nets on, the nets wholly left of the boundary's centre and those
    wholly right (which cannot come near each other) are taken in two processes at once,
    and the nets between after both; the result is the same on every machine.

    Args:
        polylines: net id -> centre-line polylines; each starts (and, unless it ends on a
            branch of its own net, ends) at a terminal centre.
        rules: wire rules.
        terminals: terminal shapes.
        terminal_net: each terminal's net id, or -1.
        obstacles: obstacle shapes.
        boundary: the routing area; all metal stays inside it.
        parity: (x + y) % 2 of the lattice nodes; diagonal segments must keep it so that all
            outline intersections stay on the grid.
        allow45: whether shortcuts may use diagonal segments.
    """
    setup = Setup(rules, terminals, terminal_net, obstacles, boundary, parity, allow45)
    left, right, rest = _halves(polylines, rules, boundary)
    out: dict[int, list[list[tuple[int, int]]]] = {}
    parallel = bool(left and right) and len(polylines) >= PARALLEL_MIN and (
        os.cpu_count() or 1) > 1
    # (the right half and the nets between cannot reach the left half's metal: it is placed
    # when its tightened form comes back)
    t = Tightener(setup, polylines, skip=set(left) if parallel else set())
    if parallel:
        # the two halves cannot touch each other's metal: one is tightened in a second
        # process (a fresh interpreter; the nets between the halves wait for both, so the
        # result does not depend on the machine)
        skip = set(right)
        job = _start(setup, {k: v for k, v in polylines.items() if k not in skip}, left)
        out.update(t.run(right))
        done = _finish(job) if job is not None else None
        if done is None:  # no second process: the same work here
            done = Tightener(setup, {k: v for k, v in polylines.items()
                                     if k not in skip}).run(left)
        for net in left:
            t.replace(net, done[net])
        out.update(done)
    else:
        rest = sorted(polylines)
    out.update(t.run(rest))
    return {k: out[k] for k in sorted(out)}


def _halves(polylines: dict[int, list[list[tuple[int, int]]]], rules: Rules,
            boundary: BaseGeometry) -> tuple[list[int], list[int], list[int]]:
    """Nets wholly left of the boundary's centre, wholly right, and the rest.

    The metal of a left net stays more than the spacing away from that of a right one (a
    net's metal stays within `reach` of its centre-line vertices, and pull-tight keeps it in
    their bounding box).
    """
    xc = boundary.centroid.x
    grow = rules.reach + rules.space
    left, right, rest = [], [], []
    for k in sorted(polylines):
        xs = [p[0] for pl in polylines[k] for p in pl]
        if not xs or max(xs) + grow < xc:
            left.append(k)
        elif min(xs) - grow > xc:
            right.append(k)
        else:
            rest.append(k)
    return left, right, rest


def _start(setup: Setup, polylines: dict[int, list[list[tuple[int, int]]]],
           nets: list[int]) -> subprocess.Popen | None:
    """Tighten `nets` (in order) among `polylines` in a second interpreter (None: could not)."""
    # the package's own location first on the path: the worker imports this very code
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    try:
        job = subprocess.Popen([sys.executable, "-m", "wlpmask.routing.tighten_worker"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=env)
        assert job.stdin is not None
        pickle.dump((setup, polylines, nets), job.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        job.stdin.close()
    except OSError:
        return None
    return job


def _finish(job: subprocess.Popen) -> dict[int, list[list[tuple[int, int]]]] | None:
    """The second interpreter's result, or None if it failed."""
    assert job.stdout is not None
    try:
        data = job.stdout.read()
    finally:
        job.stdout.close()
        code = job.wait()
    if code != 0 or not data:
        return None
    return pickle.loads(data)
