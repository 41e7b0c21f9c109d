"""An input that fails makes exactly its own next() raise, at its place in completion
order; the results before and after it are still yielded. A cancelled input raises
CancelledError from its next()."""

import asyncio

from vtloop import log


async def child(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        log(f"{name} raises ValueError")
        raise ValueError(name)
    log(f"{name} finishes")
    return name


async def main():
    tasks = [
        asyncio.create_task(child("ok1", 1), name="ok1"),
        asyncio.create_task(child("bad", 2, fail=True), name="bad"),
        asyncio.create_task(child("ok2", 3), name="ok2"),
        asyncio.create_task(child("victim", 10), name="victim"),
    ]
    asyncio.get_running_loop().call_later(4, tasks[3].cancel)
    for i, next_one in enumerate(asyncio.as_completed(tasks)):
        try:
            log(f"next {i}: {await next_one}")
        except ValueError as e:
            log(f"next {i}: raised ValueError {e}")
        except asyncio.CancelledError:
            log(f"next {i}: raised CancelledError")
