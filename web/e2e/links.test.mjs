// End to end: link a task to a message and a file from the task dialog's Linked panel; the Graph
// section shows them; clicking a node opens it. axe-core on the dialog and the graph (no serious
// or critical findings). Runs against E2E_BASE_URL (skipped when unset) in Debian's chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.E2E_BASE_URL?.replace(/\/$/, '');
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts', 'links');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WAIT = 10_000;
const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const user = { name: 'Lina Links', email: `lina-links-${run}@example.test`, password: 'correct horse battery' };

describe('links from the task dialog and the graph view', { skip: BASE ? false : 'E2E_BASE_URL is not set' }, () => {
  let browser;
  let ctx;
  let page;
  let projectId;
  let task;
  let other;
  let file;
  let message;
  const consoleErrors = [];
  const axeFindings = [];

  const api = async (method, path, body) => {
    const res = await ctx.request.fetch(`${BASE}/api/v1${path}`, { method, headers: { 'X-Requested-With': 'fetch' }, data: body });
    const text = await res.text();
    return { status: res.status(), body: text ? JSON.parse(text) : null };
  };
  async function axe(screen) {
    await page.evaluate(AXE_SOURCE);
    const found = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    for (const f of found) axeFindings.push(`${screen}: ${f}`);
  }

  before(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
    ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(WAIT);
    page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4(04|09|22)/.test(m.text())) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught ${e.message}`));
  });
  after(async () => {
    await browser?.close();
  });

  test('set-up: a project with a task, a file and a message', async () => {
    await page.goto(`${BASE}/signup`);
    await page.getByTestId('signup-name').fill(user.name);
    await page.getByTestId('signup-email').fill(user.email);
    await page.getByTestId('signup-password').fill(user.password);
    await page.getByTestId('signup-submit').click();
    await page.waitForURL(`${BASE}/projects`);
    projectId = (await api('POST', '/projects', { name: `Links ${run}` })).body.id;
    const board = (await api('GET', `/projects/${projectId}/board`)).body;
    const todo = board.columns[0].id;
    task = (await api('POST', `/projects/${projectId}/tasks`, { title: `Ship the graph ${run}`, column_id: todo })).body;
    other = (await api('POST', `/projects/${projectId}/tasks`, { title: `Other task ${run}`, column_id: todo })).body;
    file = (await api('POST', `/projects/${projectId}/files`, { path: `docs/graph-${run}.md`, content: '# graph' })).body;
    message = (await api('POST', `/projects/${projectId}/messages`, { content: `Planning notes ${run}` })).body;
    assert.ok(task.number >= 1 && file.id && message.id);
  });

  test('the card and the dialog show the task number; the Linked panel links a message and a file', async () => {
    await page.goto(`${BASE}/projects/${projectId}`);
    const card = page.getByTestId(`task-card-${task.id}`);
    await card.getByTestId('card-number').filter({ hasText: `#${task.number}` }).waitFor();
    await card.click();
    const dialog = page.getByTestId('task-dialog');
    await dialog.getByText(`Task #${task.number}`).first().waitFor();
    const panel = dialog.getByTestId('linked-panel');
    await panel.getByText('Nothing linked yet.').waitFor();
    await panel.getByTestId('linked-search').fill(`Planning notes ${run}`);
    await panel.getByTestId(`linked-pick-MESSAGE-${message.id}`).click();
    await panel.getByTestId(`linked-MESSAGE-${message.id}`).waitFor();
    await panel.getByTestId('linked-kind').selectOption('implements');
    await panel.getByTestId('linked-search').fill(`graph-${run}`);
    await panel.getByTestId(`linked-pick-FILE-${file.id}`).click();
    await panel.getByTestId(`linked-FILE-${file.id}`).filter({ hasText: 'implements' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dialog-linked.png') }).catch(() => {});
    await axe('task dialog with links');
    const links = (await api('GET', `/projects/${projectId}/artifacts/TASK/${task.id}/links`)).body.items;
    assert.deepEqual(links.map((l) => l.target.type).sort(), ['FILE', 'MESSAGE']);
    // A mention in chat links the message to the other task, live.
    await api('POST', `/projects/${projectId}/messages`, { content: `see #${other.number}` });
    await page.keyboard.press('Escape');
  });

  test('the Graph section shows them, and clicking a task opens it', async () => {
    await page.goto(`${BASE}/projects/${projectId}/graph`);
    const view = page.getByTestId('graph-view');
    await view.getByTestId(`graph-node-FILE-${file.id}`).waitFor();
    await view.getByTestId(`graph-node-MESSAGE-${message.id}`).waitFor();
    await view.getByTestId(`graph-node-TASK-${other.id}`).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'graph.png') }).catch(() => {});
    await axe('graph');
    // Made while the view is open: it follows.
    await api('POST', `/projects/${projectId}/links`, { source: { type: 'TASK', id: other.id }, target: { type: 'FILE', id: file.id } });
    await view.getByTestId(`graph-node-TASK-${task.id}`).click();
    await page.waitForURL(`${BASE}/projects/${projectId}/tasks/${task.id}`);
    await page.getByTestId('task-dialog').waitFor();
  });

  test('no console errors and no serious accessibility findings', () => {
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(axeFindings, []);
  });
});
