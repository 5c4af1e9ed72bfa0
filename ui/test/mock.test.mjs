// The mock backend is what the window is tested against in a browser; these check it keeps the
// contract's promises: secrets are write-only, errors have the documented shape, a wrong
// passphrase changes nothing, an import preview stores nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMockBackend } from '../js/mock.js';

const testdata = new URL('../../core/src/import/testdata/', import.meta.url);
const sample = (name) => ({ name, content: readFileSync(new URL(name, testdata), 'utf8') });
const backend = (mode = '24') => createMockBackend(new URLSearchParams(`mock=${mode}`), { delay: 0 });
const CLIENT = `C${'ab'.repeat(32)}`;

function collectEvents(b) {
  const seen = [];
  for (const e of ['status', 'engine-event', 'authorize-progress', 'vault-state']) b.listen(e, (p) => seen.push({ e, p }));
  return seen;
}

test('secrets given to commands never come back in results or events', async () => {
  const b = backend('3');
  const events = collectEvents(b);
  const secret = 'very-secret-client-secret-1234';
  const token = 'very-secret-personal-token-5678';
  const outputs = [];
  const int = await b.invoke('add_credential', { draft: { kind: 'integration', name: 'New', client_id: CLIENT, client_secret: secret, scopes: ['spark:kms'], redirect_uri: 'http://localhost:6855/callback' } });
  outputs.push(int, await b.invoke('get_credential', { id: int.id }));
  const pat = await b.invoke('add_credential', { draft: { kind: 'personal', name: 'Mine', personal_token: token } });
  outputs.push(pat, await b.invoke('set_secret', { id: int.id, which: 'client-secret', value: `${secret}-2` }));
  outputs.push(await b.invoke('list_status'), await b.invoke('audit_query', { filter: {} }));
  outputs.push(await b.invoke('copy_token', { id: pat.id, format: 'header' }));
  const text = JSON.stringify({ outputs, events });
  assert.ok(!text.includes(secret) && !text.includes(token), 'no secret in any answer');
  assert.ok(!/fake-(access|refresh|secret|pat|sa-secret)/.test(text), 'no stored fake secret either');
  const detail = outputs[1];
  assert.deepEqual(detail.secrets, { client_secret: true, access_token: false, refresh_token: false });
});

test('import previews of the sample files store nothing and hold no secrets; confirming imports', async () => {
  const b = backend('0');
  const files = [sample('tokens_master.json'), sample('token-config.json'), sample('wtr-cli.yaml'), { name: 'notes.txt', content: 'hello there' }];
  const preview = await b.invoke('import_preview', { files, options: {} });
  assert.equal((await b.invoke('list_status')).credentials.length, 0, 'nothing stored by a preview');
  const text = JSON.stringify(preview);
  for (const f of files.slice(0, 3)) {
    for (const m of f.content.matchAll(/fake-[a-z-]*secret-[0-9a-z-]+|ZmFrZS[A-Za-z0-9_-]+/g)) assert.ok(!text.includes(m[0]), 'secret value in preview');
  }
  assert.equal(preview.dry_run, true);
  assert.equal(preview.files.length, 4);
  assert.match(preview.files[3].error, /notes\.txt is not a file webex-token can import/);
  const results = preview.files.flatMap((f) => f.entries.map((e) => e.result));
  assert.ok(results.filter((r) => r === 'would-import').length >= 4, results.join());
  const done = await b.invoke('import_confirm', { preview: preview.preview });
  assert.equal(done.dry_run, false);
  const stored = (await b.invoke('list_status')).credentials.length;
  assert.equal(stored, done.files.flatMap((f) => f.entries).filter((e) => e.result === 'imported').length);
  await assert.rejects(b.invoke('import_confirm', { preview: preview.preview }), { kind: 'not-found' });
});

test('a wrong passphrase is refused with its own kind and changes nothing; the right one unlocks', async () => {
  const b = backend('locked');
  const events = collectEvents(b);
  assert.equal((await b.invoke('app_info')).vault.state, 'locked');
  await assert.rejects(b.invoke('unlock', { passphrase: 'wrong' }), { kind: 'wrong-passphrase', field: 'passphrase' });
  assert.equal((await b.invoke('app_info')).vault.state, 'locked');
  assert.deepEqual(events, []);
  await assert.rejects(b.invoke('refresh', { id: (await b.invoke('list_status')).credentials[0].id }), (e) => e.kind === 'locked' && e.remedy.kind === 'unlock-keychain');
  assert.equal((await b.invoke('unlock', { passphrase: 'correct horse' })).state, 'unlocked');
  assert.ok(events.some((x) => x.e === 'vault-state' && x.p.state === 'unlocked'));
});

test('errors carry kind, message and the field at fault', async () => {
  const b = backend('3');
  await assert.rejects(b.invoke('add_credential', { draft: { kind: 'integration', name: ' ', client_id: CLIENT } }), { kind: 'invalid', field: 'name' });
  await assert.rejects(b.invoke('get_credential', { id: 'int-nope' }), { kind: 'not-found' });
  await assert.rejects(b.invoke('no_such_command'), { kind: 'internal' });
});

test('removing a bearer with service apps needs force', async () => {
  const b = backend('24');
  const list = (await b.invoke('list_status')).credentials;
  const app = list.find((c) => c.kind === 'service-app' && c.bearer);
  await assert.rejects(b.invoke('remove', { id: app.bearer, force: false }), { kind: 'has-dependents' });
  assert.deepEqual(await b.invoke('remove', { id: app.bearer, force: true }), { id: app.bearer });
});

test('the curated set shows every remedy kind the window renders', async () => {
  const list = (await backend('24').invoke('list_status')).credentials;
  const kinds = new Set(list.map((c) => c.remedy?.kind).filter(Boolean));
  for (const k of ['authorize', 'replace-client-secret', 'replace-personal-token', 'authorize-app-in-org']) assert.ok(kinds.has(k), k);
  assert.ok(list.some((c) => c.stored === false));
  assert.ok(list.some((c) => c.health === 'retrying'));
});

test('a thousand credentials on demand, with a refresh cluster', async () => {
  const list = (await backend('1000').invoke('list_status')).credentials;
  assert.equal(list.length, 1000);
  assert.equal(new Set(list.map((c) => c.id)).size, 1000);
});

test('authorizing reports progress until done, then the credential is healthy', async () => {
  const b = backend('24');
  const progress = [];
  b.listen('authorize-progress', (p) => progress.push(p.phase));
  const wonka = (await b.invoke('list_status')).credentials.find((c) => c.name === 'Wonka Foods');
  const done = new Promise((resolve) => b.listen('authorize-progress', (p) => p.phase === 'done' && resolve()));
  const { session } = await b.invoke('authorize', { id: wonka.id, method: 'browser' });
  assert.match(session, /^auth-/);
  await done;
  assert.deepEqual(progress, ['waiting-redirect', 'exchanging', 'done']);
  const after = (await b.invoke('list_status')).credentials.find((c) => c.id === wonka.id);
  assert.equal(after.health, 'ok');
});
