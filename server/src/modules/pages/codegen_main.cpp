// collabdev-pages-codegen <page.json>... <outdir>
// Writes the Next.js files of each page ({"name", "route", "structure"}) under <outdir>, the way the
// server writes them into a project's file tree. The test suite in tests/pages type-checks them.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/json/parse.hpp>

#include "modules/pages/codegen.hpp"

namespace {

namespace fs = std::filesystem;
using namespace collabdev::pages;

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

void generate_one(const fs::path& input, const fs::path& outdir) {
  std::ifstream in(input, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + input.string());
  }
  std::stringstream text;
  text << in.rdbuf();
  const auto page = boost::json::parse(text.str());
  const auto& o = page.as_object();
  const std::string name(o.at("name").as_string());
  const std::string route(o.at("route").as_string());
  const auto structure = Structure::from_json(o.at("structure"));
  const auto files = generate(structure, name, route);
  write_file(outdir / files.component.path, files.component.content);
  write_file(outdir / files.styles.path, files.styles.content);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: collabdev-pages-codegen <page.json>... <outdir>\n";
    return 2;
  }
  const fs::path outdir = argv[argc - 1];
  int status = 0;
  for (int i = 1; i < argc - 1; ++i) {
    try {
      generate_one(argv[i], outdir);
    } catch (const PageError& e) {
      std::cerr << argv[i] << ": " << error_name(e.code()) << ": " << e.what() << "\n";
      status = 1;
    } catch (const std::exception& e) {
      std::cerr << argv[i] << ": " << e.what() << "\n";
      status = 1;
    }
  }
  return status;
}
