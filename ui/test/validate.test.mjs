import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  validateName, validateClientId, validateScopes, validatePort, validateRedirectUri, validateOrgId,
  validateApiBase, validateSecret, validateCredentialForm, validatePersonalExpiry, redirectUriFor,
} from '../js/lib/validate.js';

const CLIENT = 'C0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
const ORG = 'Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9mYWtlLW9yZy0wMDAx';

test('names: trimmed, not empty, no control characters, at most 200 bytes', () => {
  assert.equal(validateName('  Acme Corp ').value, 'Acme Corp');
  assert.ok(validateName('   ').error);
  assert.ok(validateName('a\u0007b').error);
  assert.ok(validateName('x'.repeat(201)).error);
  assert.equal(validateName('x'.repeat(200)).value.length, 200);
});

test('client ids: C and hex digits; an unusual length only warns', () => {
  assert.deepEqual(validateClientId(CLIENT), { value: CLIENT });
  assert.ok(validateClientId('').error);
  assert.ok(validateClientId('C12 34').error);
  assert.ok(validateClientId('X1234').error, 'must start with C');
  assert.ok(validateClientId('C12g4').error, 'hex only');
  const short = validateClientId('C0123456789abcdef0123456789abcdef');
  assert.equal(short.error, undefined);
  assert.match(short.warning, /32 hex digits/);
});

test('scopes: separated by spaces, commas or lines; malformed ones named; duplicates dropped', () => {
  assert.deepEqual(validateScopes('spark:kms, spark-admin:people_read\nmeeting:recordings_read').value, [
    'spark:kms', 'spark-admin:people_read', 'meeting:recordings_read',
  ]);
  assert.ok(validateScopes('  ').error);
  assert.match(validateScopes('spark:kms kms').error, /kms/);
  const dup = validateScopes('spark:kms spark:kms');
  assert.deepEqual(dup.value, ['spark:kms']);
  assert.ok(dup.warning);
});

test('ports: whole numbers 1 to 65535, privileged ones warn', () => {
  assert.equal(validatePort('6855').value, 6855);
  for (const bad of ['', '0', '65536', '68.5', 'abc', '-1']) assert.ok(validatePort(bad).error, bad);
  assert.ok(validatePort('80').warning);
  assert.equal(redirectUriFor(6855), 'http://localhost:6855/callback');
});

test('redirect URIs follow the engine: http, loopback, explicit port', () => {
  assert.equal(validateRedirectUri('http://localhost:6855/callback').port, 6855);
  assert.equal(validateRedirectUri('http://127.0.0.1:9000/cb').port, 9000);
  assert.ok(validateRedirectUri('https://localhost:6855/callback').error);
  assert.ok(validateRedirectUri('http://example.com:6855/callback').error);
  assert.ok(validateRedirectUri('http://localhost/callback').error);
});

test('org ids: the base64 id, or a uuid converted to it', () => {
  assert.equal(validateOrgId(ORG).value, ORG);
  const fromUuid = validateOrgId('8A2B3C4D-1111-2222-3333-444455556666');
  assert.equal(atob(fromUuid.value + '=='.slice(0, (4 - (fromUuid.value.length % 4)) % 4)),
    'ciscospark://us/ORGANIZATION/8a2b3c4d-1111-2222-3333-444455556666');
  assert.ok(fromUuid.note);
  assert.ok(validateOrgId('').error);
  assert.ok(validateOrgId('acme corp').error);
  assert.ok(validateOrgId(btoa('ciscospark://us/APPLICATION/C123')).error, 'an app id is not an org id');
});

test('API base: https anywhere, http only on loopback, nothing after the path', () => {
  assert.equal(validateApiBase('https://webexapis.com/v1/').value, 'https://webexapis.com/v1');
  assert.equal(validateApiBase('http://127.0.0.1:8080/v1').value, 'http://127.0.0.1:8080/v1');
  assert.equal(validateApiBase('').value, null);
  assert.ok(validateApiBase('', { optional: false }).error);
  assert.ok(validateApiBase('http://webexapis.com/v1').error);
  assert.ok(validateApiBase('ftp://webexapis.com').error);
  assert.ok(validateApiBase('https://user:pw@webexapis.com/v1').error);
  assert.ok(validateApiBase('https://webexapis.com/v1?x=1').error);
  assert.ok(validateApiBase('webexapis.com').error);
});

