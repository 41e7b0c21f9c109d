"""A cancel() from outside while a task is inside asyncio.timeout() is not turned into
TimeoutError: the scope did not expire, so the CancelledError (with its message) leaves
the scope unchanged and the task ends cancelled; the scope's timer is cancelled too."""

import asyncio

from vtloop import log


async def worker(box):
    cm = asyncio.timeout(5)
    box.append(cm)
    try:
        async with cm:
            await asyncio.sleep(10)
    except TimeoutError:
        log("worker: TimeoutError (wrong)")
    except asyncio.CancelledError as e:
        log(f"worker: CancelledError msg={e.args[0] if e.args else ''} expired={cm.expired()}")
        raise


async def main():
    box = []
    w = asyncio.create_task(worker(box), name="worker")
    await asyncio.sleep(2)
    w.cancel("outside")
    try:
        await w
    except asyncio.CancelledError:
        log(f"worker cancelled={w.cancelled()} cancelling={w.cancelling()}")
    await asyncio.sleep(5)
    log(f"after the old deadline: expired={box[0].expired()}")
