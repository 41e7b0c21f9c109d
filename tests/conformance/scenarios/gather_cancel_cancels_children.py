"""cancel() on the gather future cancels every unfinished child, passing its message on,
and returns True; a child already done is left alone. The gather then raises
CancelledError only once every child has finished, even with return_exceptions=True;
yet gather.cancelled() is False, as the CancelledError is stored as its exception. A
second cancel() while the children are still pending returns True again, but each
child sees only the first message."""

import asyncio

from vtloop import log


async def child(name, delay, cleanup):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError as e:
        log(f"{name} caught CancelledError msg={e.args[0] if e.args else ''}")
        await asyncio.sleep(cleanup)
        log(f"{name} cleaned up")
        raise
    log(f"{name} finishes")
    return name


async def main():
    done = asyncio.create_task(child("done", 0.5, 0), name="done")
    slow = asyncio.create_task(child("slow", 10, 2), name="slow")
    fast = asyncio.create_task(child("fast", 10, 0), name="fast")
    g = asyncio.gather(done, slow, fast, return_exceptions=True)
    await asyncio.sleep(1)
    log(f"gather.cancel returned {g.cancel('stop')}")
    log(f"again returned {g.cancel('again')}")
    try:
        await g
    except asyncio.CancelledError as e:
        log(f"gather raised CancelledError msg={e.args[0] if e.args else ''}")
    log(f"gather cancelled={g.cancelled()}")
    log(f"done cancelled={done.cancelled()} slow cancelled={slow.cancelled()} fast cancelled={fast.cancelled()}")
