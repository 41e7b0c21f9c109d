"""Nested asyncio.timeout() scopes. Inner expires first: the inner scope raises
TimeoutError, which the body may catch inside the outer scope and carry on; the outer
one can expire later on its own. Outer expires first: the CancelledError passes through
the inner scope unchanged (the inner did not expire) and the outer raises TimeoutError.
Both at the same deadline: both fire; the inner scope sees another cancel request
pending (the outer's) and lets CancelledError through; the outer raises TimeoutError."""

import asyncio

from vtloop import log


async def main():
    outer = asyncio.timeout(3)
    try:
        async with outer:
            inner = asyncio.timeout(1)
            try:
                async with inner:
                    await asyncio.sleep(10)
            except TimeoutError:
                log(f"A: inner TimeoutError inner.expired={inner.expired()} outer.expired={outer.expired()}")
            await asyncio.sleep(10)
    except TimeoutError:
        log(f"A: outer TimeoutError outer.expired={outer.expired()}")

    outer = asyncio.timeout(1)
    try:
        async with outer:
            inner = asyncio.timeout(2)
            try:
                async with inner:
                    await asyncio.sleep(10)
            except asyncio.CancelledError:
                log(f"B: CancelledError left the inner scope inner.expired={inner.expired()}")
                raise
    except TimeoutError:
        log(f"B: outer TimeoutError outer.expired={outer.expired()}")

    outer = asyncio.timeout(1)
    try:
        async with outer:
            inner = asyncio.timeout(1)
            try:
                async with inner:
                    await asyncio.sleep(10)
            except asyncio.CancelledError:
                log(f"C: CancelledError left the inner scope inner.expired={inner.expired()}")
                raise
    except TimeoutError:
        log(f"C: outer TimeoutError outer.expired={outer.expired()} cancelling={asyncio.current_task().cancelling()}")
