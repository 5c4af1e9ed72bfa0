#!/usr/bin/env node
// Opens the settings window with the mock backend in headless Chromium and saves a screenshot of
// every view, light and dark, under the same CSP the app ships (default-src 'self'). Reports every
// console error, uncaught exception and CSP violation, and fails if there was one.
//
//   node ui/tools/shoot.mjs [out-dir] [scenario-name-filter]
//
// No packages: a static server from node:http and the DevTools protocol over Chromium's
// --remote-debugging-pipe. Needs /usr/bin/chromium (Debian's chromium package). Screenshots are
// for looking at, never committed.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile, mkdir, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const UI = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = process.argv[2] ?? join(tmpdir(), 'ui-shots');
const ONLY = process.argv[3] ?? '';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(UI, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': "default-src 'self'", 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The DevTools protocol over fds 3 (to Chromium) and 4 (from Chromium), NUL-separated JSON. */
function cdp(child) {
  let nextId = 0;
  const pending = new Map();
  const handlers = [];
  let buffer = '';
  child.stdio[4].on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    let end;
    while ((end = buffer.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      if (msg.id !== undefined && pending.has(msg.id)) {
        const { resolve, reject } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) reject(new Error(`${msg.error.message} ${msg.error.data ?? ''}`));
        else resolve(msg.result);
      } else if (msg.method) {
        for (const h of handlers) h(msg);
      }
    }
  });
  return {
    send(method, params = {}, sessionId) {
      nextId += 1;
      const id = nextId;
      child.stdio[3].write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    on(handler) {
      handlers.push(handler);
    },
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function openPage(conn, problems) {
  const { targetId } = await conn.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await conn.send('Target.attachToTarget', { targetId, flatten: true });
  const send = (m, p) => conn.send(m, p, sessionId);
  conn.on((msg) => {
    if (msg.sessionId !== sessionId) return;
    if (msg.method === 'Runtime.exceptionThrown') problems.push(`exception: ${msg.params.exceptionDetails.exception?.description ?? msg.params.exceptionDetails.text}`);
    if (msg.method === 'Runtime.consoleAPICalled' && ['error', 'warning', 'assert'].includes(msg.params.type)) {
      problems.push(`console.${msg.params.type}: ${msg.params.args.map((a) => a.value ?? a.description).join(' ')}`);
    }
    if (msg.method === 'Log.entryAdded' && ['error', 'warning'].includes(msg.params.entry.level) && !/favicon/.test(msg.params.entry.url ?? '')) {
      problems.push(`log.${msg.params.entry.level}: ${msg.params.entry.text}`);
    }
  });
  await send('Page.enable');
  await send('Runtime.enable');
  await send('Log.enable');
  const page = {
    send,
    async size(width, height) {
      await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    },
    async scheme(value) {
      await send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value }] });
    },
    async goto(url) {
      await send('Page.navigate', { url });
      await page.until('document.readyState === "complete" && !document.getElementById("app").hasAttribute("aria-busy")', 8000);
    },
    async eval(expression) {
      const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value;
    },
    async until(expression, timeout = 5000) {
      const start = Date.now();
      for (;;) {
        if (await page.eval(`Boolean(${expression})`).catch(() => false)) return;
        if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${expression}`);
        await sleep(50);
      }
    },
    async click(selector) {
      const ok = await page.eval(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); if (!el) return false; el.click(); return true; })()`);
      if (!ok) throw new Error(`no element ${selector}`);
    },
    async clickText(text, selector = 'button, a') {
      const ok = await page.eval(`(() => { const el = [...document.querySelectorAll(${JSON.stringify(selector)})].find((e) => e.textContent.trim() === ${JSON.stringify(text)} && e.offsetParent !== null); if (!el) return false; el.click(); return true; })()`);
      if (!ok) throw new Error(`no ${selector} with text ${text}`);
    },
    async key(key, code = key, extra = {}) {
      const keyCode = { Tab: 9, Enter: 13, Escape: 27, ArrowDown: 40, ArrowUp: 38, ArrowRight: 39, ArrowLeft: 37, End: 35, Home: 36 }[key] ?? 0;
      const text = { Enter: '\r', ' ': ' ' }[key] ?? (key.length === 1 ? key : undefined);
      await send('Input.dispatchKeyEvent', { type: 'keyDown', key, code, windowsVirtualKeyCode: keyCode, text, ...extra });
      await send('Input.dispatchKeyEvent', { type: 'keyUp', key, code, windowsVirtualKeyCode: keyCode, ...extra });
    },
    async type(text) {
      await send('Input.insertText', { text });
    },
    async mouse(x, y, type = 'mouseMoved') {
      await send('Input.dispatchMouseEvent', { type, x, y, button: type === 'mouseMoved' ? 'none' : 'left', clickCount: 1 });
    },
    async expect(expression, what) {
      const ok = await page.eval(`Boolean(${expression})`).catch(() => false);
      if (!ok) problems.push(`check failed: ${what}`);
    },
    async shot(path) {
      await sleep(250);
      const { data } = await send('Page.captureScreenshot', { format: 'png' });
      await writeFile(path, Buffer.from(data, 'base64'));
    },
  };
  return page;
}

