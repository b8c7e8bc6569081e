#pragma once
// Changes to a text document in the form @codemirror/state's ChangeSet has, pure and without I/O:
// parsed from its JSON (`ChangeSet.toJSON()`), applied to UTF-8 text, mapped over concurrent
// changes and composed, with the same results as the editor computes, so that the server can
// rebase a push made on an older version exactly as the client would (`rebaseUpdates`).
//
// Positions and lengths count UTF-16 code units, as the browser does; the server's text is UTF-8.
// Line endings: the text holds "\n" only; an inserted line holding '\r' or '\n' is refused
// (docs/collaboration.md).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace collabdev::files {

enum class ChangeErrorCode {
  malformed,         // not the JSON form of a ChangeSet
  length_mismatch,   // the changes do not cover exactly the document (or the other changes)
  splits_surrogate,  // a position falls between the two halves of a surrogate pair
  invalid_text,      // the document or an inserted line is not valid UTF-8
  line_break,        // an inserted line holds '\r' or '\n' (lines are separate strings)
  too_large,         // a length beyond what a document may hold
};

// The stable name of a code, as the API reports it ("length_mismatch", ...).
std::string_view change_error_name(ChangeErrorCode code);

class ChangeError : public std::runtime_error {
 public:
  ChangeError(ChangeErrorCode code, const std::string& detail) : std::runtime_error(detail), code_(code) {}
  ChangeErrorCode code() const { return code_; }

 private:
  ChangeErrorCode code_;
};

// One section: `len` units of the old document kept (`ins` < 0) or replaced by `ins` units of
// `text` (UTF-8, lines joined by "\n"; `ins` == 0 is a deletion).
struct Section {
  std::int64_t len = 0;
  std::int64_t ins = -1;
  std::string text;
};

class ChangeSet {
 public:
  ChangeSet() = default;
  // Throws ChangeError (malformed, invalid_text, line_break, too_large).
  static ChangeSet from_json(const boost::json::value& json);
  static ChangeSet parse(std::string_view json_text);
  // The change that keeps a document of `length` units.
  static ChangeSet empty(std::int64_t length);
  // Replaces [from, to) of a document of `length` units by `insert` (UTF-8, "\n" line breaks).
  static ChangeSet replace(std::int64_t length, std::int64_t from, std::int64_t to, std::string_view insert);

  boost::json::array to_json() const;
  std::string to_json_text() const;

  std::int64_t length() const;      // of the document it applies to, in UTF-16 units
  std::int64_t new_length() const;  // of the document it produces
  bool is_empty() const;            // changes nothing
  const std::vector<Section>& sections() const { return sections_; }

  // The document after the change. Throws ChangeError: length_mismatch when the document is not
  // length() units long, splits_surrogate, invalid_text when `doc` is not UTF-8.
  std::string apply(std::string_view doc) const;
  // This change made on the same document as `other`, moved to apply after it
  // (ChangeSet.map: when `before`, this change's insertions at the same place come first).
  ChangeSet map(const ChangeSet& other, bool before = false) const;
  // This change followed by `other` (which applies to this one's result), as one change.
  ChangeSet compose(const ChangeSet& other) const;
  // Only the shape (lengths) of this change, with no inserted text (ChangeDesc).
  ChangeSet desc() const;

 private:
  friend struct SectionBuilder;
  std::vector<Section> sections_;
};

// Changes pushed on an older version, moved to apply after `since` (the changes accepted after
// that version, in order), exactly as @codemirror/collab's receiveUpdates moves an editor's own
// unconfirmed changes over the ones it receives when it is given them one update at a time: so
// the pusher, which does the same when it receives `since`, ends with the same document as
// everyone else. (Mapping over a composition of updates can differ from mapping over each in turn,
// so an editor must not hand receiveUpdates several foreign updates at once: docs/collaboration.md.)
std::vector<ChangeSet> rebase(const std::vector<ChangeSet>& pushed, const std::vector<ChangeSet>& since);
// The same, where `own[i]` says that since[i] came from the pusher itself (same client id): an
// earlier copy of this push that was accepted while the pusher was not listening (its connection
// dropped before the answer). As receiveUpdates does, each such update confirms the next pushed
// change, which is then not accepted again; the changes left are returned, moved as above.
std::vector<ChangeSet> rebase(const std::vector<ChangeSet>& pushed, const std::vector<ChangeSet>& since,
                              const std::vector<bool>& own);

// The length of UTF-8 text in UTF-16 code units; throws ChangeError(invalid_text).
std::int64_t utf16_length(std::string_view utf8);
// The byte offset in `utf8` of UTF-16 position `pos`; throws ChangeError (length_mismatch past
// the end, splits_surrogate, invalid_text).
std::size_t utf8_offset(std::string_view utf8, std::int64_t pos);

}  // namespace collabdev::files
