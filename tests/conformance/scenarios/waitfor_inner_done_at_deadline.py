"""wait_for() when the inner completes at exactly the deadline. Timers with equal
deadlines fire in the order they were scheduled, and wait_for schedules its timeout on
entry. (1) A coroutine runs inline after that, so its sleep's timer is second: the
timeout cancels the sleep first; TimeoutError. (2) A task that started sleeping before
wait_for was called has the earlier timer: its sleep completes first, but its wakeup is
only queued, so the timeout's cancel still reaches it (as its must-cancel flag) before
it runs: it ends cancelled; TimeoutError. (3) A future whose result is set by an earlier
timer at the deadline is done when the timeout fires, so the cancel is delivered to the
waiting task itself when it resumes: TimeoutError although the future has its result."""

import asyncio

from vtloop import log


async def inner(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        log(f"{name} cancelled in its sleep")
        raise
    log(f"{name} finishes")
    return name


async def attempt(label, aw, timeout):
    try:
        log(f"{label}: returned {await asyncio.wait_for(aw, timeout)}")
    except TimeoutError:
        log(f"{label}: TimeoutError")


async def main():
    loop = asyncio.get_running_loop()
    await attempt("coroutine", inner("coro", 1), 1)
    t = asyncio.create_task(inner("task", 1), name="task")
    await asyncio.sleep(0)
    await attempt("started task", t, 1)
    log(f"task cancelled={t.cancelled()}")
    f = loop.create_future()
    loop.call_later(1, f.set_result, "f value")
    await attempt("future", f, 1)
    log(f"future done={f.done()} result={f.result()}")
