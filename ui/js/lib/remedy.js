// Remedies are data (DESIGN.md): the engine says what would fix a credential as a typed value, and
// the window renders each as one button that does it. This module maps remedies to buttons, and
// derives a remedy from the attention reason when a status carries none.

export const REMEDY_KINDS = [
  'authorize',
  'replace-client-secret',
  'replace-personal-token',
  'authorize-app-in-org',
  'choose-bearer',
  'review-settings',
  'unlock-keychain',
];

/** What the window says about each attention reason; the engine's own message goes in details. */
export const REASON_TEXT = {
  'not-authorized': 'Not authorized yet. Sign in to Webex once to approve this integration.',
  'refresh-token-rejected': 'Webex rejected the refresh token (expired, revoked or replaced). Authorize again to get new tokens.',
  'client-rejected': 'Webex rejected the client id or secret. The secret was probably regenerated at developer.webex.com.',
  'app-not-authorized-in-org': 'This service app is not authorized in its target org. An org admin must authorize it in Control Hub.',
  'unknown-app': 'Webex does not know this service app\u2019s id. Check the client id.',
  'bearer-unusable': 'The credential that mints this service app\u2019s tokens no longer works.',
  'personal-token-expiring': 'This personal access token ends soon and cannot be refreshed. Paste a new one.',
  'personal-token-expired': 'This personal access token has expired. Paste a new one from developer.webex.com.',
  'request-rejected': 'Webex refused the request as malformed. Check this credential\u2019s settings.',
};

const BY_REASON = {
  'not-authorized': 'authorize',
  'refresh-token-rejected': 'authorize',
  'client-rejected': 'replace-client-secret',
  'app-not-authorized-in-org': 'authorize-app-in-org',
  'unknown-app': 'review-settings',
  'bearer-unusable': 'choose-bearer',
  'personal-token-expiring': 'replace-personal-token',
  'personal-token-expired': 'replace-personal-token',
  'request-rejected': 'review-settings',
};

/** The two remedies that ask for a new secret: which one, and how their buttons read. */
const SECRET_BUTTONS = {
  'replace-client-secret': {
    which: 'client-secret',
    own: 'Replace client secret\u2026',
    bearer: 'Replace its bearer\u2019s client secret\u2026',
    hint: 'Copy the current secret from the app\u2019s page at developer.webex.com.',
  },
  'replace-personal-token': {
    which: 'personal-token',
    own: 'Paste a new token\u2026',
    bearer: 'Paste a new token for its bearer\u2026',
    hint: 'Personal access tokens last 12 hours; copy a new one at developer.webex.com.',
  },
};

/**
 * The remedy for a credential's status: the one the backend sent, else one derived from its
 * attention reason, else (no secrets stored) the secret it lacks; null when nothing is wrong.
 */
export function remedyFor(status) {
  if (status.remedy && REMEDY_KINDS.includes(status.remedy.kind)) return status.remedy;
  const reason = status.attention?.reason;
  if (reason && BY_REASON[reason]) return { kind: BY_REASON[reason] };
  if (status.stored === false) {
    return { kind: status.kind === 'personal' ? 'replace-personal-token' : 'replace-client-secret' };
  }
  return null;
}

/**
 * The button for a remedy: { label, action, hint, target } where action is what the window does
 * on click:
 *   authorize         -> start an authorization of `target` (this credential or its bearer)
 *   set-secret        -> ask for the new secret (`which`: client-secret | personal-token)
 *   open-control-hub  -> open Control Hub in the browser; the detail shows the org and app ids
 *   edit              -> open the edit form, `focus` naming the field to start at
 *   unlock            -> show the unlock view
 */
export function remedyButton(remedy, status) {
  const target = remedy.credential ?? status.id;
  const onBearer = target !== status.id;
  switch (remedy.kind) {
    case 'authorize':
      return {
        label: onBearer ? 'Authorize its bearer' : status.attention?.reason === 'not-authorized' ? 'Authorize' : 'Authorize again',
        action: 'authorize',
        target,
        hint: 'Opens your browser to sign in to Webex and approve access.',
      };
    case 'replace-client-secret':
    case 'replace-personal-token': {
      const b = SECRET_BUTTONS[remedy.kind];
      return { label: onBearer ? b.bearer : b.own, action: 'set-secret', which: b.which, target, hint: b.hint };
    }
    case 'authorize-app-in-org':
      return {
        label: 'Open Control Hub',
        action: 'open-control-hub',
        target,
        orgId: remedy.target_org_id ?? null,
        hint: 'An admin of the target org authorizes the app in Control Hub under Apps \u203a Service apps; then check again.',
      };
    case 'choose-bearer':
      return {
        label: 'Choose bearer\u2026',
        action: 'edit',
        focus: 'bearer',
        target,
        hint: 'Pick an integration or personal access token that works and has spark:applications_token.',
      };
    case 'review-settings':
      return { label: 'Review settings\u2026', action: 'edit', focus: 'client_id', target, hint: 'Check the ids and scopes against developer.webex.com.' };
    case 'unlock-keychain':
      return { label: 'Unlock\u2026', action: 'unlock', target, hint: 'The vault key is locked away; unlock it to use stored tokens.' };
    default:
      return null;
  }
}

/** The sentence explaining why a credential needs a person, or null. */
export function attentionText(status) {
  const reason = status.attention?.reason;
  if (reason) return REASON_TEXT[reason] ?? status.attention.message;
  if (status.stored === false) return 'Nothing is stored for this credential in the vault: its secrets must be set again.';
  return null;
}
