#include "modules/files/changeset.hpp"

#include <algorithm>
#include <optional>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace collabdev::files {

namespace bj = boost::json;

namespace {

// A document or a length past this is refused outright: far beyond any file limit, and small
// enough that sums of lengths never overflow.
constexpr std::int64_t max_length = std::int64_t{1} << 40;

[[noreturn]] void error(ChangeErrorCode code, const std::string& detail) { throw ChangeError(code, detail); }

struct CodePoint {
  char32_t value = 0;
  int bytes = 0;
};

// The code point at byte `at` of `s`; empty when the bytes there are not UTF-8 (overlong forms,
// surrogates and values past U+10FFFF included).
std::optional<CodePoint> decode(std::string_view s, std::size_t at) {
  const auto b0 = static_cast<unsigned char>(s[at]);
  if (b0 < 0x80) {
    return CodePoint{b0, 1};
  }
  int n = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (at + n > s.size()) {
    return std::nullopt;
  }
  for (int i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(s[at + i]);
    if ((b & 0xC0) != 0x80) {
      return std::nullopt;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return std::nullopt;
  }
  return CodePoint{cp, n};
}

// The byte offset `units` UTF-16 units after byte `at` of `s`.
std::size_t advance(std::string_view s, std::size_t at, std::int64_t units) {
  while (units > 0) {
    if (at >= s.size()) {
      error(ChangeErrorCode::length_mismatch, "the changes reach past the end of the document");
    }
    if (static_cast<unsigned char>(s[at]) < 0x80) {
      ++at;
      --units;
      continue;
    }
    const auto cp = decode(s, at);
    if (!cp) {
      error(ChangeErrorCode::invalid_text, "the text is not valid UTF-8");
    }
    const int width = cp->value >= 0x10000 ? 2 : 1;
    if (width > units) {
      error(ChangeErrorCode::splits_surrogate, "a position falls inside a surrogate pair");
    }
    at += cp->bytes;
    units -= width;
  }
  return at;
}

std::string_view slice(std::string_view text, std::int64_t from, std::optional<std::int64_t> to) {
  const auto start = advance(text, 0, from);
  const auto end = to ? advance(text, start, *to - from) : text.size();
  return text.substr(start, end - start);
}

// Appends a section, merging it into the last one as @codemirror/state does, so that mapping and
// composing give sections of the same shape as the editor's (their tie-breaking depends on it).
void add_section(std::vector<Section>& out, std::int64_t len, std::int64_t ins, bool force_join = false) {
  if (len == 0 && ins <= 0) {
    return;
  }
  if (!out.empty()) {
    auto& last = out.back();
    if (ins <= 0 && ins == last.ins) {
      last.len += len;
      return;
    }
    if (len == 0 && last.len == 0) {
      last.ins += ins;
      return;
    }
    if (force_join) {
      last.len += len;
      last.ins += ins;
      return;
    }
  }
  out.push_back(Section{len, ins, {}});
}

void add_insert(std::vector<Section>& out, std::string_view text) {
  if (!text.empty() && !out.empty()) {
    out.back().text.append(text);
  }
}

// Walks the sections of a change, a part of a section at a time.
class SectionIter {
 public:
  explicit SectionIter(const std::vector<Section>& sections) : sections_(sections) { next(); }

  void next() {
    if (i_ < static_cast<std::int64_t>(sections_.size())) {
      const auto& s = sections_[static_cast<std::size_t>(i_)];
      len = s.len;
      ins = s.ins;
      text_ = &s.text;
      ++i_;
    } else {
      len = 0;
      ins = -2;
      text_ = &none_;
    }
    off = 0;
  }
  bool done() const { return ins == -2; }
  std::int64_t len2() const { return ins < 0 ? len : ins; }
  std::int64_t index() const { return i_; }  // identifies the current section
  const std::string& text() const { return *text_; }
  std::string_view text_bit(std::optional<std::int64_t> n = std::nullopt) const {
    if (text_->empty()) {
      return {};
    }
    return slice(*text_, off, n ? std::optional(off + *n) : std::nullopt);
  }
  void forward(std::int64_t n) {
    if (n == len) {
      next();
    } else {
      len -= n;
      off += n;
    }
  }
  void forward2(std::int64_t n) {
    if (ins == -1) {
      forward(n);
    } else if (n == ins) {
      next();
    } else {
      ins -= n;
      off += n;
    }
  }

  std::int64_t len = 0;
  std::int64_t ins = -2;
  std::int64_t off = 0;

 private:
  const std::vector<Section>& sections_;
  std::int64_t i_ = 0;
  const std::string* text_ = nullptr;
  std::string none_;
};

[[noreturn]] void mismatched() {
  error(ChangeErrorCode::length_mismatch, "the changes do not apply to the same document");
}

std::vector<Section> map_sections(const std::vector<Section>& sa, const std::vector<Section>& sb, bool before,
                                  bool with_text) {
  std::vector<Section> out;
  SectionIter a(sa);
  SectionIter b(sb);
  // The section of `a` whose insertion was already written (insertions are written once even
  // when `a`'s section is processed in pieces).
  std::int64_t inserted = -1;
  for (;;) {
    if ((a.done() && b.len != 0) || (b.done() && a.len != 0)) {
      mismatched();
    }
    if (a.ins == -1 && b.ins == -1) {
      const auto n = std::min(a.len, b.len);
      add_section(out, n, -1);
      a.forward(n);
      b.forward(n);
    } else if (b.ins >= 0 && (a.ins < 0 || inserted == a.index() ||
                              (a.off == 0 && (b.len < a.len || (b.len == a.len && !before))))) {
      // A change of `b` that comes first: what it inserted is kept, what of `a` it covers goes.
      auto n = b.len;
      add_section(out, b.ins, -1);
      while (n != 0) {
        const auto piece = std::min(a.len, n);
        if (a.ins >= 0 && inserted < a.index() && a.len <= piece) {
          add_section(out, 0, a.ins);
          if (with_text) {
            add_insert(out, a.text());
          }
          inserted = a.index();
        }
        a.forward(piece);
        n -= piece;
      }
      b.next();
    } else if (a.ins >= 0) {
      // A change of `a` up to the next change of `b` that is not a deletion inside it.
      std::int64_t n = 0;
      auto left = a.len;
      while (left != 0) {
        if (b.ins == -1) {
          const auto piece = std::min(left, b.len);
          n += piece;
          left -= piece;
          b.forward(piece);
        } else if (b.ins == 0 && b.len < left) {
          left -= b.len;
          b.next();
        } else {
          break;
        }
      }
      add_section(out, n, inserted < a.index() ? a.ins : 0);
      if (with_text && inserted < a.index()) {
        add_insert(out, a.text());
      }
      inserted = a.index();
      a.forward(a.len - left);
    } else if (a.done() && b.done()) {
      return out;
    } else {
      mismatched();
    }
  }
}

std::vector<Section> compose_sections(const std::vector<Section>& sa, const std::vector<Section>& sb) {
  std::vector<Section> out;
  SectionIter a(sa);
  SectionIter b(sb);
  for (bool open = false;;) {
    if (a.done() && b.done()) {
      return out;
    }
    if (a.ins == 0) {  // a deletion in `a`
      add_section(out, a.len, 0, open);
      a.next();
    } else if (b.len == 0 && !b.done()) {  // an insertion in `b`
      add_section(out, 0, b.ins, open);
      add_insert(out, b.text());
      b.next();
    } else if (a.done() || b.done()) {
      mismatched();
    } else {
      const auto n = std::min(a.len2(), b.len);
      const auto before = out.size();
      if (a.ins == -1) {
        const std::int64_t ins_b = b.ins == -1 ? -1 : b.off != 0 ? 0 : b.ins;
        add_section(out, n, ins_b, open);
        if (ins_b > 0) {
          add_insert(out, b.text());
        }
      } else if (b.ins == -1) {
        add_section(out, a.off != 0 ? 0 : a.len, n, open);
        add_insert(out, a.text_bit(n));
      } else {
        add_section(out, a.off != 0 ? 0 : a.len, b.off != 0 ? 0 : b.ins, open);
        if (b.off == 0) {
          add_insert(out, b.text());
        }
      }
      open = (a.ins > n || (b.ins >= 0 && b.len > n)) && (open || out.size() > before);
      a.forward2(n);
      b.forward(n);
    }
  }
}

std::int64_t length_of(const bj::value& v) {
  std::int64_t n = -1;
  if (v.is_int64()) {
    n = v.get_int64();
  } else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(max_length)) {
    n = static_cast<std::int64_t>(v.get_uint64());
  } else if (!v.is_uint64()) {
    error(ChangeErrorCode::malformed, "a length must be a non-negative integer");
  }
  if (n < 0) {
    error(ChangeErrorCode::malformed, "a length must be a non-negative integer");
  }
  if (n > max_length) {
    error(ChangeErrorCode::too_large, "a length is too large");
  }
  return n;
}

}  // namespace

