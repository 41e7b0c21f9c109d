"""Shared harness for the CPython asyncio benchmark comparators (bench/py/*.py).

Every comparator runs plain asyncio (create_task, gather, sleep, Future, Queue) on
`VirtualTimeLoop`: CPython's own BaseEventLoop with the selector replaced by a
virtual clock, so that nothing ever really sleeps. When no callback is ready the
clock jumps to the earliest timer, as in every implementation of the workloads
(see /work/shared/bench-workloads.md). The loop is self-contained on purpose: the
benchmarks do not import the conformance suite's tests/conformance/vtloop.py.

A comparator looks like:

    import vt

    async def root():
        t0 = time.perf_counter_ns()
        ...                                    # the timed region
        return time.perf_counter_ns() - t0, checksum

    elapsed_ns, checksum = vt.run(root())      # loop construction is not timed
    vt.check("spawn", sum=checksum)            # stderr: check impl=cpython ...
    vt.report("spawn", N, elapsed_ns)          # stdout: workload=... ns_per_op=...
"""

from __future__ import annotations

import asyncio
import heapq
import resource
import sys
from asyncio import events

NS_PER_S = 1_000_000_000


class _SeqTimerHandle(events.TimerHandle):
    """A TimerHandle ordered by (deadline, insertion seq), as the workload spec asks.

    Stock asyncio orders its heap by deadline alone, and heapq is not stable, so
    exactly equal deadlines would fire in an arbitrary order. (The W3 checksums do not
    depend on this; the Python-level tie-break costs the timers workload roughly 10%.)
    """

    __slots__ = ("_seq",)  # set by VirtualTimeLoop.call_at right after construction

    def __lt__(self, other):
        when, other_when = self._when, other._when
        return when < other_when or (when == other_when and self._seq < other._seq)


class _VirtualSelector:
    """Stands in for the selector: no I/O, and waiting means advancing the clock."""

    def __init__(self, loop: "VirtualTimeLoop") -> None:
        self._loop = loop

    def select(self, timeout):
        if timeout is None:
            # Nothing ready and no timer pending: a real loop would block forever.
            raise RuntimeError("deadlock")
        if timeout > 0:
            self._loop._now_ns += round(timeout * NS_PER_S)
        return []

    def close(self) -> None:
        pass


class VirtualTimeLoop(asyncio.BaseEventLoop):
    """asyncio's event loop on a virtual clock of integer nanoseconds, starting at 0."""

    def __init__(self) -> None:
        super().__init__()
        self._now_ns = 0
        self._clock_resolution = 1e-9
        self._selector = _VirtualSelector(self)
        self._timer_seq = 0

    def time(self) -> float:
        return self._now_ns / NS_PER_S

    def call_at(self, when, callback, *args, context=None):
        """call_at with `when` snapped to whole nanoseconds and a FIFO tie-break."""
        timer = _SeqTimerHandle(round(when * NS_PER_S) / NS_PER_S, callback, args,
                                self, context)
        self._timer_seq += 1
        timer._seq = self._timer_seq
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer

    def _process_events(self, event_list) -> None:
        pass  # there is no I/O

    def _write_to_self(self) -> None:
        pass  # nothing ever blocks, so nothing needs waking


def run(coro):
    """Runs `coro` to completion on a fresh VirtualTimeLoop and returns its result."""
    loop = VirtualTimeLoop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(coro)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def peak_rss_kb() -> int:
    """Peak resident set size of this process so far, in KiB (Linux ru_maxrss)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def check(workload: str, **values) -> None:
    """Prints the workload's checksum line on stderr."""
    fields = " ".join(f"{key}={value}" for key, value in values.items())
    print(f"check impl=cpython workload={workload} {fields}", file=sys.stderr, flush=True)


def report(workload: str, n: int, elapsed_ns: int) -> None:
    """Prints the one stdout result line; call it last, so the RSS covers the run."""
    ns_per_op = elapsed_ns / n if n else 0.0
    print(f"workload={workload} n={n} ns_per_op={ns_per_op:.1f} "
          f"peak_rss_kb={peak_rss_kb()}", flush=True)
