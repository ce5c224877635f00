"""Running one engine of a benchmark in its own child process, so its peak memory is its own."""

from __future__ import annotations

import multiprocessing as mp
import resource


def maxrss_mb() -> float:
    """This process's peak resident memory (getrusage maxrss) in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(target, *args) -> dict:
    """target(*args, queue) in a forked child; what it put on the queue.

    Args:
        target: the function; it puts one result on the queue it is given last.
        args: its arguments before the queue.
    """
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    out = q.get()
    p.join()
    return out
