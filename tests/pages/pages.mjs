// Page documents ({name, route, structure}) that cover every component, every prop and a corpus of
// hostile strings, for the type-check and rendering tests of the generated code.

// What users may type: markup, script ends, JSX braces, template syntax, quotes, escapes, line
// separators, bidirectional overrides and other Unicode. All of it must show as typed.
export const hostile = [
  '"><img src=x onerror=alert(1)>',
  "</script><script>alert(1)</script>",
  "{alert(1)}",
  "${alert(1)}",
  "`${document.cookie}`",
  "\\\"; alert(1); //",
  "'; alert(1); '",
  "a\u2028b\u2029c",
  "<!-- comment --> ]]> <![CDATA[x]]>",
  "&lt;&#x3C;&#60;&amp;",
  "{/* jsx comment */}",
  "*/ /* css */",
  "\\u0022 \\x3c \\n",
  "\u202Eevil\u202C",
  "日本語 — ünïcödé 😀🎉",
  "</style><style>body{display:none}</style>",
  "javascript:alert(1)",
];

let counter = 0;
const id = (prefix) => `${prefix}${++counter}`;

// Nodes of every component with every prop set, each text prop holding `text` (one line) and
// `multi` (line breaks allowed).
function everyComponent(nodes, text, multi) {
  const ids = [];
  const add = (type, props, extra = {}) => {
    const nodeId = id(type.toLowerCase());
    nodes[nodeId] = { type, props, ...extra };
    ids.push(nodeId);
    return nodeId;
  };
  const heading = add("Heading", { level: 2, text, anchor: "title" }, { style: { base: { fontSize: "3xl", fontWeight: "bold", color: "primary" }, md: { fontSize: "4xl" }, lg: { fontSize: "5xl" } } });
  add("Heading", { level: 6, text });
  add("Text", {
    runs: [
      { text: multi },
      { text, bold: true },
      { text, italic: true },
      { text, code: true },
      { text, href: "/docs/getting-started" },
      { text, href: "https://example.com/?q=1&r=2#x", bold: true, italic: true, code: true },
      { text, href: "mailto:someone@example.com" },
    ],
  }, { style: { base: { textAlign: "center" } } });
  add("Link", { text, href: "/pricing" });
  add("Link", { text, href: "https://example.com/a", newTab: true });
  add("Link", { text, href: "#top" });
  add("Link", { text, href: "tel:+15551234567" });
  add("Button", { text, kind: "link", href: "/signup", variant: "primary" });
  add("Button", { text, kind: "link", href: "https://example.com", variant: "secondary" });
  add("Image", { src: "https://images.example.com/a.png", alt: text, width: 640, height: 480 }, { style: { base: { radius: "lg", width: "full" } } });
  add("Image", { src: "/uploads/logo.svg", alt: text, width: 32, height: 32 });
  add("List", { ordered: true, items: [text, multi.replace(/[\n\t]/g, " "), "third"] });
  add("List", { items: [text] });
  add("Quote", { text: multi, cite: text });
  add("Quote", { text });
  add("CodeBlock", { code: multi, language: "tsx" });
  add("CodeBlock", { code: "", language: "plaintext" });
  add("Spacer", { size: "8" });
  add("Spacer", {});
  add("Divider", {}, { style: { base: { marginY: "6" } } });
  add("Embed", { provider: "youtube", videoId: "dQw4w9WgXcQ", title: text });
  add("Embed", { provider: "vimeo", videoId: "76979871", title: text });
  const fields = [
    add("Input", { name: "email", label: text, inputType: "email", placeholder: text, required: true }),
    add("Input", { name: "plain", label: text }),
    add("Textarea", { name: "message", label: text, placeholder: text, rows: 5, required: true }),
    add("Select", { name: "plan", label: text, options: [{ value: text, label: text }, { value: "", label: "None" }], required: true }),
    add("Checkbox", { name: "terms", label: text, checked: true, required: true }),
    add("Button", { text, kind: "submit", variant: "ghost" }),
  ];
  for (const f of fields) ids.splice(ids.indexOf(f), 1);
  const form = add("Form", { action: "/subscribe", method: "post" }, { children: fields });
  const stack = add("Stack", { direction: "row", wrap: true }, { children: [], style: { base: { gap: "4", alignItems: "center", justifyContent: "between", direction: "column" }, md: { direction: "row" } } });
  const grid = add("Grid", { columns: 3 }, { children: [], style: { base: { columns: "1", gap: "2" }, md: { columns: "2" }, lg: { columns: "4", paddingX: "4", paddingY: "2" } } });
  const empty = add("Container", {});
  const container = add("Container", { anchor: "content" }, { style: { base: { width: "prose", background: "surface", padding: "4" } } });
  ids.splice(ids.indexOf(container), 1);
  nodes[container].children = ids.filter((x) => x !== container);
  void heading, form, stack, grid, empty;
  return container;
}

function page(name, route, build) {
  const nodes = { root: { type: "Page", props: { title: name, description: `${name} description` }, children: [] } };
  nodes.root.children = build(nodes);
  return { name, route, structure: { version: 1, root: "root", nodes } };
}

export function pages() {
  const out = [];
  out.push(page("Home", "/", (nodes) => {
    const section = id("section");
    nodes[section] = { type: "Section", props: { anchor: "top" }, style: { base: { padding: "8" } }, children: [everyComponent(nodes, "Welcome", "Line one\nLine two")] };
    return [section];
  }));
  out.push(page("Empty", "/empty", () => []));
  hostile.forEach((text, i) => {
    out.push(page(`Hostile ${i} ${text}`, `/hostile/case-${i}`, (nodes) => {
      const section = id("section");
      nodes[section] = { type: "Section", props: {}, children: [everyComponent(nodes, text.replace(/[\u2028\u2029]/g, " "), `${text}\n${text}\t${text}`)] };
      return [section];
    }));
    out[out.length - 1].structure.nodes.root.props.title = text.replace(/[\u2028\u2029]/g, " ");
  });
  out.push(page("Docs", "/docs/getting-started", (nodes) => {
    const h = id("heading");
    nodes[h] = { type: "Heading", props: { level: 1, text: "Getting started" } };
    return [h];
  }));
  return out;
}