test('secrets: required, single line, bounded, and never quoted back', () => {
  const secret = 'fake-secret-acme-000';
  assert.equal(validateSecret(secret, 'client secret').value, secret);
  for (const bad of ['', ` ${secret}`, `${secret}\n`, 'a b', 'x'.repeat(4097)]) {
    const r = validateSecret(bad, 'client secret');
    assert.ok(r.error, JSON.stringify(bad.slice(0, 10)));
    assert.ok(!bad.trim() || !r.error.includes(bad.trim().slice(0, 6)), 'the message never echoes the value');
  }
  assert.equal(validateSecret('', 'client secret', { optional: true }).value, null);
});

test('personal token expiry is optional and must be in the future', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  assert.equal(validatePersonalExpiry('', now).value, null);
  assert.ok(validatePersonalExpiry('2026-03-01T11:00:00Z', now).error);
  assert.equal(validatePersonalExpiry('2026-03-01T20:00:00Z', now).value, '2026-03-01T20:00:00.000Z');
});

test('an integration form becomes an add_credential draft', () => {
  const r = validateCredentialForm('integration', {
    name: ' Acme ', label: 'Acme Inc', client_id: CLIENT, client_secret: 's3cr3t', scopes: 'spark:kms', port: '6855', api_base: '',
  });
  assert.deepEqual(r.errors, {});
  assert.deepEqual(r.draft, {
    kind: 'integration', name: 'Acme', label: 'Acme Inc', client_id: CLIENT, client_secret: 's3cr3t',
    scopes: ['spark:kms'], redirect_uri: 'http://localhost:6855/callback',
  });
});

test('every bad field of a form is reported at once, by field', () => {
  const r = validateCredentialForm('integration', { name: '', client_id: 'nope', client_secret: '', scopes: '', port: '0' });
  assert.deepEqual(Object.keys(r.errors).sort(), ['client_id', 'client_secret', 'name', 'port', 'scopes']);
  assert.equal(r.valid, false);
});

test('editing needs no secret and may clear the label', () => {
  const r = validateCredentialForm('integration', { name: 'Acme', label: '', scopes: 'spark:kms', port: '6855' }, { mode: 'edit' });
  assert.equal(r.valid, true);
  assert.equal(r.draft.label, null);
  assert.ok(!('client_secret' in r.draft));
});

test('a service app must pick a bearer that is an integration or a personal token', () => {
  const bearers = [
    { id: 'int-1', name: 'Minter', kind: 'integration', scopes: ['spark:kms'] },
    { id: 'pat-1', name: 'PAT', kind: 'personal' },
    { id: 'sa-1', name: 'Other app', kind: 'service-app' },
  ];
  const base = { name: 'SA', client_id: CLIENT, client_secret: 'x', target_org_id: ORG };
  assert.ok(validateCredentialForm('service-app', { ...base, bearer: '' }, { bearers }).errors.bearer);
  assert.ok(validateCredentialForm('service-app', { ...base, bearer: 'sa-1' }, { bearers }).errors.bearer);
  assert.ok(validateCredentialForm('service-app', { ...base, bearer: 'gone' }, { bearers }).errors.bearer);
  const viaIntegration = validateCredentialForm('service-app', { ...base, bearer: 'int-1' }, { bearers });
  assert.equal(viaIntegration.valid, true);
  assert.match(viaIntegration.warnings.bearer, /spark:applications_token/);
  const viaPat = validateCredentialForm('service-app', { ...base, bearer: 'pat-1' }, { bearers });
  assert.equal(viaPat.draft.bearer, 'pat-1');
  assert.equal(viaPat.warnings.bearer, undefined);
});

test('a personal access token form carries the token and its optional expiry', () => {
  const r = validateCredentialForm('personal', { name: 'Mine', personal_token: 'tok', personal_expires_at: '' });
  assert.deepEqual(r.draft, { kind: 'personal', name: 'Mine', personal_token: 'tok' });
});
