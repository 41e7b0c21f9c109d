"""remove_done_callback removes every registration of that callback and returns how
many it removed (0 when none). Once set_result has run, the callbacks are already
scheduled: removing one then returns 0 and it still runs."""

import asyncio

from vtloop import log


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def a(f):
        log("cb a")

    def b(f):
        log("cb b")

    def c(f):
        log("cb c")

    fut.add_done_callback(a)
    fut.add_done_callback(b)
    fut.add_done_callback(a)
    fut.add_done_callback(c)
    log(f"removed a: {fut.remove_done_callback(a)}")
    log(f"removed a again: {fut.remove_done_callback(a)}")
    fut.set_result("x")
    log(f"removed c after set_result: {fut.remove_done_callback(c)}")
    await asyncio.sleep(0)
    log("main resumed")
