// End to end: two people in two browser contexts work on one project.
// Runs against a running server given by E2E_BASE_URL (skipped when unset), driving Debian's
// chromium through playwright-core (no browser is ever downloaded). Screenshots of every step are
// written to web/e2e/artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.E2E_BASE_URL?.replace(/\/$/, '');
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const WAIT = 10_000;

const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const alice = { name: 'Alice Example', email: `alice-${run}@example.test`, password: 'correct horse battery' };
const bob = { name: 'Bob Example', email: `bob-${run}@example.test`, password: 'another good password' };
const projectName = `Launch ${run}`;
const taskTitle = `Write the release notes ${run}`;

describe('two users collaborate on a project', { skip: BASE ? false : 'E2E_BASE_URL is not set' }, () => {
  let browser;
  let ctxA;
  let ctxB;
  let a; // Alice's page, 1280×800
  let b; // Bob's page, 1280×800
  let projectId = null;
  let bobId = null;
  let aliceId = null;
  let shot = 0;
  const consoleErrors = [];

  async function snap(page, name) {
    shot += 1;
    await page.screenshot({ path: join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`) }).catch(() => {});
  }
  function watch(page, who) {
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${who}: ${m.text()}`);
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
    // Through the context's request API (same cookies), so the test's own calls never reach the console.
    const me = await (await page.context().request.get(`${BASE}/api/v1/me`)).json();
    return me.id;
  }
  // The server's copy (an optimistic copy has a temporary id until the server answers).
  const card = (page, title) => page.locator(`[data-testid^="task-card-"]:not([data-testid^="task-card-tmp-"])[data-task-title="${title}"]`);

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

  test('A and B sign up', async () => {
    await a.goto(`${BASE}/signup`);
    await snap(a, 'signup-form');
    aliceId = await signUp(a, alice);
    bobId = await signUp(b, bob);
    assert.ok(aliceId && bobId);
    await a.getByRole('heading', { name: 'Projects', exact: true }).waitFor({ timeout: WAIT });
    await snap(a, 'a-projects-empty');
  });

  test('A creates a project', async () => {
    await a.getByTestId('new-project').click();
    await a.getByTestId('new-project-name').fill(projectName);
    await snap(a, 'a-new-project-dialog');
    // Escape with a name typed asks first; keeping on editing keeps the text.
    await a.keyboard.press('Escape');
    await a.getByTestId('new-project-keep-editing').click();
    assert.equal(await a.getByTestId('new-project-name').inputValue(), projectName);
    await a.getByTestId('new-project-submit').click();
    await a.waitForURL(/\/projects\/[0-9a-f-]{36}$/, { timeout: WAIT });
    projectId = a.url().split('/').pop();
    await a.getByTestId('project-title').filter({ hasText: projectName }).waitFor({ timeout: WAIT });
    await snap(a, 'a-project-page');
  });

  test('A adds B as a member', async () => {
    assert.ok(projectId, 'the project exists');
    // B already has the projects list open: the new project appears there without a reload.
    await b.goto(`${BASE}/projects`);
    await b.getByRole('heading', { name: 'Projects', exact: true }).waitFor({ timeout: WAIT });
    assert.equal(await b.getByTestId(`project-card-${projectId}`).count(), 0);
    await a.getByTestId('tab-members').click();
    await a.getByTestId('add-member-email').fill(bob.email);
    await a.getByTestId('add-member-submit').click();
    await a.getByTestId(`member-${bobId}`).waitFor({ timeout: WAIT });
    await snap(a, 'a-members-with-b');
  });

  test('B sees the project appear live', async () => {
    assert.ok(projectId, 'the project exists');
    const link = b.getByTestId(`project-card-${projectId}`);
    await link.waitFor({ timeout: WAIT });
    await snap(b, 'b-projects-list');
    await link.getByTestId('project-link').click();
    await b.getByTestId('project-title').filter({ hasText: projectName }).waitFor({ timeout: WAIT });
    await b.getByTestId('column-To Do').waitFor({ timeout: WAIT });
    await snap(b, 'b-project-board');
  });

  test('A creates a task and B sees it without reloading', async () => {
    await a.getByTestId('tab-board').click();
    await a.getByTestId('add-task-To Do').click();
    await a.getByTestId('add-task-input').fill(taskTitle);
    await a.getByTestId('add-task-input').press('Enter');
    await card(a, taskTitle).waitFor({ timeout: WAIT });
    await snap(a, 'a-task-created');
    await b.getByTestId('column-To Do').locator(`[data-task-title="${taskTitle}"]`).waitFor({ timeout: WAIT });
    await snap(b, 'b-sees-task');
  });

  test('B drags the task to Done and A sees it move', async () => {
    const from = card(b, taskTitle);
    const to = b.getByTestId('column-tasks-Done');
    const f = await from.boundingBox();
    const d = await to.boundingBox();
    assert.ok(f && d, 'the card and the Done column are on screen');
    await b.mouse.move(f.x + f.width / 2, f.y + f.height / 2);
    await b.mouse.down();
    await b.mouse.move(f.x + f.width / 2 + 20, f.y + f.height / 2 + 5, { steps: 4 });
    await b.mouse.move(d.x + d.width / 2, d.y + 30, { steps: 12 });
    await b.waitForTimeout(150);
    await b.mouse.up();
    await b.getByTestId('column-Done').locator(`[data-task-title="${taskTitle}"]`).waitFor({ timeout: WAIT });
    await snap(b, 'b-dragged-to-done');
    await a.getByTestId('column-Done').locator(`[data-task-title="${taskTitle}"]`).waitFor({ timeout: WAIT });
    // The move was accepted by the server, not only shown: no refusal toast on B.
    assert.equal(await b.getByTestId('toast-error').count(), 0, 'no refusal message');
    await snap(a, 'a-sees-task-in-done');
  });

  test('A moves the task by keyboard and edits it in the dialog; B sees both', async () => {
    const c = a.getByTestId('column-Done').locator(`[data-task-title="${taskTitle}"]`);
    await c.focus();
    await a.keyboard.press('Space');
    await a.waitForTimeout(150);
    await a.keyboard.press('ArrowLeft');
    await a.waitForTimeout(150);
    await snap(a, 'a-keyboard-drag');
    await a.keyboard.press('Space');
    await a.getByTestId('column-In Progress').locator(`[data-task-title="${taskTitle}"]`).waitFor();
    await b.getByTestId('column-In Progress').locator(`[data-task-title="${taskTitle}"]`).waitFor();
    await card(a, taskTitle).click();
    await a.getByTestId('task-priority').selectOption('HIGH');
    await a.getByTestId('task-assignee').selectOption(bobId);
    await a.getByTestId('task-due').fill('2030-05-17');
    await snap(a, 'a-task-dialog');
    await a.getByTestId('task-save').click();
    await card(b, taskTitle).locator('.prio-high').waitFor();
    await snap(b, 'b-sees-edit');
  });

  test('chat goes both ways', async () => {
    const hello = `Hello Bob ${run}`;
    const reply = `Hi Alice ${run}`;
    await a.getByTestId('chat-input').fill(hello);
    await a.getByTestId('chat-input').press('Enter');
    await b.getByTestId('chat-list').getByText(hello).waitFor({ timeout: WAIT });
    await b.getByTestId('chat-input').fill(reply);
    await b.getByTestId('chat-input').press('Enter');
    await a.getByTestId('chat-list').getByText(reply).waitFor({ timeout: WAIT });
    await snap(a, 'a-chat');
    await snap(b, 'b-chat');
  });

  test('presence shows both', async () => {
    await a.getByTestId(`presence-avatar-${bobId}`).waitFor({ timeout: WAIT });
    await a.getByTestId(`presence-avatar-${aliceId}`).waitFor({ timeout: WAIT });
    await b.getByTestId(`presence-avatar-${aliceId}`).waitFor({ timeout: WAIT });
    await snap(a, 'a-presence');
  });

  test('the app works at 390×844', async () => {
    const phone = await ctxA.newPage();
    watch(phone, 'A-phone');
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${BASE}/projects`);
    await phone.getByTestId(`project-card-${projectId}`).waitFor({ timeout: WAIT });
    await snap(phone, 'phone-projects');
    await phone.goto(`${BASE}/projects/${projectId}`);
    await phone.getByTestId('column-To Do').waitFor({ timeout: WAIT });
    await snap(phone, 'phone-board');
    await phone.getByTestId('tab-chat').click();
    await phone.getByTestId('chat-input').waitFor({ timeout: WAIT });
    await snap(phone, 'phone-chat');
    await phone.getByTestId('tab-members').click();
    await phone.getByTestId('member-list').waitFor({ timeout: WAIT });
    await snap(phone, 'phone-members');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(overflow, false, 'no horizontal page overflow on a phone');
    await phone.close();
  });

  test('A removes B and B loses access at once', async () => {
    assert.ok(projectId && bobId);
    await a.getByTestId('tab-members').click();
    await a.getByTestId(`member-${bobId}`).getByTestId('member-remove').click();
    await a.getByTestId('confirm-remove-member').click();
    await a.getByTestId(`member-${bobId}`).waitFor({ state: 'detached', timeout: WAIT });
    // Focus stays in the member list, not on the page's start.
    await a.waitForFunction(() => !!document.activeElement?.closest('[data-testid="member-list"]'), null, { timeout: WAIT });
    await snap(a, 'a-removed-b');
    // B is on the project page and is taken out of it without doing anything.
    await b.waitForURL(`${BASE}/projects`, { timeout: 5000 });
    await b.getByTestId(`project-card-${projectId}`).waitFor({ state: 'detached', timeout: WAIT });
    await snap(b, 'b-lost-access');
    const res = await ctxB.request.get(`${BASE}/api/v1/projects/${projectId}`);
    assert.equal(res.status(), 404);
  });

  test('sign out and sign in again', async () => {
    await b.getByTestId('user-menu').click();
    await b.getByTestId('sign-out').click();
    await b.waitForURL(`${BASE}/signin`, { timeout: WAIT });
    await b.getByTestId('signin-email').fill(bob.email);
    await b.getByTestId('signin-password').fill(bob.password);
    await snap(b, 'b-signin');
    await b.getByTestId('signin-submit').click();
    await b.waitForURL(`${BASE}/projects`, { timeout: WAIT });
  });

  test('no errors in the browser console', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
