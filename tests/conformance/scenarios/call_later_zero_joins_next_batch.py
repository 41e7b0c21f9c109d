"""A timer that is already due (call_later(0), a negative delay, call_at in the past)
does not run like call_soon: at the start of the next loop iteration the due timers are
appended to the ready queue behind the callbacks already queued, in deadline order (not
scheduling order), and ahead of any callbacks those callbacks schedule."""

import asyncio

from vtloop import log


async def main():
    loop = asyncio.get_running_loop()

    def cb(name, then=None):
        log(f"cb {name}")
        if then is not None:
            loop.call_soon(cb, then)

    loop.call_soon(cb, "soon1", "soon1-child")
    loop.call_later(0, cb, "later0")
    loop.call_at(loop.time() - 5, cb, "at-minus-5")
    loop.call_later(-1, cb, "later-minus-1")
    loop.call_soon(cb, "soon2")
    log("scheduled")
    await asyncio.sleep(0)
    log("main resumed after sleep(0)")
    await asyncio.sleep(0)
    log("main resumed again")
