"""A cancel that arrives after the awaited future got its result, but before the task
resumed, wins: the task sees CancelledError(msg) at that await and the result is lost,
although the future itself completed normally. In the reverse order (cancel first) the
future is cancelled at once, so a later set_result raises InvalidStateError."""

import asyncio

from vtloop import log


async def consumer(fut, name):
    try:
        value = await fut
        log(f"{name}: consumer got {value} (not reached)")
    except asyncio.CancelledError as e:
        log(f"{name}: consumer got CancelledError msg={e.args[0] if e.args else ''}")
        log(f"{name}: future done={fut.done()} cancelled={fut.cancelled()}")
        raise


async def main():
    loop = asyncio.get_running_loop()
    for name in ("result-then-cancel", "cancel-then-result"):
        fut = loop.create_future()
        task = asyncio.create_task(consumer(fut, name), name=name)
        await asyncio.sleep(0)
        if name == "result-then-cancel":
            fut.set_result(1)
            log(f"{name}: cancel returned {task.cancel('late')}")
        else:
            log(f"{name}: cancel returned {task.cancel('late')}")
            try:
                fut.set_result(1)
            except asyncio.InvalidStateError:
                log(f"{name}: set_result raised InvalidStateError")
        try:
            await task
        except asyncio.CancelledError:
            log(f"{name}: task cancelled={task.cancelled()}")
