// Preferences as the form shows them (minutes, hours, percent) and as `set_preferences` takes them
// (seconds, shares); see ui/API.md.

import { validateApiBase, validateWhole } from './validate.js';

export const PREF_DEFAULTS = {
  refresh_share: 0.2,
  min_margin_secs: 900,
  max_margin_secs: 172800,
  personal_warning_secs: 3600,
  clipboard_clear_secs: 30,
  notifications: { attention: true, refresh_failed: false, recovered: true },
  start_at_login: false,
  default_api_base: null,
};

/** The form's field values for preferences. */
export function prefsToForm(p) {
  const prefs = { ...PREF_DEFAULTS, ...p, notifications: { ...PREF_DEFAULTS.notifications, ...(p?.notifications ?? {}) } };
  return {
    refresh_percent: String(Math.round(prefs.refresh_share * 100)),
    min_margin_minutes: String(Math.round(prefs.min_margin_secs / 60)),
    max_margin_hours: String(Math.round(prefs.max_margin_secs / 3600)),
    personal_warning_minutes: String(Math.round(prefs.personal_warning_secs / 60)),
    clipboard_clear_secs: String(prefs.clipboard_clear_secs),
    notify_attention: prefs.notifications.attention,
    notify_refresh_failed: prefs.notifications.refresh_failed,
    notify_recovered: prefs.notifications.recovered,
    start_at_login: prefs.start_at_login,
    default_api_base: prefs.default_api_base ?? '',
  };
}

/** Validates the form; { errors, prefs } where prefs is what `set_preferences` receives. */
export function formToPrefs(form) {
  const errors = {};
  const take = (field, result) => {
    if (result.error) errors[field] = result.error;
    return result.value;
  };
  const percent = take('refresh_percent', validateWhole(form.refresh_percent, { min: 5, max: 90, what: 'the share' }));
  const minMinutes = take('min_margin_minutes', validateWhole(form.min_margin_minutes, { min: 1, max: 1440, what: 'the minutes' }));
  const maxHours = take('max_margin_hours', validateWhole(form.max_margin_hours, { min: 1, max: 720, what: 'the hours' }));
  const warn = take('personal_warning_minutes', validateWhole(form.personal_warning_minutes, { min: 5, max: 600, what: 'the minutes' }));
  const clear = take('clipboard_clear_secs', validateWhole(form.clipboard_clear_secs, { min: 0, max: 86400, what: 'the seconds' }));
  const base = take('default_api_base', validateApiBase(form.default_api_base));
  if (!errors.min_margin_minutes && !errors.max_margin_hours && minMinutes * 60 > maxHours * 3600) {
    errors.max_margin_hours = 'The latest refresh must not come before the earliest: raise this or lower the minutes.';
  }
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    prefs: {
      refresh_share: percent / 100,
      min_margin_secs: minMinutes * 60,
      max_margin_secs: maxHours * 3600,
      personal_warning_secs: warn * 60,
      clipboard_clear_secs: clear,
      notifications: {
        attention: Boolean(form.notify_attention),
        refresh_failed: Boolean(form.notify_refresh_failed),
        recovered: Boolean(form.notify_recovered),
      },
      start_at_login: Boolean(form.start_at_login),
      default_api_base: base ?? null,
    },
  };
}
