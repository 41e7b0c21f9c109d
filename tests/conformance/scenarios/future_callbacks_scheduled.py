"""Future done callbacks are never run inline: set_result schedules each with call_soon,
in registration order, behind callbacks already in the ready queue. A callback added to
an already-done future is also scheduled with call_soon rather than run at once."""

import asyncio

from vtloop import log


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.add_done_callback(lambda f: log(f"cb1 sees result {f.result()}"))
    fut.add_done_callback(lambda f: log("cb2"))
    loop.call_soon(log, "callback queued before set_result")
    fut.set_result(42)
    log(f"after set_result done={fut.done()}")
    fut.add_done_callback(lambda f: log("cb3 added after done"))
    log("after add_done_callback on a done future")
    await asyncio.sleep(0)
    log("main resumed")