std::string_view change_error_name(ChangeErrorCode code) {
  switch (code) {
    case ChangeErrorCode::malformed:
      return "malformed";
    case ChangeErrorCode::length_mismatch:
      return "length_mismatch";
    case ChangeErrorCode::splits_surrogate:
      return "splits_surrogate";
    case ChangeErrorCode::invalid_text:
      return "invalid_text";
    case ChangeErrorCode::line_break:
      return "line_break";
    case ChangeErrorCode::too_large:
      return "too_large";
  }
  return "malformed";
}

std::int64_t utf16_length(std::string_view utf8) {
  std::int64_t units = 0;
  std::size_t at = 0;
  while (at < utf8.size()) {
    if (static_cast<unsigned char>(utf8[at]) < 0x80) {
      ++at;
      ++units;
      continue;
    }
    const auto cp = decode(utf8, at);
    if (!cp) {
      error(ChangeErrorCode::invalid_text, "the text is not valid UTF-8");
    }
    at += cp->bytes;
    units += cp->value >= 0x10000 ? 2 : 1;
  }
  return units;
}

std::size_t utf8_offset(std::string_view utf8, std::int64_t pos) { return advance(utf8, 0, pos); }

ChangeSet ChangeSet::from_json(const bj::value& json) {
  if (!json.is_array()) {
    error(ChangeErrorCode::malformed, "changes must be an array");
  }
  ChangeSet set;
  std::int64_t total = 0;
  for (const auto& part : json.get_array()) {
    Section s;
    if (part.is_number()) {
      s.len = length_of(part);
    } else if (part.is_array() && !part.get_array().empty()) {
      const auto& items = part.get_array();
      s.len = length_of(items[0]);
      s.ins = 0;
      for (std::size_t i = 1; i < items.size(); ++i) {
        if (!items[i].is_string()) {
          error(ChangeErrorCode::malformed, "inserted lines must be strings");
        }
        const auto line = std::string_view(items[i].get_string());
        if (line.find_first_of("\r\n") != std::string_view::npos) {
          error(ChangeErrorCode::line_break, "an inserted line holds a line break");
        }
        if (i > 1) {
          s.text.push_back('\n');
        }
        s.text.append(line);
      }
      s.ins = utf16_length(s.text);
    } else {
      error(ChangeErrorCode::malformed, "a part must be a length or [length, ...lines]");
    }
    total += s.len;
    if (total > max_length || s.ins > max_length) {
      error(ChangeErrorCode::too_large, "the changes are too large");
    }
    // Empty parts change nothing; the editor never sends them.
    if (s.len != 0 || s.ins > 0) {
      set.sections_.push_back(std::move(s));
    }
  }
  return set;
}

