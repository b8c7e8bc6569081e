// Apply-and-generate for pages of 100, 1,000 and 5,000 nodes: the time to parse and apply one
// operation as it arrives from a client (JSON text in), the time to print the structure as it is
// stored, and the time to generate the page's Next.js files. Prints a Markdown table of p50/p99.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "modules/pages/codegen.hpp"
#include "modules/pages/operations.hpp"

using namespace collabdev::pages;
using Clock = std::chrono::steady_clock;

namespace {

// Sections of 10 children each: headings, texts, links and stacks of two buttons.
Structure make_page(std::size_t nodes) {
  auto s = Structure::empty("Bench");
  std::size_t n = 1;
  int section = 0;
  while (n < nodes) {
    const auto sid = "s" + std::to_string(section++);
    apply(s, parse_operation(boost::json::parse(R"({"op":"insert","parent":"root","after":null,"id":")" + sid +
                                                R"(","nodes":{")" + sid + R"(":{"type":"Section","style":{"base":{"padding":"8"}}}}})")));
    ++n;
    for (int i = 0; i < 10 && n < nodes; ++i, ++n) {
      const auto id = sid + "n" + std::to_string(i);
      std::string node;
      switch (i % 3) {
        case 0: node = R"({"type":"Heading","props":{"level":2,"text":"Heading text"},"style":{"md":{"fontSize":"3xl"}}})"; break;
        case 1: node = R"({"type":"Text","props":{"runs":[{"text":"Some body text "},{"text":"a link","href":"/docs"}]}})"; break;
        default: node = R"({"type":"Link","props":{"text":"Read more","href":"https://example.com/more"}})"; break;
      }
      apply(s, parse_operation(boost::json::parse(R"({"op":"insert","parent":")" + sid + R"(","id":")" + id +
                                                  R"(","nodes":{")" + id + R"(":)" + node + "}}")));
    }
  }
  return s;
}

struct Stats {
  double p50 = 0, p99 = 0;
};

Stats stats(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)]};
}

double since(Clock::time_point t) { return std::chrono::duration<double, std::micro>(Clock::now() - t).count(); }

}  // namespace

int main() {
  std::printf("| nodes | operation p50 µs | p99 µs | store (print JSON) p50 µs | p99 µs | generate p50 µs | p99 µs |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const std::size_t size : {100u, 1000u, 5000u}) {
    auto s = make_page(size - 1);  // room for one insert at a time
    std::mt19937 rng(7);
    std::vector<std::string> texts;
    for (const auto& [id, node] : s.nodes()) {
      if (node.type == Component::Heading) {
        texts.push_back(id);
      }
    }
    std::sort(texts.begin(), texts.end());
    std::vector<double> op_us, store_us, gen_us;
    int fresh = 0;
    for (int i = 0; i < 2000; ++i) {
      // A mix like editing: mostly keystrokes in a prop, then moves and insert/delete pairs.
      std::string op;
      const auto target = texts[rng() % texts.size()];
      switch (rng() % 10) {
        case 0: {
          if (s.size() >= size) {  // at the limit: a delete instead
            op = R"({"op":"delete","id":"x)" + std::to_string(fresh--) + "\"}";
            break;
          }
          const auto id = "x" + std::to_string(++fresh);
          op = R"({"op":"insert","parent":"s0","id":")" + id + R"(","nodes":{")" + id + R"(":{"type":"Divider"}}})";
          break;
        }
        case 1:
          if (fresh > 0 && s.find("x" + std::to_string(fresh)) != nullptr) {
            op = R"({"op":"delete","id":"x)" + std::to_string(fresh--) + "\"}";
          } else {
            op = R"({"op":"move","id":")" + target + R"(","parent":"s1"})";
          }
          break;
        case 2:
          op = R"({"op":"move","id":")" + target + R"(","parent":"s)" + std::to_string(rng() % 5) + "\"}";
          break;
        default:
          op = R"({"op":"update","id":")" + target + R"(","props":{"text":"Heading text )" + std::to_string(i) + "\"}}";
      }
      const auto t = Clock::now();
      apply(s, parse_operation(boost::json::parse(op)));
      op_us.push_back(since(t));
      if (i % 40 == 0) {
        auto t2 = Clock::now();
        const auto stored = s.to_json_text();
        store_us.push_back(since(t2));
        t2 = Clock::now();
        const auto files = generate(s, "Bench", "/bench");
        gen_us.push_back(since(t2));
        if (stored.empty() || files.component.content.empty()) {
          return 1;
        }
      }
    }
    const auto o = stats(op_us), st = stats(store_us), g = stats(gen_us);
    std::printf("| %zu | %.1f | %.1f | %.0f | %.0f | %.0f | %.0f |\n", size, o.p50, o.p99, st.p50, st.p99, g.p50, g.p99);
  }
  return 0;
}
