#include "sim/testing/rapidcheck.h"

#include <gtest/gtest.h>

#include "sim/testing/config.h"

namespace lockstep {

rc::Gen<Schedule> gen_schedule(std::size_t max_choices, int default_weight) {
  // Values span the whole range whatever the test's size, so that a choice taken modulo
  // a large bound (a duration) is not always tiny.
  const rc::Gen<std::uint64_t> choice = rc::gen::weightedOneOf<std::uint64_t>(
      {{static_cast<std::size_t>(std::max(default_weight, 0)), rc::gen::just<std::uint64_t>(0)},
       {1, rc::gen::resize(100, rc::gen::arbitrary<std::uint64_t>())}});
  // RapidCheck's sizes run 0..100: scaled, the length runs 0..max_choices.
  return rc::gen::map(
      rc::gen::scale(static_cast<double>(max_choices) / 100.0,
                     rc::gen::container<std::vector<std::uint64_t>>(choice)),
      [](std::vector<std::uint64_t> choices) { return Schedule{std::move(choices)}; });
}

void showValue(const Schedule& schedule, std::ostream& os) {
  std::size_t non_default = 0;
  for (const std::uint64_t c : schedule.choices) non_default += c != 0;
  os << non_default << " non-default choice" << (non_default == 1 ? "" : "s") << " of "
     << schedule.choices.size();
  if (non_default) os << ":";
  std::size_t shown = 0;
  for (std::size_t i = 0; i < schedule.choices.size() && shown < 20; ++i)
    if (schedule.choices[i] != 0) {
      os << " #" << i << "=" << schedule.choices[i];
      ++shown;
    }
  if (non_default > shown) os << " ...";
}

namespace internal {

std::string rc_program_name(const std::string& name) {
  if (!name.empty()) return name;
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  if (!test) return "property";
  return std::string(test->test_suite_name()) + "." + test->name();
}

std::string rc_trace_path(const std::string& program_name) {
  std::string dir;
  try {
    dir = read_test_config().trace_dir;
  } catch (const ConfigError&) {  // a bad LOCKSTEP_* value is not this property's concern
    dir = (std::filesystem::temp_directory_path() / "lockstep").string();
  }
  std::string file = program_name;  // "examples/property:readers" -> examples_property_readers
  for (char& c : file)
    if (c == '/' || c == ':' || c == ' ' || c == '\\') c = '_';
  return dir + "/" + file + ".counterexample.trace";
}

bool is_failure(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const rc::detail::CaseResult& r) {
    return r.type == rc::detail::CaseResult::Type::Failure;
  } catch (...) {
  }
  return true;
}

}  // namespace internal
}  // namespace lockstep
