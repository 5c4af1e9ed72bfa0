// Validation of what people type into the add/edit forms and preferences, as they type.
// Each check returns { error?, warning?, value? }: an error blocks saving, a warning only informs,
// `value` is the normalised value to send. Rules mirror the engine's (core/src/model.rs,
// core/src/engine/credentials.rs) so the window refuses early what the engine would refuse late,
// and adds the shape checks only a person benefits from (a client id cut short by a bad copy).

export const MAX_SECRET_BYTES = 4096;
export const DEFAULT_REDIRECT_PORT = 6855;
export const DEFAULT_API_BASE = 'https://webexapis.com/v1';
export const DEFAULT_SCOPES = [
  'meeting:recordings_read', 'spark:kms', 'meeting:schedules_read', 'meeting:preferences_write',
  'meeting:recordings_write', 'meeting:preferences_read', 'meeting:schedules_write',
];
/** The scope a bearer needs to mint a service app's tokens. */
export const MINT_SCOPE = 'spark:applications_token';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const ok = (value) => ({ value });
const fail = (error) => ({ error });

export function validateName(text) {
  const value = String(text ?? '').trim();
  if (!value) return fail('Enter a name.');
  if (new TextEncoder().encode(value).length > 200) return fail('Use at most 200 characters.');
  if (CONTROL.test(value)) return fail('The name contains control characters.');
  return ok(value);
}

/** An org or customer label; optional. */
export function validateLabel(text) {
  const value = String(text ?? '').trim();
  if (!value) return ok(null);
  if (value.length > 200) return fail('Use at most 200 characters.');
  if (CONTROL.test(value)) return fail('The label contains control characters.');
  return ok(value);
}

/**
 * Webex client ids are "C" followed by hex digits (64 of them for apps registered today).
 * Another length only warns: older and test registrations exist.
 */
export function validateClientId(text) {
  const value = String(text ?? '').trim();
  if (!value) return fail('Enter the client id from the app\u2019s page at developer.webex.com.');
  if (/\s/.test(value)) return fail('A client id has no spaces.');
  if (!/^C[0-9a-fA-F]+$/.test(value)) {
    return fail('A Webex client id starts with C followed by hex digits (0\u20139, a\u2013f).');
  }
  if (value.length !== 65) {
    return {
      value,
      warning: `This id has ${value.length - 1} hex digits after the C; ids issued today have 64. Check it was copied whole.`,
    };
  }
  return ok(value);
}

const SCOPE = /^[A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_.-]+$/;

/** Scopes separated by spaces, commas or new lines. Duplicates are dropped with a warning. */
export function validateScopes(text) {
  const parts = String(text ?? '').split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return fail('Enter at least one scope, e.g. spark:kms.');
  const bad = parts.filter((s) => !SCOPE.test(s));
  if (bad.length) {
    return fail(`Not a Webex scope: ${bad.slice(0, 3).join(', ')}${bad.length > 3 ? '\u2026' : ''}. Scopes look like spark:people_read.`);
  }
  const value = [...new Set(parts)];
  if (value.length !== parts.length) {
    return { value, warning: 'Duplicate scopes will be listed once.' };
  }
  return ok(value);
}

/** The loopback port the authorize redirect comes back to. */
export function validatePort(text) {
  const raw = String(text ?? '').trim();
  if (!raw) return fail('Enter a port, e.g. 6855.');
  if (!/^\d+$/.test(raw)) return fail('A port is a whole number between 1 and 65535.');
  const value = Number(raw);
  if (value < 1 || value > 65535) return fail('A port is a whole number between 1 and 65535.');
  if (value < 1024) {
    return { value, warning: 'Ports below 1024 usually need administrator rights to listen on.' };
  }
  return ok(value);
}

export function redirectUriFor(port) {
  return `http://localhost:${port}/callback`;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A full redirect URI, by the engine's rule: http, a loopback host, an explicit port. */
export function validateRedirectUri(text) {
  const value = String(text ?? '').trim();
  let url;
  try {
    url = new URL(value);
  } catch {
    return fail('Not a URL. Use e.g. http://localhost:6855/callback.');
  }
  if (url.protocol !== 'http:') return fail('Use http:// (the listener is on this computer, not TLS).');
  if (!LOOPBACK_HOSTS.has(url.hostname)) return fail('The host must be localhost, 127.0.0.1 or [::1].');
  if (!url.port) return fail('Name a port, e.g. http://localhost:6855/callback.');
  return { value, port: Number(url.port) };
}

function decodeBase64(text) {
  const normal = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = normal + '='.repeat((4 - (normal.length % 4)) % 4);
  try {
    return atob(padded);
  } catch {
    return null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The org a service app mints for. Webex ids are base64 of ciscospark://<region>/ORGANIZATION/<uuid>;
 * Control Hub shows the bare uuid, which is turned into the id Webex expects.
 */
export function validateOrgId(text) {
  const raw = String(text ?? '').trim();
  if (!raw) return fail('Enter the target org id (Control Hub \u203a Account, or the org admin can tell you).');
  if (/\s/.test(raw)) return fail('An org id has no spaces.');
  if (UUID.test(raw)) {
    const value = btoa(`ciscospark://us/ORGANIZATION/${raw.toLowerCase()}`).replace(/=+$/, '');
    return { value, note: 'Converted from the org uuid to the id Webex expects.' };
  }
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(raw)) return fail('Not an org id: use the Y2lz\u2026 id or the org uuid.');
  const decoded = decodeBase64(raw.replace(/=+$/, ''));
  if (!decoded || !/^ciscospark:\/\/[a-z0-9-]+\/ORGANIZATION\/\S+$/.test(decoded)) {
    return fail('Not an org id: it should decode to ciscospark://us/ORGANIZATION/\u2026 (use the Y2lz\u2026 id or the org uuid).');
  }
  return ok(raw);
}

/**
 * An API base: https, or http on a loopback host (a local test server). Empty means the default
 * when `optional`.
 */
export function validateApiBase(text, { optional = true } = {}) {
  const raw = String(text ?? '').trim();
  if (!raw) return optional ? ok(null) : fail(`Enter an API base, e.g. ${DEFAULT_API_BASE}.`);
  let url;
  try {
    url = new URL(raw);
  } catch {
    return fail(`Not a URL. Use e.g. ${DEFAULT_API_BASE}.`);
  }
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) {
      return fail('Use https://. Plain http is only allowed on this computer (localhost, 127.0.0.1).');
    }
  } else if (url.protocol !== 'https:') {
    return fail('Use https://.');
  }
  if (url.username || url.password) return fail('Leave user names and passwords out of the URL.');
  if (url.search || url.hash) return fail('Leave out ? and # parts.');
  return ok(raw.replace(/\/+$/, ''));
}

