"""lockstep_test(): a cc_test whose LOCKSTEP_TESTs sweep seeds, sharded by seed.

    load("//sim/testing:defs.bzl", "lockstep_test")   # in another workspace:
    # load("@lockstep//sim/testing:defs.bzl", "lockstep_test") (see deps.bzl)

    lockstep_test(
        name = "cache_test",
        srcs = ["cache_test.cc"],
        deps = [":cache"],
        seeds = 10000,          # or "5..20"
        strategy = "random",
        shard_count = 8,        # each shard runs every 8th seed of every sweep
    )

The settings become the test's environment (LOCKSTEP_SEEDS, ...: sim/testing/config.h), so a
run overrides them with --test_env (./bazelw forwards LOCKSTEP_* for you), and
LOCKSTEP_SEED=17 replays one seed whatever `seeds` says. Sharding needs nothing else:
with Bazel remote execution the shards spread over machines unchanged.
"""

def _absolute(label):
    """A dependency as an absolute label string, so it can be compared: "cache" and
    ":cache" are targets of the calling package, "//x" of the calling repository (which,
    in a workspace that uses lockstep, is not lockstep's: Label() here would resolve
    "//x" in @lockstep)."""
    label = str(label)  # a Label object too
    if label.startswith("@"):
        return label
    if label.startswith("//"):
        return native.repository_name() + label
    return "%s//%s:%s" % (native.repository_name(), native.package_name(),
                          label[1:] if label.startswith(":") else label)

def lockstep_test(
        name,
        seeds = None,
        strategy = None,
        faults = None,
        cancel = None,
        check_determinism = False,
        keep_going = False,
        shard_count = None,
        deps = [],
        data = [],
        env = {},
        **kwargs):
    """A cc_test linked with //sim/testing:main.

    Args:
      name: the test's name.
      seeds: a count of seeds (from 0) or an inclusive range "A..B": LOCKSTEP_SEEDS.
      strategy: "fifo", "faithful", "random" or "pct": LOCKSTEP_STRATEGY.
      faults: a label of a fault plan file (faults/fault_plan.h): LOCKSTEP_FAULTS.
      cancel: cancellation fuzzing, e.g. "random:0.05" or "random:0.1:any": LOCKSTEP_CANCEL.
      check_determinism: run every seed twice and compare: LOCKSTEP_CHECK_DETERMINISM.
      keep_going: run every seed even after a failure: LOCKSTEP_KEEP_GOING.
      shard_count: Bazel shards; the seeds of each sweep are dealt among them.
      deps: the test's dependencies (//sim/testing, //sim/testing:main and
        //sim/escape:interpose, escape detection, are added unless listed;
        gtest_main is refused: //sim/testing:main takes its place).
      data: runfiles (a fault plan is added).
      env: more environment.
      **kwargs: anything else cc_test takes (srcs, copts, size, tags, ...). copts gain
        -Werror=unused-result: an awaitable whose co_await was forgotten does not build.
    """
    test_env = {}
    if seeds != None:
        test_env["LOCKSTEP_SEEDS"] = str(seeds)
    if strategy != None:
        test_env["LOCKSTEP_STRATEGY"] = strategy
    if faults != None:
        test_env["LOCKSTEP_FAULTS"] = "$(rootpath %s)" % faults
        data = data + [faults]
    if cancel != None:
        test_env["LOCKSTEP_CANCEL"] = cancel
    if check_determinism:
        test_env["LOCKSTEP_CHECK_DETERMINISM"] = "1"
    if keep_going:
        test_env["LOCKSTEP_KEEP_GOING"] = "1"
    test_env.update(env)
    # //sim/escape:interpose: calls that bypass the simulation are detected (docs/escapes.md).
    lockstep = [Label("//sim/testing"), Label("//sim/testing:main"), Label("//sim/escape:interpose")]
    if type(deps) == "list":
        for dep in deps:
            if str(dep).endswith("gtest_main"):
                fail("lockstep_test(%s): %s has a main() of its own; //sim/testing:main is linked in " % (name, dep) +
                     "(it runs plain TESTs too)")

        # //sim/testing and //sim/testing:main, unless the caller already lists them.
        listed = [Label(_absolute(dep)) for dep in deps]
        deps = deps + [label for label in lockstep if label not in listed]
    else:
        deps = deps + lockstep  # a select(): taken as it is
    copts = kwargs.pop("copts", []) + ["-Werror=unused-result"]  # a list or a select()
    native.cc_test(
        name = name,
        copts = copts,
        deps = deps,
        data = data,
        env = test_env,
        shard_count = shard_count,
        **kwargs
    )
