// The `lockstep` trace tool: ./bazelw run //replay:lockstep -- show run.trace
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "replay/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // Under `bazel run` the working directory is the runfiles tree: resolve relative trace
  // paths against the directory the user ran it from.
  if (const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY")) {
    for (std::size_t i = 1; i < args.size(); ++i)
      if (!args[i].empty() && args[i][0] != '/' && args[i][0] != '-')
        args[i] = std::string(cwd) + "/" + args[i];
  }
  return lockstep::cli::run(args, std::cout, std::cerr);
}