ChangeSet ChangeSet::parse(std::string_view json_text) {
  bj::parse_options opts;
  opts.max_depth = 4;
  std::error_code ec;
  auto v = bj::parse(json_text, ec, {}, opts);
  if (ec) {
    error(ChangeErrorCode::malformed, "changes are not JSON");
  }
  return from_json(v);
}

ChangeSet ChangeSet::empty(std::int64_t length) {
  ChangeSet set;
  add_section(set.sections_, length, -1);
  return set;
}

ChangeSet ChangeSet::replace(std::int64_t length, std::int64_t from, std::int64_t to, std::string_view insert) {
  if (from < 0 || from > to || to > length) {
    error(ChangeErrorCode::length_mismatch, "the range is not inside the document");
  }
  ChangeSet set;
  add_section(set.sections_, from, -1);
  add_section(set.sections_, to - from, utf16_length(insert));
  add_insert(set.sections_, insert);
  add_section(set.sections_, length - to, -1);
  return set;
}

bj::array ChangeSet::to_json() const {
  bj::array parts;
  for (const auto& s : sections_) {
    if (s.ins < 0) {
      parts.emplace_back(s.len);
      continue;
    }
    bj::array part;
    part.emplace_back(s.len);
    if (s.ins > 0) {
      std::string_view rest = s.text;
      for (;;) {
        const auto nl = rest.find('\n');
        part.emplace_back(rest.substr(0, nl));
        if (nl == std::string_view::npos) {
          break;
        }
        rest.remove_prefix(nl + 1);
      }
    }
    parts.emplace_back(std::move(part));
  }
  return parts;
}

