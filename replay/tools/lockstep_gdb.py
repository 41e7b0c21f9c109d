# gdb commands that show a lockstep loop stopped in the debugger: its tasks (id, name,
# node, state, what each awaits), the ready queue, the timers and the virtual time.
#
#   $ LOCKSTEP_BREAK_AT=e40 gdb --args bazel-bin/tests/my_test      # see docs/debugging.md
#   (gdb) run                                  # stops with SIGTRAP at event #40
#   (gdb) source replay/tools/lockstep_gdb.py
#   (gdb) lockstep tasks                       # also: lockstep ready, lockstep timers,
#   tasks (3):                                 #       lockstep time, lockstep all
#     task 1 'main': waiting on Task 'producer'
#     task 2 'consumer': waiting on Queue.get()
#     task 3 'producer': running
#
# Each command calls lockstep_debug(part) (loop/debug.h) in the stopped program, on the
# selected thread: the one running the loop. That function reads the loop's queues and
# changes nothing, so `continue` goes on with the same run. It works on any build (no
# debug information needed beyond the symbol), with gcc or clang.
import gdb

PARTS = ("tasks", "ready", "timers", "time", "all")


def lockstep_text(part):
    """What lockstep_debug(part) returns in the inferior, as a Python string."""
    try:
        gdb.parse_and_eval("lockstep_debug")
    except gdb.error:
        raise gdb.GdbError(
            "lockstep: this program has no lockstep_debug() (is it linked with lockstep's "
            "//loop, and is it running?)")
    value = gdb.parse_and_eval(
        '((const char* (*)(const char*))lockstep_debug)("%s")' % part)
    return value.string()


class LockstepCommand(gdb.Command):
    """Show the lockstep loop of the stopped thread.

lockstep tasks    every pending task: id, name, node, state, what it awaits
lockstep ready    the ready queue, first to run first
lockstep timers   the pending timers, in firing order
lockstep time     the virtual time (global, and each node's local clock)
lockstep all      all of the above"""

    def __init__(self):
        super().__init__("lockstep", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)

    def invoke(self, arg, from_tty):
        part = arg.strip() or "all"
        if part not in PARTS:
            raise gdb.GdbError("lockstep: unknown part '%s': want %s" % (part, ", ".join(PARTS)))
        gdb.write(lockstep_text(part))


class LockstepPart(gdb.Command):
    def __init__(self, part, doc):
        self.__doc__ = doc
        super().__init__("lockstep " + part, gdb.COMMAND_DATA)
        self.part = part

    def invoke(self, arg, from_tty):
        gdb.write(lockstep_text(self.part))


LockstepCommand()
LockstepPart("tasks", "Every pending task of the loop: id, name, node, state, what it awaits.")
LockstepPart("ready", "The loop's ready queue, first to run first.")
LockstepPart("timers", "The loop's pending timers, in firing order.")
LockstepPart("time", "The virtual time: global, and each node's local clock.")
LockstepPart("all", "The virtual time, the tasks, the ready queue and the timers.")
