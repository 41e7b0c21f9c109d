"""A child may add children to its group while the body has already ended and the group
waits in its exit: the exit waits for the new ones too, since the group only counts as
finished once it has no children left. A chain of children each spawning the next keeps
the group open until the last one ends."""

import asyncio

from vtloop import log


async def worker(name, delay):
    await asyncio.sleep(delay)
    log(f"{name} finishes")


async def spawner(g, name, depth):
    await asyncio.sleep(1)
    if depth > 0:
        child = f"{name}.{depth}"
        g.create_task(spawner(g, child, depth - 1), name=child)
        log(f"{name} spawned {child}: {g!r}")
    else:
        g.create_task(worker(f"{name}-worker", 0.5), name=f"{name}-worker")
        log(f"{name} spawned a worker: {g!r}")
    log(f"{name} finishes")


async def main():
    g = asyncio.TaskGroup()
    async with g:
        g.create_task(spawner(g, "s", 2), name="s")
        g.create_task(worker("w", 1), name="w")
        log(f"body ends: {g!r}")
    log(f"group exited: {g!r}")
