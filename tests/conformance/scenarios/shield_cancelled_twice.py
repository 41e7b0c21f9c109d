"""A task awaiting a shield is cancelled twice before it runs. The first cancel cancels
the outer future; the second finds it already cancelled and only sets the task's
must-cancel flag, which the delivery of the first consumes: the task sees one
CancelledError (the first message) and can then await the inner directly. A later,
third cancel while it awaits a fresh shield is delivered normally; the inner task is
never cancelled."""

import asyncio

from vtloop import log


def msg(e):
    return e.args[0] if e.args else ''


async def work():
    await asyncio.sleep(3)
    log("work finishes")
    return 7


async def caller(inner):
    try:
        await asyncio.shield(inner)
    except asyncio.CancelledError as e:
        log(f"caller caught CancelledError msg={msg(e)}")
    try:
        await asyncio.shield(inner)
    except asyncio.CancelledError as e:
        log(f"caller caught CancelledError again msg={msg(e)}")
    value = await inner
    log(f"caller got {value} cancelling={asyncio.current_task().cancelling()}")
    return value


async def main():
    inner = asyncio.create_task(work(), name="work")
    c = asyncio.create_task(caller(inner), name="caller")
    await asyncio.sleep(1)
    log(f"cancel 1 returned {c.cancel('one')}")
    log(f"cancel 2 returned {c.cancel('two')}")
    await asyncio.sleep(1)
    log(f"cancel 3 returned {c.cancel('three')}")
    log(f"caller returned {await c}")
    log(f"inner cancelled={inner.cancelled()} cancelling={inner.cancelling()}")
