import { test } from 'node:test';
import assert from 'node:assert/strict';
import { screenFiles, importModel, MAX_FILE_BYTES } from '../js/lib/importModel.js';

test('files too large or empty are refused before reading; duplicates dropped', () => {
  const { accepted, refused } = screenFiles([
    { name: 'tokens_master.json', size: 900, lastModified: 1 },
    { name: 'tokens_master.json', size: 900, lastModified: 1 },
    { name: 'huge.json', size: MAX_FILE_BYTES + 1, lastModified: 1 },
    { name: 'empty.env', size: 0, lastModified: 1 },
  ]);
  assert.deepEqual(accepted.map((f) => f.name), ['tokens_master.json']);
  assert.equal(refused.length, 2);
  assert.match(refused[0].error, /^huge\.json is 10\.0 MB; import reads files up to 10 MB/);
  assert.match(refused[1].error, /empty/);
});

const preview = {
  dry_run: true,
  files: [
    {
      file: 'tokens_master.json',
      format: 'tokens_master.json (multi-org refresher)',
      error: null,
      warnings: ['not strict JSON: trailing comma at line 4 column 3 ignored'],
      entries: [
        { entry: 'Acme Corp', name: 'Acme Corp', kind: 'integration', result: 'would-import', detail: null, notes: [] },
        { entry: 'Globex Partner Org', name: 'Globex Partner Org', kind: 'integration', result: 'would-import', detail: null, notes: ['the old tool recorded status "failed"'] },
        { entry: 'Initech', name: null, kind: null, result: 'skipped', detail: 'entry "Initech": field client_secret is missing', notes: [] },
      ],
    },
    { file: '.env', format: '.env (service-app tokens)', error: null, warnings: [], entries: [
      { entry: 'WEBEX_SERVICE_APP_ACCESS_TOKEN', name: 'Service app tokens', kind: 'service-app', result: 'would-attach', detail: 'Service app C2222', notes: [] },
    ] },
    { file: 'notes.txt', format: null, error: 'notes.txt is not a file webex-token can import', warnings: [], entries: [] },
  ],
};

test('a preview counts what would happen per entry and can be confirmed', () => {
  const m = importModel(preview, [{ file: 'huge.json', error: 'too big' }]);
  assert.deepEqual(m.counts, { import: 2, attach: 1, skip: 1, imported: 0, attached: 0, unreadable: 2 });
  assert.equal(m.canConfirm, true);
  assert.equal(m.confirmLabel, 'Import 2 credentials and attach tokens');
  assert.equal(m.summary, '2 credentials to import, 1 set of tokens to attach, 1 entry skipped, 2 files not readable.');
  assert.equal(m.files[0].source, 'huge.json', 'files refused before reading come first');
  const skipped = m.files[1].entries[2];
  assert.equal(skipped.action, 'skip');
  assert.equal(skipped.title, 'Initech');
  assert.match(skipped.detail, /client_secret is missing/);
  assert.deepEqual(m.files[1].entries[1].notes, ['the old tool recorded status "failed"']);
  assert.match(m.files[2].entries[0].detail, /Service app C2222/);
});

test('a preview with nothing importable cannot be confirmed', () => {
  const m = importModel({ dry_run: true, files: [preview.files[2]] });
  assert.equal(m.canConfirm, false);
  assert.equal(m.summary, '1 file not readable.');
});

test('a confirmed report says what was stored, and is not confirmable again', () => {
  const m = importModel({ dry_run: false, files: [{ file: 'a.json', format: 'x', error: null, warnings: [], entries: [
    { entry: 'Acme', name: 'Acme', kind: 'integration', result: 'imported', detail: 'int-abc', notes: [] },
    { entry: 'Dup', name: 'Dup', kind: 'integration', result: 'skipped', detail: 'entry "Dup": already stored as "Dup" (int-x); nothing changed', notes: [] },
  ] }] });
  assert.equal(m.canConfirm, false);
  assert.equal(m.summary, '1 credential imported, 1 entry skipped.');
  assert.equal(m.files[0].entries[0].id, 'int-abc');
});

test('notes from the engine read as words, with what to do after importing', async () => {
  const { noteText } = await import('../js/lib/importModel.js');
  assert.equal(noteText('plain'), 'plain');
  assert.equal(noteText({ text: 'refresh_token is empty', then: 'authorize' }), 'refresh_token is empty; authorize it after importing');
  assert.equal(noteText({ text: 'scopes is empty: using the default scopes' }), 'scopes is empty: using the default scopes');
});
