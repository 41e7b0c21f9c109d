"""Cancelling a gather whose children react differently. Without return_exceptions the
gather raises as soon as the first child ends cancelled, while a stubborn sibling that
swallowed the cancel is still cleaning up. With return_exceptions=True the gather
instead waits for every child, and still raises CancelledError even though the last
child returned a value."""

import asyncio

from vtloop import log


def msg(e):
    return e.args[0] if e.args else ''


async def obedient(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        log(f"{name} caught CancelledError msg={msg(e)}, re-raises")
        raise


async def stubborn(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        log(f"{name} caught CancelledError msg={msg(e)}, cleans up")
    await asyncio.sleep(1)
    log(f"{name} returns")
    return name


async def trial(return_exceptions):
    label = f"return_exceptions={return_exceptions}"
    a = asyncio.create_task(obedient("obedient"), name="obedient")
    b = asyncio.create_task(stubborn("stubborn"), name="stubborn")
    g = asyncio.gather(a, b, return_exceptions=return_exceptions)
    await asyncio.sleep(1)
    g.cancel("halt")
    try:
        await g
    except asyncio.CancelledError as e:
        log(f"{label}: gather raised CancelledError msg={msg(e)} stubborn done={b.done()}")
    await b


async def main():
    await trial(False)
    await trial(True)
