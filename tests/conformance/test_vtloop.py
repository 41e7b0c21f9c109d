"""Unit tests of vtloop itself (the scenarios test asyncio; these test the harness).

    python3 -m unittest tests/conformance/test_vtloop.py
"""

import asyncio
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vtloop  # noqa: E402


class VirtualTimeLoopTest(unittest.TestCase):

    def test_time_starts_at_zero_and_jumps_to_deadlines(self):
        async def main():
            loop = asyncio.get_running_loop()
            start = loop.time()
            await asyncio.sleep(3600)
            return start, loop.time()
        self.assertEqual(vtloop.run(main), (0.0, 3600.0))

    def test_deadlines_snap_to_the_nanosecond_grid(self):
        async def main():
            loop = asyncio.get_running_loop()
            order = []
            a = loop.call_later(0.1 + 0.2, order.append, "sum")
            b = loop.call_later(0.3, order.append, "literal")
            self.assertEqual(a.when(), b.when())
            await asyncio.sleep(1)
            return order
        self.assertEqual(vtloop.run(main), ["sum", "literal"])

    def test_equal_deadlines_fire_in_scheduling_order(self):
        async def main():
            loop = asyncio.get_running_loop()
            order = []
            for i in range(16):
                loop.call_at(1, order.append, i)
            await asyncio.sleep(2)
            return order
        self.assertEqual(vtloop.run(main), list(range(16)))

    def test_deadlock_raises_and_drains(self):
        cleaned = []

        async def main():
            try:
                await asyncio.get_running_loop().create_future()
            finally:
                cleaned.append("main")
        with self.assertRaisesRegex(RuntimeError, "^deadlock$"):
            vtloop.run(main)
        self.assertEqual(cleaned, ["main"])

    def test_wait_for_is_312s(self):
        self.assertIs(asyncio.wait_for, vtloop.wait_for)

        async def inner():
            # 3.12: a coroutine argument runs inline in the caller's task.
            name = asyncio.current_task().get_name()
            try:
                await asyncio.sleep(10)
            finally:
                log.append((name, asyncio.get_running_loop().time()))

        async def main():
            with self.assertRaises(TimeoutError):
                await asyncio.wait_for(inner(), 2)
            return asyncio.get_running_loop().time()
        log = []
        self.assertEqual(vtloop.run(main), 2.0)
        self.assertEqual(log, [("main", 2.0)])

    def test_wait_for_zero_timeout_never_starts_a_coroutine(self):
        started = []

        async def inner():
            started.append(True)

        async def main():
            with self.assertRaises(TimeoutError):
                await asyncio.wait_for(inner(), 0)
        vtloop.run(main)
        self.assertEqual(started, [])

    def test_taskgroup_aborts_children_in_creation_order(self):
        # Stock 3.11 iterates a set of tasks: with this many children the cancel order
        # practically never matches creation order by chance.
        n = 40
        cancelled = []

        async def child(i):
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                cancelled.append(i)
                raise

        async def fail():
            await asyncio.sleep(1)
            raise ValueError("boom")

        async def main():
            async with asyncio.TaskGroup() as g:
                self.assertIsInstance(g._tasks, vtloop._OrderedTaskSet)
                for i in range(n // 2):
                    g.create_task(child(i))
                g.create_task(fail())
                for i in range(n // 2, n):
                    g.create_task(child(i))
                self.assertEqual(len(g._tasks), n + 1)
        with self.assertRaises(ExceptionGroup) as cm:
            vtloop.run(main)
        self.assertEqual([type(e) for e in cm.exception.exceptions], [ValueError])
        self.assertEqual(cancelled, list(range(n)))

    def test_taskgroup_outer_cancel_aborts_children_in_creation_order(self):
        n = 40
        cancelled = []

        async def child(i):
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                cancelled.append(i)
                raise

        async def runner():
            async with asyncio.TaskGroup() as g:
                for i in range(n):
                    g.create_task(child(i))

        async def main():
            r = asyncio.create_task(runner())
            await asyncio.sleep(1)
            r.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await r
        vtloop.run(main)
        self.assertEqual(cancelled, list(range(n)))

    def test_ordered_task_set(self):
        tasks = vtloop._OrderedTaskSet()
        self.assertFalse(tasks)
        for x in ["c", "a", "b", "a"]:
            tasks.add(x)
        self.assertEqual(list(tasks), ["c", "a", "b"])
        self.assertEqual(len(tasks), 3)
        tasks.discard("a")
        tasks.discard("missing")
        self.assertIn("b", tasks)
        self.assertNotIn("a", tasks)
        self.assertEqual(list(tasks), ["c", "b"])
        self.assertTrue(tasks)


if __name__ == "__main__":
    unittest.main()
