"""The task awaiting shield(inner) is cancelled by a done callback of the inner, i.e. in
the iteration in which the inner's completion is being delivered. (1) Callback added
before the shield's own: the outer future is still pending, the cancel cancels it, and
the shield's callback then finds it cancelled and leaves it. (2) Callback added after
the shield's: the outer already holds the result, its cancel() fails, and the request
becomes the task's must-cancel flag. Either way the task gets CancelledError although
the inner has its result, which can still be had from the inner."""

import asyncio

from vtloop import log


async def work():
    await asyncio.sleep(1)
    return 5


async def caller(inner, box):
    outer = asyncio.shield(inner)
    box.append(outer)
    try:
        value = await outer
        log(f"caller got {value} (not expected)")
    except asyncio.CancelledError:
        log(f"caller caught CancelledError, inner done={inner.done()}")
        raise


async def trial(label, before_shield):
    inner = asyncio.create_task(work(), name="work")
    box = []
    c = asyncio.create_task(caller(inner, box), name="caller")

    def on_inner_done(fut):
        log(f"{label}: inner done; cancel caller returned {c.cancel()}")

    if not before_shield:
        await asyncio.sleep(0)  # the caller registers the shield's callback first
    inner.add_done_callback(on_inner_done)
    try:
        await c
    except asyncio.CancelledError:
        outer = box[0]
        log(f"{label}: caller cancelled={c.cancelled()} outer cancelled={outer.cancelled()} inner result={inner.result()}")


async def main():
    await trial("before shield", True)
    await trial("after shield", False)