/**
 * A secret pasted into a password field: write-only, so the only feedback is about its shape.
 * Never echoes any part of the value.
 */
export function validateSecret(text, what, { optional = false } = {}) {
  const value = String(text ?? '');
  if (!value) return optional ? ok(null) : fail(`Paste the ${what}.`);
  if (value.trim() !== value) return fail(`The ${what} has spaces or line breaks around it (a bad paste?).`);
  if (CONTROL.test(value) || /\s/.test(value)) return fail(`The ${what} contains spaces or control characters.`);
  if (new TextEncoder().encode(value).length > MAX_SECRET_BYTES) {
    return fail(`That is longer than any Webex ${what}; check the clipboard held the right thing.`);
  }
  return ok(value);
}

/** A whole number within bounds, for preferences. */
export function validateWhole(text, { min, max, what }) {
  const raw = String(text ?? '').trim();
  if (!/^\d+$/.test(raw)) return fail(`Enter ${what} as a whole number.`);
  const value = Number(raw);
  if (value < min || value > max) return fail(`Enter ${what} between ${min} and ${max}.`);
  return ok(value);
}

/** Optional expiry of a personal access token typed as datetime-local; must lie in the future. */
export function validatePersonalExpiry(text, now) {
  const raw = String(text ?? '').trim();
  if (!raw) return ok(null);
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) return fail('Not a date and time.');
  if (ms <= now) return fail('That time has passed: the token has expired already.');
  if (ms - now > 366 * 24 * 3600_000) return fail('Personal access tokens live 12 hours; check the date.');
  return ok(new Date(ms).toISOString());
}

/**
 * Validates a whole add/edit form. `fields` holds the raw inputs; `mode` is "add" or "edit"
 * (secrets are required on add only: editing never shows nor needs them).
 * Returns { errors: {field: message}, warnings: {field: message}, notes, draft } where draft
 * is what `add_credential` / `update_credential` receive.
 */
export function validateCredentialForm(kind, fields, { mode = 'add', now = Date.now(), bearers = [] } = {}) {
  const errors = {};
  const warnings = {};
  const notes = {};
  const draft = { kind };
  const take = (field, result) => {
    if (result.error) errors[field] = result.error;
    if (result.warning) warnings[field] = result.warning;
    if (result.note) notes[field] = result.note;
    return result.value;
  };
  draft.name = take('name', validateName(fields.name));
  draft.label = take('label', validateLabel(fields.label));
  draft.api_base = take('api_base', validateApiBase(fields.api_base));
  const adding = mode === 'add';
  if (kind === 'integration' || kind === 'service-app') {
    if (adding) draft.client_id = take('client_id', validateClientId(fields.client_id));
    if (adding) draft.client_secret = take('client_secret', validateSecret(fields.client_secret, 'client secret'));
  }
  if (kind === 'integration') {
    draft.scopes = take('scopes', validateScopes(fields.scopes));
    const port = take('port', validatePort(fields.port));
    if (port !== undefined) draft.redirect_uri = redirectUriFor(port);
  } else if (kind === 'service-app') {
    draft.target_org_id = take('target_org_id', validateOrgId(fields.target_org_id));
    const bearer = bearers.find((b) => b.id === fields.bearer);
    if (!fields.bearer) {
      errors.bearer = bearers.length
        ? 'Choose the integration or personal access token that mints this app\u2019s tokens.'
        : 'Add an integration or a personal access token first: it mints this app\u2019s tokens.';
    } else if (!bearer) {
      errors.bearer = 'That credential no longer exists; choose another.';
    } else if (bearer.kind === 'service-app') {
      errors.bearer = 'A service app cannot mint another\u2019s tokens; choose an integration or a personal access token.';
    } else {
      draft.bearer = bearer.id;
      if (bearer.kind === 'integration' && Array.isArray(bearer.scopes) && !bearer.scopes.includes(MINT_SCOPE)) {
        warnings.bearer = `\u201c${bearer.name}\u201d is not authorized with ${MINT_SCOPE}; minting will be refused until it is.`;
      }
    }
  } else if (kind === 'personal') {
    if (adding) {
      draft.personal_token = take('personal_token', validateSecret(fields.personal_token, 'personal access token'));
      draft.personal_expires_at = take('personal_expires_at', validatePersonalExpiry(fields.personal_expires_at, now));
    }
  } else {
    errors.kind = 'Choose what to add.';
  }
  // On edit, null clears an optional setting (label, API base); on add it is simply left out.
  for (const key of Object.keys(draft)) {
    if (draft[key] === undefined || (adding && draft[key] === null)) delete draft[key];
  }
  return { errors, warnings, notes, draft, valid: Object.keys(errors).length === 0 };
}
