#include "examples/echo/echo.h"

namespace echo {

lockstep::Coro<void> serve(lockstep::StreamReader reader, lockstep::StreamWriter writer) {
  try {
    for (;;) {
      std::string line = co_await reader.readline();
      if (line.empty()) break;  // EOF
      writer.write(line);
      co_await writer.drain();  // a client that does not read slows us down, not our memory
    }
  } catch (const lockstep::ConnectionError&) {
    // The client went away mid-conversation: nothing to answer.
  }
  writer.close();
  co_await writer.wait_closed();
}

lockstep::Coro<std::vector<std::string>> ask(std::string host, std::uint16_t port,
                                             std::vector<std::string> lines,
                                             lockstep::Duration timeout) {
  auto [reader, writer] = co_await lockstep::open_connection(host, port);
  std::vector<std::string> answers;
  for (const std::string& line : lines) {
    writer.write(line + "\n");
    co_await writer.drain();
    std::string answer = co_await lockstep::wait_for(reader.readline(), timeout);
    if (!answer.empty() && answer.back() == '\n') answer.pop_back();
    answers.push_back(answer);
  }
  writer.write_eof();
  co_await reader.read();  // the server's EOF: it has seen everything
  writer.close();
  co_await writer.wait_closed();
  co_return answers;
}

}  // namespace echo
