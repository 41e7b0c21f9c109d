"""Names of TaskGroup children. 3.11's TaskGroup.create_task creates the task unnamed and
then renames it, so a child given name= still consumes a "Task-<n>" number, unlike a
task made by loop.create_task(coro, name=...). A child created without a name (or with
name=None) is "Task-<n>". Children run in creation order, named or not."""

import asyncio

from vtloop import log


async def report(label):
    log(f"{label} runs as {asyncio.current_task().get_name()}")


async def main():
    loop = asyncio.get_running_loop()
    async with asyncio.TaskGroup() as g:
        t1 = g.create_task(report("unnamed child"))
        t2 = g.create_task(report("named child"), name="alpha")
        t3 = g.create_task(report("name=None child"), name=None)
        log(f"group children: {t1.get_name()} {t2.get_name()} {t3.get_name()}")
    t4 = loop.create_task(report("loop task unnamed"))
    t5 = loop.create_task(report("loop task named"), name="beta")
    t6 = loop.create_task(report("loop task unnamed again"))
    log(f"loop tasks: {t4.get_name()} {t5.get_name()} {t6.get_name()}")
    await asyncio.gather(t4, t5, t6)
