"""With return_exceptions=True, every child's outcome lands at its argument position:
a value, the exception a child raised, or, for a cancelled child, a new
CancelledError built from the child's cancel message. For a plain future cancelled with
a message, that message is kept; a task does not keep it (the cancel went on to the
future it awaited, and 3.11 clears a task's message when it ends cancelled), so its
outcome carries none. The gather waits for all children."""

import asyncio

from vtloop import log


async def child(name, delay, fail):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(f"{name} failed")
    return f"{name} ok"


async def sleeper():
    await asyncio.sleep(10)


def describe(r):
    if isinstance(r, BaseException):
        return f"{type(r).__name__}({r.args[0] if r.args else ''})"
    return r


async def main():
    loop = asyncio.get_running_loop()
    ok = asyncio.create_task(child("ok", 2, False), name="ok")
    bad = asyncio.create_task(child("bad", 1, True), name="bad")
    task_cancelled = asyncio.create_task(sleeper(), name="sleeper")
    fut_cancelled = loop.create_future()
    g = asyncio.gather(ok, bad, task_cancelled, fut_cancelled, return_exceptions=True)
    await asyncio.sleep(0.5)
    task_cancelled.cancel("task msg")
    fut_cancelled.cancel("future msg")
    results = await g
    for i, r in enumerate(results):
        log(f"result {i}: {describe(r)}")
