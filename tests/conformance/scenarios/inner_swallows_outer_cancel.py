"""When task A awaits task B and A is cancelled, the request is delegated to B. If B
catches its CancelledError and returns a value, A simply receives that value at its
await and is NOT cancelled, even though A.cancelling() is 1: the request was spent on B.
A only sees a CancelledError if it is cancelled again."""

import asyncio

from vtloop import log


async def stubborn():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        log("B caught CancelledError, returns 5 instead")
        return 5


async def waiter(b):
    value = await b
    log(f"A got {value} from B, keeps going")
    await asyncio.sleep(1)
    log("A finished its second sleep")
    return value * 2


async def main():
    b = asyncio.create_task(stubborn(), name="B")
    a = asyncio.create_task(waiter(b), name="A")
    await asyncio.sleep(1)
    a.cancel("stop A")
    result = await a
    log(f"A returned {result} cancelled={a.cancelled()} cancelling={a.cancelling()}")
    log(f"B returned {b.result()} cancelled={b.cancelled()} cancelling={b.cancelling()}")
