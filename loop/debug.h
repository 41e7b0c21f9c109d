// The loop's state as text, for a person stopped in a debugger: the tasks (id, name,
// node, state, what each awaits), the ready queue, the timers and the virtual time.
//
//   (gdb) source replay/tools/lockstep_gdb.py        // then: lockstep tasks, lockstep ready,
//   (gdb) lockstep tasks                             // lockstep timers, lockstep time
//   tasks (2):
//     task 1 'main': waiting on Task 'worker'
//     task 2 'worker' on n1: running
//   (gdb) print (const char*)lockstep_debug("time")  // the same without the script
//
//   std::cerr << lockstep::debug_state(*lockstep::Loop::current(), "all");  // from C++
//
// Reading only: nothing here changes the run, draws a decision or notifies an observer.
// See docs/debugging.md.
#pragma once

#include <string>
#include <string_view>

#include "loop/loop.h"

namespace lockstep {

// `what`: "tasks", "ready", "timers", "time" or "all" (every part, in that order).
// Returns the part as lines of text; for any other `what`, a line saying what it takes.
std::string debug_state(const Loop& loop, std::string_view what);

}  // namespace lockstep

// For debuggers (C linkage, so `call lockstep_debug("tasks")` needs no C++ name): the
// running loop of the calling thread as debug_state(loop, what) prints it ("no loop is
// running on this thread" if none). The text lives until the thread's next call. Linked
// into every binary that runs simulations (sim/break_at.cc refers to it); a binary that
// only uses //loop refers to it once (`(void)&lockstep_debug;`) to keep it for gdb.
extern "C" const char* lockstep_debug(const char* what);
