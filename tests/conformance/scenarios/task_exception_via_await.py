"""A task that raises stores the exception and ends done, not cancelled. Every awaiter
of the task gets that same exception object re-raised, as many times as it is awaited;
exception() returns it and result() raises it."""

import asyncio

from vtloop import log


async def failing():
    await asyncio.sleep(1)
    log("failing raises ValueError")
    raise ValueError("broken")


async def waiter(task, name):
    try:
        await task
    except ValueError as e:
        log(f"{name} caught ValueError {e}")
        return e


async def main():
    task = asyncio.create_task(failing(), name="failing")
    w1 = asyncio.create_task(waiter(task, "w1"), name="w1")
    w2 = asyncio.create_task(waiter(task, "w2"), name="w2")
    e1, e2 = await w1, await w2
    log(f"done={task.done()} cancelled={task.cancelled()}")
    log(f"same exception object for both waiters: {e1 is e2}")
    log(f"exception() is it: {task.exception() is e1}")
    try:
        task.result()
    except ValueError as e:
        log(f"result() raised ValueError {e}")
    try:
        await task
    except ValueError:
        log("awaiting again raises it again")
