"""A virtual-time asyncio event loop: the CPython side of the conformance suite.

lockstep's conformance scenarios run twice: once here, on CPython 3.11's own asyncio,
and once as a C++ port on lockstep's loop. Both print an event log, and the logs must
match line by line. This module makes the CPython run deterministic and instantaneous:

  * `VirtualTimeLoop` is a stock `asyncio.BaseEventLoop` whose "selector" never
    blocks. When the loop would wait for `timeout` seconds, the virtual clock jumps
    forward by exactly that much instead; when it would wait forever (nothing ready,
    no timers) the program is deadlocked and `select` raises RuntimeError("deadlock").
  * Time is an integer count of nanoseconds, like lockstep's int64 clock, and every
    deadline is snapped to that grid, so `0.1 + 0.2` and `0.3` name the same instant.
  * Timers with equal deadlines fire in scheduling order (ordered by
    `(deadline, seq)`, as lockstep's timer heap is). Stock asyncio keys its heap on
    the deadline alone, and `heapq` is not stable: four or more timers with *exactly*
    equal deadlines come out in heap order (e.g. 0,2,6,5,7,1,3,4 for eight). On a real
    clock exact ties practically never happen, so FIFO is what real programs see; in
    virtual time ties are the norm, so we pin FIFO down. Setting the environment
    variable LOCKSTEP_VTLOOP_STOCK_TIES=1 restores the stock heap ordering, which
    `regen.py --stock-ties` uses to list the scenarios that depend on this choice.
  * `wait_for` is CPython 3.12's (rebuilt on `asyncio.timeout`, which never loses a
    cancellation), installed over `asyncio.wait_for` on import. See `wait_for` below.
  * `asyncio.TaskGroup` keeps its children in an insertion-ordered set, patched in on
    import. Stock 3.11 uses a `set`, and `TaskGroup._abort()` cancels the children by
    iterating it, so their cancel order depends on object addresses; lockstep cancels
    them in creation order, and so does the patched group. See `_OrderedTaskSet`.
  * `TaskGroup.__aexit__` withdraws the group's cancel of its parent after waiting for
    the children, as CPython 3.13 does, not before, as 3.11 does (which leaves a stale
    cancel request when a child fails during the wait). See `_taskgroup_aexit`.

Usage (this is what regen.py does for each scenario):

    import vtloop
    from vtloop import log

    async def main():
        log("main start")          # prints "t=0.000 main start"
        await asyncio.sleep(1.5)
        log("woke")                # prints "t=1.500 woke"
        return 7

    result = vtloop.run(main)      # asyncio.run semantics, on a fresh VirtualTimeLoop

Requires CPython >= 3.11.3: 3.11.0-3.11.2's asyncio.timeout() lacks the fix of
gh-102780 and produces different logs for nested timeouts.
"""

from __future__ import annotations

import asyncio
import heapq
import inspect
import os
from asyncio import events, exceptions, taskgroups, timeouts

__all__ = ["VirtualTimeLoop", "run", "log", "wait_for", "NS_PER_S"]

NS_PER_S = 1_000_000_000


def _snap(when: float) -> float:
    """Returns `when` rounded to the nearest whole nanosecond (the C++ clock's grid)."""
    return round(when * NS_PER_S) / NS_PER_S


class _SeqTimerHandle(events.TimerHandle):
    """A TimerHandle ordered by (deadline, scheduling sequence number).

    heapq only uses `<`; breaking ties on `_seq` makes equal deadlines fire in the
    order they were scheduled, matching lockstep's (deadline, seq) timer heap.
    """

    __slots__ = ("_seq",)

    def __init__(self, when, callback, args, loop, context, seq):
        super().__init__(when, callback, args, loop, context)
        self._seq = seq

    def __lt__(self, other):
        if isinstance(other, _SeqTimerHandle):
            return (self._when, self._seq) < (other._when, other._seq)
        return super().__lt__(other)

    def __le__(self, other):
        if isinstance(other, _SeqTimerHandle):
            return (self._when, self._seq) <= (other._when, other._seq)
        return super().__le__(other)

    def __gt__(self, other):
        if isinstance(other, _SeqTimerHandle):
            return (self._when, self._seq) > (other._when, other._seq)
        return super().__gt__(other)

    def __ge__(self, other):
        if isinstance(other, _SeqTimerHandle):
            return (self._when, self._seq) >= (other._when, other._seq)
        return super().__ge__(other)


