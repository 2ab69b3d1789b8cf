// Browser tests of the netoops dashboard: Playwright drives Debian's chromium (headless) against
// a real netoopsd filled by tests/web/run.sh. Prints PASS/FAIL per check and "N passed, N failed";
// exits 1 if any failed. Screenshots of each page go to $SHOTS. Fails on any console error.
// Environment: BASE (http://127.0.0.1:PORT), SHOTS, LIVE_CMD (a shell command that sends a new
// dump from host LIVE_HOST), LIVE_HOST, GUEST_TITLE, GUEST_HOST.
import { chromium } from 'playwright-core';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { BASE, SHOTS, LIVE_CMD, LIVE_HOST, GUEST_TITLE, GUEST_HOST } = process.env;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TIMEOUT = 15000;
let passed = 0, failed = 0;
const problems = [];	// console errors, page errors, failed requests, dialogs: all fail the run

async function check(name, fn) {
  try {
    await fn();
    console.log(`PASS web/${name}`);
    passed++;
  } catch (e) {
    console.log(`FAIL web/${name}\n    ${String(e && e.stack || e).split('\n').slice(0, 4).join('\n    ')}`);
    failed++;
  }
}

function assert(cond, msg) { if (!cond) throw new Error(msg); }

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// Go to HASH and wait until the page was rendered (main[data-ready]) without an error box.
async function open(page, hash) {
  await page.evaluate(() => { delete document.getElementById('main').dataset.ready; });
  await page.evaluate((h) => { location.hash = h; }, hash);
  await ready(page);
}

// Click LOC (a link to another page of the dashboard) and wait for that page.
async function follow(page, loc) {
  await page.evaluate(() => { delete document.getElementById('main').dataset.ready; });
  await loc.click();
  await ready(page);
}

async function ready(page) {
  await page.waitForSelector('main[data-ready]', { timeout: TIMEOUT });
  const err = await page.$('#error');
  assert(!err, `the page shows an error: ${err && await err.textContent()}`);
}

// Nothing a dump carried was made into markup: no element the dashboard does not make itself.
async function noInjectedMarkup(page) {
  const bad = await page.evaluate(() => [...document.querySelectorAll(
    'main script, main img, main iframe, main object, main embed, main b, main foreignObject')]
    .map((e) => e.outerHTML));
  assert(bad.length === 0, `markup from the data: ${bad.join(' ')}`);
  assert(await page.evaluate(() => window.__xss === undefined), 'a payload ran (window.__xss set)');
}

const userData = mkdtempSync(join(tmpdir(), 'netoops-chromium-'));
const ctx = await chromium.launchPersistentContext(userData, {
  executablePath: '/usr/bin/chromium', headless: true, args: FLAGS,
  viewport: { width: 1280, height: 900 },
});
const page = ctx.pages()[0] || await ctx.newPage();
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
page.on('dialog', async (d) => { problems.push(`dialog (a payload ran): ${d.message()}`); await d.dismiss(); });

