"""The virtual clock only moves when nothing is ready: while a task keeps yielding with
sleep(0), time stands still and a timer in the future waits, however long the spin
lasts; a timer that is already due (call_later(0)) is still picked up at the next
iteration, between two spins. Once the spinner is done the clock jumps straight to the
next deadline."""

import asyncio

from vtloop import log


async def spinner():
    for i in range(4):
        log(f"spin {i}")
        await asyncio.sleep(0)


async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(1, log, "timer due at 1")
    loop.call_later(0, log, "timer due at 0")
    spin = asyncio.create_task(spinner(), name="spinner")
    await spin
    log("spinner finished")
    await asyncio.sleep(2)
    log("main woke")
