"""Pull-tight of many nets: the halves of the die tightened in a second process give what the
same work gives in one process, and every staircase comes out shorter."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import box

from wlpmask.routing import pulltight
from wlpmask.routing.lattice import make_rules

RULES = make_rules(width_um=5.0, space_um=5.0, grid_um=0.005)


def _case():
    p = RULES.pitch
    lines, terms, owner = {}, [], []
    xs = [0, 4, 8, 40, 44, 48, 22]  # three nets left of the centre, three right, one across
    for k, i in enumerate(xs):
        x0 = 4 * p + i * p
        pts = [(x0, 2 * p)]
        for s in range(6):  # a staircase, then straight up
            x, y = pts[-1]
            pts.append((x + p, y) if s % 2 == 0 else (x, y + p))
        x, y = pts[-1]
        pts.append((x, 30 * p))
        if k == len(xs) - 1:
            pts.append((x + 8 * p, 30 * p))  # across the centre line
        lines[k] = [pts]
        for cx, cy in (pts[0], pts[-1]):
            terms.append(box(cx - p / 4, cy - p / 4, cx + p / 4, cy + p / 4))
            owner.append(k)
    boundary = box(0, 0, 60 * p, 40 * p)
    return lines, dict(rules=RULES, terminals=terms, terminal_net=owner, obstacles=[],
                       boundary=boundary, parity=0)


def _length(pl):
    return sum(math.dist(a, b) for a, b in zip(pl, pl[1:]))


def test_halves_are_split_at_the_centre() -> None:
    lines, kw = _case()
    left, right, rest = pulltight._halves(lines, RULES, kw["boundary"])
    assert (left, right, rest) == ([0, 1, 2], [3, 4, 5], [6])


def test_second_process_gives_the_same_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    lines, kw = _case()
    monkeypatch.setattr(pulltight, "PARALLEL_MIN", 1)
    monkeypatch.setattr(pulltight.os, "cpu_count", lambda: 2)
    back = []
    real_finish = pulltight._finish
    monkeypatch.setattr(pulltight, "_finish", lambda job: back.append(real_finish(job)) or back[-1])
    two = pulltight.pull_tight(lines, **kw)
    assert len(back) == 1 and back[0] is not None  # the second process ran and answered
    assert sorted(back[0]) == [0, 1, 2]  # the left half
    monkeypatch.setattr(pulltight, "_start", lambda *a: None)  # no second process
    one = pulltight.pull_tight(lines, **kw)
    assert two == one
    for k, pls in lines.items():
        assert _length(two[k][0]) < _length(pls[0]) - RULES.pitch
        assert two[k][0][0] == pls[0][0] and two[k][0][-1] == pls[0][-1]
