"""wait(ALL_COMPLETED, timeout) returns when the timeout passes, with the unfinished
inputs in `pending`: they are not cancelled and keep running. When every input finishes
before the timeout, wait() returns at that moment and the timer is cancelled."""

import asyncio

from vtloop import log


async def child(name, delay):
    await asyncio.sleep(delay)
    log(f"{name} finishes")
    return name


def names(ts):
    return sorted(t.get_name() for t in ts)


async def main():
    a = asyncio.create_task(child("a", 1), name="a")
    b = asyncio.create_task(child("b", 3), name="b")
    c = asyncio.create_task(child("c", 4), name="c")
    done, pending = await asyncio.wait([a, b, c], timeout=2)
    log(f"done {names(done)} pending {names(pending)}")
    log(f"b cancelled={b.cancelled()} c cancelled={c.cancelled()}")
    done, pending = await asyncio.wait(pending, timeout=10)
    log(f"done {names(done)} pending {names(pending)}")
    done, pending = await asyncio.wait([a, b], timeout=0)
    log(f"all already done, timeout 0: done {names(done)} pending {names(pending)}")
