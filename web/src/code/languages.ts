// The language mode of a file, from the language the server derives from its extension, each
// pack loaded only when a file of its language is opened.
import type { Extension } from '@codemirror/state';

const loaders: Record<string, () => Promise<Extension>> = {
  typescript: async () => (await import('@codemirror/lang-javascript')).javascript({ typescript: true }),
  tsx: async () => (await import('@codemirror/lang-javascript')).javascript({ typescript: true, jsx: true }),
  javascript: async () => (await import('@codemirror/lang-javascript')).javascript(),
  jsx: async () => (await import('@codemirror/lang-javascript')).javascript({ jsx: true }),
  json: async () => (await import('@codemirror/lang-json')).json(),
  css: async () => (await import('@codemirror/lang-css')).css(),
  html: async () => (await import('@codemirror/lang-html')).html(),
  svg: async () => (await import('@codemirror/lang-html')).html({ matchClosingTags: true }),
  xml: async () => (await import('@codemirror/lang-html')).html({ matchClosingTags: true }),
  markdown: async () => (await import('@codemirror/lang-markdown')).markdown(),
  python: async () => (await import('@codemirror/lang-python')).python(),
  cpp: async () => (await import('@codemirror/lang-cpp')).cpp(),
  c: async () => (await import('@codemirror/lang-cpp')).cpp(),
  rust: async () => (await import('@codemirror/lang-rust')).rust(),
  sql: async () => (await import('@codemirror/lang-sql')).sql(),
  yaml: async () => (await import('@codemirror/lang-yaml')).yaml(),
};

/** The mode for `language` (null or unknown: plain text, no extension). */
export async function languageExtension(language: string | null | undefined): Promise<Extension> {
  const load = language ? loaders[language] : undefined;
  if (!load) return [];
  try {
    return await load();
  } catch {
    return []; // a chunk that failed to load: the text is still editable, uncoloured
  }
}
