"""An explicit cancel() arrives inside an asyncio.timeout() scope; the body catches it
and starts a slow cleanup; the scope's deadline passes during that cleanup and cancels
the cleanup too. The CancelledError that leaves the scope is then not turned into
TimeoutError: the scope withdraws only its own request, and the explicit one is still
pending (cancelling() stays 1), though the scope reports expired()."""

import asyncio

from vtloop import log


def msg(e):
    return e.args[0] if e.args else ''


async def worker(box):
    cm = asyncio.timeout(2)
    box.append(cm)
    try:
        async with cm:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError as e:
                log(f"body caught CancelledError msg={msg(e)}, cleans up")
                await asyncio.sleep(5)
                log("cleanup finished (not expected)")
    except TimeoutError:
        log("worker: TimeoutError (wrong)")
    except asyncio.CancelledError as e:
        log(f"worker: CancelledError msg={msg(e)} expired={cm.expired()} cancelling={asyncio.current_task().cancelling()}")
        raise


async def main():
    box = []
    w = asyncio.create_task(worker(box), name="worker")
    await asyncio.sleep(1)
    w.cancel("explicit")
    try:
        await w
    except asyncio.CancelledError:
        log(f"worker cancelled={w.cancelled()}")
