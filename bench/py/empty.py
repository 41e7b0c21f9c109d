"""empty: the baseline RSS of the runtime: the interpreter, asyncio and an event
loop that runs one empty coroutine. N = 0, so ns_per_op is reported as 0."""

import vt


async def root():
    return None


def main():
    vt.run(root())
    vt.report("empty", 0, 0)


if __name__ == "__main__":
    main()
