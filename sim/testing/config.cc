#include "sim/testing/config.h"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <vector>

namespace lockstep {

namespace {

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end) return std::nullopt;
  return v;
}

std::optional<double> parse_probability(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double p = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !(p >= 0.0 && p <= 1.0)) return std::nullopt;
  return p;
}

[[noreturn]] void bad(const char* variable, const std::string& value, const char* expected) {
  throw ConfigError(std::string(variable) + "='" + value + "': expected " + expected);
}

SeedRange parse_seeds(const std::string& value) {
  constexpr const char* kExpected = "a count of seeds (1000) or an inclusive range (5..20)";
  const std::size_t dots = value.find("..");
  if (dots == std::string::npos) {
    const auto n = parse_u64(value);
    if (!n || *n == 0) bad("LOCKSTEP_SEEDS", value, kExpected);
    return {0, *n - 1};
  }
  const auto first = parse_u64(std::string_view(value).substr(0, dots));
  const auto last = parse_u64(std::string_view(value).substr(dots + 2));
  if (!first || !last || *last < *first) bad("LOCKSTEP_SEEDS", value, kExpected);
  if (*first == 0 && *last == std::numeric_limits<std::uint64_t>::max())
    bad("LOCKSTEP_SEEDS", value, "a range of fewer than 2^64 seeds");
  return {*first, *last};
}

bool parse_flag(const char* variable, const std::string& value) {
  if (value == "1" || value == "true" || value == "yes") return true;
  if (value == "0" || value == "false" || value == "no" || value.empty()) return false;
  bad(variable, value, "1 or 0 (true/false, yes/no)");
}

// The temp dir's lockstep/ (TMPDIR, else /tmp); never throws.
std::string default_trace_dir() {
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  return ((ec ? std::filesystem::path("/tmp") : tmp) / "lockstep").string();
}

}  // namespace

std::string to_string(const SeedRange& seeds) {
  if (seeds.first == seeds.last) return std::to_string(seeds.first);
  return std::to_string(seeds.first) + ".." + std::to_string(seeds.last);
}

std::uint64_t Shard::share(const SeedRange& range) const noexcept {
  const std::uint64_t n = range.count();
  return n / total + (index < n % total ? 1 : 0);
}

std::string Shard::seeds_text(const SeedRange& range) const {
  if (total <= 1) return to_string(range);
  const std::uint64_t n = share(range);
  if (n == 0) return "none of " + to_string(range);
  const std::uint64_t first = range.first + index;
  const std::uint64_t last = first + (n - 1) * total;
  std::string s = std::to_string(first);
  if (n >= 2) s += ", " + std::to_string(first + total);
  if (n >= 4) s += ", ...";
  if (n >= 3) s += ", " + std::to_string(last);
  return s + " (every " + ordinal(total) + " of " + to_string(range) + ")";
}

std::optional<CancellationFuzzing> parse_cancel_spec(const std::string& spec) {
  CancellationFuzzing c;
  if (spec == "off" || spec.empty()) return c;
  // random:P[:TARGET[:TASKS]]
  std::vector<std::string> fields;
  for (std::size_t from = 0;;) {
    const std::size_t colon = spec.find(':', from);
    // The task pattern is the rest, whatever it holds.
    if (fields.size() == 3 || colon == std::string::npos) {
      fields.push_back(spec.substr(from));
      break;
    }
    fields.push_back(spec.substr(from, colon - from));
    from = colon + 1;
  }
  if (fields[0] != "random" || fields.size() < 2) return std::nullopt;
  const auto p = parse_probability(fields[1]);
  if (!p) return std::nullopt;
  c.mode = CancellationFuzzing::Mode::kRandom;
  c.probability = *p;
  if (fields.size() > 2) {
    // TARGET[@POINT]: task@wake cancels after a wakeup, any@both at either point.
    const std::size_t at = fields[2].find('@');
    const auto target = parse_cancellation_target(fields[2].substr(0, at));
    if (!target || fields[2].empty() || at == 0) return std::nullopt;
    c.target = *target;
    if (at != std::string::npos) {
      const auto point = parse_cancellation_point(fields[2].substr(at + 1));
      if (!point || at + 1 == fields[2].size()) return std::nullopt;
      c.at = *point;
    }
  }
  if (fields.size() > 3) {
    if (fields[3].empty()) return std::nullopt;
    c.tasks = fields[3];
  }
  return c;
}

