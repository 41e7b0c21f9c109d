"""When a cancelled gather finally raises, CPython 3.11 builds the CancelledError from
the LAST child in argument order (the loop variable left over from collecting the
results). If that child had finished normally before the cancel, the message given to
cancel() is lost: the gather raises a CancelledError with no message. If the last child
was cancelled, its own CancelledError (with the message) is raised, and is consumed:
awaiting that child afterwards gives a CancelledError without the message."""

import asyncio

from vtloop import log


def msg(e):
    return e.args[0] if e.args else ''


async def child(name, delay):
    await asyncio.sleep(delay)
    log(f"{name} finishes")
    return name


async def run(label, order):
    tasks = {n: asyncio.create_task(child(n, d), name=n) for n, d in order}
    g = asyncio.gather(*tasks.values(), return_exceptions=True)
    await asyncio.sleep(1)
    g.cancel(f"stop {label}")
    try:
        await g
    except asyncio.CancelledError as e:
        log(f"{label}: gather raised CancelledError msg={msg(e)}")
    for n, t in tasks.items():
        try:
            await t
            log(f"{label}: {n} returned")
        except asyncio.CancelledError as e:
            log(f"{label}: awaiting {n} raised CancelledError msg={msg(e)}")


async def main():
    await run("A", [("slow1", 5), ("quick1", 0.5)])
    await run("B", [("quick2", 0.5), ("slow2", 5), ("slow3", 5)])
