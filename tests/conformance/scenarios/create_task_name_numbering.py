"""Default task names count unnamed tasks, but in 3.11 asyncio.create_task(coro, name=...)
creates the task unnamed and renames it, so a named task still takes a Task-<n> number;
loop.create_task(coro, name=...) names it at creation and takes none. (The runner's main
task is made with loop.create_task(name="main").)"""

import asyncio

from vtloop import log


async def noop():
    pass


async def main():
    loop = asyncio.get_running_loop()
    a = asyncio.create_task(noop())
    b = asyncio.create_task(noop(), name="named")
    c = asyncio.create_task(noop())
    d = loop.create_task(noop(), name="loop-named")
    e = asyncio.create_task(noop())
    for t in (a, b, c, d, e):
        log(t.get_name())
    await asyncio.gather(a, b, c, d, e)
