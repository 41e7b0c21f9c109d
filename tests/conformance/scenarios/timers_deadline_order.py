"""Timers fire in deadline order whatever order they were scheduled in, and the virtual
clock jumps straight to each deadline. call_at takes absolute loop time (which starts at 0);
a call_later made inside a timer callback counts from that callback's time."""

import asyncio

from vtloop import log


async def main():
    loop = asyncio.get_running_loop()

    def cb(name):
        log(f"timer {name}")

    def rearm():
        log("timer later1 rearms for 0.5 more")
        loop.call_later(0.5, cb, "rearmed")

    log("main start")
    loop.call_later(3, cb, "later3")
    loop.call_later(1, rearm)
    loop.call_at(2, cb, "at2")
    loop.call_later(0.25, cb, "later0.25")
    loop.call_at(2.75, cb, "at2.75")
    await asyncio.sleep(4)
    log("main woke from sleep(4)")
