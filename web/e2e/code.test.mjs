// End to end: two people edit the same file at the same moment in the Code section and end with
// the same text, see each other's cursor with the name, find the text intact after a reload; the
// file tree is live (create, rename, delete in one browser show in the other); a GENERATED file is
// read-only; axe finds nothing serious. Runs against E2E_BASE_URL (skipped when unset); the
// GENERATED case needs TEST_DATABASE_URL (the page builder is the only writer of such files).
// Screenshots go to web/e2e/artifacts/code/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.E2E_BASE_URL?.replace(/\/$/, '');
const DB = process.env.TEST_DATABASE_URL;
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts', 'code');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WAIT = 15_000;

const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const alice = { name: 'Alice Code', email: `alice-code-${run}@example.test`, password: 'correct horse battery' };
const bob = { name: 'Bob Code', email: `bob-code-${run}@example.test`, password: 'another good password' };
const projectName = `Code ${run}`;

describe('editing a file together', { skip: BASE ? false : 'E2E_BASE_URL is not set' }, () => {
  let browser;
  let ctxA;
  let ctxB;
  let a;
  let b;
  let projectId;
  let bobId;
  let fileId;
  const consoleErrors = [];
  const axeFindings = [];

  const api = (ctx) => ({
    async call(method, path, body) {
      const res = await ctx.request.fetch(`${BASE}/api/v1${path}`, { method, headers: { 'X-Requested-With': 'fetch' }, data: body });
      const text = await res.text();
      return { status: res.status(), body: text ? JSON.parse(text) : null };
    },
  });
  async function snap(page, name) {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) }).catch(() => {});
  }
  function watch(page, who) {
    page.on('console', (m) => {
      // Refusals provoked on purpose, and reconnects tried while the test holds a browser offline.
      if (m.type() === 'error' && !/status of 4(04|09|22)|ERR_INTERNET_DISCONNECTED/.test(m.text())) consoleErrors.push(`${who}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${who}: uncaught ${e.message}`));
  }
  async function signUp(page, user) {
    await page.goto(`${BASE}/signup`);
    await page.getByTestId('signup-name').fill(user.name);
    await page.getByTestId('signup-email').fill(user.email);
    await page.getByTestId('signup-password').fill(user.password);
    await page.getByTestId('signup-submit').click();
    await page.waitForURL(`${BASE}/projects`, { timeout: WAIT });
    return (await api(page.context()).call('GET', '/me')).body.id;
  }
  async function axe(page, screen) {
    await page.evaluate(AXE_SOURCE);
    const found = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    for (const f of found) axeFindings.push(`${screen}: ${f}`);
  }
  /** The editor's text as shown, without the names drawn beside remote cursors. */
  async function shownText(page) {
    return page.locator('.cm-content').evaluate((el) => {
      const copy = el.cloneNode(true);
      for (const w of copy.querySelectorAll('.cm-remote-caret')) w.remove();
      return [...copy.querySelectorAll('.cm-line')].map((l) => l.textContent).join('\n');
    });
  }
  const editor = (page) => page.getByTestId('code-editor');
  async function saved(page) {
    await page.locator('[data-testid="code-editor"][data-sync-status="saved"]').waitFor();
  }
  async function serverFile(id = fileId) {
    return (await api(ctxA).call('GET', `/projects/${projectId}/files/${id}`)).body;
  }
  /** Both editors settled on the server's text. */
  async function converged() {
    let last = '';
    for (let i = 0; i < 100; i++) {
      const f = await serverFile();
      const [ta, tb, va, vb] = await Promise.all([
        shownText(a),
        shownText(b),
        editor(a).getAttribute('data-version'),
        editor(b).getAttribute('data-version'),
      ]);
      if (ta === f.content && tb === f.content && Number(va) === f.version && Number(vb) === f.version) return f;
      last = JSON.stringify({ server: f.content, version: f.version, a: ta, va, b: tb, vb });
      await new Promise((r) => setTimeout(r, 150));
    }
    assert.fail(`the editors did not converge: ${last}`);
  }

  before(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
    ctxA = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ctxB = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ctxA.setDefaultTimeout(WAIT);
    ctxB.setDefaultTimeout(WAIT);
    a = await ctxA.newPage();
    b = await ctxB.newPage();
    watch(a, 'A');
    watch(b, 'B');
  });

  after(async () => {
    await browser?.close();
  });

  test('set-up: two people share a project with a file', async () => {
    await signUp(a, alice);
    bobId = await signUp(b, bob);
    const p = await api(ctxA).call('POST', '/projects', { name: projectName });
    assert.equal(p.status, 201);
    projectId = p.body.id;
    assert.equal((await api(ctxA).call('POST', `/projects/${projectId}/members`, { email: bob.email, role: 'MEMBER' })).status, 201);
    const f = await api(ctxA).call('POST', `/projects/${projectId}/files`, { path: 'src/app.ts', content: 'const x = 1;\n' });
    assert.equal(f.status, 201, JSON.stringify(f.body));
    fileId = f.body.id;
  });

  test('the tree opens a file at its own address, titled with the project and the file', async () => {
    await a.goto(`${BASE}/projects/${projectId}/code`);
    await a.getByTestId('code-empty').waitFor();
    await a.getByTestId('code-file-src/app.ts').click();
    await a.waitForURL(`${BASE}/projects/${projectId}/code/src/app.ts`);
    await saved(a);
    assert.equal(await a.title(), `src/app.ts · ${projectName} · CollabDev+`);
    assert.equal(await a.getByTestId('code-file-language').textContent(), 'TypeScript');
    assert.equal(await shownText(a), 'const x = 1;\n');
    // An address by id shows the path.
    await b.goto(`${BASE}/projects/${projectId}/code/${fileId}`);
    await b.waitForURL(`${BASE}/projects/${projectId}/code/src/app.ts`);
    await saved(b);
    await axe(a, 'code: a file open');
    await snap(a, '01-open');
  });

  test('two people type at the same moment and end with the same text', async () => {
    await a.locator('.cm-content').click();
    await a.keyboard.press('Control+End');
    await b.locator('.cm-content').click();
    await b.keyboard.press('Control+Home');
    await Promise.all([
      a.keyboard.type('let alpha = "α😀";\nlet beta = 2;', { delay: 15 }),
      b.keyboard.type('// one two three\n', { delay: 15 }),
    ]);
    await saved(a);
    await saved(b);
    const f = await converged();
    assert.ok(f.content.includes('let alpha = "α😀";\nlet beta = 2;'), f.content);
    assert.ok(f.content.includes('// one two three\n'), f.content);
    assert.ok(f.content.includes('const x = 1;'), f.content);
    await snap(a, '02-typed-a');
    await snap(b, '02-typed-b');
  });

  test('each sees the other in the file, with their cursor and name', async () => {
    const bobCursor = a.locator(`[data-testid="remote-cursor"][data-user-id="${bobId}"]`);
    await bobCursor.waitFor();
    assert.equal(await bobCursor.textContent(), bob.name);
    await a.getByTestId(`file-person-${bobId}`).waitFor();
    await b.locator('[data-testid="remote-cursor"]').filter({ hasText: alice.name }).waitFor();
    // Following Bob: his moves bring Alice's view along.
    await a.getByTestId(`file-person-${bobId}`).click();
    assert.equal(await a.getByTestId(`file-person-${bobId}`).getAttribute('aria-pressed'), 'true');
    await b.keyboard.press('Control+End');
    await b.keyboard.type('\n// bob was here');
    await converged();
    await axe(a, 'code: two people in a file');
    await snap(a, '03-cursors');
  });

  test('what is typed offline is kept and sent when the connection is back', async () => {
    await ctxB.setOffline(true);
    await b.locator('[data-testid="code-editor"][data-sync-status="offline"]').waitFor({ timeout: 45_000 });
    await b.locator('.cm-content').click();
    await b.keyboard.press('Control+End');
    await b.keyboard.type('\n// typed offline');
    assert.match(await b.getByTestId('code-sync-status').textContent(), /unsent/);
    await a.locator('.cm-content').click();
    await a.keyboard.press('Control+Home');
    await a.keyboard.type('/* meanwhile */ ');
    await saved(a);
    await ctxB.setOffline(false);
    await b.locator('[data-testid="code-editor"][data-sync-status="saved"]').waitFor({ timeout: 45_000 });
    const f = await converged();
    assert.ok(f.content.includes('\n// typed offline'), f.content);
    assert.ok(f.content.startsWith('/* meanwhile */ '), f.content);
  });

  test('after a reload the text is intact and the history names who changed it', async () => {
    const before = await serverFile();
    await b.reload();
    await saved(b);
    assert.equal(await shownText(b), before.content);
    await a.getByTestId('code-history-toggle').click();
    await a.getByTestId('code-history-item').first().waitFor();
    const names = await a.getByTestId('code-history-item').allTextContents();
    assert.ok(names.some((n) => n.includes(alice.name)), names.join('\n'));
    assert.ok(names.some((n) => n.includes(bob.name)), names.join('\n'));
    await axe(a, 'code: history');
    await snap(a, '04-history');
    await a.getByTestId('code-history-toggle').click();
  });

  test('the tree is live: create, rename and delete show in the other browser', async () => {
    await a.getByTestId('code-new-file').click();
    const input = a.getByTestId('code-path-input');
    assert.equal(await input.inputValue(), 'src/');
    await input.fill('../bad');
    await a.getByTestId('code-dialog-submit').click();
    await a.getByTestId('code-dialog-error').waitFor();
    await axe(a, 'code: new file dialog with an error');
    await input.fill('docs/notes.md');
    await a.getByTestId('code-dialog-submit').click();
    await a.waitForURL(`${BASE}/projects/${projectId}/code/docs/notes.md`);
    await saved(a);
    await b.getByTestId('code-file-docs/notes.md').waitFor();
    assert.equal(await a.getByTestId('code-file-language').textContent(), 'Markdown');

    await a.getByTestId('code-rename').click();
    await a.getByTestId('code-path-input').fill('docs/readme.md');
    await a.getByTestId('code-dialog-submit').click();
    await a.waitForURL(`${BASE}/projects/${projectId}/code/docs/readme.md`);
    await a.locator('.cm-content[aria-label="Text of docs/readme.md"]').waitFor();
    await b.getByTestId('code-file-docs/readme.md').waitFor();
    await b.getByTestId('code-file-docs/notes.md').waitFor({ state: 'detached' });

    // Moving by drag and drop, and the keyboard's F2 on a file of the tree.
    const loose = await api(ctxA).call('POST', `/projects/${projectId}/files`, { path: 'loose.md', content: '# loose\n' });
    assert.equal(loose.status, 201);
    await a.getByTestId('code-file-loose.md').dragTo(a.getByTestId('code-folder-src').locator('button').first());
    await b.getByTestId('code-file-src/loose.md').waitFor();
    await a.getByTestId('code-file-src/loose.md').focus();
    await a.keyboard.press('F2');
    assert.equal(await a.getByTestId('code-path-input').inputValue(), 'src/loose.md');
    await a.keyboard.press('Escape');
    await a.getByTestId('code-dialog').waitFor({ state: 'hidden' });

    await a.getByTestId('code-delete').click();
    await a.getByTestId('code-dialog').getByText('cannot be undone').waitFor();
    await a.getByTestId('code-dialog-submit').click();
    await a.waitForURL(`${BASE}/projects/${projectId}/code`);
    await b.getByTestId('code-file-docs/readme.md').waitFor({ state: 'detached' });
  });

  test('a GENERATED file opens read-only with a note', { skip: DB ? false : 'TEST_DATABASE_URL is not set' }, async () => {
    const g = await api(ctxA).call('POST', `/projects/${projectId}/files`, { path: 'pages/home.tsx', content: 'export default 1;\n' });
    assert.equal(g.status, 201);
    execFileSync('psql', [DB, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `UPDATE files SET type = 'GENERATED' WHERE id = '${g.body.id}'`]);
    await a.goto(`${BASE}/projects/${projectId}/code/pages/home.tsx`);
    await a.getByTestId('code-generated-note').waitFor();
    await saved(a);
    assert.equal(await a.getByTestId('code-rename').isDisabled(), true);
    assert.equal(await a.getByTestId('code-delete').isDisabled(), true);
    await a.locator('.cm-content').click();
    await a.keyboard.type('zzz');
    assert.equal(await shownText(a), 'export default 1;\n');
    const after = (await api(ctxA).call('GET', `/projects/${projectId}/files/${g.body.id}`)).body;
    assert.equal(after.version, 0);
    assert.equal(after.content, 'export default 1;\n');
    await axe(a, 'code: a generated file');
    await snap(a, '05-generated');
  });

  test('no console errors and nothing serious for axe', () => {
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(axeFindings, []);
  });
});
