"""Minimum-cost flow on a small directed graph, solved as a linear programme.

The node-arc incidence matrix of a network is totally unimodular, so a vertex solution of the
linear programme (dual simplex) is integral whenever capacities and supplies are: the flow is
the exact integer optimum. HiGHS solves the few-thousand-arc networks of a routing plan in well
under a second, far faster than augmenting paths written in Python.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix


class FlowError(RuntimeError):
    """The network has no feasible flow (supplies cannot reach the demands)."""


def min_cost_flow(*, nodes: int, tails: Sequence[int], heads: Sequence[int],
                  caps: Sequence[float], costs: Sequence[float], supply: Sequence[float]
                  ) -> np.ndarray:
    """Integer flow of least total cost.

    Args:
        nodes: number of nodes.
        tails: the node each arc starts at.
        heads: the node each arc ends at.
        caps: arc capacities (non-negative integers).
        costs: cost per unit of flow on each arc.
        supply: per node, flow produced (> 0) or consumed (< 0); sums to zero.

    Returns:
        Integer flow per arc.

    Raises:
        FlowError: no feasible flow, or the solver's flow is not integral.
    """
    t = np.asarray(tails, dtype=np.int64)
    h = np.asarray(heads, dtype=np.int64)
    m = len(t)
    cols = np.concatenate([np.arange(m), np.arange(m)])
    rows = np.concatenate([t, h])
    vals = np.concatenate([np.ones(m), -np.ones(m)])
    a_eq = coo_matrix((vals, (rows, cols)), shape=(nodes, m)).tocsr()
    bounds = np.column_stack([np.zeros(m), np.asarray(caps, dtype=float)])
    res = linprog(np.asarray(costs, dtype=float), A_eq=a_eq,
                  b_eq=np.asarray(supply, dtype=float), bounds=bounds, method="highs-ds")
    if res.status != 0 or res.x is None:
        raise FlowError(res.message)
    x = np.rint(res.x).astype(np.int64)
    if np.max(np.abs(res.x - x), initial=0.0) > 1e-6:
        raise FlowError("the solver returned a fractional flow")
    return x
