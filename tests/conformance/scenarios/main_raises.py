"""main raising an exception: run() still cancels and drains the pending tasks (their
cleanup logs before the outcome line), then re-raises main's exception."""

import asyncio

from vtloop import log


async def background():
    try:
        await asyncio.sleep(10)
    finally:
        log("background finally")


async def main():
    asyncio.create_task(background(), name="background")
    await asyncio.sleep(2)
    log("main raises")
    raise RuntimeError("main failed")
