"""A task cancelled before its first step never runs any of its body: CancelledError is
thrown into the unstarted coroutine, so not even its try/finally executes. When cancel()
is called twice before that step, the message delivered is the last one, and
cancelling() counts both requests."""

import asyncio

from vtloop import log


async def body():
    try:
        log("body started (not reached)")
        await asyncio.sleep(1)
    finally:
        log("body finally (not reached)")


async def main():
    task = asyncio.create_task(body(), name="victim")
    log(f"first cancel returned {task.cancel('first')}")
    log(f"second cancel returned {task.cancel('second')}")
    log(f"cancelling={task.cancelling()}")
    try:
        await task
    except asyncio.CancelledError as e:
        log(f"main caught CancelledError msg={e.args[0] if e.args else ''}")
    log(f"victim cancelled={task.cancelled()}")
