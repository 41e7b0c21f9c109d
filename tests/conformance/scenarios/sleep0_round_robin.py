"""asyncio.sleep(0) is a bare yield: the task's next step goes to the back of the ready
queue. Tasks looping on sleep(0) therefore interleave round-robin in creation order, and
one that finishes early drops out without disturbing the rotation. No virtual time
passes."""

import asyncio

from vtloop import log


async def spinner(name, rounds):
    for i in range(rounds):
        log(f"{name} round {i}")
        await asyncio.sleep(0)
    log(f"{name} done")
    return rounds


async def main():
    tasks = [asyncio.create_task(spinner(name, rounds), name=name)
             for name, rounds in (("a", 3), ("b", 1), ("c", 2))]
    total = 0
    for task in tasks:
        total += await task
    log(f"main total {total}")
    return total
