"""A child cancelled by someone other than the group is not an error: its siblings and
the body carry on and the group exits normally. A child may also swallow its
cancellation and return a value, which task.result() then gives. The parent's
cancelling() stays 0 throughout."""

import asyncio

from vtloop import log


async def child(name, delay, swallow=False):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError as e:
        log(f"{name} caught CancelledError msg={e.args[0] if e.args else ''}")
        if swallow:
            return f"{name} swallowed"
        raise
    log(f"{name} finishes")
    return f"{name} finished"


async def canceller(victim):
    await asyncio.sleep(2)
    log(f"canceller cancels {victim.get_name()}: {victim.cancel('by canceller')}")


async def main():
    async with asyncio.TaskGroup() as g:
        a = g.create_task(child("a", 3), name="a")
        b = g.create_task(child("b", 5), name="b")
        c = g.create_task(child("c", 5, swallow=True), name="c")
        g.create_task(canceller(b), name="canceller")
        await asyncio.sleep(1)
        log(f"body cancels c: {c.cancel('by body')}")
        await asyncio.sleep(0)
        log(f"body sees {g!r}")
    log(f"group done a={a.result()} b.cancelled={b.cancelled()} c={c.result()}")
    log(f"cancelling={asyncio.current_task().cancelling()}")
