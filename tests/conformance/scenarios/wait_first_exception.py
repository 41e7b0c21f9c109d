"""wait(FIRST_EXCEPTION) returns at the first input that fails with an exception; an
input that ends cancelled is not an exception and does not end the wait. wait() never
raises the inputs' errors itself, and never cancels anything. If nothing fails, it
returns when all are done."""

import asyncio

from vtloop import log


async def child(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        log(f"{name} raises ValueError")
        raise ValueError(name)
    log(f"{name} finishes")
    return name


def names(ts):
    return sorted(t.get_name() for t in ts)


async def main():
    cancelled = asyncio.create_task(child("cancelled", 5), name="cancelled")
    failing = asyncio.create_task(child("failing", 2, fail=True), name="failing")
    slow = asyncio.create_task(child("slow", 3), name="slow")
    asyncio.get_running_loop().call_later(1, cancelled.cancel)
    done, pending = await asyncio.wait([cancelled, failing, slow],
                                       return_when=asyncio.FIRST_EXCEPTION)
    log(f"done {names(done)} pending {names(pending)}")
    log(f"failing exception: {failing.exception()}")
    done, pending = await asyncio.wait([slow], return_when=asyncio.FIRST_EXCEPTION)
    log(f"done {names(done)} pending {names(pending)}")
