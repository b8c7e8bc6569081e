// A board of 1,000 tasks: how long the board takes to show, and how the page stalls while a card
// is dragged with the mouse and with the keyboard. Figures are reported (t.diagnostic, and
// web/e2e/artifacts/board-speed.json), never asserted: timings depend on the machine.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.E2E_BASE_URL?.replace(/\/$/, '');
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const TASKS = Number(process.env.E2E_BOARD_TASKS ?? 1000);
const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);

describe(`a board of ${TASKS} tasks`, { skip: BASE ? false : 'E2E_BASE_URL is not set' }, () => {
  let browser;
  let ctx;
  let page;
  let projectId;
  const figures = {};

  const call = async (method, path, data) => {
    const res = await ctx.request.fetch(`${BASE}/api/v1${path}`, { method, headers: { 'X-Requested-With': 'fetch' }, data });
    return { status: res.status(), body: res.status() === 204 ? null : await res.json() };
  };
  /** Long tasks (main-thread stalls over 50 ms) while `fn` runs: how many, the longest, the sum. */
  async function stalls(fn) {
    await page.evaluate(() => {
      window.__long = [];
      window.__obs = new PerformanceObserver((l) => window.__long.push(...l.getEntries().map((e) => e.duration)));
      window.__obs.observe({ type: 'longtask' });
      performance.mark('measure-start');
    });
    await fn();
    return page.evaluate(() => {
      performance.mark('measure-end');
      window.__obs.disconnect();
      const d = window.__long;
      const total = performance.measure('measure', 'measure-start', 'measure-end').duration;
      return { longTasks: d.length, longestMs: Math.round(Math.max(0, ...d)), stalledMs: Math.round(d.reduce((a, b) => a + b, 0)), totalMs: Math.round(total) };
    });
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    ctx.setDefaultTimeout(20_000);
    page = await ctx.newPage();
  });
  after(async () => {
    await browser?.close();
  });

  test('set-up', async () => {
    await page.goto(`${BASE}/signup`);
    await page.getByTestId('signup-name').fill('Speed');
    await page.getByTestId('signup-email').fill(`speed-${run}@example.test`);
    await page.getByTestId('signup-password').fill('correct horse battery');
    await page.getByTestId('signup-submit').click();
    await page.waitForURL(`${BASE}/projects`);
    projectId = (await call('POST', '/projects', { name: `Speed ${run}` })).body.id;
    const board = (await call('GET', `/projects/${projectId}/board`)).body;
    const cols = board.columns.map((c) => c.id);
    for (let i = 0; i < TASKS; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, TASKS - i) }, (_, k) =>
          call('POST', `/projects/${projectId}/tasks`, { title: `Task ${i + k}`, column_id: cols[(i + k) % cols.length], priority: ['LOW', 'MEDIUM', 'HIGH'][(i + k) % 3] }),
        ),
      );
    }
  });

  test('the board shows', async (t) => {
    await page.goto(`${BASE}/projects/${projectId}`);
    await page.locator('[data-task-title="Task 0"]').waitFor().catch(async (e) => {
      await page.screenshot({ path: join(ARTIFACTS, 'board-speed-failed.png') });
      throw e;
    });
    figures.boardShownMs = Math.round(await page.evaluate(() => performance.now()));
    t.diagnostic(`board of ${TASKS} tasks shown ${figures.boardShownMs} ms after navigation`);
  });

  test('a long column keeps only the cards near its view in the page', async () => {
    const column = page.getByTestId('column-tasks-To Do');
    const rendered = async () => Number(await column.getAttribute('data-rendered'));
    const inColumn = Math.ceil(TASKS / 3);
    assert.ok((await rendered()) < Math.min(inColumn, 40), `rendered ${await rendered()} of ${inColumn}`);
    // Scrolled to its end, the last cards come in and the first go.
    await column.evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.locator(`[data-task-title="Task ${TASKS - 1 - ((TASKS - 1) % 3)}"]`).waitFor();
    assert.equal(await page.locator('[data-task-title="Task 0"]').count(), 0);
    assert.ok((await rendered()) < Math.min(inColumn, 40));
    await column.evaluate((el) => { el.scrollTop = 0; });
    await page.locator('[data-task-title="Task 0"]').waitFor();
  });

  test('dragging with the mouse', async (t) => {
    const from = await page.locator('[data-task-title="Task 0"]').boundingBox();
    const to = await page.getByTestId('column-tasks-Done').boundingBox();
    figures.mouseDrag = await stalls(async () => {
      await page.mouse.move(from.x + 20, from.y + 10);
      await page.mouse.down();
      await page.mouse.move(to.x + 40, to.y + 40, { steps: 30 });
      await page.mouse.move(from.x + 20, from.y + 200, { steps: 30 });
      await page.mouse.up();
    });
    t.diagnostic(`mouse drag (60 moves): ${JSON.stringify(figures.mouseDrag)}`);
  });

  test('dragging with the keyboard', async (t) => {
    await page.locator('[data-task-title="Task 1"]').focus();
    figures.keyboardDrag = await stalls(async () => {
      await page.keyboard.press('Space');
      for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Escape');
    });
    t.diagnostic(`keyboard drag (7 keys): ${JSON.stringify(figures.keyboardDrag)}`);
    writeFileSync(join(ARTIFACTS, 'board-speed.json'), JSON.stringify({ tasks: TASKS, ...figures }, null, 2));
  });
});
