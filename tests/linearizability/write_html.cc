// Writes the pages the headless-browser test loads: a failure (Porcupine's example, with
// an unknown and a failed operation) and a linearizable kv history of many keys.
//   write_html OUT_DIR
#include <cstdio>
#include <fstream>

#include "sim/linearizability/html.h"
#include "sim/linearizability/models.h"
#include "tests/linearizability/ops.h"

int main(int argc, char** argv) {
  using namespace lockstep::lin;
  using namespace lockstep::lin::testing;
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_html OUT_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  const History bad = {w(0, 0, 200, 0, 100), r(1, 1, Value(200), 10, 30), r(2, 2, Value(0), 40, 90),
                       info(w(3, 3, 5, 20, 0)), fail(w(4, 4, 9, 5, 15))};
  std::ofstream(dir + "/failure.html")
      << to_html(bad, check(bad, Register{.initial = Value(0)}), "failure");
  History good;
  for (int i = 0; i < 60; ++i)
    good.push_back(on("k" + std::to_string(i % 6), i % 2 ? r(i, i % 5, kNil, i * 10, i * 10 + 4)
                                                         : info(w(i, 10 + i, i, i * 10, 0))));
  for (Op& op : good)
    if (op.f == "read") op.result = kNil;
  const CheckResult result = check(good, KvMap{});
  std::ofstream(dir + "/kv.html") << to_html(good, result, "kv");
  std::printf("%s\n", result.text.c_str());
  return 0;
}
