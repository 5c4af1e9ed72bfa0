// A backend in the page, following ui/API.md, for opening the window in a plain browser and for
// tests: realistic credentials (24 by default, 1,000 with ?mock=1000, none with ?mock=0), every
// attention state, imports of the files in shared/formats, an audit log, a locked vault
// (?mock=locked, passphrase "correct horse"; ?mock=keychain for a refusing keychain).
// Its secrets are fake and never leave it: results obey the write-only rule like the real one.

import { matchesAudit } from './lib/audit.js';
import { PREF_DEFAULTS } from './lib/prefs.js';
import { DEFAULT_SCOPES, DEFAULT_API_BASE, MINT_SCOPE } from './lib/validate.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MOCK_PASSPHRASE = 'correct horse';

/** Deterministic pseudo-random numbers, so every run of the mock shows the same window. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ORGS = [
  'Acme Inc', 'Globex', 'Initech', 'Umbrella Health', 'Hooli', 'Stark Industries', 'Wayne Enterprises',
  'Wonka Foods', 'Cyberdyne', 'Soylent', 'Tyrell', 'Massive Dynamic', 'Pied Piper', 'Oscorp', 'Aperture Labs',
  'Black Mesa', 'Gringotts', 'Monsters Inc', 'Vandelay Import', 'Dunder Mifflin', 'Prestige Worldwide',
  'Sterling Cooper', 'Bluth Company', 'Gekko & Co', 'Nakatomi Trading', 'Virtucon', 'Spacely Sprockets',
  'Cogswell Cogs', 'Kramerica', 'Los Pollos', 'Krusty Krab', 'Planet Express', 'Rekall', 'Weyland Corp',
  'Ollivanders', 'Duff Brewing', 'Buy n Large', 'InGen', 'Zorg Industries', 'Yoyodyne',
];
const PURPOSES = ['Meetings', 'Recordings', 'Compliance', 'Calling', 'Messaging', 'Reporting', 'Provisioning', 'Analytics'];

function hex(rand, n) {
  let s = '';
  for (let i = 0; i < n; i += 1) s += Math.floor(rand() * 16).toString(16);
  return s;
}

function idFor(kind, rand) {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  let s = '';
  for (let i = 0; i < 10; i += 1) s += alphabet[Math.floor(rand() * alphabet.length)];
  return `${{ integration: 'int', 'service-app': 'sa', personal: 'pat' }[kind]}-${s}`;
}

function orgIdFor(label) {
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return btoa(`ciscospark://us/ORGANIZATION/${slug}-0001`).replace(/=+$/, '');
}

function appIdFor(clientId) {
  return btoa(`ciscospark://us/APPLICATION/${clientId}`).replace(/=+$/, '');
}

function trackingId(rand) {
  return `ROUTER_${hex(rand, 8).toUpperCase()}-${hex(rand, 4).toUpperCase()}-${hex(rand, 4).toUpperCase()}`;
}

const iso = (ms) => (ms === null || ms === undefined ? undefined : new Date(ms).toISOString());

const ATTENTION_MESSAGES = {
  'not-authorized': (n) => `not authorized yet: webex-token authorize "${n}"`,
  'refresh-token-rejected': (n) => `the refresh token was rejected (invalid_grant): webex-token authorize "${n}"`,
  'client-rejected': (n) => `Webex rejected the client id or secret (invalid_client): webex-token set-secret "${n}"`,
  'app-not-authorized-in-org': () => 'the service app is not authorized in its target org (403): an org admin must authorize it in Control Hub',
  'unknown-app': () => 'Webex does not know this application id (404): check the client id',
  'bearer-unusable': (n) => `the bearer of "${n}" cannot mint tokens: its own tokens are dead`,
  'personal-token-expiring': (n) => `the personal access token "${n}" ends within an hour: webex-token set-secret "${n}"`,
  'personal-token-expired': (n) => `the personal access token "${n}" has expired: webex-token set-secret "${n}"`,
  'request-rejected': () => 'Webex refused the request as malformed (400): check the settings',
};

/**
 * One credential as the mock keeps it: settings, fake secrets, and state. `view()` turns it into
 * the CredentialView of the contract.
 */
function makeCredential(fields) {
  return {
    secrets: {},
    state: { consecutive_failures: 0 },
    created_at: Date.now() - 40 * DAY,
    label: null,
    api_base: null,
    ...fields,
  };
}

function healthOf(c, now) {
  const s = c.state;
  if (s.attention) return 'needs-attention';
  if (s.consecutive_failures > 0 && s.last_attempt?.outcome === 'transient') return 'retrying';
  if (s.access_expires_at === undefined || s.access_expires_at === null) return 'unknown';
  if (s.access_expires_at <= now) return 'expired';
  if (s.access_expires_at - now <= HOUR) return 'expiring';
  return 'ok';
}

function remedyOf(c, byId) {
  const reason = c.state.attention?.reason;
  switch (reason) {
    case 'not-authorized':
    case 'refresh-token-rejected':
      return { kind: 'authorize' };
    case 'client-rejected':
      return { kind: 'replace-client-secret' };
    case 'app-not-authorized-in-org':
      return { kind: 'authorize-app-in-org', target_org_id: c.target_org_id };
    case 'unknown-app':
    case 'request-rejected':
      return { kind: 'review-settings' };
    case 'bearer-unusable': {
      const bearer = byId.get(c.bearer);
      if (bearer?.kind === 'integration' && bearer.state.attention) return { kind: 'authorize', credential: bearer.id };
      if (bearer?.kind === 'personal') return { kind: 'replace-personal-token', credential: bearer.id };
      return { kind: 'choose-bearer' };
    }
    case 'personal-token-expiring':
    case 'personal-token-expired':
      return { kind: 'replace-personal-token' };
    default:
      return undefined;
  }
}

function view(c, now, byId) {
  const s = c.state;
  const out = {
    id: c.id,
    name: c.name,
    kind: c.kind,
    label: c.label ?? undefined,
    client_id: c.client_id,
    bearer: c.bearer,
    health: healthOf(c, now),
    access_expires_at: iso(s.access_expires_at),
    refresh_expires_at: iso(s.refresh_expires_at),
    obtained_at: iso(s.obtained_at),
    last_attempt: s.last_attempt ? { ...s.last_attempt, at: iso(s.last_attempt.at) } : undefined,
    attention: s.attention ? { ...s.attention, since: iso(s.attention.since) } : undefined,
    interrupted: s.interrupted,
    retry_not_before: iso(s.retry_not_before),
    stored: c.stored !== false,
    remedy: remedyOf(c, byId),
  };
  for (const key of Object.keys(out)) if (out[key] === undefined || out[key] === null) delete out[key];
  return out;
}

