"""The body raises. A: the children are cancelled, in creation order; a child that fails
during its cleanup comes first in the ExceptionGroup and the body's own error last. The
group never cancels the parent (it is already aborting), so cancelling() stays 0.
B: the body raises before its first await: the children are cancelled before their
first step and never run at all. C (gh-95289): a child fails, and the body, cancelled by
the group, raises another error instead of CancelledError: both are reported, and the
parent's cancel is still withdrawn."""

import asyncio

from vtloop import log


async def child(name, cleanup_error=None):
    log(f"{name} starts")
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log(f"{name} cancelled")
        if cleanup_error is not None:
            raise cleanup_error
        raise


async def crash(name, delay):
    await asyncio.sleep(delay)
    log(f"{name} raises ZeroDivisionError")
    raise ZeroDivisionError(name)


def show(label, eg):
    log(f"{label}: ExceptionGroup {eg.args[0]} n={len(eg.exceptions)}")
    for e in eg.exceptions:
        log(f"{label}:   {type(e).__name__} {e.args[0] if e.args else ''}")
    log(f"{label}: cancelling={asyncio.current_task().cancelling()}")


async def main():
    try:
        async with asyncio.TaskGroup() as g:
            g.create_task(child("a"), name="a")
            g.create_task(child("b", KeyError("b cleanup")), name="b")
            await asyncio.sleep(1)
            log("A: body raises ValueError")
            raise ValueError("body")
    except ExceptionGroup as eg:
        show("A", eg)

    try:
        async with asyncio.TaskGroup() as g:
            c = g.create_task(child("c"), name="c")
            log("B: body raises ValueError before awaiting")
            raise ValueError("early")
    except ExceptionGroup as eg:
        show("B", eg)
    log(f"B: c.cancelled={c.cancelled()}")

    try:
        async with asyncio.TaskGroup() as g:
            g.create_task(crash("d", 1), name="d")
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                log("C: body cancelled, raises KeyError instead")
                raise KeyError("body instead")
    except ExceptionGroup as eg:
        show("C", eg)