class _VirtualSelector:
    """Stands in for the loop's selector: there is no I/O, only time.

    `BaseEventLoop._run_once` calls `select(timeout)` with 0 when callbacks are
    ready, with the time until the earliest timer otherwise, and with None when
    there is nothing at all to wait for.
    """

    def __init__(self, loop: "VirtualTimeLoop") -> None:
        self._loop = loop

    def select(self, timeout):
        if timeout is None:
            # Nothing ready, no timer pending, and no I/O source exists: a real loop
            # would block forever. Fail loudly instead of hanging.
            raise RuntimeError("deadlock")
        if timeout > 0:
            self._loop._advance(timeout)
        return []

    def close(self) -> None:
        pass


class VirtualTimeLoop(asyncio.BaseEventLoop):
    """asyncio's own event loop, driven by a virtual clock instead of a selector.

    Everything observable (ready queue, timer heap, `_run_once`, Task, Future) is
    stock CPython; only the clock, the wait and the timer tie-break are replaced.
    """

    def __init__(self) -> None:
        super().__init__()
        self._now_ns = 0  # virtual time, integer nanoseconds since loop creation
        # Deadlines are on a 1 ns grid. Note that _run_once fires timers whose
        # deadline is < time() + _clock_resolution, so a timer exactly 1 ns in the
        # future can fire 1 ns early when the float sum rounds up; scenarios only
        # use delays far coarser than that.
        self._clock_resolution = 1e-9
        self._selector = _VirtualSelector(self)
        self._timer_seq = 0  # scheduling counter: tie-break for equal deadlines
        self._stock_ties = os.environ.get("LOCKSTEP_VTLOOP_STOCK_TIES") == "1"
        # Every task this loop created, in creation order. run() cancels leftovers in
        # this order (asyncio.run iterates a set, whose order depends on addresses),
        # and the strong references stop pending tasks being garbage-collected at
        # unpredictable moments.
        self._created_tasks: list[asyncio.Task] = []

    # -- the clock ---------------------------------------------------------------

    def time(self) -> float:
        """Returns the virtual time in seconds (starts at 0.0)."""
        return self._now_ns / NS_PER_S

    def _advance(self, seconds: float) -> None:
        """Moves the virtual clock forward by `seconds`, rounded to whole ns."""
        self._now_ns += round(seconds * NS_PER_S)

    def call_at(self, when, callback, *args, context=None):
        """BaseEventLoop.call_at, with `when` snapped to the ns grid and a seq tie-break.

        call_later (and so asyncio.sleep) and asyncio.timeout all go through here.
        """
        if when is None:
            raise TypeError("when cannot be None")
        if self._stock_ties:
            return super().call_at(_snap(when), callback, *args, context=context)
        self._check_closed()
        if self._debug:
            self._check_thread()
            self._check_callback(callback, "call_at")
        self._timer_seq += 1
        timer = _SeqTimerHandle(_snap(when), callback, args, self, context, self._timer_seq)
        if timer._source_traceback:
            del timer._source_traceback[-1]
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer

    # -- tasks -------------------------------------------------------------------

    def create_task(self, coro, *, name=None, context=None):
        task = super().create_task(coro, name=name, context=context)
        self._created_tasks.append(task)
        return task

    # -- hooks BaseEventLoop leaves abstract ------------------------------------

    def _process_events(self, event_list) -> None:
        pass  # the virtual selector never reports I/O events

    def _write_to_self(self) -> None:
        pass  # nothing ever blocks, so there is nothing to wake up


