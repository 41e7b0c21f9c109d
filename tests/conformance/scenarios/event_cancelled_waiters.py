"""Event waiters and cancellation: one cancelled before set() raises CancelledError (its
future is cancelled); one cancelled after set() woke it, before it ran, raises
CancelledError too (the cancel becomes a must-cancel delivered at the await); the
others wake normally, in order."""

import asyncio

from vtloop import log


async def waiter(ev, name):
    try:
        await ev.wait()
    except asyncio.CancelledError as e:
        log(f"{name} cancelled msg={e.args[0] if e.args else ''}")
        raise
    log(f"{name} woke")


async def main():
    ev = asyncio.Event()
    tasks = [asyncio.create_task(waiter(ev, n), name=n) for n in ("a", "b", "c", "d")]
    await asyncio.sleep(0)
    tasks[0].cancel("early")
    await asyncio.sleep(0)
    ev.set()
    tasks[2].cancel("late")
    log("set")
    for t in tasks:
        try:
            await t
        except asyncio.CancelledError:
            log(f"{t.get_name()} cancelled={t.cancelled()}")
