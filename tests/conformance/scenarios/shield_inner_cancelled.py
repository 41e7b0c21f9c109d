"""If the shielded inner task is cancelled (by someone else), the shield's outer future
is cancelled too, without the inner's message, and a task awaiting the shield gets
CancelledError; that task itself was never cancel()ed, so cancelling() stays 0."""

import asyncio

from vtloop import log


async def work():
    await asyncio.sleep(5)
    return 1


async def caller(inner):
    try:
        return await asyncio.shield(inner)
    except asyncio.CancelledError as e:
        log(f"caller caught CancelledError msg={e.args[0] if e.args else ''}")
        log(f"caller cancelling={asyncio.current_task().cancelling()}")
        raise


async def main():
    inner = asyncio.create_task(work(), name="work")
    c = asyncio.create_task(caller(inner), name="caller")
    await asyncio.sleep(1)
    inner.cancel("inner msg")
    try:
        await c
    except asyncio.CancelledError as e:
        log(f"caller cancelled={c.cancelled()} msg={e.args[0] if e.args else ''}")
    log(f"inner cancelled={inner.cancelled()}")
