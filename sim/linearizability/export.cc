#include "sim/linearizability/export.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

namespace lockstep::lin {

namespace {

std::string edn_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The event's :value: the argument(s), or the result, wrapped in [key v] for a keyed op.
std::string edn_value(const Op& op, bool completion) {
  std::string v;
  if (completion && op.outcome == Outcome::kOk && op.result) {
    v = describe_value(*op.result);
  } else if (op.args.size() == 1) {
    v = std::to_string(op.args[0]);
  } else if (op.args.empty()) {
    v = "nil";
  } else {
    v = "[";
    for (std::size_t i = 0; i < op.args.size(); ++i)
      v += (i ? " " : "") + std::to_string(op.args[i]);
    v += "]";
  }
  if (op.key.empty()) return v;
  return "[" + edn_string(op.key) + " " + v + "]";
}

const char* type_name(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kFail:
      return "fail";
    case Outcome::kInfo:
      return "info";
  }
  return "info";
}

}  // namespace

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '<':
        out += "\\u003c";  // no "</script>" inside a page's script
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string to_edn(const History& history) {
  validate(history);
  std::int64_t end = 0;
  for (const Op& op : history)
    end = std::max({end, op.invoke, op.outcome == Outcome::kInfo ? 0 : op.ret});
  // (time, kind: 0 call, 1 return, 2 unknown at the end, id, completion?)
  std::vector<std::tuple<std::int64_t, int, int, const Op*>> events;
  for (const Op& op : history) {
    events.emplace_back(op.invoke, 0, op.id, &op);
    if (op.outcome == Outcome::kInfo) {
      events.emplace_back(end, 2, op.id, &op);
    } else {
      events.emplace_back(op.ret, 1, op.id, &op);
    }
  }
  std::sort(events.begin(), events.end());
  std::string out;
  std::size_t index = 0;
  for (const auto& [time, kind, id, op] : events) {
    const bool completion = kind != 0;
    out += "{:process " + std::to_string(op->client) +
           ", :type :" + (completion ? type_name(op->outcome) : "invoke") + ", :f :" + op->f +
           ", :value " + edn_value(*op, completion) + ", :time " + std::to_string(time) +
           ", :index " + std::to_string(index++) + "}\n";
  }
  return out;
}

std::string to_json(const History& history) {
  validate(history);
  std::vector<const Op*> ops;
  for (const Op& op : history) ops.push_back(&op);
  std::sort(ops.begin(), ops.end(), [](const Op* a, const Op* b) {
    return std::tie(a->invoke, a->id) < std::tie(b->invoke, b->id);
  });
  std::string out = "[";
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = *ops[i];
    out += i ? ",\n " : "";
    out += "{\"id\":" + std::to_string(op.id) + ",\"client\":" + std::to_string(op.client) +
           ",\"f\":" + json_string(op.f) + ",\"key\":" + json_string(op.key) + ",\"input\":[";
    for (std::size_t a = 0; a < op.args.size(); ++a)
      out += (a ? "," : "") + std::to_string(op.args[a]);
    out += "],\"call\":" + std::to_string(op.invoke) + ",\"return\":" +
           (op.outcome == Outcome::kInfo ? std::string("null") : std::to_string(op.ret)) +
           ",\"outcome\":\"" + type_name(op.outcome) + "\",\"output\":";
    if (op.result && *op.result) {
      out += std::to_string(**op.result);
    } else {
      out += "null";
    }
    if (op.result && !*op.result) out += ",\"nil\":true";
    out += "}";
  }
  return out + "]\n";
}

}  // namespace lockstep::lin
