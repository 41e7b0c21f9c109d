"""Compiler options shared by every lockstep target (C++20 itself comes from .bazelrc)."""

LOCKSTEP_COPTS = [
    "-Wall",
    "-Wextra",
    "-Wnon-virtual-dtor",
    "-Wno-unused-parameter",
]
