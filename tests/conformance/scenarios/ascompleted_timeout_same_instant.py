"""as_completed's timeout and inputs finishing at the same instant. Each input's timer
was scheduled before the timeout's (as_completed starts its timer when iteration
begins), so it fires first; but a task only finishes one iteration later, and even a
plain future set by its timer only has its done callback queued. The timeout callback
runs in between, in the same iteration, and counts both as unfinished: every next()
raises TimeoutError. The task's result is still there."""

import asyncio

from vtloop import log


async def child(name):
    await asyncio.sleep(2)
    log(f"{name} finishes")
    return name


async def main():
    loop = asyncio.get_running_loop()
    t = asyncio.create_task(child("task"), name="task")
    await asyncio.sleep(0)
    f = loop.create_future()
    loop.call_later(2, f.set_result, "future")
    for i, next_one in enumerate(asyncio.as_completed([t, f], timeout=2)):
        try:
            log(f"next {i}: {await next_one}")
        except TimeoutError:
            log(f"next {i}: TimeoutError, task done={t.done()}")
    log(f"task result {await t}")
