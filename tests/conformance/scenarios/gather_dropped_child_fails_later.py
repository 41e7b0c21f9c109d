"""A gather whose first child failed is done; its caller drops it. A sibling that fails
later is not reported as "Task exception was never retrieved": gather's _done_callback
stays on the sibling and marks its exception retrieved (CPython 3.11). Nothing reaches
the exception handler, which logs what it receives."""

import asyncio

from vtloop import log


async def fail_after(delay, what):
    await asyncio.sleep(delay)
    log(f"{what} raises")
    raise ValueError(what)


def handler(loop, context):
    log(f"exception handler: {context['message']}")


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    late = asyncio.create_task(fail_after(2, "late"), name="late")
    try:
        await asyncio.gather(fail_after(1, "first"), late)
    except ValueError as e:
        log(f"gather raised ValueError: {e}")
    del late
    await asyncio.sleep(2)
    log("main done")
