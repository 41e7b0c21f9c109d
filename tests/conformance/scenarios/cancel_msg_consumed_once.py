"""CPython 3.11 quirk: a cancelled task keeps the CancelledError its coroutine raised and
hands that exact exception, message included, to the FIRST retrieval only (the first
awaiter woken, or result()/exception()); later retrievals get a fresh CancelledError
with no message. A cancelled plain Future repeats its message every time."""

import asyncio

from vtloop import log


async def sleeper():
    await asyncio.sleep(5)


async def waiter(task, name):
    try:
        await task
    except asyncio.CancelledError as e:
        log(f"{name} got CancelledError msg={e.args[0] if e.args else ''}")


async def main():
    task = asyncio.create_task(sleeper(), name="sleeper")
    w1 = asyncio.create_task(waiter(task, "w1"), name="w1")
    w2 = asyncio.create_task(waiter(task, "w2"), name="w2")
    await asyncio.sleep(1)
    task.cancel("bye")
    await w1
    await w2
    await waiter(task, "main")
    fut = asyncio.get_running_loop().create_future()
    fut.cancel("fut-bye")
    await waiter(fut, "future awaiter 1")
    await waiter(fut, "future awaiter 2")
