#include "faults/fault_plan.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "faults/fault_plan.pb.h"
#include "faults/plan_text.h"
#include "faults/world_plan.h"
#include "loop/errors.h"
#include "sim/random.h"
#include "sim/sim_decisions.h"
#include "sim/strategy.h"

namespace lockstep {

using internal::from_ms;
using internal::number;
using internal::quoted;
using internal::to_ms;

namespace {

// --- the error registry ----------------------------------------------------------------

struct Registry {
  std::mutex mutex;
  std::map<std::string, FaultErrorFactory> factories;
  Registry() {
    auto add = [this](const char* name, FaultErrorFactory f) { factories[name] = std::move(f); };
    add("std::runtime_error",
        [](const std::string& m) { return std::make_exception_ptr(std::runtime_error(m)); });
    add("std::logic_error",
        [](const std::string& m) { return std::make_exception_ptr(std::logic_error(m)); });
    add("std::invalid_argument",
        [](const std::string& m) { return std::make_exception_ptr(std::invalid_argument(m)); });
    add("std::out_of_range",
        [](const std::string& m) { return std::make_exception_ptr(std::out_of_range(m)); });
    add("lockstep::TimeoutError",
        [](const std::string& m) { return std::make_exception_ptr(TimeoutError(m)); });
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

FaultErrorFactory find_error(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.factories.find(name);
  return it == r.factories.end() ? FaultErrorFactory() : it->second;
}

// --- text -------------------------------------------------------------------------------

// Collects the parser's complaints as "origin:line:column: message" lines.
class Collector : public google::protobuf::io::ErrorCollector {
 public:
  explicit Collector(const std::string& origin) : origin_(origin) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    errors_ += origin_ + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " +
               message + "\n";
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
    AddError(line, column, message);
  }
  const std::string& errors() const { return errors_; }

 private:
  std::string origin_;
  std::string errors_;
};

// --- the injector -------------------------------------------------------------------------

// FNV-1a of a plan entry's name: its decision site, the same in every run.
std::uint64_t site_of_name(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

class PlanInjector final : public FaultInjector {
 public:
  explicit PlanInjector(FaultPlan plan) : plan_(std::move(plan)), text_(to_text(plan_)) {
    for (std::size_t i = 0; i < plan_.awaits.size(); ++i) {
      const AwaitFault& f = plan_.awaits[i];
      Entry e;
      e.name = "plan await #" + std::to_string(i) + " (tasks " + f.tasks + ", awaiting " +
               f.awaiting + ")";
      e.site = site_of_name(e.name);
      e.make = find_error(f.error);
      awaits_.push_back(std::move(e));
    }
    for (std::size_t i = 0; i < plan_.delays.size(); ++i) {
      const DelayFault& f = plan_.delays[i];
      Entry e;
      e.name = "plan delay #" + std::to_string(i) + " (" +
               (f.target == DelayFault::Target::kTimers ? "timers" : "jobs") + ")";
      e.site = site_of_name(e.name);
      // Heavy tail: each doubling of the delay happens with probability 2^-alpha, so
      // P(delay >= scale * 2^k) = 2^(-alpha k): Pareto-like with index alpha, in integer
      // draws (a threshold computed once), the same on every platform.
      e.doubling_threshold =
          static_cast<std::uint64_t>(std::exp2(-std::max(f.alpha, 0.01)) * 4294967296.0);
      delays_.push_back(std::move(e));
    }
    for (std::size_t i = 0; i < plan_.jobs.size(); ++i) {
      Entry e;
      e.name = "plan job #" + std::to_string(i);
      e.site = site_of_name(e.name);
      e.make = find_error(plan_.jobs[i].error);
      jobs_.push_back(std::move(e));
    }
  }

  std::exception_ptr at_await(SimDecisions& sim, const AwaitInfo& await) override {
    // Described only if some entry's task pattern matches. A pattern matches what is
    // awaited ("Queue.get()") or that and where ("Queue.get() at *worker.cc:42").
    std::string awaited, awaited_at;
    for (std::size_t i = 0; i < awaits_.size(); ++i) {
      const AwaitFault& f = plan_.awaits[i];
      if (!glob_match(f.tasks, await.task_name())) continue;
      if (awaited.empty()) {
        awaited = await.awaited_what();
        awaited_at = awaited + await.site().at_suffix();
      }
      if (!glob_match(f.awaiting, awaited) && !glob_match(f.awaiting, awaited_at)) continue;
      Entry& e = awaits_[i];
      sim.name_site(e.site, e.name);
      if (sim.choose_chance(DecisionKind::kFault, e.site, f.probability)) {
        ++sim.faults_fired()[e.name];
        return e.make(f.message);
      }
    }
    return nullptr;
  }

  Duration timer_delay(SimDecisions& sim) override {
    return delay(sim, DelayFault::Target::kTimers);
  }
  Duration job_delay(SimDecisions& sim, std::uint64_t) override {
    return delay(sim, DelayFault::Target::kJobs);
  }
  std::exception_ptr job_error(SimDecisions& sim, std::uint64_t) override {
    for (std::size_t i = 0; i < jobs_.size(); ++i) {
      Entry& e = jobs_[i];
      sim.name_site(e.site, e.name);
      if (sim.choose_chance(DecisionKind::kFault, e.site, plan_.jobs[i].probability)) {
        ++sim.faults_fired()[e.name];
        return e.make(plan_.jobs[i].message);
      }
    }
    return nullptr;
  }
  bool acts_at_awaits() const override { return !awaits_.empty(); }
  bool acts_on_jobs() const override { return !jobs_.empty(); }
  std::string text() const override { return text_; }
  const WorldPlan* world_plan() const noexcept override {
    return plan_.world ? &*plan_.world : nullptr;
  }

 private:
  struct Entry {
    std::string name;
    std::uint64_t site = 0;
    FaultErrorFactory make;
    std::uint64_t doubling_threshold = 0;
  };

  Duration delay(SimDecisions& sim, DelayFault::Target target) {
    Duration total{};
    for (std::size_t i = 0; i < delays_.size(); ++i) {
      const DelayFault& f = plan_.delays[i];
      if (f.target != target) continue;
      Entry& e = delays_[i];
      sim.name_site(e.site, e.name);
      if (!sim.choose_chance(DecisionKind::kFault, e.site, f.probability)) continue;
      ++sim.faults_fired()[e.name];
      const auto scale = static_cast<std::uint64_t>(std::max<Duration::rep>(f.scale.count(), 1));
      const auto max = static_cast<std::uint64_t>(std::max(f.max, f.scale).count());
      const std::uint64_t threshold = e.doubling_threshold;
      const std::uint64_t ns =
          sim.choose_drawn(DecisionKind::kFault, e.site, max + 1, [&](SplitMix64& rng) {
            std::uint64_t low = scale;
            while (low < max / 2 && (rng.next() >> 32) < threshold) low *= 2;
            return std::min(max, low + rng.below(low));  // uniform in [low, 2 low)
          });
      total += Duration(static_cast<Duration::rep>(ns));
    }
    return total;
  }

  FaultPlan plan_;
  std::string text_;
  std::vector<Entry> awaits_;
  std::vector<Entry> delays_;
  std::vector<Entry> jobs_;
};

}  // namespace

void register_fault_error(std::string name, FaultErrorFactory make) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.factories[std::move(name)] = std::move(make);
}

bool is_fault_error(const std::string& name) { return static_cast<bool>(find_error(name)); }

void validate(const FaultPlan& plan, const std::string& origin) {
  std::string errors;
  auto check_probability = [&](const std::string& where, double p) {
    if (!(p >= 0.0 && p <= 1.0))
      errors += origin + ": " + where + ": probability " + number(p) + " is not in [0, 1]\n";
  };
  for (std::size_t i = 0; i < plan.awaits.size(); ++i) {
    const AwaitFault& f = plan.awaits[i];
    const std::string where = "await #" + std::to_string(i);
    check_probability(where, f.probability);
    if (f.tasks.empty() || f.awaiting.empty())
      errors += origin + ": " + where + ": empty pattern (\"*\" matches everything)\n";
    if (!is_fault_error(f.error))
      errors += origin + ": " + where + ": unknown error '" + f.error +
                "' (register it with lockstep::register_fault_error)\n";
  }
  for (std::size_t i = 0; i < plan.delays.size(); ++i) {
    const DelayFault& f = plan.delays[i];
    const std::string where = "delay #" + std::to_string(i);
    check_probability(where, f.probability);
    if (f.scale <= Duration::zero()) errors += origin + ": " + where + ": scale must be positive\n";
    if (f.max < f.scale) errors += origin + ": " + where + ": max is below scale\n";
    if (!(f.alpha > 0)) errors += origin + ": " + where + ": alpha must be positive\n";
  }
  for (std::size_t i = 0; i < plan.jobs.size(); ++i) {
    const JobFault& f = plan.jobs[i];
    const std::string where = "job #" + std::to_string(i);
    check_probability(where, f.probability);
    if (!is_fault_error(f.error))
      errors += origin + ": " + where + ": unknown error '" + f.error +
                "' (register it with lockstep::register_fault_error)\n";
  }
  if (plan.world) internal::validate_world_plan(*plan.world, origin, errors);
  if (!errors.empty()) {
    errors.pop_back();
    throw FaultPlanError(errors);
  }
}

FaultPlan parse_fault_plan(std::string_view text, const std::string& origin) {
  faults::FaultPlan proto;
  google::protobuf::TextFormat::Parser parser;
  Collector collector(origin);
  parser.RecordErrorsTo(&collector);
  if (!parser.ParseFromString(std::string(text), &proto)) {
    std::string e = collector.errors();
    if (e.empty()) e = origin + ": cannot be parsed as a fault plan\n";
    e.pop_back();
    throw FaultPlanError(e);
  }
  FaultPlan plan;
  for (const auto& a : proto.await()) {
    AwaitFault f;
    if (a.has_tasks()) f.tasks = a.tasks();
    if (a.has_awaiting()) f.awaiting = a.awaiting();
    if (a.has_probability()) f.probability = a.probability();
    if (a.has_error()) f.error = a.error();
    if (a.has_message()) f.message = a.message();
    plan.awaits.push_back(std::move(f));
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(proto.delay_size()); ++i) {
    const auto& d = proto.delay(static_cast<int>(i));
    DelayFault f;
    if (d.has_target()) {
      if (d.target() == "timers")
        f.target = DelayFault::Target::kTimers;
      else if (d.target() == "jobs")
        f.target = DelayFault::Target::kJobs;
      else
        throw FaultPlanError(origin + ": delay #" + std::to_string(i) + ": unknown target '" +
                             d.target() + "' (\"timers\" or \"jobs\")");
    }
    if (d.has_probability()) f.probability = d.probability();
    if (d.has_scale_ms()) f.scale = from_ms(d.scale_ms());
    if (d.has_alpha()) f.alpha = d.alpha();
    if (d.has_max_ms()) f.max = from_ms(d.max_ms());
    plan.delays.push_back(f);
  }
  for (const auto& j : proto.job()) {
    JobFault f;
    if (j.has_probability()) f.probability = j.probability();
    if (j.has_error()) f.error = j.error();
    if (j.has_message()) f.message = j.message();
    plan.jobs.push_back(std::move(f));
  }
  if (proto.has_world()) plan.world = internal::world_plan_from_proto(proto.world(), origin);
  validate(plan, origin);
  return plan;
}

FaultPlan load_fault_plan(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw FaultPlanError(path + ": cannot open the fault plan");
  std::stringstream s;
  s << in.rdbuf();
  return parse_fault_plan(s.str(), path);
}

std::string to_text(const FaultPlan& plan) {
  std::string out;
  for (const AwaitFault& f : plan.awaits)
    out += "await { tasks: " + quoted(f.tasks) + " awaiting: " + quoted(f.awaiting) +
           " probability: " + number(f.probability) + " error: " + quoted(f.error) +
           " message: " + quoted(f.message) + " }\n";
  for (const DelayFault& f : plan.delays)
    out += std::string("delay { target: ") +
           (f.target == DelayFault::Target::kTimers ? "\"timers\"" : "\"jobs\"") +
           " probability: " + number(f.probability) + " scale_ms: " + number(to_ms(f.scale)) +
           " alpha: " + number(f.alpha) + " max_ms: " + number(to_ms(f.max)) + " }\n";
  for (const JobFault& f : plan.jobs)
    out += "job { probability: " + number(f.probability) + " error: " + quoted(f.error) +
           " message: " + quoted(f.message) + " }\n";
  if (plan.world) out += internal::world_plan_text(*plan.world);
  return out;
}

std::shared_ptr<FaultInjector> make_injector(FaultPlan plan) {
  validate(plan);
  return std::make_shared<PlanInjector>(std::move(plan));
}

}  // namespace lockstep
