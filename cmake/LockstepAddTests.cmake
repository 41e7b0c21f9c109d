# Run after each build of a lockstep_add_test() target (cmake -P, LOCKSTEP_PARAMS=file):
# lists the binary's tests and writes the CTest file that registers them.
# With SEED_SHARDS N > 1, a LOCKSTEP_TEST becomes N CTest tests "<name>.shard_<i>_of_<N>",
# each running every Nth seed (TEST_TOTAL_SHARDS / TEST_SHARD_INDEX, as under Bazel); a
# plain TEST stays one CTest test. lockstep's main deals plain tests to shards, so a test
# listed by two shards (--gtest_list_tests honours the dealing) is a LOCKSTEP_TEST.
cmake_minimum_required(VERSION 3.21)
include("${LOCKSTEP_PARAMS}")

function(list_tests out)  # list_tests(out [VAR=value...]): the binary's tests, Suite.Name
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -E env ${ARGN} "${executable}" --gtest_list_tests
    WORKING_DIRECTORY "${ARG_WORKING_DIRECTORY}"
    TIMEOUT ${ARG_DISCOVERY_TIMEOUT}
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE error)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "lockstep_add_test(${target}): ${executable} --gtest_list_tests "
                        "failed (${result}):\n${output}\n${error}")
  endif()
  string(REPLACE ";" "\\;" output "${output}")
  string(REPLACE "\n" ";" lines "${output}")
  set(tests)
  set(suite)
  foreach(line IN LISTS lines)
    string(REGEX REPLACE " *#.*$" "" line "${line}")  # "  # GetParam() = ..."
    if(line MATCHES "^  +([^ ]+)$")
      list(APPEND tests "${suite}${CMAKE_MATCH_1}")
    elseif(line MATCHES "^([^ ]+\\.)$")
      set(suite "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  set(${out} ${tests} PARENT_SCOPE)
endfunction()

list_tests(all)
set(lockstep_tests ${all})
if(ARG_SEED_SHARDS GREATER 1)
  list_tests(shard0 TEST_TOTAL_SHARDS=2 TEST_SHARD_INDEX=0)
  list_tests(shard1 TEST_TOTAL_SHARDS=2 TEST_SHARD_INDEX=1)
  set(lockstep_tests)
  foreach(test IN LISTS shard0)
    if(test IN_LIST shard1)
      list(APPEND lockstep_tests "${test}")
    endif()
  endforeach()
endif()

set(content "# Written by lockstep's LockstepAddTests.cmake for ${target}: do not edit.\n")
# The environment ctest runs in wins over the test's settings.
string(APPEND content
  "set(_lockstep_env)\n"
  "foreach(_lockstep_pair IN ITEMS")
foreach(pair IN LISTS env)
  string(APPEND content " [==[${pair}]==]")
endforeach()
string(APPEND content ")\n"
  "  string(REGEX MATCH \"^[^=]+\" _lockstep_var \"\${_lockstep_pair}\")\n"
  "  if(NOT DEFINED ENV{\${_lockstep_var}})\n"
  "    list(APPEND _lockstep_env \"\${_lockstep_pair}\")\n"
  "  endif()\n"
  "endforeach()\n")

set(args "")
foreach(arg IN LISTS ARG_EXTRA_ARGS)
  string(APPEND args " [==[${arg}]==]")
endforeach()
set(properties "")
foreach(p IN LISTS ARG_PROPERTIES)
  string(APPEND properties " [==[${p}]==]")
endforeach()

function(add name filter shard_env)
  string(APPEND content
    "add_test([==[${name}]==] [==[${executable}]==] [==[--gtest_filter=${filter}]==]${args})\n"
    "set_tests_properties([==[${name}]==] PROPERTIES\n"
    "  WORKING_DIRECTORY [==[${ARG_WORKING_DIRECTORY}]==]\n"
    "  SKIP_REGULAR_EXPRESSION [==[\\[  SKIPPED \\]]==]\n"
    "  ENVIRONMENT \"\${_lockstep_env}${shard_env}\"${properties})\n")
  set(content "${content}" PARENT_SCOPE)
endfunction()

set(names)
foreach(test IN LISTS all)
  set(name "${ARG_TEST_PREFIX}${test}${ARG_TEST_SUFFIX}")
  if(test MATCHES "(^|\\.)DISABLED_")
    string(APPEND content "add_test([==[${name}]==] [==[${executable}]==])\n"
                          "set_tests_properties([==[${name}]==] PROPERTIES DISABLED TRUE)\n")
  elseif(ARG_SEED_SHARDS GREATER 1 AND test IN_LIST lockstep_tests)
    math(EXPR last "${ARG_SEED_SHARDS} - 1")
    foreach(i RANGE ${last})
      math(EXPR shard "${i} + 1")
      add("${ARG_TEST_PREFIX}${test}.shard_${shard}_of_${ARG_SEED_SHARDS}${ARG_TEST_SUFFIX}"
          "${test}" ";TEST_TOTAL_SHARDS=${ARG_SEED_SHARDS};TEST_SHARD_INDEX=${i}")
    endforeach()
  else()
    add("${name}" "${test}" "")
  endif()
endforeach()

file(WRITE "${tests_file}.new" "${content}")
file(COPY_FILE "${tests_file}.new" "${tests_file}" ONLY_IF_DIFFERENT)
file(REMOVE "${tests_file}.new")