std::string ChangeSet::to_json_text() const { return bj::serialize(to_json()); }

std::int64_t ChangeSet::length() const {
  std::int64_t n = 0;
  for (const auto& s : sections_) {
    n += s.len;
  }
  return n;
}

std::int64_t ChangeSet::new_length() const {
  std::int64_t n = 0;
  for (const auto& s : sections_) {
    n += s.ins < 0 ? s.len : s.ins;
  }
  return n;
}

bool ChangeSet::is_empty() const {
  return std::all_of(sections_.begin(), sections_.end(), [](const Section& s) { return s.ins < 0; });
}

std::string ChangeSet::apply(std::string_view doc) const {
  std::string out;
  out.reserve(doc.size());
  std::size_t at = 0;
  for (const auto& s : sections_) {
    const auto end = advance(doc, at, s.len);
    if (s.ins < 0) {
      out.append(doc.substr(at, end - at));
    } else {
      out.append(s.text);
    }
    at = end;
  }
  if (at != doc.size()) {
    error(ChangeErrorCode::length_mismatch, "the changes end before the document does");
  }
  return out;
}

ChangeSet ChangeSet::map(const ChangeSet& other, bool before) const {
  if (other.is_empty() && other.length() == length()) {
    return *this;
  }
  ChangeSet set;
  set.sections_ = map_sections(sections_, other.sections_, before, true);
  return set;
}

ChangeSet ChangeSet::compose(const ChangeSet& other) const {
  if (is_empty() && length() == other.length()) {
    return other;
  }
  if (other.is_empty() && other.length() == new_length()) {
    return *this;
  }
  ChangeSet set;
  set.sections_ = compose_sections(sections_, other.sections_);
  return set;
}

ChangeSet ChangeSet::desc() const {
  ChangeSet set;
  for (const auto& s : sections_) {
    set.sections_.push_back(Section{s.len, s.ins, {}});
  }
  return set;
}

std::vector<ChangeSet> rebase(const std::vector<ChangeSet>& pushed, const std::vector<ChangeSet>& since) {
  return rebase(pushed, since, std::vector<bool>(since.size(), false));
}

std::vector<ChangeSet> rebase(const std::vector<ChangeSet>& pushed, const std::vector<ChangeSet>& since,
                              const std::vector<bool>& own) {
  // One accepted update at a time, as the editor receives them: mapping over a composition of
  // several updates can place an insertion differently than mapping over each in turn (a deletion
  // followed by an insertion where it was), so the two must not be mixed.
  auto out = pushed;
  std::size_t confirmed = 0;
  for (std::size_t i = 0; i < since.size(); ++i) {
    if (i < own.size() && own[i]) {
      // The pusher's own: confirms its next change (already applied), which nothing moves over.
      if (confirmed < out.size()) {
        ++confirmed;
      }
      continue;
    }
    auto over = since[i];
    for (auto change = out.begin() + static_cast<std::ptrdiff_t>(confirmed); change != out.end(); ++change) {
      auto moved = change->map(over);
      over = over.map(*change, true);
      *change = std::move(moved);
    }
  }
  out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(confirmed));
  return out;
}

}  // namespace collabdev::files
