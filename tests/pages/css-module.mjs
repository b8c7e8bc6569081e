// A CSS module as the bundler gives it to a component: class names by name.
export default new Proxy({}, { get: (_, name) => (typeof name === "string" ? `m_${name}` : undefined) });
