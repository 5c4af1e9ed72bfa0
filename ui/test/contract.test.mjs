// The window's contract (ui/API.md), the page's one backend module (api.js) and the mock backend
// must agree: a command the page calls but the contract does not name would be a surprise for the
// Rust side, and a command the mock lacks would leave part of the window untested in a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMockBackend } from '../js/mock.js';
import { EVENTS } from '../js/api.js';

const here = new URL('.', import.meta.url);
const doc = readFileSync(new URL('../API.md', here), 'utf8');
const apiSource = readFileSync(new URL('../js/api.js', here), 'utf8');

function headingsUnder(section) {
  const start = doc.indexOf(`\n## ${section}\n`);
  assert.ok(start >= 0, `API.md has a "## ${section}" section`);
  const end = doc.indexOf('\n## ', start + 4);
  const body = doc.slice(start, end < 0 ? undefined : end);
  return [...body.matchAll(/^### ([a-z_-]+)$/gm)].map((m) => m[1]);
}

const documentedCommands = headingsUnder('Commands');
const documentedEvents = headingsUnder('Events');

test('the contract names commands and events', () => {
  assert.ok(documentedCommands.length >= 20, documentedCommands.join(','));
  assert.deepEqual(documentedEvents.sort(), ['authorize-progress', 'engine-event', 'open-at', 'status', 'vault-state']);
});

test('api.js calls only documented commands, and every documented command', () => {
  const called = [...apiSource.matchAll(/call\('([a-z_]+)'/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(called)].sort(), [...documentedCommands].sort());
});

test('api.js listens to exactly the documented events', () => {
  assert.deepEqual([...EVENTS].sort(), [...documentedEvents].sort());
});

test('the mock implements every documented command', () => {
  const mock = createMockBackend(new URLSearchParams('mock=3'), { delay: 0 });
  assert.deepEqual([...mock.commands].sort(), [...documentedCommands].sort());
});

test('top-level arguments are single words, so Tauri\u2019s camelCase renaming cannot change them', () => {
  const args = [...apiSource.matchAll(/call\('[a-z_]+', \{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((a) => a.trim().split(':')[0].trim()));
  for (const arg of args.filter(Boolean)) assert.match(arg, /^[a-z]+$/, arg);
});
