import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remedyFor, remedyButton, attentionText, REMEDY_KINDS, REASON_TEXT } from '../js/lib/remedy.js';

const REASONS = Object.keys(REASON_TEXT);

test('a remedy sent by the backend wins', () => {
  const status = { id: 'sa-1', kind: 'service-app', attention: { reason: 'app-not-authorized-in-org' }, remedy: { kind: 'authorize-app-in-org', target_org_id: 'Y2lz' } };
  assert.deepEqual(remedyFor(status), { kind: 'authorize-app-in-org', target_org_id: 'Y2lz' });
});

test('every attention reason has a remedy and a sentence', () => {
  for (const reason of REASONS) {
    const remedy = remedyFor({ id: 'x', kind: 'integration', stored: true, attention: { reason, message: 'm' } });
    assert.ok(remedy && REMEDY_KINDS.includes(remedy.kind), reason);
    assert.ok(attentionText({ attention: { reason } }), reason);
  }
});

test('reasons map to the remedy that fixes them', () => {
  const kind = (reason) => remedyFor({ id: 'x', attention: { reason } }).kind;
  assert.equal(kind('refresh-token-rejected'), 'authorize');
  assert.equal(kind('client-rejected'), 'replace-client-secret');
  assert.equal(kind('personal-token-expired'), 'replace-personal-token');
  assert.equal(kind('bearer-unusable'), 'choose-bearer');
});

test('nothing stored asks for the secret the kind lacks; a healthy credential has no remedy', () => {
  assert.equal(remedyFor({ id: 'p', kind: 'personal', stored: false }).kind, 'replace-personal-token');
  assert.equal(remedyFor({ id: 'i', kind: 'integration', stored: false }).kind, 'replace-client-secret');
  assert.equal(remedyFor({ id: 'i', kind: 'integration', stored: true, health: 'ok' }), null);
  assert.equal(remedyFor({ id: 'i', stored: true, remedy: { kind: 'format-disk' } }), null, 'unknown remedy kinds are ignored');
});

test('every remedy kind renders as a labelled button with an action', () => {
  const actions = new Set(['authorize', 'set-secret', 'open-control-hub', 'edit', 'unlock']);
  for (const kind of REMEDY_KINDS) {
    const button = remedyButton({ kind }, { id: 'int-1' });
    assert.ok(button.label && button.hint, kind);
    assert.ok(actions.has(button.action), `${kind} -> ${button.action}`);
    assert.equal(button.target, 'int-1');
  }
});

test('buttons carry what their action needs', () => {
  assert.equal(remedyButton({ kind: 'replace-client-secret' }, { id: 'a' }).which, 'client-secret');
  assert.equal(remedyButton({ kind: 'replace-personal-token' }, { id: 'a' }).which, 'personal-token');
  assert.equal(remedyButton({ kind: 'choose-bearer' }, { id: 'a' }).focus, 'bearer');
  const hub = remedyButton({ kind: 'authorize-app-in-org', target_org_id: 'Y2lzORG' }, { id: 'a' });
  assert.equal(hub.orgId, 'Y2lzORG');
});

test('a remedy on another credential (a service app\u2019s bearer) targets it', () => {
  const b = remedyButton({ kind: 'authorize', credential: 'int-bearer' }, { id: 'sa-1' });
  assert.equal(b.target, 'int-bearer');
  assert.equal(b.label, 'Authorize its bearer');
  assert.equal(remedyButton({ kind: 'replace-personal-token', credential: 'pat-b' }, { id: 'sa-1' }).label, 'Paste a new token for its bearer\u2026');
  assert.equal(remedyButton({ kind: 'authorize' }, { id: 'i', attention: { reason: 'not-authorized' } }).label, 'Authorize');
  assert.equal(remedyButton({ kind: 'authorize' }, { id: 'i', attention: { reason: 'refresh-token-rejected' } }).label, 'Authorize again');
});
