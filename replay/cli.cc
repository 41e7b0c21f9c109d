#include "replay/cli.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "replay/chrome_export.h"
#include "replay/progress.h"
#include "replay/timeline.h"
#include "replay/trace_file.h"

namespace lockstep::cli {

namespace {

constexpr const char* kUsage =
    "usage: lockstep <command> [options]\n"
    "\n"
    "commands:\n"
    "  show [--salvage] TRACE         print the run as a timeline: number (d12, e40, l3, for\n"
    "                                 replay --break-at), time, task, event\n"
    "                                 (--salvage: read around damaged records, say what\n"
    "                                 was skipped; also for stats and export)\n"
    "  stats [--salvage] TRACE        decisions by kind and by task, virtual duration, size\n"
    "  diff A B                       the first decision where traces A and B differ\n"
    "  export --format=chrome TRACE   Chrome trace-event JSON on stdout; open it in\n"
    "                                 ui.perfetto.dev or chrome://tracing\n"
    "  replay TRACE [--break-at=M]    run the traced program again (binaries that register\n"
    "                                 their programs: lockstep::Programs); --break-at stops\n"
    "                                 in a debugger at moment M of `show`'s first column\n"
    "                                 (d12, e40, l3; see docs/debugging.md)\n"
    "  shrink TRACE [--out=F] [--max-runs=N] [--max-seconds=S]\n"
    "                                 the smallest run that fails the same way, written to\n"
    "                                 F (default TRACE with .shrunk.trace), with a summary\n"
    "  help                           this text\n"
    "\n"
    "exit codes: 0 ok (diff: no difference), 1 diff found a difference (replay: diverged;\n"
    "shrink: the trace does not fail), 2 bad usage, 3 a trace could not be read (damage:\n"
    "'corrupt block at offset N'), 4 --salvage skipped damaged bytes\n";

constexpr int kOk = 0, kDifferent = 1, kUsageError = 2, kTraceFailure = 3, kSalvaged = 4;

std::string seconds(TimePoint t) { return format_seconds(t); }

std::string header_text(const Trace& t) {
  std::ostringstream s;
  s << "trace: program '" << t.info.program << "', seed " << t.info.seed << ", strategy "
    << to_string(t.info.strategy.kind) << ", format " << t.format_version << " (lockstep "
    << t.lockstep_version << ")\n";
  for (const auto& [k, v] : t.info.labels) s << "  label " << k << " = " << v << "\n";
  // The fault plan the run had (faults/fault_plan.proto text), a line per entry.
  std::istringstream plan(t.info.fault_plan);
  for (std::string line; std::getline(plan, line);)
    if (!line.empty()) s << "  fault plan: " << line << "\n";
  return s.str();
}

std::string end_text(const Trace& t) {
  if (!t.end) return "the trace is truncated: " + t.truncation + "\n";
  std::ostringstream s;
  s << seconds(t.end->end_time)
    << "  end: " << (t.end->ok ? "main returned" : "main raised " + t.end->error) << " after "
    << t.end->steps << " steps and " << t.end->decisions << " decisions\n";
  return s.str();
}

// What a salvaging read skipped, and what that means for the rest (empty if nothing).
std::string gaps_text(const Trace& t) {
  if (t.gaps.empty()) return "";
  std::ostringstream s;
  for (const TraceGap& g : t.gaps)
    s << "salvaged: skipped " << g.end - g.offset << " bytes at offset " << g.offset << "-"
      << g.end - 1 << " (" << g.why << "), after decision #" << g.after_decisions << "\n";
  s << "salvaged: decisions after decision #" << t.gaps.front().after_decisions
    << " cannot be trusted for replay (the skipped ones are missing), and times after a gap "
       "lack the skipped records' time deltas\n";
  return s.str();
}

int show(const Trace& t, std::ostream& out) {
  out << header_text(t) << gaps_text(t);
  // The first column names the moment for LOCKSTEP_BREAK_AT and --break-at: d12, e40, l3.
  const std::vector<TimelineEntry> lines = timeline(t);
  std::size_t width = 0;
  for (const TimelineEntry& e : lines) width = std::max(width, timeline_tag(e).size());
  for (const TimelineEntry& e : lines) {
    const std::string tag = timeline_tag(e);
    out << tag << std::string(width - tag.size(), ' ') << "  " << seconds(e.time) << "  " << e.who
        << "  " << e.what << "\n";
  }
  out << end_text(t);
  return kOk;
}

int stats(const Trace& t, const std::string& path, std::ostream& out) {
  out << header_text(t) << gaps_text(t);
  std::map<std::string, std::pair<std::size_t, std::size_t>> by_kind;  // total, non-default
  std::map<std::uint64_t, std::size_t> by_task;
  for (const Decision& d : t.decisions) {
    auto& k = by_kind[to_string(d.kind)];
    ++k.first;
    if (d.value != 0) ++k.second;
    ++by_task[d.task];
  }
  out << "decisions: " << t.decisions.size() << "\n";
  for (const auto& [kind, n] : by_kind)
    out << "  " << kind << ": " << n.first << " (" << n.second << " not the asyncio default)\n";
  out << "decisions by task:\n";
  const auto names = task_names(t);
  for (const auto& [task, n] : by_task) out << "  " << task_label(task, names) << ": " << n << "\n";
  out << "log lines: " << t.logs.size() << "\n";
  if (!t.events.empty()) {
    std::map<std::string, std::size_t> events_by_kind;
    for (const TraceEvent& e : t.events) ++events_by_kind[to_string(e.kind)];
    out << "events: " << t.events.size() << "\n";
    for (const auto& [kind, n] : events_by_kind) out << "  " << kind << ": " << n << "\n";
  }
  if (t.end)
    out << "virtual duration: " << seconds(t.end->end_time) << ", steps: " << t.end->steps << "\n";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f) {
    std::fseek(f, 0, SEEK_END);
    const long size = std::ftell(f);
    std::fclose(f);
    out << "size: " << size << " bytes";
    if (!t.decisions.empty())
      out << ", " << static_cast<double>(size) / static_cast<double>(t.decisions.size())
          << " bytes per decision";
    out << "\n";
  }
  out << end_text(t);
  return kOk;
}

int diff(const Trace& a, const Trace& b, std::ostream& out) {
  int status = kOk;
  if (a.info.program != b.info.program) {
    out << "programs differ: '" << a.info.program << "' vs '" << b.info.program << "'\n";
    status = kDifferent;
  }
  if (a.info.seed != b.info.seed || a.info.strategy.kind != b.info.strategy.kind)
    out << "note: seeds/strategies differ: " << a.info.seed << "/"
        << to_string(a.info.strategy.kind) << " vs " << b.info.seed << "/"
        << to_string(b.info.strategy.kind) << "\n";
  const std::size_t n = std::min(a.decisions.size(), b.decisions.size());
  std::size_t i = 0;
  while (i < n && a.decisions[i] == b.decisions[i]) ++i;
  if (i == n && a.decisions.size() == b.decisions.size()) {
    const bool same_end = (a.end && b.end && a.end->ok == b.end->ok &&
                           a.end->error == b.end->error && a.end->end_time == b.end->end_time) ||
                          (!a.end && !b.end);
    if (same_end && status == kOk) {
      out << "the traces agree: " << n << " decisions, the same end\n";
      return kOk;
    }
    out << "the decisions agree (" << n << "), the ends differ:\n  A: " << end_text(a)
        << "  B: " << end_text(b);
    return kDifferent;
  }
  out << "first difference at decision #" << i << ":\n";
  // The common past, as A recorded it: the last few decisions, log lines and events.
  for (const std::string& line : context_before(a, i, 8)) out << "  same  " << line << "\n";
  auto side = [&out](const char* name, const Trace& t, std::size_t k) {
    out << "  " << name << "     ";
    if (k < t.decisions.size())
      out << seconds(t.decisions[k].time) << "  " << task_label(t.decisions[k].task, task_names(t))
          << "  decision #" << k << " " << decision_text(t.decisions[k], t.site_names) << "\n";
    else
      out << "(no more decisions)\n";
  };
  side("A", a, i);
  side("B", b, i);
  return kDifferent;
}

// `lockstep replay TRACE` / `lockstep shrink TRACE ...`: runs the program the trace names.
int run_program(const std::string& command, const std::string& path,
                const std::map<std::string, std::string>& options, std::ostream& out,
                std::ostream& err, const Programs* programs, bool terminal) {
  if (!programs || programs->names().empty()) {
    err << "lockstep " << command
        << ": this binary runs no programs, it only reads traces. Run it from a binary that "
           "registers the program (lockstep::Programs, lockstep::cli::main; see replay/cli.h)\n";
    return kUsageError;
  }
  // Only the header is needed here (the program runs from its own read of the file).
  const Trace header = read_trace(path, TraceParts::kDecisionsOnly);
  const Programs::Entry* entry = programs->find(header.info.program);
  if (!entry) {
    err << "lockstep " << command << ": " << path << " is a trace of '"
        << printable(header.info.program) << "', which this binary does not register (it has:";
    for (const std::string& name : programs->names()) err << " '" << name << "'";
    err << ")\n";
    return kUsageError;
  }
  if (command == "replay") {
    std::optional<BreakAt> break_at;
    if (const auto it = options.find("break-at"); it != options.end()) {
      try {
        break_at = BreakAt::parse(it->second);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("--break-at=") + e.what());
      }
      // Out of range: say what the trace has, before running anything.
      const Trace t = read_trace(path);
      const std::size_t have = break_at->kind == BreakAt::Kind::kDecision ? t.decisions.size()
                               : break_at->kind == BreakAt::Kind::kEvent  ? t.events.size()
                                                                          : t.logs.size();
      if (break_at->index >= have) {
        const char* what = break_at->kind == BreakAt::Kind::kDecision ? "decisions"
                           : break_at->kind == BreakAt::Kind::kEvent  ? "events"
                                                                      : "log lines";
        const std::string first = break_at->to_string().substr(0, 1);
        throw std::invalid_argument(
            "--break-at=" + it->second + ": the trace has " + std::to_string(have) + " " + what +
            (have ? " (" + first + "0-" + first + std::to_string(have - 1) + ")" : std::string()));
      }
    }
    const Programs::ReplayReport r = entry->replay(path, break_at);
    if (!r.divergence.empty()) {
      out << r.divergence;
      return kDifferent;
    }
    out << "replayed " << path << ": " << (r.ok ? "ok" : "FAILED: " + r.outcome) << "\n";
    return kOk;
  }
  ShrinkOptions budget;
  auto number = [&](const char* key, double fallback) -> double {
    auto it = options.find(key);
    if (it == options.end()) return fallback;
    try {
      std::size_t used = 0;
      const double v = std::stod(it->second, &used);
      if (used == it->second.size() && v > 0) return v;
    } catch (...) {
    }
    throw std::invalid_argument(std::string("--") + key + " wants a positive number, got '" +
                                it->second + "'");
  };
  budget.max_runs = static_cast<std::uint64_t>(number("max-runs", 2000));
  budget.max_time = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(number("max-seconds", 120)));
  std::string target = options.count("out") ? options.at("out") : path;
  if (!options.count("out")) {
    const std::string suffix = ".trace";
    if (target.size() > suffix.size() &&
        target.compare(target.size() - suffix.size(), suffix.size(), suffix) == 0)
      target.resize(target.size() - suffix.size());
    target += ".shrunk.trace";
  }
  ProgressLine progress(err, terminal, std::chrono::seconds(2), std::chrono::seconds(2));
  budget.on_progress = [&](const ShrinkProgress& p) {
    if (!progress.due()) return;
    progress.update("shrinking: " + std::to_string(p.runs) + " runs, " +
                    std::to_string(p.non_default) + " non-default decisions (from " +
                    std::to_string(p.original_non_default) + "), " + std::to_string(p.accepted) +
                    " kept");
  };
  const Programs::ShrinkReport r = entry->shrink(path, target, budget);
  progress.finish();
  out << r.summary;
  if (!r.failed) return kDifferent;
  out << "(" << r.runs << " runs" << (r.budget_exhausted ? ", budget exhausted" : "") << ")\nwrote "
      << target << "\n";
  return kOk;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const Programs* programs, bool terminal) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? kUsageError : kOk;
  }
  const std::string& command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  std::map<std::string, std::string> options;  // --key=value
  std::vector<std::string> files;
  bool salvage = false;
  // "--break-at N" is "--break-at=N".
  for (std::size_t i = 0; i + 1 < rest.size(); ++i)
    if (command == "replay" && rest[i] == "--break-at") {
      rest[i] += "=" + rest[i + 1];
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    }
  for (const std::string& a : rest) {
    if (a == "--help" || a == "-h") {
      out << kUsage;
      return kOk;
    }
    if (a == "--salvage" && (command == "show" || command == "stats" || command == "export")) {
      salvage = true;
      continue;
    }
    if (a.rfind("--", 0) == 0) {
      const std::size_t eq = a.find('=');
      const std::string key = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const bool known =
          (command == "export" && key == "format") ||
          (command == "shrink" && (key == "out" || key == "max-runs" || key == "max-seconds")) ||
          (command == "replay" && key == "break-at");
      if (!known || eq == std::string::npos) {
        err << "lockstep " << command << ": unknown option " << a << "\n" << kUsage;
        return kUsageError;
      }
      options[key] = a.substr(eq + 1);
    } else {
      files.push_back(a);
    }
  }
  const std::size_t wanted = command == "diff" ? 2 : 1;
  if (command != "show" && command != "stats" && command != "diff" && command != "export" &&
      command != "replay" && command != "shrink") {
    err << "lockstep: unknown command '" << command << "'\n" << kUsage;
    return kUsageError;
  }
  if (files.size() != wanted) {
    err << "lockstep " << command << ": expected " << wanted << " trace file"
        << (wanted == 1 ? "" : "s") << ", got " << files.size() << "\n"
        << kUsage;
    return kUsageError;
  }
  if (command == "export" && options["format"] != "chrome") {
    err << "lockstep export: --format=chrome is the one format (got '" << options["format"]
        << "')\n";
    return kUsageError;
  }
  try {
    if (command == "diff") return diff(read_trace(files[0]), read_trace(files[1]), out);
    if (command == "replay" || command == "shrink")
      return run_program(command, files[0], options, out, err, programs, terminal);
    Trace t = read_trace(files[0], {.salvage = salvage});
    // A salvaged read is not a clean one: say so in the exit status too.
    const int status = t.gaps.empty() ? kOk : kSalvaged;
    if (command == "show") {
      show(t, out);
      return status;
    }
    if (command == "stats") {
      stats(t, files[0], out);
      return status;
    }
    export_chrome(t, out);
    err << gaps_text(t);
    return status;
  } catch (const TraceCorruptError& e) {
    err << "lockstep " << command << ": " << e.what();
    if (command == "show" || command == "stats" || command == "export")
      err << "; --salvage reads what is intact around it";
    err << "\n";
    return kTraceFailure;
  } catch (const TraceError& e) {
    err << "lockstep " << command << ": " << e.what() << "\n";
    return kTraceFailure;
  } catch (const std::invalid_argument& e) {
    err << "lockstep " << command << ": " << e.what() << "\n";
    return kUsageError;
  }
}

int main(int argc, char** argv, const Programs* programs) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // Under `bazel run` the working directory is the runfiles tree: resolve relative paths
  // (trace files, --out=) against the directory the user ran it from.
  if (const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY")) {
    for (std::size_t i = 1; i < args.size(); ++i) {
      std::string& a = args[i];
      if (args[i - 1] == "--break-at") continue;  // its value, not a path
      if (a.rfind("--out=", 0) == 0 && a.size() > 6 && a[6] != '/')
        a = "--out=" + std::string(cwd) + "/" + a.substr(6);
      else if (!a.empty() && a[0] != '/' && a[0] != '-')
        a = std::string(cwd) + "/" + a;
    }
  }
  return run(args, std::cout, std::cerr, programs, isatty(2) != 0);
}

}  // namespace lockstep::cli