function attempt(at, action, outcome, extra = {}) {
  return { at, action, outcome, ...extra };
}

function attention(reason, name, since) {
  return { reason, message: ATTENTION_MESSAGES[reason](name), since };
}

/** The hand-made set: one of every state a person meets. */
function curatedCredentials(now, rand) {
  const list = [];
  const add = (fields) => {
    const c = makeCredential({ id: idFor(fields.kind, rand), ...fields });
    if (c.kind !== 'personal' && !c.client_id) c.client_id = `C${hex(rand, 64)}`;
    if (c.kind === 'integration') {
      c.scopes ??= [...DEFAULT_SCOPES];
      c.redirect_uri ??= 'http://localhost:6855/callback';
      c.secrets.client_secret = `fake-secret-${hex(rand, 20)}`;
    }
    if (c.kind === 'service-app') c.secrets.client_secret = `fake-sa-secret-${hex(rand, 20)}`;
    if (c.state.access_expires_at) c.secrets.access_token = `fake-access-${hex(rand, 24)}`;
    if (c.state.refresh_expires_at) c.secrets.refresh_token = `fake-refresh-${hex(rand, 24)}`;
    list.push(c);
    return c;
  };
  const ok = (accessDays, refreshDays, extra = {}) => ({
    access_expires_at: now + accessDays * DAY,
    refresh_expires_at: refreshDays === null ? undefined : now + refreshDays * DAY,
    obtained_at: now + accessDays * DAY - 14 * DAY,
    last_attempt: attempt(now - (14 - accessDays) * DAY, 'refresh', 'ok', { http_status: 200 }),
    consecutive_failures: 0,
    ...extra,
  });

  const minter = add({ kind: 'integration', name: 'Partner minting', label: 'Acme Inc', scopes: ['spark:kms', MINT_SCOPE, 'spark:people_read'], state: ok(9.3, 71) });
  add({ kind: 'integration', name: 'Acme Corp', label: 'Acme Inc', state: ok(11.2, 78.4) });
  add({ kind: 'service-app', name: 'Acme recordings app', label: 'Acme Inc', bearer: minter.id, target_org_id: orgIdFor('Acme Inc'), state: ok(6.1, 55) });
  add({
    kind: 'integration', name: 'Globex Partner Org', label: 'Globex',
    state: {
      access_expires_at: now - 2 * DAY, refresh_expires_at: now + 20 * DAY, obtained_at: now - 16 * DAY,
      last_attempt: attempt(now - 2 * HOUR, 'refresh', 'permanent', { http_status: 400, tracking_id: trackingId(rand), message: 'invalid_grant: the refresh token is invalid or expired' }),
      attention: attention('refresh-token-rejected', 'Globex Partner Org', now - 2 * HOUR),
    },
  });
  add({ kind: 'service-app', name: 'Globex compliance app', label: 'Globex', bearer: minter.id, target_org_id: orgIdFor('Globex'),
    state: {
      last_attempt: attempt(now - 40 * MINUTE, 'mint', 'permanent', { http_status: 403, tracking_id: trackingId(rand), message: 'the service app is not authorized in the target org' }),
      attention: attention('app-not-authorized-in-org', 'Globex compliance app', now - 40 * MINUTE),
    } });
  add({ kind: 'integration', name: 'Initech Meetings', label: 'Initech', state: ok(0.028, 44, { last_attempt: attempt(now - 14 * DAY, 'authorize', 'ok', { http_status: 200 }) }) });
  add({
    kind: 'integration', name: 'Stark Compliance', label: 'Stark Industries',
    state: {
      access_expires_at: now + 5 * HOUR, refresh_expires_at: now + 61 * DAY, obtained_at: now - 13.8 * DAY,
      last_attempt: attempt(now - 4 * MINUTE, 'refresh', 'transient', { http_status: 503, tracking_id: trackingId(rand), message: 'Webex is unavailable for now (503 Service Unavailable); will retry' }),
      consecutive_failures: 3, retry_not_before: now + 6 * MINUTE,
    },
  });
  add({
    kind: 'integration', name: 'Wayne Enterprises', label: 'Wayne Enterprises',
    state: {
      access_expires_at: now + 3 * DAY, refresh_expires_at: now + 50 * DAY, obtained_at: now - 11 * DAY,
      last_attempt: attempt(now - 1 * DAY, 'refresh', 'permanent', { http_status: 401, tracking_id: trackingId(rand), message: 'invalid_client: the client secret is wrong' }),
      attention: attention('client-rejected', 'Wayne Enterprises', now - 1 * DAY),
    },
  });
  const pat = add({ kind: 'personal', name: 'My personal token', state: { access_expires_at: now + 3.5 * HOUR, obtained_at: now - 8.5 * HOUR, last_attempt: attempt(now - 8.5 * HOUR, 'add', 'ok') } });
  pat.secrets.access_token = `fake-pat-${hex(rand, 24)}`;
  const oldPat = add({ kind: 'personal', name: 'Lab token (old)', label: 'Hooli',
    state: { access_expires_at: now - 5 * HOUR, obtained_at: now - 17 * HOUR, last_attempt: attempt(now - 5 * HOUR, 'warning', 'permanent', { message: 'the personal access token has expired' }),
      attention: attention('personal-token-expired', 'Lab token (old)', now - 5 * HOUR) } });
  oldPat.secrets.access_token = `fake-pat-${hex(rand, 24)}`;
  add({ kind: 'service-app', name: 'Hooli reporting app', label: 'Hooli', bearer: oldPat.id, target_org_id: orgIdFor('Hooli'),
    state: { access_expires_at: now - 1 * DAY, refresh_expires_at: now + 30 * DAY,
      last_attempt: attempt(now - 5 * HOUR, 'mint', 'permanent', { http_status: 401, tracking_id: trackingId(rand), message: 'the bearer token is expired' }),
      attention: attention('bearer-unusable', 'Hooli reporting app', now - 5 * HOUR) } });
  add({ kind: 'integration', name: 'Wonka Foods', label: 'Wonka Foods', state: { attention: attention('not-authorized', 'Wonka Foods', now - 10 * MINUTE), last_attempt: attempt(now - 10 * MINUTE, 'add', 'ok') } });
  add({ kind: 'integration', name: 'Umbrella (imported)', label: 'Umbrella Health', state: { obtained_at: now - 60 * DAY, last_attempt: attempt(now - 20 * MINUTE, 'import', 'ok') } });
  const orphan = add({ kind: 'integration', name: 'Cyberdyne', label: 'Cyberdyne', state: ok(4, 30) });
  orphan.stored = false;
  add({ kind: 'integration', name: 'Soylent Calling', label: 'Soylent', state: ok(2.5, 63, {
    interrupted: { started_at: iso(now - 3 * HOUR), pid: 48121, action: 'refresh', found_at: iso(now - 2 * HOUR) } }) });
  add({ kind: 'service-app', name: 'Tyrell provisioning', label: 'Tyrell', bearer: pat.id, target_org_id: orgIdFor('Tyrell'), state: ok(12.9, 88) });
  for (const label of ['Massive Dynamic', 'Pied Piper', 'Oscorp', 'Aperture Labs', 'Black Mesa', 'Dunder Mifflin', 'Vandelay Import', 'Sterling Cooper']) {
    const purpose = PURPOSES[Math.floor(rand() * PURPOSES.length)];
    add({ kind: 'integration', name: `${label} ${purpose}`, label, state: ok(1 + rand() * 13, 30 + rand() * 60) });
  }
  return list;
}

