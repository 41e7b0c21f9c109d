"""Timers with equal deadlines fire in the order they were armed, whether by call_later
(same delay at the same instant), call_at (same absolute time) or a mix, and one armed
later for the same instant comes last. All timers due at an instant move to the ready
queue before any of them runs, so their call_soon follow-ups run after all of them.
(vtloop pins FIFO here: stock asyncio's heap breaks exact ties unstably, see vtloop.py.)"""

import asyncio

from vtloop import log


async def main():
    loop = asyncio.get_running_loop()

    def cb(i):
        log(f"timer {i}")
        loop.call_soon(log, f"follow-up of timer {i}")

    for i in range(8):
        if i % 2 == 0:
            loop.call_later(1, cb, i)
        else:
            loop.call_at(1, cb, i)
    await asyncio.sleep(0.5)
    log("main at 0.5 arms timer 8 for t=1")
    loop.call_at(1, cb, 8)
    await asyncio.sleep(1)
    log("main woke")