// Each scenario: a name, the URL query, and steps that bring the window to the view to capture.
const SCENARIOS = [
  { name: 'first-run', query: '?mock=0', steps: async () => {} },
  { name: 'credentials', query: '?mock=24', steps: async (p) => {
    await p.until('document.querySelector(".row")');
    await p.eval('document.querySelector("#credentials-list").focus()');
    await p.key('ArrowDown');
  } },
  { name: 'credentials-1000', query: '?mock=1000', steps: async (p) => {
    await p.until('document.querySelectorAll(".row").length > 5');
    await p.eval('document.querySelector(".list-scroller").scrollTop = 22000');
    await sleep(200);
  } },
  { name: 'timeline-hover-1000', query: '?mock=1000', steps: async (p) => {
    await p.until('document.querySelector(".tl-refresh .tl-bar")');
    const point = await p.eval('(() => { const bars = [...document.querySelectorAll(".tl-refresh .tl-bar")]; const big = bars.sort((a, b) => b.getBBox().height - a.getBBox().height)[0]; const r = big.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()');
    await p.mouse(point[0], point[1]);
  } },
  { name: 'attention-detail', query: '?mock=24', steps: async (p) => {
    await p.until('document.querySelector(".row")');
    await p.eval('document.querySelector("#cred-state").value = "attention"; document.querySelector("#cred-state").dispatchEvent(new Event("change"))');
    await p.eval('[...document.querySelectorAll(".row")].find((r) => r.textContent.includes("Globex compliance")).click()');
    await p.until('document.querySelector(".card-attention")');
  } },
  { name: 'add-integration', query: '?mock=24', steps: async (p) => {
    await openAddForm(p);
    await p.eval('document.querySelector("#f-name").focus()');
    await p.type('Acme sandbox');
    await p.eval('document.querySelector("#f-client_id").focus()');
    await p.type('C12345');
    await p.eval('document.querySelector("#f-port").focus()');
    await p.eval('document.querySelector("#f-port").select()');
    await p.type('80');
  } },
  { name: 'add-service-app', query: '?mock=24', steps: async (p) => {
    await openAddForm(p);
    await p.click('#kind-service-app');
    await p.click('.dialog-actions .btn-primary');
  } },
  { name: 'authorize-device', query: '?mock=24', steps: async (p) => {
    await selectByName(p, 'Wonka Foods');
    await p.until('document.querySelector(".detail-actions")');
    await p.clickText('Authorize with a device code');
    await p.until('document.querySelector(".device-code")');
  } },
  { name: 'authorize-browser', query: '?mock=24', steps: async (p) => {
    await selectByName(p, 'Wonka Foods');
    await p.until('document.querySelector(".card-attention .btn-primary")');
    await p.click('.card-attention .btn-primary');
    await p.until('document.querySelector(".step-current")');
    await p.until('document.querySelector(".authorize-actions .btn")');
  } },
  { name: 'remove-confirm', query: '?mock=24', steps: async (p) => {
    await selectByName(p, 'Partner minting');
    await p.until('document.querySelector(".detail-footer")');
    await p.clickText('Remove\u2026');
    await p.until('document.querySelector("dialog[open]")');
  } },
  { name: 'import-preview', query: '?mock=24', steps: async (p) => {
    await p.goto(`${p.base}?mock=24#import`);
    const files = await p.eval('1');
    void files;
    await p.eval(`(async () => {
      const texts = ${JSON.stringify(await sampleFiles())};
      const files = texts.map(([n, c]) => new File([c], n, { type: 'text/plain' }));
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(f);
      const zone = document.querySelector('#view-import .drop-zone');
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await p.until('document.querySelector(".import-file")');
  } },
  { name: 'replace-secret', query: '?mock=24', steps: async (p) => {
    await selectByName(p, 'Wayne Enterprises');
    await p.until('document.querySelector(".card-attention .btn-primary")');
    await p.click('.card-attention .btn-primary');
    await p.until('document.querySelector("dialog[open] #secret-value")');
  } },
  { name: 'bearer-remedy', query: '?mock=24', steps: async (p) => {
    // Its bearer is an expired personal token: the remedy replaces that token.
    await selectByName(p, 'Hooli reporting app');
    await p.until('document.querySelector(".card-attention .btn-primary")');
  } },
  { name: 'edit-service-app', query: '?mock=24', steps: async (p) => {
    await selectByName(p, 'Tyrell provisioning');
    await p.until('document.querySelector(".detail-footer")');
    await p.clickText('Edit\u2026');
    await p.until('document.querySelector("dialog[open] #f-bearer")');
  } },
  { name: 'narrow-detail', query: '?mock=24', width: 820, height: 600, steps: async (p) => {
    await selectByName(p, 'Stark Compliance');
    await p.eval('document.querySelector("#credentials-list").focus()');
    await p.key('Enter');
    await p.until('document.querySelector(".split.show-detail")');
  } },
  { name: 'keychain', query: '?mock=keychain', steps: async (p) => {
    await p.until('document.querySelector("#view-unlock form")');
    await p.click('#view-unlock .btn-primary');
    await p.until('document.querySelector("#view-unlock .form-summary").textContent');
  } },
  // Behaviour checks: keyboard alone, focus return, secrets leaving no trace in the page.
  { name: 'check-keyboard', query: '?mock=24', schemes: ['light'], steps: async (p) => {
    await p.until('document.querySelector(".row")');
    await p.eval('document.body.focus()');
    await p.key('/', 'Slash');
    await p.expect('document.activeElement.id === "cred-search"', '"/" focuses the search field');
    await p.key('ArrowDown');
    await p.expect('document.activeElement.id === "credentials-list"', 'ArrowDown in the search moves to the list');
    await p.expect('document.querySelector("#credentials-list").getAttribute("aria-activedescendant")', 'the list has an active row');
    const first = await p.eval('document.querySelector("#credentials-list").getAttribute("aria-activedescendant")');
    await p.key('ArrowDown');
    await p.expect(`document.querySelector("#credentials-list").getAttribute("aria-activedescendant") !== ${JSON.stringify(first)}`, 'ArrowDown moves the active row');
    await p.expect('document.querySelector(".detail h2")?.textContent === document.querySelector(".row.is-selected .row-name").textContent', 'the detail follows the selection');
    await p.key('Enter');
    await p.expect('document.querySelector(".detail").contains(document.activeElement)', 'Enter moves focus into the details');
    await p.eval('document.querySelector(".header-actions .btn-primary").focus()');
    await p.key('Enter');
    await p.until('document.querySelector("dialog[open]")');
    await p.key('Escape');
    await p.until('!document.querySelector("dialog[open]")');
    await p.expect('document.activeElement === document.querySelector(".header-actions .btn-primary")', 'Escape closes the dialog and focus returns to its opener');
    await p.eval('document.querySelector(".timeline-svg").focus()');
    await p.key('ArrowRight');
    await p.key('Enter');
    await p.expect('document.querySelector(".chip-active")', 'Enter on a timeline bar selects its credentials in the list');
    await p.key('Escape');
    await p.expect('!document.querySelector(".chip-active")', 'Escape clears the timeline selection');
  } },
  { name: 'check-secrets', query: '?mock=24', schemes: ['light'], steps: async (p) => {
    const secret = 'sEcReT-from-the-form-123456';
    await openAddForm(p);
    await p.eval(`(() => {
      const set = (id, v) => { const el = document.querySelector(id); el.value = v; el.dispatchEvent(new Event('input')); };
      set('#f-name', 'Leak check'); set('#f-client_id', 'C' + 'ab'.repeat(32)); set('#f-client_secret', ${JSON.stringify(secret)});
    })()`);
    await p.click('.dialog-actions .btn-primary');
    await p.until('!document.querySelector("dialog[open]")');
    await p.until('document.querySelector(".detail h2")?.textContent === "Leak check"');
    const leak = `(() => {
      const s = ${JSON.stringify(secret)};
      const inputs = [...document.querySelectorAll('input, textarea')].some((i) => i.value.includes(s));
      return inputs || document.documentElement.outerHTML.includes(s) || JSON.stringify({ ...localStorage }).includes(s) || JSON.stringify({ ...sessionStorage }).includes(s);
    })()`;
    await p.expect(`!${leak}`, 'the client secret is gone from the page after adding');
  } },
  { name: 'check-unlock', query: '?mock=locked', schemes: ['dark'], steps: async (p) => {
    await p.until('document.querySelector("#unlock-passphrase")');
    await p.eval('document.querySelector("#unlock-passphrase").focus()');
    await p.type('wrong horse');
    await p.key('Enter');
    await p.until('document.querySelector("#unlock-passphrase-msg").textContent');
    await p.expect('/does not open/.test(document.querySelector("#unlock-passphrase-msg").textContent)', 'a wrong passphrase says so');
    await p.expect('document.querySelector("#vault-status").classList.contains("locked")', 'a wrong passphrase leaves the vault locked');
    await p.expect('document.activeElement.id === "unlock-passphrase"', 'focus goes back to the passphrase');
    await p.type('correct horse');
    await p.key('Enter');
    await p.until('!document.querySelector("#vault-status").classList.contains("locked")');
    await p.expect('location.hash === "#credentials"', 'unlocking shows the credentials');
    await p.expect('!document.documentElement.outerHTML.includes("horse") && ![...document.querySelectorAll("input")].some((i) => i.value.includes("horse"))', 'no passphrase left in the page');
  } },
  // Figures, not pass/fail: scrolling 1,000 rows and filtering them as someone types.
  { name: 'measure-1000', query: '?mock=1000', schemes: ['light'], steps: async (p) => {
    await p.until('document.querySelectorAll(".row").length > 5');
    const scroll = await p.eval(`(async () => {
      const el = document.querySelector('.list-scroller');
      const long = [];
      const observer = new PerformanceObserver((list) => long.push(...list.getEntries().map((e) => e.duration)));
      observer.observe({ type: 'longtask' });
      const frames = [];
      let last = performance.now();
      for (let i = 0; i < 240; i += 1) {
        el.scrollTop = (i * 173) % (el.scrollHeight - el.clientHeight);
        await new Promise(requestAnimationFrame);
        const now = performance.now();
        frames.push(now - last);
        last = now;
      }
      frames.sort((a, b) => a - b);
      observer.disconnect();
      const rows = document.querySelectorAll('.row').length;
      return { median: frames[frames.length >> 1], p95: frames[Math.floor(frames.length * 0.95)], max: frames.at(-1), rows, long: long.length };
    })()`);
    const filter = await p.eval(`(async () => {
      const s = document.querySelector('#cred-search');
      const t = [];
      for (const q of ['a', 'ac', 'acm', 'acme', 'acme c', 'acme ca', '']) {
        const start = performance.now();
        s.value = q;
        s.dispatchEvent(new Event('input'));
        await new Promise((r) => setTimeout(r, 70));
        await new Promise(requestAnimationFrame);
        t.push(performance.now() - start - 70);
      }
      return t.map((x) => Math.round(x));
    })()`);
    const ready = await p.eval('performance.getEntriesByName("window-ready")[0].startTime');
    console.log(`        page load to usable window with 1,000 credentials: ${ready.toFixed(0)} ms`);
    console.log(`        scroll frames over 240 jumps: median ${scroll.median.toFixed(1)} ms, p95 ${scroll.p95.toFixed(1)} ms, max ${scroll.max.toFixed(1)} ms; ${scroll.long} long tasks (>50 ms); ${scroll.rows} row elements in the DOM`);
    console.log(`        search keystroke to painted list (ms, after the 60 ms debounce): ${filter.join(', ')}`);
  } },
  { name: 'unlock', query: '?mock=locked', steps: async (p) => {
    await p.until('document.querySelector("#unlock-passphrase")');
    await p.eval('document.querySelector("#unlock-passphrase").focus()');
    await p.type('not it');
    await p.key('Enter');
    await p.until('document.querySelector("#unlock-passphrase-msg").textContent');
  } },
  { name: 'audit', query: '?mock=24#audit', steps: async (p) => {
    await p.until('document.querySelector(".audit-table tbody tr")');
  } },
  { name: 'preferences', query: '?mock=24#preferences', steps: async (p) => {
    await p.until('document.querySelector("#p-clipboard_clear_secs")');
    await p.eval('document.querySelector("#p-min_margin_minutes").focus()');
    await p.eval('document.querySelector("#p-min_margin_minutes").select()');
    await p.type('x');
  } },
];

/**
 * Checks on the live DOM after each scenario: text that leaked as "null" or "undefined", controls
 * without an accessible name, duplicate ids. Runs in the page.
 */
function domChecks() {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (/^(null|undefined|NaN)$|\[object \w+\]/.test(n.textContent.trim())) out.push(`text node "${n.textContent.trim()}" in <${n.parentElement.tagName.toLowerCase()} class="${n.parentElement.className}">`);
  }
  const visible = (el) => el.getClientRects().length > 0 || el.closest('dialog[open]');
  for (const el of document.querySelectorAll('input, select, textarea, button, [role=option], [role=listbox], a[href]')) {
    if (!visible(el) || el.getAttribute('aria-hidden') === 'true') continue;
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title')
      || (['BUTTON', 'A'].includes(el.tagName) && el.textContent.trim()) || (el.getAttribute('role') === 'option' && el.textContent.trim());
    if (!named) out.push(`unlabelled <${el.tagName.toLowerCase()} id="${el.id}" class="${el.className}">`);
  }
  const ids = new Map();
  for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) ?? 0) + 1);
  for (const [id, n] of ids) if (n > 1) out.push(`duplicate id ${id} (${n}x)`);
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby], [aria-controls], [aria-activedescendant]')) {
    for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-activedescendant']) {
      for (const ref of (el.getAttribute(attr) ?? '').split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(ref)) out.push(`${attr}="${ref}" on <${el.tagName.toLowerCase()}> names no element`);
      }
    }
  }
  return out;
}

async function openAddForm(p) {
  await p.until('document.querySelector(".row")');
  await p.clickText('Add\u2026');
  await p.until('document.querySelector("dialog[open] #f-name")');
}

async function selectByName(p, name) {
  await p.until('document.querySelector(".row")');
  await p.eval(`(() => { const s = document.querySelector("#cred-search"); s.value = ${JSON.stringify(name)}; s.dispatchEvent(new Event("input")); })()`);
  await p.until(`[...document.querySelectorAll(".row")].length === 1`);
  await p.click('.row');
}

async function sampleFiles() {
  const dir = join(UI, '..', 'core', 'src', 'import', 'testdata');
  const out = [];
  for (const name of ['tokens_master.json', 'token-config.json', 'wtr-cli.yaml']) out.push([name, await readFile(join(dir, name), 'utf8')]);
  out.push(['notes.txt', 'These are my notes, not tokens.']);
  out.push(['.env', 'WEBEX_SERVICE_APP_ACCESS_TOKEN=fake-a\nWEBEX_SERVICE_APP_REFRESH_TOKEN=fake-r\n']);
  return out;
}

async function main() {
  await mkdir(OUT, { recursive: true });
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}/index.html`;
  const profile = await mkdtemp(join(tmpdir(), 'ui-chromium-'));
  const child = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--hide-scrollbars', '--font-render-hinting=none',
    `--user-data-dir=${profile}`, '--remote-debugging-pipe',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  const conn = cdp(child);
  const failures = [];
  try {
    for (const scenario of SCENARIOS.filter((s) => s.name.includes(ONLY))) {
      for (const scheme of scenario.schemes ?? ['light', 'dark']) {
        const problems = [];
        const page = await openPage(conn, problems);
        page.base = base;
        await page.size(scenario.width ?? 1080, scenario.height ?? 720);
        await page.scheme(scheme);
        try {
          await page.goto(`${base}${scenario.query}`);
          await scenario.steps(page);
          const file = join(OUT, `${scenario.name}-${scheme}.png`);
          await page.shot(file);
          problems.push(...await page.eval(`(${domChecks})()`));
          console.log(`${problems.length ? 'PROBLEM' : 'ok     '} ${file}`);
        } catch (error) {
          problems.push(`step failed: ${error.message}`);
        }
        for (const p of problems) console.log(`        ${p}`);
        if (problems.length) failures.push(`${scenario.name}/${scheme}`);
        await page.send('Page.close').catch(() => {});
      }
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
    server.close();
    await rm(profile, { recursive: true, force: true });
  }
  if (failures.length) {
    console.log(`problems in: ${failures.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