/**
 * A thousand credentials across forty orgs, as a partner who imported everything in one go has
 * them: refresh tokens bunched in one week, access tokens spread over two, a few needing a person.
 */
function bulkCredentials(count, now, rand) {
  const list = [];
  const minters = [];
  for (let i = 0; i < count; i += 1) {
    const label = ORGS[i % ORGS.length];
    const purpose = PURPOSES[Math.floor(i / ORGS.length) % PURPOSES.length];
    const round = Math.floor(i / (ORGS.length * PURPOSES.length));
    const isApp = minters.length > 0 && rand() < 0.18;
    const isPat = !isApp && rand() < 0.04;
    const kind = isApp ? 'service-app' : isPat ? 'personal' : 'integration';
    const name = `${label} ${purpose}${round ? ` ${round + 1}` : ''}${kind === 'service-app' ? ' app' : kind === 'personal' ? ' token' : ''}`;
    const c = makeCredential({ id: idFor(kind, rand), kind, name, label });
    if (kind !== 'personal') {
      c.client_id = `C${hex(rand, 64)}`;
      c.secrets.client_secret = `fake-secret-${hex(rand, 16)}`;
    }
    if (kind === 'integration') {
      c.scopes = rand() < 0.2 ? ['spark:kms', MINT_SCOPE] : [...DEFAULT_SCOPES];
      c.redirect_uri = 'http://localhost:6855/callback';
    }
    if (kind === 'service-app') {
      c.bearer = minters[Math.floor(rand() * minters.length)].id;
      c.target_org_id = orgIdFor(label);
    }
    const bulk = rand() < 0.62;
    const access = kind === 'personal' ? now + rand() * 12 * HOUR : now + (rand() < 0.01 ? -rand() * DAY : rand() * 14 * DAY);
    const refresh = kind === 'personal' ? undefined : bulk ? now + (63 + rand() * 6) * DAY : now + (5 + rand() * 85) * DAY;
    c.state = {
      access_expires_at: access,
      refresh_expires_at: refresh,
      obtained_at: access - 14 * DAY,
      last_attempt: attempt(access - 14 * DAY, bulk ? 'import' : 'refresh', 'ok', { http_status: bulk ? undefined : 200 }),
      consecutive_failures: 0,
    };
    c.secrets.access_token = `fake-access-${hex(rand, 12)}`;
    if (refresh) c.secrets.refresh_token = `fake-refresh-${hex(rand, 12)}`;
    const roll = rand();
    if (roll < 0.012) {
      c.state.attention = attention(kind === 'personal' ? 'personal-token-expired' : kind === 'service-app' ? 'app-not-authorized-in-org' : 'refresh-token-rejected', name, now - rand() * DAY);
      c.state.last_attempt = attempt(now - rand() * DAY, kind === 'service-app' ? 'mint' : 'refresh', 'permanent', { http_status: kind === 'service-app' ? 403 : 400, tracking_id: trackingId(rand) });
    } else if (roll < 0.02 && kind !== 'personal') {
      c.state.attention = attention('client-rejected', name, now - rand() * DAY);
      c.state.last_attempt = attempt(now - rand() * DAY, 'refresh', 'permanent', { http_status: 401, tracking_id: trackingId(rand) });
    } else if (roll < 0.035) {
      c.state.consecutive_failures = 2;
      c.state.last_attempt = attempt(now - rand() * HOUR, 'refresh', 'transient', { http_status: 502, tracking_id: trackingId(rand), message: 'Webex is unavailable for now (502 Bad Gateway); will retry' });
    } else if (roll < 0.05) {
      c.state.access_expires_at = undefined;
      c.state.refresh_expires_at = undefined;
    }
    if (kind === 'integration' && c.scopes.includes(MINT_SCOPE) && !c.state.attention) minters.push(c);
    if (kind === 'personal' && !c.state.attention) minters.push(c);
    list.push(c);
  }
  return list;
}

const AUDIT_MESSAGES = {
  refresh: 'tokens refreshed',
  mint: 'service app tokens minted',
  check: 'people/me answered 200',
};

function seedAudit(credentials, now, rand) {
  const records = [];
  for (const c of credentials) {
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i += 1) {
      const action = c.kind === 'service-app' ? (rand() < 0.6 ? 'mint' : 'refresh') : c.kind === 'personal' ? 'check' : 'refresh';
      const failed = rand() < 0.06;
      records.push({
        time: iso(now - rand() * 30 * DAY),
        credential_id: c.id,
        credential_name: c.name,
        action,
        result: failed ? (rand() < 0.5 ? 'transient' : 'permanent') : 'ok',
        http_status: failed ? [502, 503, 429, 400][Math.floor(rand() * 4)] : 200,
        tracking_id: trackingId(rand),
        duration_ms: Math.round(120 + rand() * 900),
        message: failed ? 'Webex answered with an error' : AUDIT_MESSAGES[action],
        pid: 48121,
      });
    }
    if (c.state.last_attempt) {
      const a = c.state.last_attempt;
      records.push({ time: iso(a.at), credential_id: c.id, credential_name: c.name, action: a.action, result: a.outcome, http_status: a.http_status, tracking_id: a.tracking_id, message: a.message, pid: 48121 });
    }
  }
  for (const r of records) for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  records.sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  return records;
}

