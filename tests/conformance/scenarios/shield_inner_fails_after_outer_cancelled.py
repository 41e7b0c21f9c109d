"""When the task awaiting shield(inner) is cancelled, the inner task keeps running; if
it later fails, the shield's callback marks its exception retrieved (nobody awaits the
cancelled outer future, so nothing is reported), and the error can still be read from
the inner task."""

import asyncio

from vtloop import log


async def risky():
    await asyncio.sleep(2)
    log("risky raises ValueError")
    raise ValueError("late failure")


async def caller(inner, box):
    s = asyncio.shield(inner)
    box.append(s)
    try:
        await s
    except asyncio.CancelledError:
        log("caller caught CancelledError")
        raise


async def main():
    box = []
    inner = asyncio.create_task(risky(), name="risky")
    c = asyncio.create_task(caller(inner, box), name="caller")
    await asyncio.sleep(1)
    c.cancel()
    await asyncio.sleep(0)
    outer = box[0]
    log(f"caller cancelled={c.cancelled()} outer cancelled={outer.cancelled()}")
    log(f"inner done={inner.done()}")
    await asyncio.sleep(2)
    log(f"inner exception: {type(inner.exception()).__name__} {inner.exception()}")
