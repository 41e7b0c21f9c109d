// The `lockstep` trace tool: ./bazelw run //replay:lockstep -- show run.trace
// It reads traces; `replay` and `shrink` need the program, so they run from binaries that
// register theirs (see replay/programs.h).
#include "replay/cli.h"

int main(int argc, char** argv) { return lockstep::cli::main(argc, argv); }
