#include "examples/kv/storage.h"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <stdexcept>

namespace kv {

using lockstep::Coro;
using lockstep::OpenFlags;

namespace {

// The fields of `line`, split at single spaces.
std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i)
    if (i == line.size() || line[i] == ' ') {
      out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool is_word(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c == ' ' || c == '\n') return false;
  return true;
}

}  // namespace

std::string Entry::encode() const {
  return std::to_string(term) + " " + std::to_string(client) + " " + std::to_string(seq) + " " +
         op + " " + key + " " + std::to_string(value) + "\n";
}

std::optional<Entry> Entry::decode(std::string_view line) {
  const auto f = fields(line);
  if (f.size() != 6) return std::nullopt;
  Entry e;
  if (!parse_number(f[0], e.term) || !parse_number(f[1], e.client) || !parse_number(f[2], e.seq) ||
      !parse_number(f[5], e.value))
    return std::nullopt;
  if (f[3] != "put" && f[3] != "get" && f[3] != "noop") return std::nullopt;
  if (!is_word(f[4])) return std::nullopt;
  e.op = std::string(f[3]);
  e.key = std::string(f[4]);
  return e;
}

Coro<void> Storage::open() {
  lockstep::FileSystem& fs = lockstep::file_system();
  if (co_await fs.exists("meta")) {
    lockstep::File meta = co_await fs.open("meta", "r");
    const std::string text = co_await meta.read_all();
    co_await meta.close();
    const auto f = fields(std::string_view(text).substr(0, text.find('\n')));
    // A meta file is whole or absent (it is renamed into place): anything else is a
    // corrupt disk, which the node must not paper over.
    if (f.size() != 2 || !parse_number(f[0], term_))
      throw std::runtime_error("kv: the meta file is corrupt: '" + text + "'");
    voted_for_ = f[1] == "-" ? "" : std::string(f[1]);
  }
  wal_ = co_await fs.open("wal", OpenFlags::kRead | OpenFlags::kAppend | OpenFlags::kCreate);
  co_await fs.fsync_dir(".");  // the wal's name is durable before anything is appended
  const std::string text = co_await wal_.read_all();
  std::uint64_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    if (end == std::string::npos) break;  // a torn last line
    const std::optional<Entry> e = Entry::decode(std::string_view(text).substr(at, end - at));
    if (!e) {
      // Only the last line can be half-written (a crash in an append); a bad line with
      // whole lines after it is a corrupt disk, which must not be papered over.
      if (text.find('\n', end + 1) != std::string::npos)
        throw std::runtime_error("kv: the wal is corrupt at byte " + std::to_string(at));
      break;
    }
    offsets_.push_back(at);
    log_.push_back(*e);
    at = end + 1;
  }
  wal_size_ = at;
  durable_ = log_.size();
  if (at < text.size()) {  // cut the tail off, durably, before appending after it
    co_await wal_.truncate(at);
    co_await wal_.fsync();
  }
}

Coro<void> Storage::save_term(std::uint64_t term, std::string voted_for) {
  const bool vote_changed = term == term_ && voted_for != voted_for_;
  term_ = term;
  voted_for_ = std::move(voted_for);
  // The planted bug: a vote alone (same term) is only remembered, never written.
  if (bugs_.vote_not_persisted && vote_changed) co_return;
  lockstep::FileSystem& fs = lockstep::file_system();
  lockstep::File tmp = co_await fs.open("meta.tmp", "w");
  // Named, not built inside co_await: g++ 12 destroys a ?: temporary there twice.
  const std::string vote = voted_for_.empty() ? std::string("-") : voted_for_;
  std::string text = std::to_string(term_) + " " + vote + "\n";
  co_await tmp.write(0, std::move(text));
  co_await tmp.fsync();
  co_await tmp.close();
  co_await fs.rename("meta.tmp", "meta");
  co_await fs.fsync_dir(".");
}

Coro<void> Storage::append(std::vector<Entry> entries) {
  if (entries.empty()) co_return;
  std::string bytes;
  for (Entry& e : entries) {
    offsets_.push_back(wal_size_ + bytes.size());
    bytes += e.encode();
    log_.push_back(std::move(e));
  }
  wal_size_ += bytes.size();
  const std::uint64_t last = log_.size();
  if (bugs_.ack_before_fsync) durable_ = last;  // the planted bug: "durable" before it is
  co_await wal_.append(std::move(bytes));
  if (!bugs_.ack_before_fsync) co_await wal_.fsync();
  durable_ = std::max(durable_, last);  // callers serialize: nothing was truncated meanwhile
}

Coro<void> Storage::truncate_from(std::uint64_t from) {
  if (from == 0 || from > log_.size()) co_return;
  wal_size_ = offsets_[from - 1];
  durable_ = std::min<std::uint64_t>(durable_, from - 1);
  log_.resize(from - 1);
  offsets_.resize(from - 1);
  co_await wal_.truncate(wal_size_);
  co_await wal_.fsync();
}

}  // namespace kv
