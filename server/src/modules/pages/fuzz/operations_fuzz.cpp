// libFuzzer target for what a client controls in the page builder: a structure's JSON and an
// operation's JSON. Input: the structure, a NUL byte, then the operation. Any input must either
// apply or be refused with a PageError; a refused operation must leave the structure as it was;
// an applied one must keep the tree valid, be undone exactly by its inverse, and give a page
// that generates.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <boost/json/parse.hpp>

#include "modules/pages/codegen.hpp"
#include "modules/pages/operations.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace collabdev::pages;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  if (nul == std::string_view::npos) {
    return 0;
  }
  Structure structure;
  try {
    structure = Structure::parse(input.substr(0, nul));
  } catch (const PageError&) {
    return 0;
  }
  generate(structure, "Fuzz", "/fuzz");
  boost::system::error_code ec;
  const auto json = boost::json::parse(input.substr(nul + 1), ec);
  if (ec) {
    return 0;
  }
  const auto before = structure.to_json_text();
  try {
    const auto op = parse_operation(json);
    const auto inverse = apply(structure, op);
    structure.check_invariants();
    generate(structure, "Fuzz", "/fuzz");
    auto undone = structure;
    apply(undone, parse_operation(operation_to_json(inverse)));
    if (undone.to_json_text() != before) {
      std::abort();
    }
  } catch (const PageError&) {
    if (structure.to_json_text() != before) {
      std::abort();
    }
  }
  return 0;
}
