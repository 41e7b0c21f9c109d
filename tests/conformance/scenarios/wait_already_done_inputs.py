"""asyncio.wait() (3.11) has no shortcut for inputs that are already done: their done
callbacks are scheduled with call_soon, so even wait(FIRST_COMPLETED) on a finished
task suspends the caller, which resumes one iteration later, after other ready tasks.
An input that finishes during that delay also ends up in `done`."""

import asyncio

from vtloop import log


async def ticker():
    for i in range(3):
        log(f"tick {i}")
        await asyncio.sleep(0)


async def quick(name, yields):
    for _ in range(yields):
        await asyncio.sleep(0)
    log(f"{name} finishes")
    return name


def names(ts):
    return sorted(t.get_name() for t in ts)


async def main():
    finished = asyncio.create_task(quick("finished", 0), name="finished")
    await asyncio.sleep(0)
    asyncio.create_task(ticker(), name="ticker")
    soon = asyncio.create_task(quick("soon", 1), name="soon")
    later = asyncio.create_task(quick("later", 3), name="later")
    log("main calls wait")
    done, pending = await asyncio.wait([finished, soon, later],
                                       return_when=asyncio.FIRST_COMPLETED)
    log(f"done {names(done)} pending {names(pending)}")
    await later
