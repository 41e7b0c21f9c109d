"""gather() returns results in argument order, whatever the order the children finish
in. Coroutine arguments become tasks in argument order, and those tasks take their
first step in that order, one loop iteration after gather() was called; a task
passed in that was created earlier steps before them."""

import asyncio

from vtloop import log


async def child(name, delay, value):
    log(f"{name} starts, sleeps {delay}")
    await asyncio.sleep(delay)
    log(f"{name} finishes with {value}")
    return value


async def main():
    early = asyncio.create_task(child("early", 2, 20), name="early")
    fut = asyncio.gather(child("c3", 3, 30), early, child("c1", 1, 10), child("c0", 0, 0))
    log("gather created")
    results = await fut
    log(f"results {results}")
