"""as_completed(timeout=...) makes every next() after the deadline raise TimeoutError,
one per input still unfinished; the inputs are not cancelled. Results that completed
before the deadline but were not yet taken still come out first, in order."""

import asyncio

from vtloop import log


async def child(name, delay):
    await asyncio.sleep(delay)
    log(f"{name} finishes")
    return name


async def main():
    tasks = [asyncio.create_task(child(n, d), name=n)
             for n, d in (("a", 1), ("b", 2), ("c", 5), ("d", 6))]
    for i, next_one in enumerate(asyncio.as_completed(tasks, timeout=3)):
        try:
            log(f"next {i}: {await next_one}")
        except TimeoutError:
            log(f"next {i}: TimeoutError")
        if i == 0:
            await asyncio.sleep(4)
            log("consumer slept past the deadline")
    log(f"c cancelled={tasks[2].cancelled()} d cancelled={tasks[3].cancelled()}")
    await asyncio.gather(tasks[2], tasks[3])
