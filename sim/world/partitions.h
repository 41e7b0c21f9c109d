// The partitions a simulated world may decide, enumerated the same way by the world that
// decides them and by the shrink summary that names them ("partition {n1} | {n2,n3}").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lockstep {

// A partition between two sides of the world's nodes. Symmetric: nothing crosses; one
// way: what `a` sends to `b` is lost, `b` to `a` passes.
struct PartitionShape {
  std::vector<std::string> a, b;
  bool one_way = false;
};

// Every way to cut `nodes` (in their order) into a minority side and the rest: each
// side of at most half, symmetric first, then (if `one_way`) each direction alone.
std::vector<PartitionShape> partition_shapes(const std::vector<std::string>& nodes, bool one_way);

// "{n1} | {n2,n3}" or "{n1} -> {n2,n3}" (one way: n1's messages to n2, n3 are lost).
std::string describe(const PartitionShape& shape);

// The decision site that picks a partition among partition_shapes(nodes, one_way):
// "partition of n1,n2,n3" (+ " (one-way too)"). Value v > 0 is shape v - 1.
std::string partition_site_name(const std::vector<std::string>& nodes, bool one_way);
// The shape a decision at a site so named stands for ("" if the name or value is not one).
std::string describe_partition_choice(const std::string& site_name, std::uint64_t value);

}  // namespace lockstep