Shard read_shard(const Getenv& getenv) {
  const auto total = getenv("TEST_TOTAL_SHARDS");
  const auto index = getenv("TEST_SHARD_INDEX");
  if (!total || total->empty()) return {};
  const auto t = parse_u64(*total);
  if (!t || *t == 0) bad("TEST_TOTAL_SHARDS", *total, "a positive number of shards");
  const auto i = index ? parse_u64(*index) : std::nullopt;
  if (!i || *i >= *t)
    bad("TEST_SHARD_INDEX", index.value_or(""),
        ("a shard index below TEST_TOTAL_SHARDS=" + *total).c_str());
  return Shard{*i, *t};
}

TestConfig read_test_config(const Getenv& getenv) {
  TestConfig c;
  const auto seed = getenv("LOCKSTEP_SEED");
  const auto seeds = getenv("LOCKSTEP_SEEDS");
  if (seed) {
    const auto s = parse_u64(*seed);
    if (!s) bad("LOCKSTEP_SEED", *seed, "one seed, a number such as 17");
    c.seeds = SeedRange{*s, *s};
  } else if (seeds) {
    c.seeds = parse_seeds(*seeds);
  }
  if (const auto v = getenv("LOCKSTEP_STRATEGY")) {
    c.strategy = parse_strategy(*v);
    if (!c.strategy) bad("LOCKSTEP_STRATEGY", *v, "fifo, faithful, random or pct");
  }
  if (const auto v = getenv("LOCKSTEP_FAULTS")) {
    if (v->empty()) bad("LOCKSTEP_FAULTS", *v, "the path of a fault plan file");
    c.faults_file = *v;
  }
  if (const auto v = getenv("LOCKSTEP_CANCEL")) {
    c.cancel = parse_cancel_spec(*v);
    c.cancel_spec = *v;
    if (!c.cancel)
      bad("LOCKSTEP_CANCEL", *v,
          "off, or random:P with 0 <= P <= 1, optionally :task, :timeout, :enclosing or :any "
          "(with @wake or @both to cancel after a wakeup too) and then :TASKS, a task name "
          "pattern (random:0.05:any:worker-*, random:0.1:task@both)");
  }
  if (const auto v = getenv("LOCKSTEP_REPLAY")) {
    if (v->empty()) bad("LOCKSTEP_REPLAY", *v, "the path of a trace file");
    c.replay_file = *v;
  }
  if (const auto v = getenv("LOCKSTEP_CHECK_DETERMINISM"))
    c.check_determinism = parse_flag("LOCKSTEP_CHECK_DETERMINISM", *v);
  if (const auto v = getenv("LOCKSTEP_SHRINK")) c.shrink = parse_flag("LOCKSTEP_SHRINK", *v);
  if (const auto v = getenv("LOCKSTEP_KEEP_GOING"))
    c.keep_going = parse_flag("LOCKSTEP_KEEP_GOING", *v);
  if (const auto v = getenv("LOCKSTEP_UNRETRIEVED")) {
    if (*v == "fail")
      c.unretrieved = UnretrievedErrors::kFail;
    else if (*v == "warn")
      c.unretrieved = UnretrievedErrors::kWarn;
    else
      bad("LOCKSTEP_UNRETRIEVED", *v, "fail or warn");
  }
  if (const auto v = getenv("LOCKSTEP_ESCAPES")) {
    c.escapes = parse_escape_mode(*v);
    if (!c.escapes) bad("LOCKSTEP_ESCAPES", *v, "fail, warn, off or virtualize");
  }
  if (const auto v = getenv("LOCKSTEP_TRACE_DIR"); v && !v->empty())
    c.trace_dir = *v;
  else if (const auto b = getenv("TEST_UNDECLARED_OUTPUTS_DIR"); b && !b->empty())
    c.trace_dir = *b, c.trace_dir_is_bazel_outputs = true;
  else
    c.trace_dir = default_trace_dir();

  c.shard = read_shard(getenv);
  if (const auto v = getenv("TEST_SHARD_STATUS_FILE")) c.shard_status_file = *v;
  if (const auto v = getenv("TEST_TARGET")) c.bazel_target = *v;
  return c;
}

std::optional<std::string> process_getenv(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return std::nullopt;
  return std::string(v);
}

TestConfig read_test_config() { return read_test_config(process_getenv); }

}  // namespace lockstep
