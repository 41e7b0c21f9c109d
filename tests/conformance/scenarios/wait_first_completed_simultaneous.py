"""wait(FIRST_COMPLETED) sorts its inputs into done/pending when the waiting task
resumes, not when the first one completes. Two tasks finishing at the same instant are
both done; a third that finishes one iteration later, between the first completion and
the waiter's resumption, is done too; one finishing two iterations later is pending."""

import asyncio

from vtloop import log


async def child(name, extra_yields):
    await asyncio.sleep(1)
    for _ in range(extra_yields):
        await asyncio.sleep(0)
    log(f"{name} finishes")
    return name


async def main():
    tasks = [
        asyncio.create_task(child("a", 0), name="a"),
        asyncio.create_task(child("b", 0), name="b"),
        asyncio.create_task(child("c", 1), name="c"),
        asyncio.create_task(child("d", 2), name="d"),
        asyncio.create_task(child("e", 3), name="e"),
    ]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    log(f"done {sorted(t.get_name() for t in done)}")
    log(f"pending {sorted(t.get_name() for t in pending)}")
    await asyncio.wait(pending)
    log("all finished")
