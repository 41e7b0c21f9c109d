"""call_soon runs callbacks strictly FIFO, and never inline: call_soon returns before
the callback runs. A callback scheduled by a running callback goes to the back of the
ready queue, behind everything already queued (including the main task's own wakeup
from sleep(0)), so it runs in the next loop iteration."""

import asyncio

from vtloop import log


async def main():
    loop = asyncio.get_running_loop()

    def cb(name, then=None):
        log(f"cb {name}")
        if then is not None:
            loop.call_soon(cb, then)

    loop.call_soon(cb, "a", "a-child")
    loop.call_soon(cb, "b", "b-child")
    loop.call_soon(cb, "c")
    log("scheduled a b c")
    await asyncio.sleep(0)
    log("main resumed after first sleep(0)")
    await asyncio.sleep(0)
    log("main resumed after second sleep(0)")
