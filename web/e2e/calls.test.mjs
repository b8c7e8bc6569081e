// End to end: three people in three Chromium instances (fake camera and microphone) join one
// call in full mesh and receive each other's media: every peer connection is connected and each
// remote video keeps decoding frames. One leaves and the other two keep their media; then both
// leave, and the call is in the history, ENDED, with all three logged.
// Runs against E2E_BASE_URL (skipped when unset) with Debian's chromium via playwright-core.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.E2E_BASE_URL?.replace(/\/$/, '');
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts', 'calls');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WAIT = 20_000;
const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic',
  // Media without devices or prompts: a test pattern and a beep.
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

describe('a call between three browsers', { skip: BASE ? false : 'E2E_BASE_URL is not set' }, () => {
  const browsers = [];
  let a;
  let b;
  let c;
  let aId;
  let bId;
  let cId;
  let projectId;
  const consoleErrors = [];
  const axeFindings = [];

  async function open(name) {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    browsers.push(browser);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ctx.setDefaultTimeout(WAIT);
    const page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4(04|09)/.test(m.text())) consoleErrors.push(`${name}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${name}: uncaught ${e.message}`));
    return page;
  }
  async function signUp(page, name) {
    await page.goto(`${BASE}/signup`);
    await page.getByTestId('signup-name').fill(name);
    const email = `${name.toLowerCase().replace(/\s+/g, '-')}-${run}@example.test`;
    await page.getByTestId('signup-email').fill(email);
    await page.getByTestId('signup-password').fill('correct horse battery');
    await page.getByTestId('signup-submit').click();
    await page.waitForURL(`${BASE}/projects`);
    const me = await (await page.context().request.get(`${BASE}/api/v1/me`)).json();
    return { id: me.id, email };
  }
  const apiOf = (page) => async (method, path, data) => {
    const res = await page.context().request.fetch(`${BASE}/api/v1${path}`, { method, headers: { 'X-Requested-With': 'fetch' }, data });
    const text = await res.text();
    return { status: res.status(), body: text ? JSON.parse(text) : null };
  };
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
  /** Frames of the remote video decoded so far. */
  const frames = (page, otherId) =>
    page.evaluate((id) => document.querySelector(`[data-testid="call-tile-${id}"] video`)?.getVideoPlaybackQuality().totalVideoFrames ?? 0, otherId);
  /** The remote video is still flowing: more frames decoded a moment later. */
  async function keepsDecoding(page, otherId) {
    const first = await frames(page, otherId);
    await page.waitForFunction(
      ([id, n]) => (document.querySelector(`[data-testid="call-tile-${id}"] video`)?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > n,
      [otherId, first],
      { timeout: WAIT },
    );
  }
  /** The remote tile is connected and its video has decoded frames. */
  async function seesMedia(page, otherId) {
    const tile = page.locator(`[data-testid="call-tile-${otherId}"][data-connected="true"]`);
    await tile.waitFor({ timeout: WAIT });
    await page.waitForFunction(
      (id) => {
        const v = document.querySelector(`[data-testid="call-tile-${id}"] video`);
        return !!v && v.readyState >= 2 && v.videoWidth > 0 && v.srcObject && v.srcObject.getAudioTracks().length > 0;
      },
      otherId,
      { timeout: WAIT },
    );
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    a = await open('A');
    b = await open('B');
    c = await open('C');
  });
  after(async () => {
    for (const br of browsers) await br.close().catch(() => {});
  });

  test('all sign up; A makes a project with B and C in it', async () => {
    const ann = await signUp(a, 'Ann Caller');
    const ben = await signUp(b, 'Ben Callee');
    const cid = await signUp(c, 'Cid Third');
    aId = ann.id;
    bId = ben.id;
    cId = cid.id;
    const api = apiOf(a);
    const p = await api('POST', '/projects', { name: `Calls ${run}` });
    assert.equal(p.status, 201);
    projectId = p.body.id;
    for (const u of [ben, cid]) {
      assert.equal((await api('POST', `/projects/${projectId}/members`, { email: u.email, role: 'MEMBER' })).status, 201);
    }
  });

  test('A starts a call; B sees the notice in the project and joins; each receives the other\'s media', async () => {
    await a.goto(`${BASE}/projects/${projectId}/calls`);
    await b.goto(`${BASE}/projects/${projectId}`);
    await a.getByTestId('calls-section').waitFor();
    await axe(a, 'calls, no call');
    await a.getByTestId('call-start').click();
    await a.getByTestId('call-tile-me').waitFor();
    await b.getByTestId('call-notice').waitFor();
    await b.getByTestId('call-notice-open').click();
    await b.getByTestId('call-join').click();
    await seesMedia(a, bId);
    await seesMedia(b, aId);
    await a.screenshot({ path: join(ARTIFACTS, 'a-in-call.png') });
    await b.screenshot({ path: join(ARTIFACTS, 'b-in-call.png') });
    await axe(a, 'calls, in a call');
  });

  test('C joins: everyone receives everyone else\'s media, and it keeps flowing', async () => {
    await c.goto(`${BASE}/projects/${projectId}/calls`);
    await c.getByTestId('call-join').click();
    for (const [page, others] of [[a, [bId, cId]], [b, [aId, cId]], [c, [aId, bId]]]) {
      for (const id of others) await seesMedia(page, id);
      for (const id of others) await keepsDecoding(page, id);
    }
    await c.screenshot({ path: join(ARTIFACTS, 'c-in-call-of-three.png') });
  });

  test('mute reaches the others', async () => {
    await b.getByTestId('call-mute').click();
    await a.locator(`[data-testid="call-tile-${bId}"]`, { hasText: 'muted' }).waitFor();
    await c.locator(`[data-testid="call-tile-${bId}"]`, { hasText: 'muted' }).waitFor();
  });

  test('C leaves: A and B keep their media', async () => {
    await c.getByTestId('call-leave').click();
    await a.locator(`[data-testid="call-tile-${cId}"]`).waitFor({ state: 'detached' });
    await b.locator(`[data-testid="call-tile-${cId}"]`).waitFor({ state: 'detached' });
    await keepsDecoding(a, bId);
    await keepsDecoding(b, aId);
  });

  test('A and B leave: the call ended, with all three logged, and shows in the history', async () => {
    await b.getByTestId('call-leave').click();
    await a.locator(`[data-testid="call-tile-${bId}"]`).waitFor({ state: 'detached' });
    await a.getByTestId('call-leave').click();
    await a.getByTestId('call-start').waitFor();
    const calls = await apiOf(a)('GET', `/projects/${projectId}/calls`);
    assert.equal(calls.body.items.length, 1);
    const call = calls.body.items[0];
    assert.equal(call.status, 'ENDED');
    assert.deepEqual([...new Set(call.participants.map((p) => p.user_id))].sort(), [aId, bId, cId].sort());
    await a.getByTestId(`call-history-${call.id}`).waitFor();
    await axe(a, 'calls, history');
    assert.deepEqual(axeFindings, [], 'no serious or critical accessibility violations');
    assert.deepEqual(consoleErrors, [], 'no errors in the browser consoles');
  });
});
