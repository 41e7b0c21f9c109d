// A picture of a history and its verdict, like Porcupine's visualization: one lane per
// client, one bar per operation from its invocation to its return (unknown outcomes run
// on to the right edge, dashed), the operations a failure involves in red, the longest
// linearization found numbered in order, the checker's text underneath. A single
// self-contained HTML page (inline SVG and script, nothing from the network).
//
//   lockstep::lin::CheckResult r = lockstep::lin::check(h, lockstep::lin::KvMap{});
//   std::ofstream("history.html") << lockstep::lin::to_html(h, r);
//
// For a failure the page shows the smallest illegal prefix of the failing partition;
// otherwise the first `max_ops` operations in invocation order. Once drawn, the page's
// <body> carries data-rendered="ok" (or "error: ..." if its script failed).
#pragma once

#include <cstddef>
#include <string>

#include "sim/linearizability/checker.h"
#include "sim/linearizability/history.h"

namespace lockstep::lin {

std::string to_html(const History& history, const CheckResult& result,
                    const std::string& title = "history", std::size_t max_ops = 2000);

}  // namespace lockstep::lin
