"""current_task() is the task whose step is running: "main" in main, still the caller
inside an inline `await coro()`, the task itself inside a created task; in a plain
call_soon callback no task is running and it is None. get_name() returns the name given
to create_task, and set_name() renames a task."""

import asyncio

from vtloop import log


def who():
    task = asyncio.current_task()
    return "none" if task is None else task.get_name()


async def helper():
    log(f"inline helper runs in {who()}")


async def worker():
    log(f"worker runs in {who()}")
    await helper()
    await asyncio.sleep(0)
    log(f"worker after rename runs in {who()}")


async def main():
    loop = asyncio.get_running_loop()
    log(f"main runs in {who()}")
    await helper()
    task = asyncio.create_task(worker(), name="worker-1")
    loop.call_soon(lambda: log(f"callback runs in {who()}"))
    await asyncio.sleep(0)
    task.set_name("worker-renamed")
    await task
    log(f"task name {task.get_name()}")
