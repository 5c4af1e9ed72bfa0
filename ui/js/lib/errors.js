// Every failed command ends up as { kind, message, field?, remedy? } (ui/API.md). Tauri hands the
// page whatever the command serialized: normally that object, but a string when a command panics
// into a plain error, and an Error when the IPC itself failed. One shape for the views.

export function normalizeError(error) {
  if (error && typeof error === 'object' && typeof error.message === 'string' && typeof error.kind === 'string') {
    const out = { kind: error.kind, message: error.message };
    if (error.field) out.field = error.field;
    if (error.remedy && typeof error.remedy === 'object') out.remedy = error.remedy;
    if (error.tracking_id) out.tracking_id = error.tracking_id;
    if (error.http_status) out.http_status = error.http_status;
    return out;
  }
  if (error instanceof Error) return { kind: 'internal', message: error.message || String(error) };
  if (typeof error === 'string' && error) return { kind: 'internal', message: error };
  return { kind: 'internal', message: 'Something went wrong and no reason was given.' };
}

/** One line for a toast or a live region: the message, plus the trackingId Webex support asks for. */
export function errorText(error) {
  const e = normalizeError(error);
  return e.tracking_id ? `${e.message} (trackingId ${e.tracking_id})` : e.message;
}
