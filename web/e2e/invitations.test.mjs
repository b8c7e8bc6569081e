// End to end: an owner creates an invitation link in Members and settings; someone signed out
// opens it, creates an account, is brought back to the invitation and joins; a revoked link says
// so. Runs against E2E_BASE_URL (skipped when unset); screenshots go to web/e2e/artifacts/invitations/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.E2E_BASE_URL?.replace(/\/$/, '');
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts', 'invitations');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const WAIT = 10_000;

const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const owner = { name: 'Olivia Invite', email: `olivia-invite-${run}@example.test`, password: 'correct horse battery' };
const guest = { name: 'Gus Guest', email: `gus-guest-${run}@example.test`, password: 'another good password' };

describe('invitation links', { skip: BASE ? false : 'E2E_BASE_URL is not set' }, () => {
  let browser;
  let ctxA;
  let ctxB;
  let a;
  let b;
  let projectId;

  async function snap(page, name) {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) }).catch(() => {});
  }

  before(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    ctxA = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ctxB = await browser.newContext({ viewport: { width: 390, height: 844 } });
    a = await ctxA.newPage();
    b = await ctxB.newPage();
    await a.goto(`${BASE}/signup`);
    await a.getByTestId('signup-name').fill(owner.name);
    await a.getByTestId('signup-email').fill(owner.email);
    await a.getByTestId('signup-password').fill(owner.password);
    await a.getByTestId('signup-submit').click();
    await a.waitForURL(`${BASE}/projects`, { timeout: WAIT });
    const res = await ctxA.request.post(`${BASE}/api/v1/projects`, {
      headers: { 'X-Requested-With': 'fetch' },
      data: { name: `Invited ${run}` },
    });
    assert.equal(res.status(), 201);
    projectId = (await res.json()).id;
  });
  after(async () => {
    await browser?.close();
  });

  test('a signed-out person opens a link, signs up, comes back to it and joins', async () => {
    await a.goto(`${BASE}/projects/${projectId}/members`);
    await a.getByTestId('invitations-panel').waitFor({ timeout: WAIT });
    await a.getByTestId('invite-max-uses').fill('1');
    await a.getByTestId('invite-create').click();
    const link = await a.getByTestId('invite-link').inputValue({ timeout: WAIT });
    assert.match(link, new RegExp(`^${BASE}/invite/[A-Za-z0-9_-]{40,}$`));
    await a.getByTestId('invitation-list').waitFor({ timeout: WAIT });
    await snap(a, 'a-link-created');

    await b.goto(link);
    await b.waitForURL(/\/signin\?next=/, { timeout: WAIT });
    await b.getByTestId('to-signup').click();
    await b.waitForURL(/\/signup\?next=/, { timeout: WAIT });
    await b.getByTestId('signup-name').fill(guest.name);
    await b.getByTestId('signup-email').fill(guest.email);
    await b.getByTestId('signup-password').fill(guest.password);
    await b.getByTestId('signup-submit').click();
    await b.waitForURL(link, { timeout: WAIT });
    const summary = await b.getByTestId('invite-summary').textContent({ timeout: WAIT });
    assert.match(summary, new RegExp(`Invited ${run}`));
    assert.match(summary, /as Member/);
    await snap(b, 'b-invitation');
    await b.getByTestId('invite-join').click();
    await b.waitForURL(`${BASE}/projects/${projectId}`, { timeout: WAIT });

    // The owner's member list shows the newcomer live; the used-up link is no longer open.
    await a.locator(`[data-email="${guest.email}"]`).waitFor({ timeout: WAIT });
    const open = await ctxA.request.get(`${BASE}/api/v1/projects/${projectId}/invitations`);
    assert.equal((await open.json()).items.length, 0);
    await a.getByTestId('invitation-list').waitFor({ state: 'detached', timeout: WAIT });

    // Opening it again: already a member.
    await b.goto(link);
    await b.getByTestId('invite-already').waitFor({ timeout: WAIT });
  });

  test('a revoked link says it was revoked', async () => {
    const before = await a.getByTestId('invite-link').inputValue();
    await a.getByTestId('invite-create').click();
    await a.waitForFunction((old) => document.querySelector('[data-testid="invite-link"]')?.value !== old, before, { timeout: WAIT });
    const link = await a.getByTestId('invite-link').inputValue();
    // The newest link comes first.
    const item = await a.locator('[data-testid="invitation-list"] > li').first().getAttribute('data-testid');
    await a.getByTestId('invitation-revoke').first().click();
    await a.getByTestId(item).waitFor({ state: 'detached', timeout: WAIT });
    const c = await ctxB.newPage();
    await c.goto(link);
    const text = await c.getByTestId('invite-error').textContent({ timeout: WAIT });
    assert.match(text, /revoked/);
    await snap(c, 'c-revoked');
  });
});
