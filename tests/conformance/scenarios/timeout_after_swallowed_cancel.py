"""asyncio.timeout() compares cancelling() on exit with its value on entry, not with 0.
A task that earlier swallowed a cancel (without uncancel(), so cancelling() is 1) can
still time out: the scope's own request is withdrawn (back to 1) and TimeoutError is
raised. A second, explicit cancel inside the scope is not mistaken for the timeout."""

import asyncio

from vtloop import log


def cancelling():
    return asyncio.current_task().cancelling()


async def worker():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log(f"worker swallowed a cancel, cancelling={cancelling()}")
    try:
        async with asyncio.timeout(1):
            await asyncio.sleep(5)
    except TimeoutError:
        log(f"worker: TimeoutError cancelling={cancelling()}")
    try:
        async with asyncio.timeout(5):
            await asyncio.sleep(5)
    except TimeoutError:
        log("worker: TimeoutError (wrong)")
    except asyncio.CancelledError:
        log(f"worker: CancelledError cancelling={cancelling()}")
        raise


async def main():
    w = asyncio.create_task(worker(), name="worker")
    await asyncio.sleep(1)
    w.cancel()
    await asyncio.sleep(2)
    w.cancel()
    try:
        await w
    except asyncio.CancelledError:
        log(f"worker cancelled={w.cancelled()} cancelling={w.cancelling()}")
