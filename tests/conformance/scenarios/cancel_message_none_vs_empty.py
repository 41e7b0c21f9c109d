"""cancel() with no message and cancel('') are told apart: CancelledError() has no
args, CancelledError('') has one, an empty string. Through a task, a plain future, a
gather with return_exceptions (which builds CancelledError(fut._cancel_message)) and a
gather cancelled as a whole."""

import asyncio

from vtloop import log


def args_of(e):
    return "()" if not e.args else "('" + e.args[0] + "',)"


async def sleeper():
    await asyncio.sleep(5)


async def report(name, aw):
    try:
        await aw
    except asyncio.CancelledError as e:
        log(f"{name}: CancelledError args={args_of(e)}")


async def main():
    loop = asyncio.get_running_loop()
    for msg in (None, "", "stop"):
        t = asyncio.create_task(sleeper())
        await asyncio.sleep(0)
        t.cancel() if msg is None else t.cancel(msg)
        await report(f"task cancel({msg!r})", t)

        f = loop.create_future()
        f.cancel() if msg is None else f.cancel(msg)
        await report(f"future cancel({msg!r})", f)

        children = [asyncio.create_task(sleeper()) for _ in range(2)]
        await asyncio.sleep(0)
        children[0].cancel() if msg is None else children[0].cancel(msg)
        children[1].cancel("other")
        results = await asyncio.gather(*children, return_exceptions=True)
        log(f"gather outcomes ({msg!r}): " + " ".join(args_of(r) for r in results))

        g = asyncio.gather(sleeper(), sleeper())
        await asyncio.sleep(0)
        g.cancel() if msg is None else g.cancel(msg)
        await report(f"gather cancel({msg!r})", g)
