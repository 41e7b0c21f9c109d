"""Compiler options shared by every lockstep target (C++20 itself comes from .bazelrc)."""

LOCKSTEP_COPTS = [
    "-Wall",
    "-Wextra",
    "-Wnon-virtual-dtor",
    "-Wno-unused-parameter",
    # A discarded awaitable (a co_await forgotten) is an error, not a warning.
    "-Werror=unused-result",
]
