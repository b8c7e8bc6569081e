// A small HTTP client for API tests: JSON in and out, bearer tokens, raw bodies when needed.
let counter = 0;

export function client(base) {
  async function call(method, path, { body, token, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload;
    if (raw !== undefined) {
      payload = raw;
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(base + path, { method, headers: h, body: payload });
    const text = await res.text();
    let json = null;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(text);
    return { status: res.status, headers: res.headers, json, text };
  }
  return {
    get: (p, o) => call('GET', p, o),
    post: (p, b, o = {}) => call('POST', p, { ...o, body: b }),
    patch: (p, b, o = {}) => call('PATCH', p, { ...o, body: b }),
    put: (p, b, o = {}) => call('PUT', p, { ...o, body: b }),
    del: (p, o) => call('DELETE', p, o),
    call,
  };
}

export function uniqueEmail(prefix = 'user') {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}@example.com`;
}

// Registers a fresh user; returns { token, user, email, password }.
export async function signUp(api, name = 'Test User') {
  const email = uniqueEmail(name.split(' ')[0].toLowerCase());
  const password = 'correct horse battery';
  const r = await api.post('/api/v1/auth/register', { email, password, name });
  if (r.status !== 201) throw new Error(`register failed: ${r.status} ${r.text}`);
  return { token: r.json.token, user: r.json.user, email, password };
}

// A field named in a problem's errors.
export function fieldsOf(res) {
  return (res.json?.errors ?? []).map((e) => e.field);
}
