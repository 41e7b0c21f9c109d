#!/usr/bin/env python3
"""Regenerates (or checks) the expected event logs of the conformance scenarios.

Each scenarios/<name>.py runs on CPython's asyncio over vtloop's virtual clock, in a
fresh subprocess, and its stdout becomes expected/<name>.log. The C++ ports are
compared against those committed logs by a Bazel test, so the Bazel side never needs
this Python.

    python3 tests/conformance/regen.py                 # rewrite every expected/*.log
    python3 tests/conformance/regen.py NAME...         # rewrite only these scenarios
    python3 tests/conformance/regen.py --check         # compare, exit 1 on any difference
    python3 tests/conformance/regen.py --show NAME     # print one scenario's log
    python3 tests/conformance/regen.py --stock-ties    # list scenarios whose log depends
                                                       # on vtloop's FIFO timer tie-break

Every scenario is run twice, under two hash seeds, and must print the same log both
times; a scenario that does not is rejected as nondeterministic.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"
EXPECTED = HERE / "expected"

# 3.11.0-3.11.2's asyncio.timeout() lacks the fix of gh-102780 and logs differently
# for nested timeouts and for an outer cancel inside a timeout.
MIN_VERSION = (3, 11, 3)
# Scenario timeout in wall-clock seconds; virtual time never sleeps, so a scenario
# that takes this long is stuck in a livelock.
WALL_TIMEOUT_S = 60


def run_one_in_process(path: Path) -> None:
    """Runs one scenario in this process and prints its log (the --run mode)."""
    sys.path.insert(0, str(HERE))  # so that `from vtloop import log` resolves
    import vtloop

    spec = importlib.util.spec_from_file_location(f"scenario_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        result = vtloop.run(module.main)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # CancelledError is a BaseException
        vtloop.log(f"main raised {type(exc).__name__}: {exc}")
    else:
        vtloop.log(f"main returned {result}")


def run_one(path: Path, *, hash_seed: str = "0", stock_ties: bool = False) -> str:
    """Runs one scenario in a fresh interpreter and returns its log (stdout).

    Raises RuntimeError if the scenario crashes or writes to stderr (an "exception
    was never retrieved" report, a traceback from a callback...), since such output
    is not part of the log and would hide a mistake in the scenario.
    """
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = hash_seed
    env.pop("PYTHONASYNCIODEBUG", None)  # debug mode adds checks and warnings
    env.pop("LOCKSTEP_VTLOOP_STOCK_TIES", None)
    if stock_ties:
        env["LOCKSTEP_VTLOOP_STOCK_TIES"] = "1"
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--run", str(path)],
        env=env, capture_output=True, text=True, timeout=WALL_TIMEOUT_S)
    if proc.returncode != 0 or proc.stderr:
        raise RuntimeError(
            f"{path.stem}: exit code {proc.returncode}\n--- stderr ---\n{proc.stderr}")
    return proc.stdout


def scenario_paths(names: list[str]) -> list[Path]:
    if not names:
        return sorted(SCENARIOS.glob("*.py"))
    paths = []
    for name in names:
        path = SCENARIOS / f"{Path(name).stem}.py"
        if not path.exists():
            sys.exit(f"regen.py: no scenario {path}")
        paths.append(path)
    return paths


def deterministic_log(path: Path) -> str:
    """Returns the scenario's log, after checking two runs print the same thing."""
    first = run_one(path, hash_seed="0")
    second = run_one(path, hash_seed="1")
    if first != second:
        diff = "".join(difflib.unified_diff(
            first.splitlines(True), second.splitlines(True), "PYTHONHASHSEED=0",
            "PYTHONHASHSEED=1"))
        raise RuntimeError(f"{path.stem}: nondeterministic log\n{diff}")
    return first


def regenerate(paths: list[Path]) -> int:
    EXPECTED.mkdir(exist_ok=True)
    for path in paths:
        out = EXPECTED / f"{path.stem}.log"
        text = deterministic_log(path)
        changed = not out.exists() or out.read_text() != text
        out.write_text(text)
        print(f"{'wrote    ' if changed else 'unchanged'} {out.relative_to(HERE)}")
    return 0


def check(paths: list[Path], check_orphans: bool) -> int:
    passed = failures = 0
    for path in paths:
        out = EXPECTED / f"{path.stem}.log"
        if not out.exists():
            print(f"MISSING  {out.relative_to(HERE)} (run regen.py {path.stem})")
            failures += 1
            continue
        got = run_one(path)
        want = out.read_text()
        if got == want:
            print(f"ok       {path.stem}")
            passed += 1
            continue
        failures += 1
        print(f"DIFFERS  {path.stem}")
        sys.stdout.writelines(difflib.unified_diff(
            want.splitlines(True), got.splitlines(True),
            f"expected/{path.stem}.log", f"CPython {sys.version.split()[0]}"))
    if check_orphans:
        for log in sorted(EXPECTED.glob("*.log")):
            if not (SCENARIOS / f"{log.stem}.py").exists():
                print(f"ORPHAN   {log.relative_to(HERE)} has no scenario")
                failures += 1
    print(f"{passed} passed, {failures} failed")
    return 1 if failures else 0


def stock_ties_report(paths: list[Path]) -> int:
    """Lists scenarios whose log changes under stock asyncio's unstable timer heap."""
    dependent = 0
    for path in paths:
        if run_one(path) != run_one(path, stock_ties=True):
            dependent += 1
            print(f"tie-dependent  {path.stem}")
    print(f"{dependent} of {len(paths)} scenarios depend on FIFO order among equal "
          f"deadlines")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="compare against expected/*.log instead of rewriting them")
    mode.add_argument("--show", action="store_true",
                      help="print the scenarios' logs instead of writing them")
    mode.add_argument("--stock-ties", action="store_true",
                      help="list scenarios that depend on FIFO tie-breaking of timers")
    mode.add_argument("--run", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("names", nargs="*", help="scenario names (default: all)")
    args = parser.parse_args()

    if sys.version_info[:3] < MIN_VERSION:
        sys.exit(f"regen.py needs CPython >= {'.'.join(map(str, MIN_VERSION))} "
                 f"(this is {sys.version.split()[0]}): older 3.11 releases lack the "
                 f"asyncio.timeout() fix of gh-102780 and produce different logs. "
                 f"Run it with a newer python3.11, e.g. the one first on PATH.")
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"regen.py needs CPython 3.11, the oracle lockstep follows "
                 f"(this is {sys.version.split()[0]})")

    if args.run:
        run_one_in_process(Path(args.run))
        return 0
    paths = scenario_paths(args.names)
    try:
        if args.check:
            return check(paths, check_orphans=not args.names)
        if args.show:
            for path in paths:
                sys.stdout.write(run_one(path))
            return 0
        if args.stock_ties:
            return stock_ties_report(paths)
        return regenerate(paths)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"regen.py: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
