"""Nested wait_for calls (coroutines run inline, so both timeouts watch the same task).
When the outer deadline is earlier, the inner wait_for lets the CancelledError through
(its own timeout did not expire) and the outer turns it into TimeoutError. When the
inner deadline is earlier, the inner raises TimeoutError, which passes through the
outer wait_for unchanged; the outer timer is cancelled."""

import asyncio

from vtloop import log


async def sleeper():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log("sleeper cancelled")
        raise


async def middle(timeout):
    try:
        return await asyncio.wait_for(sleeper(), timeout)
    except BaseException as e:
        log(f"inner wait_for raised {type(e).__name__}")
        raise


async def trial(label, inner_timeout, outer_timeout):
    try:
        await asyncio.wait_for(middle(inner_timeout), outer_timeout)
    except BaseException as e:
        log(f"{label}: outer wait_for raised {type(e).__name__}")
    log(f"{label}: cancelling={asyncio.current_task().cancelling()}")


async def main():
    await trial("outer first", 2, 1)
    await trial("inner first", 1, 2)
    await trial("same deadline", 1, 1)
    await asyncio.sleep(5)
    log("done")
