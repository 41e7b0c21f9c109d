"""A Timeout can be rescheduled by another task while its owner waits inside it: main
pushes the worker's deadline back, and the worker finishes in time. Once the deadline
has fired (state "expiring") but before the owner has resumed, reschedule() raises
RuntimeError; after the owner left the scope the state is "expired"."""

import asyncio

from vtloop import log


async def worker(box, duration):
    cm = asyncio.timeout(1)
    box.append(cm)
    try:
        async with cm:
            await asyncio.sleep(duration)
        log(f"worker finished in time, when={cm.when()}")
    except TimeoutError:
        log("worker: TimeoutError")


async def main():
    loop = asyncio.get_running_loop()
    box = []
    w = asyncio.create_task(worker(box, 2), name="worker")
    await asyncio.sleep(0.5)
    box[0].reschedule(loop.time() + 2)
    log("main moved the worker's deadline")
    await w

    box.clear()
    w = asyncio.create_task(worker(box, 5), name="worker2")
    await asyncio.sleep(0)

    def late_reschedule():
        try:
            box[0].reschedule(None)
        except RuntimeError as e:
            log(f"late reschedule: RuntimeError {e}")

    loop.call_at(loop.time() + 1, late_reschedule)
    await w
    try:
        box[0].reschedule(None)
    except RuntimeError as e:
        log(f"after exit: RuntimeError {e}")
