"""W4 pingpong: one op = one message (one future set + one await wakeup).

Two tasks make 500,000 round trips (1,000,000 messages). Each round, pong parks on a
fresh `req` future; ping creates a fresh `reply` future, sets `req` to i and awaits
`reply`; pong wakes with i and sets `reply` to i + 1. pong is created first, so it is
parked on `req` before ping first sets it. Timed: from before creating the two tasks
to after both have finished.
"""

import asyncio
import time

import vt

ROUND_TRIPS = 500_000
N = 2 * ROUND_TRIPS


class Channel:
    """The two futures of the round trip in flight."""

    __slots__ = ("req", "reply")

    def __init__(self):
        self.req = None    # set by ping, awaited by pong
        self.reply = None  # set by pong, awaited by ping


async def pong(chan, loop):
    for _ in range(ROUND_TRIPS):
        chan.req = loop.create_future()
        v = await chan.req
        chan.reply.set_result(v + 1)


async def ping(chan, loop):
    acc = 0
    for i in range(ROUND_TRIPS):
        chan.reply = loop.create_future()
        chan.req.set_result(i)
        acc += await chan.reply
    return acc


async def root():
    loop = asyncio.get_running_loop()
    chan = Channel()
    t0 = time.perf_counter_ns()
    ponger = asyncio.create_task(pong(chan, loop))
    pinger = asyncio.create_task(ping(chan, loop))
    acc = await pinger
    await ponger
    return time.perf_counter_ns() - t0, acc


def main():
    elapsed_ns, acc = vt.run(root())
    vt.check("pingpong", acc=acc)
    vt.report("pingpong", N, elapsed_ns)


if __name__ == "__main__":
    main()
