"""Cancelling a task that awaits shield(inner) cancels only the shield's outer future:
the task gets CancelledError (with the message) at once, while the inner task is not
cancelled, keeps running, and its result can still be had by awaiting it."""

import asyncio

from vtloop import log


async def commit():
    try:
        await asyncio.sleep(3)
    except asyncio.CancelledError:
        log("commit cancelled (not expected)")
        raise
    log("commit finishes")
    return 42


async def caller(inner):
    try:
        return await asyncio.shield(inner)
    except asyncio.CancelledError as e:
        log(f"caller caught CancelledError msg={e.args[0] if e.args else ''}")
        raise


async def main():
    inner = asyncio.create_task(commit(), name="commit")
    c = asyncio.create_task(caller(inner), name="caller")
    await asyncio.sleep(1)
    c.cancel("give up")
    try:
        await c
    except asyncio.CancelledError:
        log(f"caller cancelled={c.cancelled()} inner done={inner.done()} cancelling={inner.cancelling()}")
    log(f"inner result {await inner}")
