"""as_completed() yields awaitables that produce results in the order the inputs
complete, not the input order. Inputs completing at the same instant come out in the
order they completed; a duplicated input is yielded once. Each result is available one
iteration after its input completes (its done callback fills a queue), and results that
completed while the consumer was busy are taken without waiting."""

import asyncio

from vtloop import log


async def child(name, delay):
    await asyncio.sleep(delay)
    log(f"{name} finishes")
    return name


async def main():
    a = asyncio.create_task(child("a", 3), name="a")
    b = asyncio.create_task(child("b", 1), name="b")
    c = asyncio.create_task(child("c", 2), name="c")
    d = asyncio.create_task(child("d", 2), name="d")
    its = asyncio.as_completed([a, b, c, d, b])
    log(f"{len(its := list(its))} awaitables")
    for i, next_one in enumerate(its):
        value = await next_one
        log(f"next {i}: {value}")
        if value == "c":
            await asyncio.sleep(2)
            log("consumer was busy")
