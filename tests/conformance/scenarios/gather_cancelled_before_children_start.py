"""Cancelling a gather of coroutines right after creating it, before the children's
tasks ever ran: each child task is cancelled before its first step, so its body never
runs (not even up to its first await), and the gather raises CancelledError with the
message (taken from the last child's CancelledError)."""

import asyncio

from vtloop import log


async def child(name):
    log(f"{name} body runs (not expected)")
    await asyncio.sleep(1)
    return name


async def main():
    g = asyncio.gather(child("a"), child("b"))
    log(f"gather.cancel returned {g.cancel('early')}")
    try:
        await g
    except asyncio.CancelledError as e:
        log(f"gather raised CancelledError msg={e.args[0] if e.args else ''}")
    log(f"gather done={g.done()} cancelled={g.cancelled()}")
