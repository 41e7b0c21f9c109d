"""Handle.cancel() stops a call_soon callback or a timer from running. A timer that is
due in the same batch as the one cancelling it is skipped even though it has already
been moved to the ready queue (the loop checks cancelled() just before running each
handle). A cancelled timer does not make the virtual clock jump to its deadline."""

import asyncio

from vtloop import log


async def main():
    loop = asyncio.get_running_loop()

    def cb(name):
        log(f"cb {name}")

    soon = loop.call_soon(cb, "soon-cancelled")
    loop.call_soon(cb, "soon-kept")
    soon.cancel()
    far = loop.call_later(100, cb, "far")
    far.cancel()
    timer_b = None

    def timer_a():
        log("timer A cancels timer B, due at the same instant")
        timer_b.cancel()

    loop.call_later(1, timer_a)
    timer_b = loop.call_later(1, cb, "timer B")
    loop.call_later(1, cb, "timer C")
    await asyncio.sleep(2)
    log(f"soon cancelled={soon.cancelled()} far cancelled={far.cancelled()}")
