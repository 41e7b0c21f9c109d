"""Future state errors: result() and exception() of a pending future raise
InvalidStateError; set_result on a done future raises InvalidStateError; after
set_exception, exception() returns the exception and result() raises it; a cancelled
future's result() and exception() raise CancelledError with cancel(msg)'s message,
every time; cancel() of a done future returns False and changes nothing."""

import asyncio

from vtloop import log


def attempt(label, fn):
    try:
        value = fn()
    except asyncio.CancelledError as e:
        log(f"{label} raised CancelledError msg={e.args[0] if e.args else ''}")
    except Exception as e:
        log(f"{label} raised {type(e).__name__}")
    else:
        log(f"{label} returned {value}")


async def main():
    loop = asyncio.get_running_loop()
    pending = loop.create_future()
    attempt("pending.result()", pending.result)
    attempt("pending.exception()", pending.exception)
    pending.set_result(1)
    attempt("second set_result", lambda: pending.set_result(2))
    attempt("cancel of done", pending.cancel)
    attempt("result still", pending.result)
    failed = loop.create_future()
    failed.set_exception(ValueError("bad"))
    attempt("failed.exception() type", lambda: type(failed.exception()).__name__)
    attempt("failed.result()", failed.result)
    cancelled = loop.create_future()
    attempt("cancel('stop')", lambda: cancelled.cancel("stop"))
    attempt("cancelled.result()", cancelled.result)
    attempt("cancelled.result() again", cancelled.result)
    attempt("cancelled.exception()", cancelled.exception)
