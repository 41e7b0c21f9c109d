// main() for sim_network_no_sockets_test: the simulated network's whole suite, run with
// networking made impossible. Before any test runs, a seccomp filter (prctl
// PR_SET_NO_NEW_PRIVS, then PR_SET_SECCOMP with a BPF program) makes every socket system
// call - socket, socketpair, connect, bind, listen, accept, accept4, send/recv*, shutdown,
// get/setsockopt, getsockname, getpeername - fail with EPERM. It does not kill the process:
// the test below checks that socket() really fails, and a simulated scenario that touched a
// real socket would fail on that EPERM (as an OSError) instead of passing.
#include <errno.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

#if defined(__x86_64__)
constexpr unsigned kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kArch = AUDIT_ARCH_AARCH64;
#else
#error "no_sockets_main.cc: add this architecture's AUDIT_ARCH"
#endif

void forbid_sockets() {
  const int blocked[] = {SYS_socket,      SYS_socketpair, SYS_connect,    SYS_bind,
                         SYS_listen,      SYS_accept,     SYS_accept4,    SYS_sendto,
                         SYS_recvfrom,    SYS_sendmsg,    SYS_recvmsg,    SYS_sendmmsg,
                         SYS_recvmmsg,    SYS_shutdown,   SYS_setsockopt, SYS_getsockopt,
                         SYS_getsockname, SYS_getpeername};
  std::vector<sock_filter> prog;
  // Another architecture's calls (x32, i386 on x86-64) would bypass the numbers: refuse them.
  prog.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  prog.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  prog.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  const std::size_t n = sizeof blocked / sizeof blocked[0];
  for (std::size_t i = 0; i < n; ++i) {
    // Jump to the EPERM return (after the remaining checks and the ALLOW) on a match.
    prog.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(blocked[i]),
                            static_cast<unsigned char>(n - i), 0));
  }
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)));
  sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) != 0) {
    std::perror("no_sockets_main: installing the seccomp filter failed");
    std::exit(2);
  }
}

TEST(NoSockets, SocketCallsFailWithEperm) {
  errno = 0;
  EXPECT_EQ(::socket(AF_INET, SOCK_STREAM, 0), -1);
  EXPECT_EQ(errno, EPERM);
  errno = 0;
  EXPECT_EQ(::socket(AF_UNIX, SOCK_DGRAM, 0), -1);
  EXPECT_EQ(errno, EPERM);
  int sv[2];
  errno = 0;
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), -1);
  EXPECT_EQ(errno, EPERM);
}

}  // namespace

int main(int argc, char** argv) {
  forbid_sockets();
  // Checked once more outside gtest: a filter that does not hold makes the run pointless.
  if (::socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM) {
    std::fprintf(stderr, "no_sockets_main: socket() still works; the filter is not active\n");
    return 2;
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
