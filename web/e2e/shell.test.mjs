// End to end: the project shell (sections, chat panel, addresses), the task dialog that never
// silently reverts someone else's edit (two browsers), safety (undo, confirmations) and an
// accessibility check of every screen with axe-core. Runs against E2E_BASE_URL (skipped when
// unset); screenshots go to web/e2e/artifacts/shell/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.E2E_BASE_URL?.replace(/\/$/, '');
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts', 'shell');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
// Evaluated through the DevTools protocol: the app's Content-Security-Policy refuses inline scripts,
// so a <script> tag with axe would be blocked.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WAIT = 10_000;

const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const alice = { name: 'Alice Shell', email: `alice-shell-${run}@example.test`, password: 'correct horse battery' };
const bob = { name: 'Bob Shell', email: `bob-shell-${run}@example.test`, password: 'another good password' };
const projectName = `Shell ${run}`;
const description = 'The second release of the web client: a shell for every section.';

describe('the project shell and safe editing', { skip: BASE ? false : 'E2E_BASE_URL is not set' }, () => {
  let browser;
  let ctxA;
  let ctxB;
  let a;
  let b;
  let projectId;
  let bobId;
  let todo; // the To Do column's id
  const consoleErrors = [];
  const axeFindings = [];

  const api = (ctx) => ({
    async call(method, path, body, ifMatch) {
      const headers = { 'X-Requested-With': 'fetch' };
      if (ifMatch !== undefined) headers['If-Match'] = `"${ifMatch}"`;
      const res = await ctx.request.fetch(`${BASE}/api/v1${path}`, { method, headers, data: body });
      const text = await res.text();
      return { status: res.status(), body: text ? JSON.parse(text) : null };
    },
  });
  async function snap(page, name) {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) }).catch(() => {});
  }
  // Refusals the tests provoke on purpose (a stale task, an unknown email) reach the console as
  // failed loads; anything else is an error.
  function watch(page, who) {
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4(04|09|12|22)/.test(m.text())) consoleErrors.push(`${who}: ${m.text()}`);
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
  /** axe-core on the page as it is: every serious or critical violation is recorded. */
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
  const card = (page, title) => page.locator(`[data-testid^="task-card-"]:not([data-testid^="task-card-tmp-"])[data-task-title="${title}"]`);
  async function newTask(title) {
    const r = await api(ctxA).call('POST', `/projects/${projectId}/tasks`, { title, column_id: todo });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  }
  const getTask = async (id) => api(ctxA).call('GET', `/projects/${projectId}/tasks/${id}`);

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

  test('set-up: two people share a project with a description', async () => {
    await a.goto(`${BASE}/signin`);
    await axe(a, 'sign in');
    await signUp(a, alice);
    bobId = await signUp(b, bob);
    const p = await api(ctxA).call('POST', '/projects', { name: projectName, description });
    assert.equal(p.status, 201);
    projectId = p.body.id;
    assert.equal((await api(ctxA).call('POST', `/projects/${projectId}/members`, { email: bob.email, role: 'MEMBER' })).status, 201);
    const board = await api(ctxA).call('GET', `/projects/${projectId}/board`);
    todo = board.body.columns.find((c) => c.name === 'To Do').id;
    await a.goto(`${BASE}/projects`);
    await a.getByTestId(`project-card-${projectId}`).waitFor();
    await axe(a, 'projects');
  });

  test('renaming a project and dropping the change asks first', async () => {
    await a.getByTestId(`project-card-${projectId}`).getByTestId('rename-project').click();
    await a.getByTestId('rename-project-name').fill(`${projectName} (draft)`);
    await a.getByTestId('rename-project-cancel').click();
    await a.getByTestId('rename-project-discard').click();
    await a.getByTestId('rename-project-dialog').waitFor({ state: 'hidden' });
    assert.equal(await a.getByTestId(`project-card-${projectId}`).getAttribute('data-project-name'), projectName);
    // Unchanged, it closes at once.
    await a.getByTestId(`project-card-${projectId}`).getByTestId('rename-project').click();
    await a.getByTestId('rename-project-name').waitFor();
    await a.keyboard.press('Escape');
    await a.getByTestId('rename-project-dialog').waitFor({ state: 'hidden' });
  });

  test('the shell names the project, every section, and the tab title follows', async () => {
    await a.goto(`${BASE}/projects/${projectId}`);
    await a.getByTestId('project-description').filter({ hasText: description }).waitFor();
    for (const s of ['board', 'code', 'pages', 'graph', 'calls', 'members']) await a.getByTestId(`tab-${s}`).waitFor();
    await a.getByTestId('column-To Do').waitFor();
    assert.match(await a.title(), new RegExp(projectName));
    await snap(a, '1280-board');
    await axe(a, 'board');
    await a.getByTestId('tab-code').click();
    await a.getByTestId('code-empty').waitFor();
    assert.match(await a.title(), new RegExp(`^Code · ${projectName}`));
    await snap(a, '1280-code');
    await axe(a, 'code');
    await a.getByTestId('tab-members').click();
    await a.getByTestId('member-list').waitFor();
    await axe(a, 'members');
    await a.getByTestId('tab-board').click();
    await a.getByTestId('column-To Do').waitFor();
  });

  test('the chat collapses and widens, and the choice is kept', async () => {
    await a.getByTestId('chat-collapse').click();
    await a.getByTestId('chat-expand').waitFor();
    await a.reload();
    await a.getByTestId('column-To Do').waitFor();
    await a.getByTestId('chat-expand').waitFor();
    const add = await a.getByTestId('add-column').boundingBox();
    assert.ok(add && add.x + add.width <= 1280, `"Add column" is on screen at 1280 px with the chat collapsed (${JSON.stringify(add)})`);
    await snap(a, '1280-chat-collapsed');
    await a.getByTestId('chat-expand').click();
    await a.getByTestId('chat-widen').click();
    await a.getByTestId('chat-input').waitFor();
    const wide = await a.getByTestId('chat-dock').boundingBox();
    assert.ok(wide && wide.width > 400, 'the widened chat is wider');
    await snap(a, '1280-chat-wide');
    await a.getByTestId('chat-widen').click();
  });

  test('a task opens at its own address; Back closes it; the address can be shared', async () => {
    const t = await newTask(`Addressed ${run}`);
    await card(a, t.title).click();
    await a.waitForURL(`${BASE}/projects/${projectId}/tasks/${t.id}`);
    await a.getByTestId('task-title').waitFor();
    assert.equal(await a.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'task-title', 'the dialog focuses its first field');
    assert.match(await a.title(), new RegExp(`^Addressed ${run} · ${projectName}`));
    await axe(a, 'task dialog');
    await a.goBack();
    await a.waitForURL(`${BASE}/projects/${projectId}`);
    await a.getByTestId('task-title').waitFor({ state: 'detached' });
    await b.goto(`${BASE}/projects/${projectId}/tasks/${t.id}`);
    await b.getByTestId('task-title').waitFor();
    assert.equal(await b.getByTestId('task-title').inputValue(), t.title);
    await b.getByTestId('task-cancel').click();
    await b.waitForURL(`${BASE}/projects/${projectId}`);
  });

  test('filters and search live in the address', async () => {
    await a.getByTestId('board-search').fill('Addressed');
    await a.waitForURL(/\?q=Addressed$/);
    await a.getByTestId('filter-priority').selectOption('HIGH');
    await a.waitForURL(/priority=HIGH/);
    await a.reload();
    assert.equal(await a.getByTestId('board-search').inputValue(), 'Addressed');
    assert.equal(await a.getByTestId('filter-priority').inputValue(), 'HIGH');
    await a.getByTestId('filter-clear').click();
    await a.waitForURL(`${BASE}/projects/${projectId}`);
  });

  test('a rename made while B edits the description is kept (no silent overwrite)', async () => {
    const t = await newTask(`Release notes ${run}`);
    await b.goto(`${BASE}/projects/${projectId}/tasks/${t.id}`);
    await b.getByTestId('task-title').waitFor();
    await b.getByTestId('task-description').fill('B writes the details');
    // A renames it in A's own browser.
    await a.goto(`${BASE}/projects/${projectId}/tasks/${t.id}`);
    await a.getByTestId('task-title').fill(`Release notes, renamed by A ${run}`);
    await a.getByTestId('task-save').click();
    await a.getByTestId('task-title').waitFor({ state: 'detached' });
    // B's untouched title follows in place, with a word about it.
    await b.getByTestId('task-updated-notice').waitFor();
    assert.equal(await b.getByTestId('task-title').inputValue(), `Release notes, renamed by A ${run}`);
    assert.equal(await b.getByTestId('task-description').inputValue(), 'B writes the details');
    await snap(b, '1280-dialog-updated-in-place');
    await b.getByTestId('task-save').click();
    await b.getByTestId('task-title').waitFor({ state: 'detached' });
    const now = (await getTask(t.id)).body;
    assert.equal(now.title, `Release notes, renamed by A ${run}`, "A's rename survives B's save");
    assert.equal(now.description, 'B writes the details');
  });

  test('when both change the same field, B sees it and chooses', async () => {
    const t = await newTask(`Contested ${run}`);
    await b.goto(`${BASE}/projects/${projectId}/tasks/${t.id}`);
    await b.getByTestId('task-title').fill(`B's title ${run}`);
    const r = await api(ctxA).call('PATCH', `/projects/${projectId}/tasks/${t.id}`, { title: `A's title ${run}` }, t.version);
    assert.equal(r.status, 200);
    await b.getByTestId('task-conflict-title').filter({ hasText: `A's title ${run}` }).waitFor();
    assert.equal(await b.getByTestId('task-save').isDisabled(), true, 'no save until the conflict is settled');
    await snap(b, '1280-dialog-conflict');
    await axe(b, 'task dialog with a conflict');
    await b.getByTestId('task-conflict-mine-title').click();
    await b.getByTestId('task-save').click();
    await b.getByTestId('task-title').waitFor({ state: 'detached' });
    assert.equal((await getTask(t.id)).body.title, `B's title ${run}`);
  });

  test('a task deleted by someone else keeps B’s text on screen with a notice', async () => {
    const t = await newTask(`Doomed ${run}`);
    await b.goto(`${BASE}/projects/${projectId}/tasks/${t.id}`);
    await b.getByTestId('task-description').fill('Text B does not want to lose');
    assert.equal((await api(ctxA).call('DELETE', `/projects/${projectId}/tasks/${t.id}`, undefined, t.version)).status, 204);
    await b.getByTestId('task-gone').waitFor();
    assert.equal(await b.getByTestId('task-description').inputValue(), 'Text B does not want to lose');
    await snap(b, '1280-dialog-deleted-elsewhere');
    // Closing with unsaved text asks first.
    await b.keyboard.press('Escape');
    await b.getByTestId('task-discard').waitFor();
    await b.getByTestId('task-keep-editing').click();
    assert.equal(await b.getByTestId('task-description').inputValue(), 'Text B does not want to lose');
    await b.getByTestId('task-cancel').click();
    await b.getByTestId('task-discard').click();
    await b.getByTestId('task-title').waitFor({ state: 'detached' });
  });

  test('deleting a task can be undone for a few seconds, then it is deleted', async () => {
    const t = await newTask(`Undoable ${run}`);
    await a.goto(`${BASE}/projects/${projectId}`);
    await card(a, t.title).click();
    await a.getByTestId('task-delete').click();
    await a.getByTestId('task-delete-confirm').click();
    await card(a, t.title).waitFor({ state: 'detached' });
    await a.getByTestId('undo-delete-task').click();
    await card(a, t.title).waitFor();
    assert.equal((await getTask(t.id)).status, 200, 'undone: never deleted');
    await card(a, t.title).click();
    await a.getByTestId('task-delete').click();
    await a.getByTestId('task-delete-confirm').click();
    await card(b, t.title).waitFor({ state: 'detached', timeout: 15_000 });
    assert.equal((await getTask(t.id)).status, 404);
  });

  test('chat and menus by keyboard', async () => {
    await a.goto(`${BASE}/projects/${projectId}`);
    await a.getByTestId('column-To Do').waitFor();
    const text = `Typed by keyboard ${run}`;
    await a.getByTestId('chat-input').fill(text);
    await a.getByTestId('chat-input').press('Enter');
    await a.waitForFunction((t) => [...document.querySelectorAll('article.msg')].some((m) => m.textContent.includes(t) && !m.classList.contains('msg-pending')), text);
    const msgId = await a.locator('article.msg:not(.msg-pending)', { hasText: text }).getAttribute('data-testid');
    const msg = a.getByTestId(msgId);
    // Up in the empty box edits the last message.
    await a.getByTestId('chat-input').press('ArrowUp');
    await a.getByTestId('chat-edit-input').fill(`${text}, edited`);
    await a.getByTestId('chat-edit-input').press('Enter');
    await msg.getByText('(edited)').waitFor();
    // A focused message takes R (reply) and Delete (asks first).
    await msg.focus();
    await a.keyboard.press('r');
    await a.getByTestId('chat-replying').waitFor();
    await a.keyboard.press('Escape');
    await msg.focus();
    await a.keyboard.press('Delete');
    await a.getByTestId('chat-delete-confirm').waitFor();
    assert.equal(await a.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'chat-delete-confirm');
    await snap(a, '1280-chat-delete-confirm');
    await a.keyboard.press('Enter');
    await msg.getByText('This message was deleted.').waitFor();
    // The column menu: focus on its first item, arrows move, Escape closes and returns focus.
    await a.getByTestId('column-To Do').getByTestId('column-menu').click();
    assert.equal(await a.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'column-rename');
    await a.keyboard.press('ArrowDown');
    assert.equal(await a.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'column-move-right');
    await a.keyboard.press('Escape');
    await a.getByTestId('column-rename').waitFor({ state: 'detached' });
    assert.equal(await a.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'column-menu');
    // The account menu too.
    await a.getByTestId('user-menu').click();
    await a.keyboard.press('ArrowDown');
    assert.equal(await a.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'sign-out');
    await a.keyboard.press('Escape');
    await a.getByTestId('sign-out').waitFor({ state: 'detached' });
    // A skip link past the board leads to the chat.
    await a.getByTestId('skip-to-chat').focus();
    await a.keyboard.press('Enter');
    assert.equal(await a.evaluate(() => document.activeElement?.id), 'project-chat-panel');
  });

  test('making someone an owner asks first', async () => {
    await a.getByTestId('tab-members').click();
    await a.getByTestId(`member-${bobId}`).getByTestId('member-role').selectOption('OWNER');
    await a.getByTestId('make-owner-dialog').getByTestId('confirm-make-owner').waitFor();
    await axe(a, 'make owner dialog');
    await snap(a, '1280-make-owner');
    await a.keyboard.press('Escape');
    await a.getByTestId('confirm-make-owner').waitFor({ state: 'detached' });
    assert.equal(await a.getByTestId(`member-${bobId}`).getByTestId('member-role').inputValue(), 'MEMBER');
  });

  test('the app at 390 and 1440 px', async () => {
    const phone = await ctxA.newPage();
    watch(phone, 'A-phone');
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${BASE}/projects/${projectId}`);
    await phone.getByTestId('column-To Do').waitFor();
    await snap(phone, '390-board');
    await axe(phone, 'board at 390');
    await phone.getByTestId('tab-chat').click();
    await phone.getByTestId('chat-input').waitFor();
    await snap(phone, '390-chat');
    await axe(phone, 'chat at 390');
    await phone.getByTestId('tab-calls').click();
    await phone.getByTestId('calls-section').waitFor();
    await snap(phone, '390-calls');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(overflow, false, 'no horizontal page overflow on a phone');
    await phone.close();
    const wide = await ctxB.newPage();
    watch(wide, 'B-wide');
    await wide.setViewportSize({ width: 1440, height: 900 });
    await wide.goto(`${BASE}/projects/${projectId}`);
    await wide.getByTestId('column-To Do').waitFor();
    await snap(wide, '1440-board');
    await wide.goto(`${BASE}/profile`);
    await wide.getByRole('heading').first().waitFor();
    await axe(wide, 'profile');
    await wide.close();
  });

  test('tracker and chat details: quick add under a hiding filter, safe links, unread badge', async () => {
    await a.goto(`${BASE}/projects/${projectId}?priority=LOW`);
    await a.getByTestId('add-task-To Do').click();
    await a.getByTestId('add-task-more').click();
    await a.getByTestId('add-task-input').fill(`Quick ${run}`);
    await a.getByTestId('add-task-priority').selectOption('HIGH');
    await a.getByTestId('add-task-assignee').selectOption(bobId);
    await a.getByTestId('add-task-due').fill('2031-01-02');
    await a.getByTestId('add-task-submit').click();
    await a.getByText(`Added “Quick ${run}”. The current filters hide it.`).waitFor();
    await snap(a, '1280-added-hidden');
    await a.getByTestId('added-hidden-clear').click();
    await card(a, `Quick ${run}`).locator('.prio-high').waitFor();
    assert.equal(new URL(a.url()).search, '', 'clearing the filters clears the address');
    // B's phone shows how many messages came while on the board.
    const phone = await ctxB.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${BASE}/projects/${projectId}`);
    await phone.getByTestId('column-To Do').waitFor();
    // The chat's first page is in (an earlier message is there, hidden behind the Chat tab).
    await phone.locator('[data-testid="chat-list"] article.msg').first().waitFor({ state: 'attached' });
    await a.getByTestId('chat-input').fill(`See https://example.com/notes and javascript:alert(1) ${run}`);
    await a.getByTestId('chat-input').press('Enter');
    await phone.getByTestId('chat-unread').filter({ hasText: '1' }).waitFor();
    await snap(phone, '390-unread-badge');
    await phone.getByTestId('tab-chat').click();
    const link = phone.getByRole('link', { name: 'https://example.com/notes' });
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await phone.locator('.msg-text a[href^="javascript"]').count(), 0, 'only http and https become links');
    await phone.getByTestId('chat-unread').waitFor({ state: 'detached' });
    await phone.close();
  });

  test('columns get a status; add-by-email errors read as a sentence; a project that never existed is not "no longer"', async () => {
    await a.goto(`${BASE}/projects/${projectId}`);
    await a.getByTestId('add-column').click();
    await a.getByTestId('add-column-input').fill('x'.repeat(80));
    assert.equal((await a.getByTestId('add-column-input').inputValue()).length, 64, 'the name keeps the server limit');
    await a.getByTestId('add-column-input').fill(`Review ${run}`);
    await a.getByTestId('add-column-status').selectOption('IN_PROGRESS');
    await a.getByTestId('add-column-submit').click();
    await a.getByTestId(`column-Review ${run}`).waitFor();
    const col = async () => (await api(ctxA).call('GET', `/projects/${projectId}/board`)).body.columns.find((c) => c.name === `Review ${run}`);
    assert.equal((await col()).status, 'IN_PROGRESS');
    await a.getByTestId(`column-Review ${run}`).getByTestId('column-menu').click();
    await a.getByTestId('column-status-DONE').click();
    for (let i = 0; i < 50 && (await col()).status !== 'DONE'; i++) await a.waitForTimeout(100);
    assert.equal((await col()).status, 'DONE');
    await a.getByTestId('tab-members').click();
    await a.getByTestId('add-member-email').fill(`nobody-${run}@example.test`);
    await a.getByTestId('add-member-submit').click();
    await a.getByTestId('add-member-error').filter({ hasText: `No account uses nobody-${run}@example.test. Ask them to sign up first.` }).waitFor();
    assert.equal(await a.getByTestId('add-member-email').getAttribute('aria-describedby'), 'add-member-error');
    await snap(a, '1280-add-member-error');
    await a.goto(`${BASE}/projects/00000000-0000-4000-8000-000000000000`);
    await a.getByText('This project does not exist, or you are not a member of it.').waitFor();
    assert.equal(await a.getByText('You no longer have access').count(), 0);
  });

  test('a sole owner leaves by handing the project over', async () => {
    const p = await api(ctxA).call('POST', '/projects', { name: `Handover ${run}` });
    assert.equal((await api(ctxA).call('POST', `/projects/${p.body.id}/members`, { email: bob.email, role: 'MEMBER' })).status, 201);
    await a.goto(`${BASE}/projects/${p.body.id}/members`);
    await a.getByTestId('leave-project').click();
    assert.equal(await a.getByTestId('confirm-leave-project').isDisabled(), true, 'not without a new owner');
    await a.getByTestId('leave-new-owner').selectOption(bobId);
    await snap(a, '1280-leave-sole-owner');
    await a.getByTestId('confirm-leave-project').click();
    await a.waitForURL(`${BASE}/projects`);
    const members = (await api(ctxB).call('GET', `/projects/${p.body.id}/members`)).body.items;
    assert.deepEqual(members.map((m) => [m.user_id, m.role]), [[bobId, 'OWNER']]);
  });

  test('leaving asks first and says one thing', async () => {
    await b.goto(`${BASE}/projects/${projectId}/members`);
    await b.getByTestId('leave-project').click();
    await b.getByTestId('confirm-leave-project').waitFor();
    await snap(b, '1280-leave-confirm');
    await b.getByTestId('confirm-leave-project').click();
    await b.waitForURL(`${BASE}/projects`);
    await b.getByText('You left the project.').waitFor();
    await b.waitForTimeout(1500); // a revocation notice would come within this
    const notices = await b.locator('.toast').allTextContents();
    assert.deepEqual(notices.map((t) => t.replace(/×$/, '')), ['You left the project.']);
  });

  test('no serious or critical accessibility violations on any screen', () => {
    assert.deepEqual(axeFindings, []);
  });

  test('no errors in the browser console', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
