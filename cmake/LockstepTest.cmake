# lockstep_add_test(): registers a test binary with LOCKSTEP_TESTs with CTest, one CTest
# test per gtest test (like gtest_discover_tests), and, with SEED_SHARDS N, one per share
# of each LOCKSTEP_TEST's seeds (sharded as Bazel's shard_count shards it: every Nth seed).
#
#   add_executable(cache_test cache_test.cc)
#   target_link_libraries(cache_test PRIVATE cache)    # lockstep::gtest is added
#   lockstep_add_test(cache_test
#     SEEDS 1000                 # LOCKSTEP_SEEDS: a count from 0, or "5000..5999"
#     STRATEGY random            # LOCKSTEP_STRATEGY: fifo | faithful | random | pct
#     CANCEL random:0.05         # LOCKSTEP_CANCEL
#     FAULTS plan.txt            # LOCKSTEP_FAULTS (relative to this source dir)
#     CHECK_DETERMINISM          # LOCKSTEP_CHECK_DETERMINISM=1
#     KEEP_GOING                 # LOCKSTEP_KEEP_GOING=1
#     SEED_SHARDS 4              # cache_test's LOCKSTEP_TESTs: 4 CTest tests each
#     ENV VAR=value ...          # more environment
#     TRACE_DIR dir              # failing traces (default <build>/Testing/lockstep/<target>)
#     TEST_PREFIX p. TEST_SUFFIX .s EXTRA_ARGS ... WORKING_DIRECTORY dir
#     PROPERTIES TIMEOUT 600 LABELS slow    # set on every test
#     DISCOVERY_TIMEOUT 60)
#
# The settings are the tests' environment, and the environment ctest runs in wins over
# them (as --test_env does under Bazel): `LOCKSTEP_SEEDS=100000 ctest -R Cache` sweeps
# more, `LOCKSTEP_SEED=17 ctest -R Cache.Evicts` reruns one seed; every LOCKSTEP_*
# variable reaches the tests. Failing traces (and their shrunk forms) go to TRACE_DIR,
# unless LOCKSTEP_TRACE_DIR says otherwise; the failure message names the file and the
# command that replays it.
#
# The target gets lockstep::gtest (LOCKSTEP_TEST and lockstep's main, which shards seeds)
# unless NO_LINK, -Werror=unused-result (a forgotten co_await does not build) and
# -fmacro-prefix-map (file names relative to the project, as Bazel has them). The
# tests are listed after each build of the target (--gtest_list_tests), so adding a test
# needs no CMake rerun.
include_guard(GLOBAL)

function(lockstep_add_test target)
  cmake_parse_arguments(ARG "CHECK_DETERMINISM;KEEP_GOING;NO_LINK"
    "SEEDS;STRATEGY;FAULTS;CANCEL;SEED_SHARDS;TRACE_DIR;TEST_PREFIX;TEST_SUFFIX;WORKING_DIRECTORY;DISCOVERY_TIMEOUT"
    "ENV;EXTRA_ARGS;PROPERTIES" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "lockstep_add_test(${target}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "lockstep_add_test(${target}): no such target")
  endif()
  if(NOT ARG_NO_LINK)
    target_link_libraries(${target} PRIVATE lockstep::gtest)
  endif()
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # Sites relative to the project (as under Bazel): the same seed and trace on any
    # checkout.
    target_compile_options(${target} PRIVATE -Werror=unused-result
                           "-fmacro-prefix-map=${PROJECT_SOURCE_DIR}/=")
  endif()

  set(env)
  if(DEFINED ARG_SEEDS)
    list(APPEND env "LOCKSTEP_SEEDS=${ARG_SEEDS}")
  endif()
  if(DEFINED ARG_STRATEGY)
    list(APPEND env "LOCKSTEP_STRATEGY=${ARG_STRATEGY}")
  endif()
  if(DEFINED ARG_FAULTS)
    get_filename_component(faults "${ARG_FAULTS}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND env "LOCKSTEP_FAULTS=${faults}")
  endif()
  if(DEFINED ARG_CANCEL)
    list(APPEND env "LOCKSTEP_CANCEL=${ARG_CANCEL}")
  endif()
  if(ARG_CHECK_DETERMINISM)
    list(APPEND env "LOCKSTEP_CHECK_DETERMINISM=1")
  endif()
  if(ARG_KEEP_GOING)
    list(APPEND env "LOCKSTEP_KEEP_GOING=1")
  endif()
  if(NOT DEFINED ARG_TRACE_DIR)
    set(ARG_TRACE_DIR "${CMAKE_BINARY_DIR}/Testing/lockstep/${target}")
  endif()
  get_filename_component(trace_dir "${ARG_TRACE_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  list(APPEND env "LOCKSTEP_TRACE_DIR=${trace_dir}" ${ARG_ENV})
  if(NOT DEFINED ARG_SEED_SHARDS)
    set(ARG_SEED_SHARDS 1)
  endif()
  if(NOT ARG_SEED_SHARDS MATCHES "^[1-9][0-9]*$")
    message(FATAL_ERROR "lockstep_add_test(${target}): SEED_SHARDS ${ARG_SEED_SHARDS}: expected a positive number")
  endif()
  if(NOT DEFINED ARG_WORKING_DIRECTORY)
    set(ARG_WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  if(NOT DEFINED ARG_DISCOVERY_TIMEOUT)
    set(ARG_DISCOVERY_TIMEOUT 60)
  endif()

  # One file per call: the discovery's inputs (file(GENERATE) resolves the binary's path).
  get_property(n TARGET ${target} PROPERTY LOCKSTEP_ADD_TEST_CALLS)
  if(NOT n)
    set(n 0)
  endif()
  math(EXPR n "${n} + 1")
  set_property(TARGET ${target} PROPERTY LOCKSTEP_ADD_TEST_CALLS ${n})
  set(base "${CMAKE_CURRENT_BINARY_DIR}/${target}_lockstep_tests_${n}")
  set(params "")
  foreach(var IN ITEMS target ARG_TEST_PREFIX ARG_TEST_SUFFIX ARG_WORKING_DIRECTORY
                       ARG_SEED_SHARDS ARG_DISCOVERY_TIMEOUT env ARG_EXTRA_ARGS ARG_PROPERTIES)
    string(APPEND params "set(${var} [==[${${var}}]==])\n")
  endforeach()
  string(APPEND params "set(executable [==[$<TARGET_FILE:${target}>]==])\n")
  string(APPEND params "set(tests_file [==[${base}.cmake]==])\n")
  file(GENERATE OUTPUT "${base}_params.cmake" CONTENT "${params}")

  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND "${CMAKE_COMMAND}" -D "LOCKSTEP_PARAMS=${base}_params.cmake"
            -P "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/LockstepAddTests.cmake"
    BYPRODUCTS "${base}.cmake"
    VERBATIM)

  # ctest reads this at startup: the listed tests, or one failing test if never built.
  file(WRITE "${base}_include.cmake"
    "if(EXISTS [==[${base}.cmake]==])\n"
    "  include([==[${base}.cmake]==])\n"
    "else()\n"
    "  add_test([==[${target}_NOT_BUILT]==] [==[${target}_NOT_BUILT]==])\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${base}_include.cmake")
endfunction()
