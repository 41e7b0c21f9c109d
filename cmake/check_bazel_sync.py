#!/usr/bin/env python3
"""Checks that the CMake build has not drifted from the Bazel build.

    cmake/check_bazel_sync.py BUILD_DIR

BUILD_DIR/lockstep_sources.txt (written by CMake's configure step) says, one per line:
  "<bazel label> <file>"   a source, header or .proto CMake builds into that library
  "test <bazel label>"     a Bazel test CMake builds and registers with CTest
  "skip <bazel label> why" a Bazel test CMake leaves out on purpose
For each library it asks Bazel (bazel query) for the target's srcs and hdrs, plus the
.proto files of its own proto_library, and each Bazel test must be built or skipped.
Any difference fails, naming the file or test and what to change. Run from the root of
the repository (it calls ./bazelw).
"""
import collections
import subprocess
import sys


def query(expression):
    out = subprocess.run(["./bazelw", "query", "--noshow_progress", expression],
                         check=True, capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def label_to_path(label):
    package, _, name = label.lstrip("/").partition(":")
    return f"{package}/{name}" if package else name


def main():
    build_dir = sys.argv[1]
    cmake_files = collections.defaultdict(set)
    cmake_tests, skipped = set(), {}
    with open(f"{build_dir}/lockstep_sources.txt") as f:
        for line in f:
            fields = line.split()
            if not fields:
                continue
            if fields[0] == "test":
                cmake_tests.add(fields[1])
            elif fields[0] == "skip":
                skipped[fields[1]] = " ".join(fields[2:])
            else:
                cmake_files[fields[0]].add(fields[1])

    problems = []
    for label, files in sorted(cmake_files.items()):
        own = f"labels(srcs, {label}) + labels(hdrs, {label})"
        protos = f"labels(srcs, kind(proto_library, labels(deps, labels(deps, {label}))))"
        bazel = {label_to_path(l) for l in query(f"{own} + {protos}") if not l.startswith("@")}
        for path in sorted(bazel - files):
            problems.append(f"{path}: in Bazel's {label}, missing from CMakeLists.txt's")
        for path in sorted(files - bazel):
            problems.append(f"{path}: in CMakeLists.txt's {label}, not in Bazel's")

    bazel_tests = set(query("tests(//...)"))
    for label in sorted(bazel_tests - cmake_tests - set(skipped)):
        problems.append(f"{label}: a Bazel test missing from cmake/tests/CMakeLists.txt "
                        "(add it, or list it in LOCKSTEP_SKIPPED_TESTS with the reason)")
    for label in sorted((cmake_tests | set(skipped)) - bazel_tests):
        problems.append(f"{label}: in cmake/tests/CMakeLists.txt, not a Bazel test")

    if problems:
        print("check_bazel_sync: the CMake build differs from the Bazel build:")
        for p in problems:
            print("  " + p)
        return 1
    print(f"check_bazel_sync: {len(cmake_files)} libraries "
          f"({sum(map(len, cmake_files.values()))} files) and {len(cmake_tests)} tests "
          f"match Bazel ({len(skipped)} Bazel tests skipped on purpose)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