# The loop `log` reads the time from when no loop is running (after run() returns,
# the runner still logs the outcome at the final virtual time).
_last_loop: VirtualTimeLoop | None = None


def log(msg: str) -> None:
    """Prints one event-log line: `t=<virtual seconds, %.3f> <msg>`."""
    loop = events._get_running_loop() or _last_loop
    now = loop.time() if loop is not None else 0.0
    print(f"t={now:.3f} {msg}", flush=True)


def _cancel_all_tasks(loop: VirtualTimeLoop) -> None:
    """asyncio.runners._cancel_all_tasks, but in task-creation order."""
    to_cancel = [t for t in loop._created_tasks if not t.done()]
    if not to_cancel:
        return
    for task in to_cancel:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*to_cancel, return_exceptions=True))
    for task in to_cancel:
        if task.cancelled():
            continue
        if task.exception() is not None:
            loop.call_exception_handler({
                "message": "unhandled exception during vtloop.run() shutdown",
                "exception": task.exception(),
                "task": task,
            })


def run(main, *, debug: bool = False):
    """asyncio.run(main()) on a fresh VirtualTimeLoop.

    `main` is a coroutine function (called with no arguments) or a coroutine. Its task
    is named "main". When it finishes, every task still pending is cancelled (in
    creation order) and the loop runs until they have all finished, so their
    except/finally blocks run; then async generators are finalized and the loop is
    closed. Returns main's result or re-raises its exception (CancelledError included).
    """
    global _last_loop
    if events._get_running_loop() is not None:
        raise RuntimeError("vtloop.run() cannot be called from a running event loop")
    coro = main() if not inspect.iscoroutine(main) and callable(main) else main
    if not inspect.iscoroutine(coro):
        raise ValueError(f"a coroutine was expected, got {coro!r}")

    loop = VirtualTimeLoop()
    loop.set_debug(debug)
    _last_loop = loop
    events.set_event_loop(loop)
    try:
        task = loop.create_task(coro, name="main")
        return loop.run_until_complete(task)
    finally:
        try:
            _cancel_all_tasks(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            events.set_event_loop(None)
            loop.close()


# -- wait_for as of CPython 3.12 ------------------------------------------------------


async def _cancel_and_wait(fut):
    """Cancels `fut` and waits until it completes (CPython 3.12 tasks._cancel_and_wait)."""
    loop = events.get_running_loop()
    waiter = loop.create_future()

    def release_waiter(_):
        if not waiter.done():
            waiter.set_result(None)

    fut.add_done_callback(release_waiter)
    try:
        fut.cancel()
        # Wait on `waiter`, not on `fut`, so that this coroutine itself stays
        # reliably cancellable.
        await waiter
    finally:
        fut.remove_done_callback(release_waiter)


async def wait_for(fut, timeout):
    """CPython 3.12's asyncio.wait_for, which lockstep follows instead of 3.11's.

    3.11's wait_for can swallow a cancellation that races the inner result
    (gh-86296). 3.12 rebuilt it on asyncio.timeout(): a coroutine argument runs
    inline in the caller's task (no extra Task), on timeout the inner is cancelled
    and awaited before TimeoutError is raised, and a cancel is never lost.
    """
    # timeout <= 0: the awaitable gets no chance to run (a coroutine is wrapped in a
    # task that is cancelled before its first step), unless it is already done.
    if timeout is not None and timeout <= 0:
        fut = asyncio.ensure_future(fut)
        if fut.done():
            return fut.result()
        await _cancel_and_wait(fut)
        try:
            return fut.result()
        except exceptions.CancelledError as exc:
            raise TimeoutError from exc

    async with timeouts.timeout(timeout):
        return await fut


asyncio.wait_for = wait_for
asyncio.tasks.wait_for = wait_for


# -- TaskGroup children in creation order ----------------------------------------------


class _OrderedTaskSet:
    """An insertion-ordered set of tasks: just what asyncio.TaskGroup does with `_tasks`.

    3.11's taskgroups.py uses `add`, `discard`, iteration (`_abort` cancels the
    children in iteration order), `len` (its repr) and truth. A `set` iterates in an
    order that depends on the tasks' addresses; a dict's keys keep insertion order,
    which is the order the group created its children.
    """

    __slots__ = ("_tasks",)

    def __init__(self) -> None:
        self._tasks: dict[asyncio.Task, None] = {}

    def add(self, task) -> None:
        self._tasks[task] = None

    def discard(self, task) -> None:
        self._tasks.pop(task, None)

    def __contains__(self, task) -> bool:
        return task in self._tasks

    def __iter__(self):
        # A snapshot, so that iterating stays safe if a task leaves the group meanwhile
        # (Task.cancel never runs done callbacks inline, so in practice it does not).
        return iter(list(self._tasks))

    def __len__(self) -> int:
        return len(self._tasks)

    def __bool__(self) -> bool:
        return bool(self._tasks)


_stock_taskgroup_init = taskgroups.TaskGroup.__init__


def _taskgroup_init(self, *args, **kwargs):
    """TaskGroup.__init__, then `_tasks` replaced by an insertion-ordered set."""
    _stock_taskgroup_init(self, *args, **kwargs)
    if not isinstance(self._tasks, set) or self._tasks:
        raise RuntimeError("vtloop: asyncio.TaskGroup no longer starts with an empty set "
                           "of tasks; update vtloop's TaskGroup patch")
    self._tasks = _OrderedTaskSet()


_taskgroup_init.__wrapped__ = _stock_taskgroup_init
taskgroups.TaskGroup.__init__ = _taskgroup_init


# -- TaskGroup.__aexit__ with the uncancel after the wait (CPython 3.13) -----------------


async def _taskgroup_aexit(self, et, exc, tb):
    """3.11.7's TaskGroup.__aexit__, with one change that lockstep makes too.

    3.11 withdraws the group's own cancel of its parent task (`uncancel()`) at the top
    of __aexit__, before waiting for the children. A child that fails while the exit
    already waits makes the group cancel the parent *after* that point, and the request
    is never withdrawn: the parent's cancelling() stays at 1, and a later
    asyncio.timeout() in it takes its own expiry for an outside cancellation and never
    raises TimeoutError. CPython 3.13 moved the uncancel after the wait (keeping an
    outside cancellation that arrived meanwhile); lockstep ships that fix, so the
    conformance suite runs it too.
    """
    self._exiting = True

    if (exc is not None and
            self._is_base_error(exc) and
            self._base_error is None):
        self._base_error = exc

    propagate_cancellation_error = \
        exc if et is exceptions.CancelledError else None

    if et is not None:
        if not self._aborting:
            self._abort()

    pending_cancellation_error = None
    while self._tasks:
        if self._on_completed_fut is None:
            self._on_completed_fut = self._loop.create_future()

        try:
            await self._on_completed_fut
        except exceptions.CancelledError as ex:
            pending_cancellation_error = ex
            if not self._aborting:
                propagate_cancellation_error = ex
                self._abort()

        self._on_completed_fut = None

    assert not self._tasks

    if self._parent_cancel_requested:
        # The change: after the wait, not before it.
        if self._parent_task.uncancel() == 0:
            propagate_cancellation_error = None
        elif propagate_cancellation_error is None:
            propagate_cancellation_error = pending_cancellation_error

    if self._base_error is not None:
        raise self._base_error

    if propagate_cancellation_error and not self._errors:
        raise propagate_cancellation_error

    if et is not None and et is not exceptions.CancelledError:
        self._errors.append(exc)

    if self._errors:
        try:
            me = BaseExceptionGroup('unhandled errors in a TaskGroup', self._errors)
            raise me from None
        finally:
            self._errors = None


taskgroups.TaskGroup.__aexit__ = _taskgroup_aexit
