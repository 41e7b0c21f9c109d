"""The task running a TaskGroup is cancelled from outside. A: while in the body: the body
sees CancelledError with the message; the group then cancels the children (without a
message, in creation order), waits for their cleanup, which finishes in its own order,
and re-raises the body's CancelledError, message included. B: while the group waits in
its exit for the children: the wait is cancelled instead; same outcome. The runner's
cancelling() stays 1: the group never withdraws a cancel it did not make."""

import asyncio

from vtloop import log


async def child(name, cleanup):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        log(f"{name} caught CancelledError msg={e.args[0] if e.args else ''}")
        await asyncio.sleep(cleanup)
        log(f"{name} cleanup done")
        raise


async def runner(label, in_body):
    try:
        async with asyncio.TaskGroup() as g:
            g.create_task(child(f"{label}-a", 1), name=f"{label}-a")
            g.create_task(child(f"{label}-b", 0.5), name=f"{label}-b")
            if in_body:
                try:
                    await asyncio.sleep(10)
                except asyncio.CancelledError as e:
                    log(f"{label} body caught CancelledError msg={e.args[0] if e.args else ''}")
                    raise
            else:
                log(f"{label} body done, waiting in exit")
    except asyncio.CancelledError as e:
        log(f"{label} group raised CancelledError msg={e.args[0] if e.args else ''} "
            f"cancelling={asyncio.current_task().cancelling()}")
        raise


async def main():
    for label, in_body in (("A", True), ("B", False)):
        r = asyncio.create_task(runner(label, in_body), name=f"runner-{label}")
        await asyncio.sleep(1)
        log(f"{label} cancel returned {r.cancel('stop ' + label)}")
        try:
            await r
        except asyncio.CancelledError as e:
            log(f"{label} runner cancelled={r.cancelled()} msg={e.args[0] if e.args else ''}")
