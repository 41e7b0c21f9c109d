"""An exception raised three inline awaits deep propagates up through each coroutine
frame within one task step, running their finally blocks innermost first, with no trip
through the loop: a task woken at the same instant does not run until main yields
again. The caller catches it and carries on."""

import asyncio

from vtloop import log


async def level3():
    try:
        await asyncio.sleep(1)
        raise ValueError("deep")
    finally:
        log("level3 finally")


async def level2():
    try:
        return await level3()
    finally:
        log("level2 finally")


async def level1():
    try:
        await level2()
    finally:
        log("level1 finally")


async def bystander():
    await asyncio.sleep(1)
    log("bystander woke at 1")


async def main():
    asyncio.create_task(bystander(), name="bystander")
    try:
        await level1()
    except ValueError as e:
        log(f"main caught ValueError {e}")
    await asyncio.sleep(0)
    log("main done")
