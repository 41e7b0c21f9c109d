#include "sim/world/partitions.h"

#include <string_view>

namespace lockstep {

namespace {

constexpr std::string_view kPrefix = "partition of ";
constexpr std::string_view kOneWay = " (one-way too)";

std::string join(const std::vector<std::string>& names) {
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + names[i];
  return out + "}";
}

// Subsets of size k of [0, n), in lexicographic order, each as a bit mask.
void subsets(std::size_t n, std::size_t k, std::size_t from, std::uint64_t mask,
             std::vector<std::uint64_t>& out) {
  if (k == 0) {
    out.push_back(mask);
    return;
  }
  for (std::size_t i = from; i + k <= n; ++i) subsets(n, k - 1, i + 1, mask | (1ull << i), out);
}

}  // namespace

std::vector<PartitionShape> partition_shapes(const std::vector<std::string>& nodes, bool one_way) {
  std::vector<PartitionShape> symmetric;
  const std::size_t n = nodes.size() < 63 ? nodes.size() : 63;
  for (std::size_t k = 1; k <= n / 2; ++k) {
    std::vector<std::uint64_t> masks;
    subsets(n, k, 0, 0, masks);
    for (std::uint64_t m : masks) {
      // An even split lists each cut twice ({a,b}|{c,d} and {c,d}|{a,b}): keep the one
      // with the first node on the minority side.
      if (2 * k == n && !(m & 1)) continue;
      PartitionShape s;
      for (std::size_t i = 0; i < n; ++i) ((m >> i) & 1 ? s.a : s.b).push_back(nodes[i]);
      symmetric.push_back(std::move(s));
    }
  }
  std::vector<PartitionShape> out = symmetric;
  if (one_way) {
    for (const PartitionShape& s : symmetric) {
      out.push_back({s.a, s.b, true});
      out.push_back({s.b, s.a, true});
    }
  }
  return out;
}

std::string describe(const PartitionShape& shape) {
  return join(shape.a) + (shape.one_way ? " -> " : " | ") + join(shape.b);
}

std::string partition_site_name(const std::vector<std::string>& nodes, bool one_way) {
  std::string out(kPrefix);
  for (std::size_t i = 0; i < nodes.size(); ++i) out += (i ? "," : "") + nodes[i];
  if (one_way) out += kOneWay;
  return out;
}

std::string describe_partition_choice(const std::string& site_name, std::uint64_t value) {
  if (value == 0 || site_name.rfind(kPrefix, 0) != 0) return "";
  std::string list = site_name.substr(kPrefix.size());
  bool one_way = false;
  if (list.size() >= kOneWay.size() &&
      list.compare(list.size() - kOneWay.size(), kOneWay.size(), kOneWay) == 0) {
    one_way = true;
    list.resize(list.size() - kOneWay.size());
  }
  std::vector<std::string> nodes;
  for (std::size_t at = 0; at <= list.size();) {
    const std::size_t comma = std::min(list.find(',', at), list.size());
    nodes.push_back(list.substr(at, comma - at));
    at = comma + 1;
  }
  const std::vector<PartitionShape> shapes = partition_shapes(nodes, one_way);
  return value <= shapes.size() ? describe(shapes[value - 1]) : "";
}

}  // namespace lockstep
