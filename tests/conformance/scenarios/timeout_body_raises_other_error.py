"""An asyncio.timeout() scope only turns a CancelledError into TimeoutError. If the body,
cancelled by the expired deadline, raises some other exception instead, that exception
leaves the scope unchanged; the scope still counts as expired and still withdraws its
cancel request (cancelling() back to 0)."""

import asyncio

from vtloop import log


async def main():
    cm = asyncio.timeout(1)
    try:
        async with cm:
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                log("body cancelled by the deadline, raises ValueError")
                raise ValueError("converted")
    except TimeoutError:
        log("TimeoutError (wrong)")
    except ValueError as e:
        log(f"ValueError {e} expired={cm.expired()} cancelling={asyncio.current_task().cancelling()}")
