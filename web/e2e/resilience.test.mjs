// End to end: what the app does when things go wrong or change under it — a malformed address,
// an id typed in upper case, a member's tasks unassigned when they are removed, and a project
// deleted while someone has it open. Runs like collaboration.test.mjs against E2E_BASE_URL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const BASE = process.env.E2E_BASE_URL?.replace(/\/$/, '');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const WAIT = 10_000;

const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const carol = { name: 'Carol Example', email: `carol-${run}@example.test`, password: 'correct horse battery' };
const dave = { name: 'Dave Example', email: `dave-${run}@example.test`, password: 'another good password' };

describe('the app stays usable when things go wrong', { skip: BASE ? false : 'E2E_BASE_URL is not set' }, () => {
  let browser;
  let ctxC;
  let ctxD;
  let c; // Carol's page
  let d; // Dave's page
  let carolId;
  let daveId;
  let projectId;
  const pageErrors = [];

  // The REST API through a context (its cookies), as the app calls it.
  async function call(ctx, method, path, body) {
    const res = await ctx.request.fetch(`${BASE}/api/v1${path}`, {
      method,
      headers: { 'X-Requested-With': 'fetch', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      data: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status(), body: text ? JSON.parse(text) : null };
  }
  async function register(ctx, user) {
    const r = await call(ctx, 'POST', '/auth/register', user);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.user.id;
  }
  const card = (page, title) => page.locator(`[data-testid^="task-card-"]:not([data-testid^="task-card-tmp-"])[data-task-title="${title}"]`);

  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
    ctxC = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ctxD = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ctxC.setDefaultTimeout(WAIT);
    ctxD.setDefaultTimeout(WAIT);
    // Signed in through the API below: tell the app so, as its own sign-in does.
    for (const ctx of [ctxC, ctxD]) await ctx.addInitScript(() => localStorage.setItem('collabdev.signed-in', '1'));
    carolId = await register(ctxC, carol);
    daveId = await register(ctxD, dave);
    const p = await call(ctxC, 'POST', '/projects', { name: `Resilience ${run}` });
    assert.equal(p.status, 201);
    projectId = p.body.id;
    assert.equal((await call(ctxC, 'POST', `/projects/${projectId}/members`, { email: dave.email, role: 'MEMBER' })).status, 201);
    c = await ctxC.newPage();
    d = await ctxD.newPage();
    for (const page of [c, d]) page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close();
  });

  test('a malformed address shows "Page not found", not a blank page', async () => {
    for (const bad of ['/projects/%E0%A4%A', '/projects/not-a-project', `/projects/${projectId}/%E0%A4%A`]) {
      await c.goto(`${BASE}${bad}`);
      await c.getByRole('heading', { name: 'Page not found' }).waitFor();
      await c.getByTestId('user-menu').waitFor();
    }
    await c.getByRole('link', { name: 'Back to your projects' }).click();
    await c.getByTestId(`project-card-${projectId}`).waitFor();
  });

  test('a board opened at an upper-case address gets live updates', async () => {
    await c.goto(`${BASE}/projects/${projectId.toUpperCase()}`);
    await c.getByTestId('column-To Do').waitFor();
    const title = `From Dave ${run}`;
    assert.equal((await call(ctxD, 'POST', `/projects/${projectId}/tasks`, { title })).status, 201);
    await card(c, title).waitFor();
  });

  test('presence shows who joined by name', async () => {
    await d.goto(`${BASE}/projects/${projectId}`);
    await d.getByTestId('column-To Do').waitFor();
    const avatar = c.getByTestId(`presence-avatar-${daveId}`);
    await avatar.waitFor();
    assert.equal(await avatar.getAttribute('title'), `${dave.name} is here`);
    await d.getByTestId(`presence-avatar-${carolId}`).waitFor();
  });

  test('a task created here appears once, as the server copy', async () => {
    const title = `Carol's own ${run}`;
    await c.getByTestId('add-task-To Do').click();
    await c.getByTestId('add-task-input').fill(title);
    await c.getByTestId('add-task-input').press('Enter');
    await card(c, title).waitFor();
    await d.locator(`[data-task-title="${title}"]`).waitFor();
    // Settled: the optimistic copy is gone, and the echo did not add a second card.
    await c.locator(`[data-testid^="task-card-tmp-"]`).waitFor({ state: 'detached' });
    assert.equal(await c.locator(`[data-task-title="${title}"]`).count(), 1);
  });

  test("removing a member unassigns their tasks on open boards, so the next edit is not refused", async () => {
    const title = `Assigned to Dave ${run}`;
    const t = await call(ctxC, 'POST', `/projects/${projectId}/tasks`, { title, assignee_id: daveId });
    assert.equal(t.status, 201);
    await card(c, title).waitFor();
    assert.equal((await call(ctxC, 'DELETE', `/projects/${projectId}/members/${daveId}`)).status, 204);
    await d.waitForURL(`${BASE}/projects`);
    // Carol's board applies tasks.unassigned: the task is listed among the unassigned ones...
    await c.getByTestId('filter-assignee').selectOption('none');
    await card(c, title).waitFor();
    await c.getByTestId('filter-clear').click();
    // ...with the version the server gave it, so her edit goes through.
    await card(c, title).click();
    await c.getByTestId('task-priority').selectOption('HIGH');
    const saved = c.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/tasks/${t.body.id}`));
    await c.getByTestId('task-save').click();
    assert.equal((await saved).status(), 200, 'the edit was not refused');
    await card(c, title).locator('.prio-high').waitFor();
    assert.equal(await c.getByTestId('toast-error').count(), 0, 'the edit was not refused');
    const now = await call(ctxC, 'GET', `/projects/${projectId}/tasks/${t.body.id}`);
    assert.equal(now.body.assignee_id, null);
    assert.equal(now.body.priority, 'HIGH');
  });

  test('a project deleted while open is reported as deleted', async () => {
    assert.equal((await call(ctxC, 'POST', `/projects/${projectId}/members`, { email: dave.email, role: 'MEMBER' })).status, 201);
    await d.goto(`${BASE}/projects/${projectId}`);
    await d.getByTestId('column-To Do').waitFor();
    await c.getByTestId(`presence-avatar-${daveId}`).waitFor();
    assert.equal((await call(ctxC, 'DELETE', `/projects/${projectId}`)).status, 204);
    await d.waitForURL(`${BASE}/projects`);
    await d.getByTestId('toast-info').filter({ hasText: 'This project was deleted.' }).waitFor();
  });

  test('no uncaught errors in the pages', () => {
    assert.deepEqual(pageErrors, []);
  });
});
