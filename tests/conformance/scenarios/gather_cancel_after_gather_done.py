"""A cancel() of the task awaiting a gather that arrives after the gather completed but
before the task resumed: the gather is done, so its cancel() returns False and cancels
no child; the request stays with the task, which resumes with CancelledError instead of
the results. The results are still in the gather future."""

import asyncio

from vtloop import log


async def child(name):
    await asyncio.sleep(1)
    log(f"{name} finishes")
    return name


async def waiter(g):
    try:
        results = await g
        log(f"waiter got {results} (not expected)")
    except asyncio.CancelledError as e:
        log(f"waiter caught CancelledError msg={e.args[0] if e.args else ''}")
        raise


async def main():
    a = asyncio.create_task(child("a"), name="a")
    g = asyncio.gather(a)
    w = asyncio.create_task(waiter(g), name="waiter")

    def on_gather_done(fut):
        log(f"gather done; cancel waiter returned {w.cancel('late')}")

    g.add_done_callback(on_gather_done)
    try:
        await w
    except asyncio.CancelledError:
        log(f"waiter cancelled={w.cancelled()} gather result={g.result()}")
    log(f"a cancelled={a.cancelled()}")
