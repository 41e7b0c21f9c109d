"""lockstep_dependencies(): the repositories lockstep's BUILD files expect, for a Bazel
workspace that uses lockstep. The consumer's WORKSPACE needs only:

    local_repository(name = "lockstep", path = "/path/to/lockstep")  # or http_archive
    load("@lockstep//:deps.bzl", "lockstep_dependencies")
    lockstep_dependencies()

and its BUILD files:

    load("@lockstep//sim/testing:defs.bzl", "lockstep_test")
    lockstep_test(name = "cache_test", srcs = ["cache_test.cc"], deps = [":cache"])
    cc_binary(name = "tool", srcs = ["tool.cc"], deps = ["@lockstep//loop", "@lockstep//replay"])

It defines, each unless the workspace already has a repository of that name:
  @system               GoogleTest, RapidCheck, Google Benchmark, zlib from /usr (Debian's
                        packages: libgtest-dev libgmock-dev librapidcheck-dev
                        libbenchmark-dev zlib1g-dev; lockstep's bazelw lists them)
  @com_google_protobuf  Debian's protoc and libprotobuf (libprotobuf-dev,
                        protobuf-compiler) in the shape of the native proto rules, which
                        find it under this name by default (--proto_compiler,
                        --proto_toolchain_for_cc)
  @rules_cc, @rules_java, @remote_coverage_tools
                        the offline stand-ins Bazel 4's bazel_tools loads (with network
                        access, a workspace may define the real ones first)
Each is made of lockstep's own third_party/ files (symlinked), so they stay the ones
lockstep's WORKSPACE uses. The consumer's .bazelrc needs C++20
(build --cxxopt=-std=c++20 --host_cxxopt=-std=c++20); lockstep's .bazelrc also forwards
the LOCKSTEP_* variables to tests (test --test_env=LOCKSTEP_SEED ...), worth copying.
"""

def _third_party_repository_impl(rctx):
    # lockstep's root, found through a file of its root package.
    root = rctx.path(Label("//:BUILD.bazel")).dirname
    for path, name in rctx.attr.files.items():
        source = root.get_child("third_party")
        for part in path.split("/"):  # get_child() takes one name in Bazel 4
            source = source.get_child(part)
        rctx.symlink(source, name)
    if "WORKSPACE" not in rctx.attr.files.values():
        rctx.file("WORKSPACE", 'workspace(name = "%s")\n' % rctx.name)

_third_party_repository = repository_rule(
    implementation = _third_party_repository_impl,
    attrs = {
        # lockstep's third_party/<key> becomes <value> in the repository.
        "files": attr.string_dict(mandatory = True),
    },
    local = True,
)

_REPOSITORIES = {
    "com_google_protobuf": {
        "protobuf/BUILD.protobuf": "BUILD.bazel",
        "protobuf/protoc.sh": "protoc.sh",
    },
    "remote_coverage_tools": {
        "remote_coverage_tools/BUILD.bazel": "BUILD.bazel",
        "remote_coverage_tools/WORKSPACE": "WORKSPACE",
    },
    "rules_cc": {
        "rules_cc/BUILD.bazel": "BUILD.bazel",
        "rules_cc/WORKSPACE": "WORKSPACE",
        "rules_cc/cc": "cc",
    },
    "rules_java": {
        "rules_java/BUILD.bazel": "BUILD.bazel",
        "rules_java/WORKSPACE": "WORKSPACE",
        "rules_java/java": "java",
    },
    "system": {
        "system/BUILD.system": "BUILD.bazel",
    },
}

def lockstep_dependencies():
    """Defines @system, @com_google_protobuf, @rules_cc, @rules_java and
    @remote_coverage_tools, each unless already defined."""
    for name, files in _REPOSITORIES.items():
        if not native.existing_rule(name):
            _third_party_repository(name = name, files = files)
