"""Running one side of a benchmark in a child process of its own (its peak memory its own)."""

from __future__ import annotations

import multiprocessing as mp


def run_child(target, *args) -> dict:
    """Call target(*args, queue) in a forked child and return what it put on the queue.

    Args:
        target: the function; it ends by putting one result on its last argument, a queue.
        args: its other arguments.
    """
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    out = q.get()
    p.join()
    return out