function mockError(kind, message, extra = {}) {
  return { kind, message, ...extra };
}

// ---- Import: a small reader for the formats in shared/formats, enough to preview realistically.

function stripLenient(text, warnings) {
  let out = text;
  if (out.charCodeAt(0) === 0xfeff) {
    out = out.slice(1);
    warnings.push('byte-order mark ignored');
  }
  const noTrailing = out.replace(/,(\s*[}\]])/g, '$1');
  if (noTrailing !== out) warnings.push('not strict JSON: trailing comma ignored');
  return noTrailing;
}

function parseYamlFlat(text) {
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][\w]*)\s*:\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  return out;
}

function parseDotEnv(text) {
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  return out;
}

const FORMAT = {
  master: 'tokens_master.json (multi-org refresher)',
  config: 'token-config.json (service-app token manager)',
  wtr: '.wtr-cli.yaml / .wtr-cli.json (token retriever CLI)',
  env: '.env (service-app tokens)',
};

/** Parses one file into drafts: {format, warnings, error, entries: [{entry, draft?|skip}]}. */
function readImportFile(file, now) {
  const warnings = [];
  const text = stripLenient(String(file.content ?? ''), warnings);
  const source = file.name;
  if (!text.trim()) return { file: source, error: `${source} has nothing to import: it is empty or holds only whitespace and comments` };
  let json = null;
  if (/^\s*[{[]/.test(text)) {
    try {
      json = JSON.parse(text);
    } catch (e) {
      return { file: source, error: `${source}: line 1, column 1: not JSON (${e.message.split('\n')[0]})` };
    }
  }
  const entries = [];
  if (json && typeof json === 'object' && (json.serviceApp || json.tokenManager)) {
    const tm = json.tokenManager ?? {};
    let bearerKey = null;
    if (tm.integration) {
      const i = tm.integration;
      if (!i.clientSecret) entries.push({ entry: 'tokenManager.integration', skip: 'entry "tokenManager.integration": field clientSecret is missing' });
      else {
        bearerKey = 'tokenManager.integration';
        entries.push({ entry: bearerKey, draft: { kind: 'integration', name: `Token manager integration ${i.clientId.slice(0, 9)}\u2026`, client_id: i.clientId, secrets: { client_secret: i.clientSecret, refresh_token: i.refreshToken }, notes: ['the refresh token\u2019s age is unknown; the first refresh tells whether it still works'] } });
      }
    }
    if (tm.personalAccessToken) {
      bearerKey ??= 'tokenManager.personalAccessToken';
      entries.push({ entry: 'tokenManager.personalAccessToken', draft: { kind: 'personal', name: 'Token manager PAT', secrets: { access_token: tm.personalAccessToken }, notes: ['personal access tokens last 12 hours; this one may have expired already'] } });
    }
    if (json.serviceApp) {
      const s = json.serviceApp;
      const missing = ['clientId', 'clientSecret', 'targetOrgId'].filter((f) => !s[f]);
      if (missing.length) entries.push({ entry: 'serviceApp', skip: `entry "serviceApp": field ${missing.join(', ')} is missing` });
      else if (!bearerKey) entries.push({ entry: 'serviceApp', skip: 'entry "serviceApp": no usable bearer in the file (tokenManager.personalAccessToken or tokenManager.integration) to mint its tokens; add one, then add the service app' });
      else entries.push({ entry: 'serviceApp', draft: { kind: 'service-app', name: `Service app ${s.clientId.slice(0, 9)}\u2026`, client_id: s.clientId, target_org_id: s.targetOrgId, bearerKey, secrets: { client_secret: s.clientSecret }, notes: [] } });
    }
    return { file: source, format: FORMAT.config, warnings, entries };
  }
  if (json && typeof json === 'object' && !Array.isArray(json) && Object.values(json).some((v) => v && typeof v === 'object' && 'client_id' in v)) {
    for (const [key, v] of Object.entries(json)) {
      if (!v || typeof v !== 'object') {
        entries.push({ entry: key, skip: `entry "${key}": not an object` });
        continue;
      }
      const missing = ['client_id', 'client_secret'].filter((f) => !v[f]);
      if (missing.length) {
        entries.push({ entry: key, skip: `entry "${key}": field ${missing.join(', ')} is missing` });
        continue;
      }
      if (!v.refresh_token && !v.access_token) {
        entries.push({ entry: key, skip: `entry "${key}": field refresh_token is empty and there is no access_token: nothing to keep alive` });
        continue;
      }
      const notes = [];
      if (v.status === 'failed') notes.push('the old tool recorded status "failed" for it; the first refresh tells whether its tokens still work');
      if (!v.access_token) notes.push('no access token: the first refresh gets one');
      if (v.date) notes.push(`tokens last obtained ${v.date}; their expiries are unknown until the first refresh`);
      entries.push({ entry: key, draft: { kind: 'integration', name: key.trim(), client_id: v.client_id, scopes: String(v.scopes ?? '').split(/\s+/).filter(Boolean), secrets: { client_secret: v.client_secret, access_token: v.access_token || undefined, refresh_token: v.refresh_token || undefined }, notes } });
    }
    return { file: source, format: FORMAT.master, warnings, entries };
  }
  let flat = null;
  if (json && typeof json === 'object') flat = json;
  else if (!/^\s*(?:export\s+)?[A-Z_][A-Z0-9_]*\s*=/m.test(text)) flat = parseYamlFlat(text);
  if (flat && (flat.appid || flat.secret)) {
    if (!flat.appid || !flat.secret) {
      entries.push({ entry: 'appid', skip: `entry "appid": field ${flat.appid ? 'secret' : 'appid'} is missing` });
    } else {
      const notes = [];
      if (!flat.refreshToken) notes.push('no tokens in the file: authorize it after importing');
      entries.push({ entry: 'appid', draft: { kind: 'integration', name: `wtr-cli ${flat.appid.slice(0, 9)}\u2026`, client_id: flat.appid, scopes: String(flat.scopes ?? '').split(/\s+/).filter(Boolean), port: Number(flat.redirectPort) || 6855, secrets: { client_secret: flat.secret, refresh_token: flat.refreshToken }, notes } });
    }
    return { file: source, format: FORMAT.wtr, warnings, entries };
  }
  const env = parseDotEnv(text);
  if (env.WEBEX_SERVICE_APP_ACCESS_TOKEN || env.WEBEX_SERVICE_APP_REFRESH_TOKEN) {
    entries.push({ entry: '.env', draft: { kind: 'service-app-tokens', name: 'Service app tokens', secrets: { access_token: env.WEBEX_SERVICE_APP_ACCESS_TOKEN, refresh_token: env.WEBEX_SERVICE_APP_REFRESH_TOKEN }, notes: [] } });
    return { file: source, format: FORMAT.env, warnings, entries };
  }
  const found = json ? 'JSON without any of the expected keys' : 'text that is neither JSON, YAML with appid nor a .env';
  return { file: source, error: `${source} is not a file webex-token can import: found ${found}. Expected tokens_master.json, token-config.json, .wtr-cli.yaml / .wtr-cli.json or a .env with WEBEX_SERVICE_APP_\u2026 tokens` };
}

// ---- The backend.

export function createMockBackend(params = new URLSearchParams(), options = {}) {
  const delay = options.delay ?? 1;
  const clock = options.now ?? (() => Date.now());
  const rand = mulberry32(14);
  const mode = params.get('mock') ?? '24';
  const now0 = clock();
  const count = /^\d+$/.test(mode) ? Number(mode) : 24;
  let credentials = count === 0 ? [] : count <= 24 ? curatedCredentials(now0, rand).slice(0, count) : bulkCredentials(count, now0, rand);
  const byId = new Map(credentials.map((c) => [c.id, c]));
  let audit = seedAudit(credentials, now0, rand);
  let prefs = structuredClone(PREF_DEFAULTS);
  const vault = {
    state: mode === 'locked' || mode === 'keychain' ? 'locked' : 'unlocked',
    source: mode === 'locked' ? 'passphrase' : 'keychain',
    message: mode === 'keychain' ? 'the keychain refused to hand out the vault key (it is locked)' : mode === 'locked' ? 'enter the vault passphrase to use stored tokens' : null,
  };
  let keychainAsks = 0;
  const previews = new Map();
  const sessions = new Map();
  const listeners = new Map();
  let serial = 0;

  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms * delay));
  const emit = (event, payload) => {
    for (const handler of listeners.get(event) ?? []) {
      try {
        handler(structuredClone(payload));
      } catch (error) {
        console.error(error);
      }
    }
  };
  const snapshot = () => credentials.map((c) => view(c, clock(), byId));
  const emitChanged = (...list) => emit('status', { now: iso(clock()), changed: list.map((c) => view(c, clock(), byId)), removed: [] });
  const record = (c, action, result, extra = {}) => {
    const r = { time: iso(clock()), credential_id: c?.id, credential_name: c?.name, action, result, pid: 48121, ...extra };
    for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
    audit.unshift(r);
  };
  const find = (id) => {
    const c = byId.get(id);
    if (!c) throw mockError('not-found', 'That credential no longer exists; it was removed meanwhile.');
    return c;
  };
  const requireUnlocked = () => {
    if (vault.state !== 'unlocked') {
      throw mockError('locked', 'The vault is locked: unlock it to use stored secrets and tokens.', { remedy: { kind: 'unlock-keychain' } });
    }
  };
  const fail = (field, message) => mockError('invalid', message, { field });

  function newTokens(c, { rotate = true } = {}) {
    const now = clock();
    const lifetime = c.kind === 'personal' ? 12 * HOUR : c.kind === 'service-app' ? 12 * HOUR + rand() * 14 * DAY : 14 * DAY - 1000;
    c.state.access_expires_at = now + lifetime;
    if (c.kind !== 'personal' && (rotate || !c.state.refresh_expires_at)) c.state.refresh_expires_at = now + 90 * DAY - 1000;
    c.state.obtained_at = now;
    c.state.attention = undefined;
    c.state.consecutive_failures = 0;
    c.state.retry_not_before = undefined;
    c.secrets.access_token = `fake-access-${hex(rand, 24)}`;
    if (c.kind !== 'personal') c.secrets.refresh_token = `fake-refresh-${hex(rand, 24)}`;
    c.stored = true;
  }

  function detail(c) {
    const out = {
      id: c.id, name: c.name, kind: c.kind, label: c.label ?? null, api_base: c.api_base ?? null,
      created_at: iso(c.created_at),
      dependents: credentials.filter((d) => d.bearer === c.id).map((d) => ({ id: d.id, name: d.name })),
      secrets: { client_secret: Boolean(c.secrets.client_secret), access_token: Boolean(c.secrets.access_token), refresh_token: Boolean(c.secrets.refresh_token) },
    };
    if (c.kind !== 'personal') out.client_id = c.client_id;
    if (c.kind === 'integration') Object.assign(out, { scopes: [...c.scopes], redirect_uri: c.redirect_uri });
    if (c.kind === 'service-app') Object.assign(out, { target_org_id: c.target_org_id, bearer: c.bearer, app_id: appIdFor(c.client_id) });
    return out;
  }

  function checkDraftCommon(draft) {
    const name = String(draft.name ?? '').trim();
    if (!name) throw fail('name', 'the name is empty');
    if (name.length > 200) throw fail('name', 'the name is longer than 200 characters');
    if (draft.api_base && !/^https:\/\/|^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(draft.api_base)) throw fail('api_base', 'the API base must use https://');
  }

  function validateBearer(id) {
    const bearer = byId.get(id);
    if (!bearer) throw fail('bearer', `the bearer ${id} does not exist; add the integration or personal access token that mints this app's tokens first`);
    if (bearer.kind === 'service-app') throw fail('bearer', `the bearer "${bearer.name}" is a service app; it must be an integration or a personal access token`);
  }

  function addFromDraft(draft, now) {
    checkDraftCommon(draft);
    const kind = draft.kind;
    const c = makeCredential({ id: idFor(kind, rand), kind, name: draft.name.trim(), label: draft.label || null, api_base: draft.api_base || null, created_at: now, state: { consecutive_failures: 0 } });
    if (kind === 'integration' || kind === 'service-app') {
      if (!draft.client_id || /\s/.test(draft.client_id)) throw fail('client_id', 'the client id is empty or contains spaces');
      if (!draft.client_secret) throw fail('client_secret', 'the client secret is missing');
      if (credentials.some((d) => d.kind === kind && d.client_id === draft.client_id)) {
        const same = credentials.find((d) => d.kind === kind && d.client_id === draft.client_id);
        throw fail('client_id', `this client id is stored already, as "${same.name}"`);
      }
      c.client_id = draft.client_id;
      c.secrets.client_secret = draft.client_secret;
    }
    if (kind === 'integration') {
      if (!Array.isArray(draft.scopes) || draft.scopes.length === 0) throw fail('scopes', 'an integration needs at least one scope');
      if (!/^http:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d+\//.test(draft.redirect_uri ?? '')) throw fail('redirect_uri', 'the redirect URI must be http on a loopback host with a port');
      c.scopes = [...draft.scopes];
      c.redirect_uri = draft.redirect_uri;
      c.state.attention = attention('not-authorized', c.name, now);
    } else if (kind === 'service-app') {
      if (!draft.target_org_id) throw fail('target_org_id', 'the target org id is empty');
      validateBearer(draft.bearer);
      c.target_org_id = draft.target_org_id;
      c.bearer = draft.bearer;
    } else if (kind === 'personal') {
      if (!draft.personal_token) throw fail('personal_token', 'the personal access token is missing');
      c.secrets.access_token = draft.personal_token;
      c.state.access_expires_at = draft.personal_expires_at ? Date.parse(draft.personal_expires_at) : now + 12 * HOUR;
      c.state.obtained_at = now;
    } else {
      throw fail('kind', 'choose integration, service-app or personal');
    }
    c.state.last_attempt = attempt(now, 'add', 'ok');
    return c;
  }

  function insert(c) {
    credentials.push(c);
    byId.set(c.id, c);
  }

  async function runAuthorize(session) {
    const s = sessions.get(session);
    const c = byId.get(s.id);
    const base = { session, id: c.id, name: c.name };
    if (s.method === 'device') {
      await wait(250);
      if (s.cancelled) return;
      emit('authorize-progress', { ...base, phase: 'device-code', message: `To authorize "${c.name}", open https://login.webex.com/device on any device and enter the code WDJB-MJHT`, user_code: 'WDJB-MJHT', verification_uri: 'https://login.webex.com/device', verification_uri_complete: 'https://login.webex.com/device?code=WDJB-MJHT', expires_at: iso(clock() + 10 * MINUTE) });
      await wait(6000);
    } else {
      await wait(250);
      if (s.cancelled) return;
      emit('authorize-progress', { ...base, phase: 'waiting-redirect', browser_opened: true, message: `Opened the browser to authorize "${c.name}".`, expires_at: iso(clock() + 5 * MINUTE) });
      await wait(3500);
    }
    if (s.cancelled) return;
    emit('authorize-progress', { ...base, phase: 'exchanging', message: 'The redirect arrived; getting tokens from Webex\u2026' });
    await wait(700);
    if (s.cancelled) return;
    if (/denied/i.test(c.name)) {
      sessions.delete(session);
      record(c, 'authorize', 'permanent', { message: 'access was denied in the browser' });
      emit('authorize-progress', { ...base, phase: 'failed', message: 'access was denied in the browser (access_denied); nothing was changed', error: { kind: 'denied', message: 'access was denied in the browser (access_denied); nothing was changed' } });
      return;
    }
    newTokens(c);
    c.state.last_attempt = attempt(clock(), 'authorize', 'ok', { http_status: 200 });
    record(c, 'authorize', 'ok', { http_status: 200, tracking_id: trackingId(rand) });
    sessions.delete(session);
    emitChanged(c, ...credentials.filter((d) => d.bearer === c.id && d.state.attention?.reason === 'bearer-unusable'));
    emit('engine-event', { event: 'recovered', id: c.id, name: c.name });
    emit('authorize-progress', { ...base, phase: 'done', message: `authorized "${c.name}"` });
  }

  const commands = {
    async app_info() {
      return {
        version: '0.1.0 (mock)',
        vault: { ...vault },
        default_api_base: prefs.default_api_base ?? DEFAULT_API_BASE,
        default_redirect_uri: 'http://localhost:6855/callback',
        default_scopes: [...DEFAULT_SCOPES],
        platform: 'linux',
        open_at: null,
      };
    },
    async list_status() {
      return { now: iso(clock()), credentials: snapshot() };
    },
    async get_credential({ id }) {
      return detail(find(id));
    },
    async add_credential({ draft }) {
      requireUnlocked();
      await wait(250);
      const c = addFromDraft(draft ?? {}, clock());
      insert(c);
      record(c, 'add', 'ok');
      emitChanged(c);
      emit('engine-event', { event: 'credentials-changed' });
      return view(c, clock(), byId);
    },
    async update_credential({ id, changes }) {
      const c = find(id);
      await wait(200);
      const next = { ...changes };
      if ('name' in next) checkDraftCommon({ name: next.name });
      if ('api_base' in next && next.api_base) checkDraftCommon({ name: c.name, api_base: next.api_base });
      if ('scopes' in next && (!Array.isArray(next.scopes) || next.scopes.length === 0)) throw fail('scopes', 'an integration needs at least one scope');
      if ('bearer' in next) validateBearer(next.bearer);
      if ('target_org_id' in next && !next.target_org_id) throw fail('target_org_id', 'the target org id is empty');
      for (const key of ['name', 'label', 'api_base', 'scopes', 'redirect_uri', 'target_org_id', 'bearer']) {
        if (key in next) c[key] = key === 'name' ? next.name.trim() : next[key];
      }
      if ('bearer' in next && c.state.attention?.reason === 'bearer-unusable' && !byId.get(next.bearer).state.attention) {
        c.state.attention = undefined;
        newTokens(c);
        c.state.last_attempt = attempt(clock(), 'mint', 'ok', { http_status: 200 });
      }
      if (['unknown-app', 'request-rejected'].includes(c.state.attention?.reason)) c.state.attention = undefined;
      record(c, 'add', 'ok', { message: 'settings changed' });
      emitChanged(c);
      return view(c, clock(), byId);
    },
    async set_secret({ id, which, value, expires }) {
      requireUnlocked();
      const c = find(id);
      await wait(250);
      if (!value || value.trim() !== value) throw fail('value', 'the new value is empty or has surrounding spaces (a bad paste?)');
      if (which === 'client-secret') {
        if (c.kind === 'personal') throw fail('value', `"${c.name}" is a personal access token: it has no client secret`);
        c.secrets.client_secret = value;
        if (c.state.attention?.reason === 'client-rejected') c.state.attention = undefined;
      } else if (which === 'personal-token') {
        if (c.kind !== 'personal') throw fail('value', `"${c.name}" is not a personal access token`);
        c.secrets.access_token = value;
        c.state.access_expires_at = expires ? Date.parse(expires) : clock() + 12 * HOUR;
        c.state.obtained_at = clock();
        c.state.attention = undefined;
      } else {
        throw fail('which', 'which secret: client-secret or personal-token');
      }
      c.stored = true;
      c.state.consecutive_failures = 0;
      record(c, 'add', 'ok', { message: which === 'client-secret' ? 'client secret replaced' : 'personal access token replaced' });
      emitChanged(c);
      return view(c, clock(), byId);
    },
    async authorize({ id, method }) {
      requireUnlocked();
      const c = find(id);
      if (c.kind !== 'integration') throw fail('kind', `"${c.name}" is not an integration: only integrations are authorized in a browser`);
      if (method !== 'browser' && method !== 'device') throw fail('method', 'method must be browser or device');
      await wait(150);
      serial += 1;
      const session = `auth-${serial}`;
      sessions.set(session, { id, method, cancelled: false });
      runAuthorize(session);
      return { session };
    },
    async authorize_cancel({ session }) {
      const s = sessions.get(session);
      if (s) {
        s.cancelled = true;
        sessions.delete(session);
        const c = byId.get(s.id);
        emit('authorize-progress', { session, id: s.id, name: c?.name, phase: 'cancelled', message: 'Stopped waiting; nothing was changed.' });
      }
      return null;
    },
    async authorize_open_again({ session }) {
      if (!sessions.has(session)) throw mockError('not-found', 'That authorization has ended.');
      return null;
    },
    async authorize_copy_url({ session }) {
      if (!sessions.has(session)) throw mockError('not-found', 'That authorization has ended.');
      return { clears_in_secs: prefs.clipboard_clear_secs || null };
    },
    async refresh({ id }) {
      requireUnlocked();
      const c = find(id);
      await wait(700);
      const reason = c.state.attention?.reason;
      if (reason || c.stored === false) {
        const tracking = trackingId(rand);
        c.state.last_attempt = attempt(clock(), c.kind === 'service-app' ? 'mint' : 'refresh', 'permanent', { http_status: 400, tracking_id: tracking, message: c.state.attention?.message ?? 'nothing stored to refresh with' });
        record(c, c.state.last_attempt.action, 'permanent', { http_status: 400, tracking_id: tracking });
        emitChanged(c);
        throw mockError('webex', c.state.attention?.message ?? 'Nothing is stored for this credential to refresh with.', { http_status: 400, tracking_id: tracking, remedy: remedyOf(c, byId) });
      }
      if (c.kind === 'personal') throw mockError('invalid', 'A personal access token cannot be refreshed; paste a new one when it ends.', { remedy: { kind: 'replace-personal-token' } });
      newTokens(c, { rotate: rand() < 0.5 });
      const tracking = trackingId(rand);
      c.state.last_attempt = attempt(clock(), c.kind === 'service-app' ? 'mint' : 'refresh', 'ok', { http_status: 200, tracking_id: tracking });
      record(c, c.state.last_attempt.action, 'ok', { http_status: 200, tracking_id: tracking, duration_ms: 412 });
      emitChanged(c);
      emit('engine-event', { event: 'refreshed', id: c.id, name: c.name, access_expires_at: iso(c.state.access_expires_at) });
      return view(c, clock(), byId);
    },
    async check({ id }) {
      requireUnlocked();
      const c = find(id);
      await wait(500);
      if (!c.secrets.access_token) throw fail('id', `"${c.name}" has no access token to check`);
      const works = !c.state.attention && (c.state.access_expires_at ?? Infinity) > clock();
      const tracking = trackingId(rand);
      record(c, 'check', works ? 'ok' : 'permanent', { http_status: works ? 200 : 401, tracking_id: tracking });
      return works
        ? { works, http_status: 200, tracking_id: tracking, who: c.kind === 'service-app' ? undefined : 'Alex Doe (alex.doe@example.com)' }
        : { works, http_status: 401, tracking_id: tracking };
    },
    async copy_token({ id, format }) {
      requireUnlocked();
      const c = find(id);
      if (format !== 'plain' && format !== 'header') throw fail('format', 'format must be plain or header');
      await wait(150);
      if (c.state.attention || !c.secrets.access_token) {
        throw mockError('webex', c.state.attention?.message ?? `"${c.name}" holds no token yet.`, { remedy: remedyOf(c, byId) ?? { kind: 'authorize' } });
      }
      return { clears_in_secs: prefs.clipboard_clear_secs || null };
    },
    async revoke({ id }) {
      requireUnlocked();
      const c = find(id);
      if (c.kind === 'personal') throw fail('id', `"${c.name}" is a personal access token: revoke it at developer.webex.com; Remove forgets it here`);
      if (!c.secrets.access_token) throw fail('id', `"${c.name}" holds no tokens to revoke`);
      await wait(500);
      delete c.secrets.access_token;
      delete c.secrets.refresh_token;
      c.state = { consecutive_failures: 0, last_attempt: attempt(clock(), 'revoke', 'ok', { http_status: 204 }), attention: c.kind === 'integration' ? attention('not-authorized', c.name, clock()) : undefined };
      record(c, 'revoke', 'ok', { http_status: 204 });
      emitChanged(c);
      return view(c, clock(), byId);
    },
    async remove({ id, force }) {
      const c = find(id);
      const dependents = credentials.filter((d) => d.bearer === c.id);
      if (dependents.length && !force) {
        throw mockError('has-dependents', `"${c.name}" mints the tokens of the service app(s) ${dependents.map((d) => `"${d.name}"`).join(', ')}; remove those first, or remove anyway`);
      }
      await wait(200);
      credentials = credentials.filter((d) => d.id !== id);
      byId.delete(id);
      record(c, 'remove', 'ok');
      emit('status', { now: iso(clock()), changed: [], removed: [id] });
      emit('engine-event', { event: 'credentials-changed' });
      return { id };
    },
    async import_preview({ files, options = {} }) {
      if (!Array.isArray(files)) throw fail('files', 'files must be a list of {name, content}');
      await wait(300);
      const now = clock();
      const parsed = files.map((f) => readImportFile(f, now));
      serial += 1;
      const preview = `imp-${serial}`;
      previews.set(preview, { parsed, options });
      return { preview, ...plan(parsed, options, true) };
    },
    async import_confirm({ preview }) {
      requireUnlocked();
      const p = previews.get(preview);
      if (!p) throw mockError('not-found', 'That preview was discarded; choose the files again.');
      previews.delete(preview);
      await wait(400);
      const report = plan(p.parsed, p.options, false);
      emit('status', { now: iso(clock()), credentials: snapshot() });
      emit('engine-event', { event: 'credentials-changed' });
      return report;
    },
    async import_discard({ preview }) {
      previews.delete(preview);
      return null;
    },
    async unlock({ passphrase } = {}) {
      await wait(400);
      if (vault.state === 'unlocked') return { ...vault };
      if (vault.source === 'passphrase') {
        if (!passphrase) throw mockError('wrong-passphrase', 'Enter the vault passphrase.', { field: 'passphrase' });
        if (passphrase !== MOCK_PASSPHRASE) throw mockError('wrong-passphrase', 'That passphrase does not open the vault. Nothing else happened; try again.', { field: 'passphrase' });
      } else {
        keychainAsks += 1;
        if (keychainAsks < 2) throw mockError('keychain-refused', 'The keychain is still locked. Unlock it (your login password), then try again.', { remedy: { kind: 'unlock-keychain' } });
      }
      vault.state = 'unlocked';
      vault.message = null;
      emit('vault-state', { ...vault });
      emit('status', { now: iso(clock()), credentials: snapshot() });
      return { ...vault };
    },
    async audit_query({ filter = {} }) {
      await wait(120);
      const limit = Math.max(1, Math.min(1000, filter.limit ?? 200));
      const before = filter.before ? Date.parse(filter.before) : Infinity;
      const matching = audit.filter((r) => Date.parse(r.time) < before && matchesAudit(r, filter));
      return { records: structuredClone(matching.slice(0, limit)), unreadable_lines: 0, more: matching.length > limit };
    },
    async get_preferences() {
      return structuredClone(prefs);
    },
    async set_preferences({ prefs: next }) {
      await wait(80);
      if (!next || typeof next !== 'object') throw fail('prefs', 'preferences missing');
      if (next.default_api_base && !/^https:\/\/|^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(next.default_api_base)) throw fail('default_api_base', 'the API base must use https://');
      prefs = { ...prefs, ...structuredClone(next) };
      return structuredClone(prefs);
    },
    async open_link({ target }) {
      const known = ['developer-portal', 'new-integration', 'new-service-app', 'personal-token', 'control-hub'];
      if (!known.includes(target)) throw fail('target', `no such link: ${target}`);
      return null;
    },
  };

  /** Dry run or real: the report of applying parsed files, as core's Engine::import writes it. */
  function plan(parsed, options, dryRun) {
    const serviceAppsThisRun = [];
    const now = clock();
    const files = parsed.map((f) => {
      if (f.error) return { file: f.file, format: null, error: f.error, warnings: [], entries: [] };
      const placed = new Map();
      const entries = f.entries.map((e) => {
        if (e.skip) return { entry: e.entry, name: null, kind: null, result: 'skipped', detail: e.skip, notes: [] };
        const d = e.draft;
        const out = { entry: e.entry, name: d.name, kind: d.kind === 'service-app-tokens' ? 'service-app' : d.kind, result: dryRun ? 'would-import' : 'imported', detail: null, notes: d.notes };
        if (d.kind === 'service-app-tokens') {
          const named = options.service_app ? credentials.find((c) => c.kind === 'service-app' && (c.id === options.service_app || c.name === options.service_app)) : null;
          const target = named ? { id: named.id, name: named.name } : serviceAppsThisRun.length === 1 ? serviceAppsThisRun[0] : null;
          if (!target) return { ...out, result: 'skipped', detail: serviceAppsThisRun.length ? 'these are a service app\u2019s tokens, and this import has several service apps: choose which one they belong to' : 'these are a service app\u2019s tokens, but no service app was named: import its token-config.json with it, or choose the service app below' };
          if (!dryRun) {
            const app = byId.get(target.id);
            if (app) {
              app.secrets.access_token = d.secrets.access_token;
              app.secrets.refresh_token = d.secrets.refresh_token;
              record(app, 'import', 'ok', { message: 'service app tokens attached from a .env file' });
            }
          }
          return { ...out, result: dryRun ? 'would-attach' : 'attached', detail: dryRun ? target.name : target.id };
        }
        const existing = d.client_id ? credentials.find((c) => c.kind === d.kind && c.client_id === d.client_id) : d.kind === 'personal' ? credentials.find((c) => c.kind === 'personal' && c.secrets.access_token === d.secrets.access_token) : null;
        if (existing) {
          placed.set(e.entry, existing.id);
          if (d.kind === 'service-app') serviceAppsThisRun.push({ id: existing.id, name: existing.name });
          return { ...out, result: 'skipped', detail: `entry "${e.entry}": already stored as "${existing.name}" (${existing.id}); nothing changed` };
        }
        if (d.kind === 'service-app' && !placed.has(d.bearerKey)) {
          return { ...out, result: 'skipped', detail: `entry "${e.entry}": its bearer was not imported, so nothing can mint its tokens` };
        }
        const id = idFor(d.kind, rand);
        placed.set(e.entry, id);
        if (d.kind === 'service-app') serviceAppsThisRun.push({ id, name: d.name });
        if (!dryRun) {
          const c = makeCredential({ id, kind: d.kind, name: d.name, created_at: now, client_id: d.client_id, secrets: Object.fromEntries(Object.entries(d.secrets).filter(([, v]) => v)) });
          if (d.kind === 'integration') {
            c.scopes = d.scopes?.length ? d.scopes : [...DEFAULT_SCOPES];
            c.redirect_uri = `http://localhost:${d.port ?? 6855}/callback`;
            if (!c.secrets.refresh_token && !c.secrets.access_token) c.state.attention = attention('not-authorized', c.name, now);
          }
          if (d.kind === 'service-app') Object.assign(c, { target_org_id: d.target_org_id, bearer: placed.get(d.bearerKey) });
          c.state.last_attempt = attempt(now, 'import', 'ok');
          insert(c);
          record(c, 'import', 'ok', { message: `imported entry "${e.entry}"` });
          out.detail = id;
        }
        return out;
      });
      return { file: f.file, format: f.format, error: null, warnings: f.warnings, entries };
    });
    return { dry_run: dryRun, files };
  }

  return {
    mock: true,
    commands: Object.keys(commands),
    async invoke(command, args = {}) {
      const run = commands[command];
      if (!run) throw mockError('internal', `unknown command ${command}`);
      // Like IPC: the backend never shares objects with the page.
      return structuredClone(await run(structuredClone(args)));
    },
    async listen(event, handler) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(handler);
      return () => listeners.get(event).delete(handler);
    },
  };
}
