"""Another task cancelling main with a message: main's finally runs, main ends cancelled,
and run() raises CancelledError carrying that message."""

import asyncio

from vtloop import log


async def assassin(target):
    await asyncio.sleep(1)
    log(f"assassin cancels main: {target.cancel('shutdown')}")


async def main():
    asyncio.create_task(assassin(asyncio.current_task()), name="assassin")
    try:
        await asyncio.sleep(5)
        log("main woke (not reached)")
    finally:
        log("main finally")
