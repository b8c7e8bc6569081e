#pragma once
// The kinds of artifact a link may join, as a registry: each type says how to find its
// artifacts in a project (existence, title, creation time) and how to search them by text.
// Another feature adds its type with one `add` in main (e.g. CALL once calls are stored); the
// artifact_links CHECK constraints must allow the name too.
#include <string>
#include <string_view>
#include <vector>

#include "db/db.hpp"

namespace collabdev::links {

struct ArtifactType {
  std::string name;  // as the API and artifact_links spell it: TASK, FILE, PAGE, MESSAGE
  // ($1 project, $2 uuid[]) -> id, title, created_at of those ids that exist in the project.
  db::Statement read;
  // The same, locking the rows (FOR SHARE) until the transaction ends, so that an artifact
  // cannot be deleted between the check and the link's insert.
  db::Statement lock;
  // ($1 project, $2 ILIKE pattern, $3 limit, $4 task number or NULL) -> id, title, created_at.
  db::Statement search;
};

class ArtifactTypes {
 public:
  void add(ArtifactType type);
  const ArtifactType* find(std::string_view name) const;  // nullptr when not registered
  const std::vector<ArtifactType>& all() const { return types_; }
  std::string names() const;  // "TASK, FILE, ..." for error messages

 private:
  std::vector<ArtifactType> types_;
};

// The product's own types: TASK, FILE, PAGE, MESSAGE.
ArtifactTypes standard_artifact_types();

}  // namespace collabdev::links
