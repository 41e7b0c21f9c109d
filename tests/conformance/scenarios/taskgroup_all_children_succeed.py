"""A TaskGroup whose children all succeed. Children start at the body's first await,
in creation order, and run concurrently with the body, which can keep creating
children. Leaving the body waits for every child; the exit resumes two loop iterations
after the last child finished (the group's done callback runs, then the wakeup of the
waiting task), so an outside task that wakes at that instant just before the last child
finishes, and then yields with sleep(0), logs three ticks before the group is left.
The results are then read with task.result()."""

import asyncio

from vtloop import log


async def child(name, delay):
    log(f"{name} starts")
    await asyncio.sleep(delay)
    log(f"{name} finishes")
    return f"{name}-result"


async def outsider():
    await asyncio.sleep(3)
    for i in range(3):
        log(f"outsider tick {i}")
        await asyncio.sleep(0)


async def main():
    o = asyncio.create_task(outsider(), name="outsider")
    g = asyncio.TaskGroup()
    async with g:
        a = g.create_task(child("a", 2), name="a")
        b = g.create_task(child("b", 1), name="b")
        log(f"body created a and b: a.done={a.done()} {g!r}")
        await asyncio.sleep(0)
        log("body after sleep(0)")
        c = g.create_task(child("c", 3), name="c")
        await asyncio.sleep(0.5)
        log(f"body leaves {g!r}")
    log(f"group left {g!r}")
    log(f"results a={a.result()} b={b.result()} c={c.result()}")
    await o
