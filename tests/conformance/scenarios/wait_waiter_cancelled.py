"""Cancelling a task that is inside asyncio.wait() raises CancelledError in that task
(the wait's own private future is what gets cancelled); the awaited inputs are not
cancelled and finish on their own."""

import asyncio

from vtloop import log


async def child(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        log(f"{name} cancelled (not expected)")
        raise
    log(f"{name} finishes")
    return name


async def waiter(tasks):
    try:
        await asyncio.wait(tasks)
    except asyncio.CancelledError as e:
        log(f"waiter caught CancelledError msg={e.args[0] if e.args else ''}")
        raise


async def main():
    tasks = [asyncio.create_task(child(n, d), name=n) for n, d in (("a", 2), ("b", 3))]
    w = asyncio.create_task(waiter(tasks), name="waiter")
    await asyncio.sleep(1)
    w.cancel("stop waiting")
    try:
        await w
    except asyncio.CancelledError:
        log(f"waiter cancelled={w.cancelled()}")
    log(f"a done={tasks[0].done()} b done={tasks[1].done()}")
    results = await asyncio.gather(*tasks)
    log(f"results {results}")
