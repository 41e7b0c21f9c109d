// StreamReader fed by hand, on a virtual-time loop: the buffer rules of asyncio's
// StreamReader (cases from CPython's test_streams.py).
#include <gtest/gtest.h>

#include "loop/lockstep.h"

using namespace std::chrono_literals;
using lockstep::Coro;
using lockstep::StreamReader;

namespace {

template <class T>
T drive(Coro<T> body) {
  return lockstep::run(std::move(body));
}

}  // namespace

TEST(StreamReader, ReadReturnsWhatIsBufferedUpToN) {
  StreamReader r;
  r.feed_data("line1\nline2\n");
  EXPECT_EQ(drive(r.read(5)), "line1");
  EXPECT_EQ(drive(r.read(100)), "\nline2\n");
  EXPECT_EQ(drive(r.read(0)), "");
}

TEST(StreamReader, ReadAllReadsUntilEof) {
  StreamReader r;
  r.feed_data("chunk1\n");
  r.feed_data("chunk2");
  r.feed_eof();
  EXPECT_EQ(drive(r.read()), "chunk1\nchunk2");
  EXPECT_TRUE(r.at_eof());
  EXPECT_EQ(drive(r.read(10)), "") << "at EOF a read returns nothing";
}

TEST(StreamReader, ReadWaitsForDataFedLater) {
  StreamReader r;
  auto body = [](StreamReader r) -> Coro<std::string> {
    lockstep::Loop::current()->call_later(1s, [r]() mutable { r.feed_data("late"); });
    co_return co_await r.read(10);
  };
  EXPECT_EQ(drive(body(r)), "late");
}

TEST(StreamReader, ReadlineAtEofReturnsTheRestWithoutSeparator) {
  StreamReader r;
  r.feed_data("line1\nrest");
  r.feed_eof();
  EXPECT_EQ(drive(r.readline()), "line1\n");
  EXPECT_EQ(drive(r.readline()), "rest");
  EXPECT_EQ(drive(r.readline()), "");
}

TEST(StreamReader, ReaduntilWithAMultiByteSeparator) {
  StreamReader r;
  r.feed_data("key: value\r\n\r\nbody");
  EXPECT_EQ(drive(r.readuntil("\r\n\r\n")), "key: value\r\n\r\n");
  EXPECT_EQ(r.buffered(), 4u);
  EXPECT_THROW(drive(r.readuntil("")), std::invalid_argument);
}

TEST(StreamReader, ReaduntilAtEofRaisesIncompleteReadAndConsumes) {
  StreamReader r;
  r.feed_data("no separator");
  r.feed_eof();
  try {
    drive(r.readuntil("\n"));
    FAIL() << "readuntil returned at EOF";
  } catch (const lockstep::IncompleteReadError& e) {
    EXPECT_EQ(e.partial(), "no separator");
    EXPECT_FALSE(e.expected().has_value());
    EXPECT_STREQ(e.what(), "lockstep: 12 bytes read on a total of undefined expected bytes");
  }
  EXPECT_TRUE(r.at_eof());
}

TEST(StreamReader, ReaduntilPastTheLimitRaisesAndKeepsTheData) {
  StreamReader r(/*limit=*/4);
  r.feed_data("abcdefgh");
  try {
    drive(r.readuntil("\n"));
    FAIL() << "no overrun";
  } catch (const lockstep::LimitOverrunError& e) {
    EXPECT_EQ(e.consumed(), 8u);
    EXPECT_STREQ(e.what(), "lockstep: Separator is not found, and chunk exceed the limit");
  }
  EXPECT_EQ(r.buffered(), 8u) << "nothing consumed";
  r.feed_data("\n");
  try {
    drive(r.readuntil("\n"));
    FAIL() << "no overrun";
  } catch (const lockstep::LimitOverrunError& e) {
    EXPECT_EQ(e.consumed(), 8u);
    EXPECT_STREQ(e.what(), "lockstep: Separator is found, but chunk is longer than limit");
  }
}

TEST(StreamReader, ReadlineTooLongDropsTheLineAndRaises) {
  StreamReader r(/*limit=*/7);
  r.feed_data("1234567890\nshort\n");
  EXPECT_THROW(drive(r.readline()), std::length_error);
  EXPECT_EQ(drive(r.readline()), "short\n");
  // Not found within the limit: the buffer is dropped (asyncio).
  r.feed_data("123456789012");
  EXPECT_THROW(drive(r.readline()), std::length_error);
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(StreamReader, ReadexactlyRaisesIncompleteReadWithThePartialBytes) {
  StreamReader r;
  r.feed_data("12345");
  EXPECT_EQ(drive(r.readexactly(2)), "12");
  r.feed_eof();
  try {
    drive(r.readexactly(10));
    FAIL();
  } catch (const lockstep::IncompleteReadError& e) {
    EXPECT_EQ(e.partial(), "345");
    EXPECT_EQ(e.expected(), 10u);
  }
}

TEST(StreamReader, AnErrorIsRaisedByEveryLaterRead) {
  StreamReader r;
  r.feed_data("unread");
  r.set_exception(std::make_exception_ptr(lockstep::ConnectionResetError(ECONNRESET, "test")));
  EXPECT_THROW(drive(r.read(1)), lockstep::ConnectionResetError);
  EXPECT_THROW(drive(r.readline()), lockstep::ConnectionResetError);
  EXPECT_NE(r.exception(), nullptr);
}

TEST(StreamReader, TwoConcurrentReadsAreAnError) {
  auto body = []() -> Coro<std::string> {
    StreamReader r;
    auto first = lockstep::create_task(r.read(1));
    co_await lockstep::sleep(0s);
    std::string error;
    try {
      co_await r.readline();
    } catch (const lockstep::RuntimeError& e) {
      error = e.what();
    }
    r.feed_data("x");
    EXPECT_EQ(co_await first, "x");
    co_return error;
  };
  EXPECT_EQ(drive(body()),
            "lockstep: StreamReader.readline() called while another task is already waiting for "
            "incoming data");
}

TEST(StreamReader, AStuckReadIsNamedInTheDeadlockReport) {
  StreamReader r;
  try {
    drive(r.readline());
    FAIL() << "no deadlock reported";
  } catch (const lockstep::DeadlockError& e) {
    EXPECT_NE(std::string(e.what()).find("StreamReader.readline()"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("0 bytes buffered"), std::string::npos) << e.what();
  }
}

TEST(StreamReader, ALimitOfZeroIsRefused) { EXPECT_THROW(StreamReader(0), std::invalid_argument); }