try {
  await check('overview', async () => {
    const r = await page.goto(BASE + '/', { waitUntil: 'load' });
    assert(r.status() === 200, `status ${r.status()}`);
    const csp = r.headers()['content-security-policy'] || '';
    assert(csp.includes("script-src 'self'") && !csp.includes('unsafe'), `CSP: ${csp}`);
    await ready(page);
    assert(await page.locator('#crashes svg rect.bar').count() > 0, 'no bar in the crashes plot');
    const health = await page.locator('#health').textContent();
    assert(/Datagrams received\s*\d+/.test(health), `health: ${health}`);
    assert(await page.locator('#top-groups a').count() > 0, 'no top group');
    assert((await page.locator('#new-groups').textContent()).includes(GUEST_TITLE), 'the guest crash is not among the new groups');
    await shot(page, 'overview');
  });

  await check('group-from-overview', async () => {
    await follow(page, page.locator('#new-groups a', { hasText: GUEST_TITLE }).first());
    assert(/#\/groups\/\d+$/.test(page.url()), `url ${page.url()}`);
    assert((await page.locator('#group-title').textContent()) === GUEST_TITLE, 'group title');
    const text = await page.locator('main').textContent();
    assert(text.includes('6.1.0-57-amd64') && text.includes(GUEST_HOST), 'kernel or host missing');
    assert(/Signature versionv\d/.test(text), 'no signature version');
    assert(await page.locator('#group-reports tbody tr').count() >= 1, 'no report listed');
    await shot(page, 'group');
  });

  await check('report-fields-trace-text', async () => {
    await follow(page, page.locator('a', { hasText: /^the latest, #\d+$/ }));
    assert((await page.locator('#report-title').textContent()) === GUEST_TITLE, 'report title');
    const f = await page.locator('main table.fields').first().textContent();
    assert(f.includes(GUEST_HOST) && f.includes('6.1.0-57-amd64') && f.includes('oops'), `fields: ${f}`);
    const rep = await page.locator('#report-0').textContent();
    assert(rep.includes('crash_null') && rep.includes('G') && /PID\d+/.test(rep), `report: ${rep.slice(0, 300)}`);
    const frames = await page.locator('#report-0 ol.trace li').allTextContents();
    assert(frames[0] && /^netoops_crashtest_init\+0x113\/0x1000 \[netoops_crashtest\]/.test(frames[0]) &&
      frames.some((l) => l.startsWith('? handle_mm_fault+')), `trace: ${frames.join(' | ')}`);
    const crash = await page.locator('#crash').textContent();
    assert(crash.includes('BUG: kernel NULL pointer dereference'), 'the crash is not highlighted');
    assert(!crash.includes('Linux version'), 'the backlog is in the highlighted part');
    assert(!(await page.locator('#backlog').getAttribute('open')), 'the backlog is not folded');
    assert((await page.locator('#backlog summary').textContent()).match(/^\d+ earlier log lines/), 'backlog summary');
    const raw = await page.request.get(BASE + await page.locator('#raw').getAttribute('href'));
    assert(raw.status() === 200 && (await raw.text()).includes('Linux version 6.1.0-57-amd64'), 'raw text');
    await shot(page, 'report');
    await page.locator('#backlog summary').click();
    assert(await page.locator('#backlog').getAttribute('open') !== null, 'the backlog does not unfold');
  });

  await check('host-page', async () => {
    await follow(page, page.locator('main table.fields a', { hasText: GUEST_HOST }).first());
    assert((await page.locator('#host-name').textContent()) === GUEST_HOST, 'host name');
    const t = await page.locator('main').textContent();
    assert(t.includes('6.1.0-57-amd64') && t.includes(GUEST_TITLE) && t.includes('Last heard from'), 'host page');
    await shot(page, 'host');
  });

  await check('groups-sort', async () => {
    await open(page, '#/groups?sort=hosts');
    const hosts = await page.locator('#groups tbody tr td:nth-child(3)').allTextContents();
    assert(hosts.length >= 3, `only ${hosts.length} groups`);
    assert(hosts.every((h, i) => i === 0 || Number(hosts[i - 1]) >= Number(h)), `not by hosts: ${hosts}`);
    await follow(page, page.locator('#groups th a', { hasText: 'Hosts' }));	// again: ascending
    assert(page.url().includes('order=asc'), `url ${page.url()}`);
    const asc = await page.locator('#groups tbody tr td:nth-child(3)').allTextContents();
    assert(asc.every((h, i) => i === 0 || Number(asc[i - 1]) <= Number(h)), `not ascending: ${asc}`);
    await shot(page, 'groups');
  });

  await check('groups-filter', async () => {
    await open(page, '#/groups');
    await page.fill('#filters input[name=q]', 'CRASH_NULL');
    await follow(page, page.locator('#filters button[type=submit]'));
    assert(page.url().includes('q=CRASH_NULL'), `url ${page.url()}`);
    const titles = await page.locator('#groups tbody td.title').allTextContents();
    assert(titles.length === 1 && titles[0] === GUEST_TITLE, `filtered: ${titles}`);
    assert((await page.locator('#total').textContent()) === '1 groups match.', 'total');
    await open(page, '#/groups?kernel=6.1.0-57-amd64');
    assert((await page.locator('#groups tbody tr').count()) === 1, 'kernel filter');
    await open(page, '#/groups?reason=panic');
    const p = await page.locator('#groups tbody td.title').allTextContents();
    assert(p.length >= 1 && !p.includes(GUEST_TITLE), `reason filter: ${p}`);
    await open(page, '#/groups?min_hosts=5');
    const big = await page.locator('#groups tbody tr td:nth-child(3)').allTextContents();
    assert(big.length >= 2 && big.every((h) => Number(h) >= 5), `min_hosts: ${big}`);
    await open(page, '#/groups?since=2000-01-01&until=2000-01-02');
    assert((await page.locator('#groups tbody tr').count()) === 0, 'time filter');
  });

  await check('groups-paging', async () => {
    await open(page, '#/groups?limit=2');
    const total = Number((await page.locator('#total').textContent()).match(/^\d+/)[0]);
    const seen = [];
    for (let i = 0; i < 50; i++) {
      seen.push(...await page.locator('#groups tbody td.title a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))));
      if (!await page.locator('#next-page').count()) break;
      await follow(page, page.locator('#next-page'));
    }
    assert(seen.length === total && new Set(seen).size === total, `paged ${seen.length} of ${total}`);
    assert(page.url().includes('cursor='), 'no cursor in the permalink');
    const here = page.url();
    await page.reload();
    await ready(page);
    assert(page.url() === here && (await page.locator('#groups tbody tr').count()) >= 1, 'the permalink does not reopen the page');
  });

  await check('live-update', async () => {
    await open(page, '#/');
    await page.evaluate(() => { window.__marker = 'same page'; });
    assert(!(await page.locator('main').textContent()).includes(LIVE_HOST), 'live host already there');
    await new Promise((res, rej) => execFile('/bin/sh', ['-c', LIVE_CMD], (e) => (e ? rej(e) : res())));
    await page.locator('main', { hasText: LIVE_HOST }).waitFor({ timeout: TIMEOUT });
    assert(await page.evaluate(() => window.__marker) === 'same page', 'the page was reloaded');
    await shot(page, 'live');
  });

  await check('xss-title-text-host', async () => {
    await open(page, '#/groups?q=kernel+panic');
    const link = page.locator('#groups td.title a', { hasText: '<img src=x onerror' }).first();
    assert(await link.count() === 1, 'the hostile title is not listed as text');
    await noInjectedMarkup(page);
    await follow(page, link);
    await noInjectedMarkup(page);
    await follow(page, page.locator('a', { hasText: /^the latest, #\d+$/ }));
    await noInjectedMarkup(page);
    const text = await page.locator('#dump-text').textContent();
    assert(text.includes('<script>window.__xss=1</script>'), 'the hostile text is not shown as text');
    assert((await page.locator('#report-title').textContent()).includes('<script>alert(NUM)</script>'), 'title');
    await shot(page, 'xss-report');
    await follow(page, page.locator('main table.fields a').first());	// its host: a name with markup
    assert((await page.locator('#host-name').textContent()).includes('<img src=x onerror='), 'host name not shown as text');
    await noInjectedMarkup(page);
    await open(page, '#/');
    await noInjectedMarkup(page);
    await shot(page, 'xss-host');
  });

  await check('no-console-errors', async () => {
    assert(problems.length === 0, problems.join('\n'));
  });
} finally {
  await ctx.close();
  rmSync(userData, { recursive: true, force: true });
}
console.log(`web: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
