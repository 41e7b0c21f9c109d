// Histories in formats other tools read, to cross-check a verdict: Jepsen's EDN (what
// Knossos and elle-cli take) and a JSON list of operations shaped like Porcupine's
// Operation (client, input, call, output, return).
//
//   std::ofstream("h.edn") << lockstep::lin::to_edn(history);
//   // knossos: lein run --model cas-register h.edn   (keyed ops: jepsen.independent tuples)
//   std::ofstream("h.json") << lockstep::lin::to_json(history);
//
// EDN: one event map per line, in time order (calls before returns at equal times):
//   {:process 0, :type :invoke, :f :write, :value 3, :time 0, :index 0}
//   {:process 0, :type :ok, :f :write, :value 3, :time 10, :index 1}
// :value is the argument (cas: [from to]) on invocations and writes, the result on ok
// reads; an operation with a key has [key value] instead (jepsen.independent). Unknown
// outcomes are :info events after everything else; failed ones are :fail.
#pragma once

#include <string>

#include "sim/linearizability/history.h"

namespace lockstep::lin {

std::string to_edn(const History& history);

// [{"id":0,"client":0,"f":"write","key":"","input":[3],"call":0,"return":10,
//   "outcome":"ok","output":null}, ...] in invocation order; "return" is null for
// unknown outcomes, "output" null when there is none or it is nil ("nil":true then).
std::string to_json(const History& history);

// A JSON string literal for `s` (quotes included), safe inside an HTML <script>.
std::string json_string(const std::string& s);

}  // namespace lockstep::lin
