// The import preview as the window shows it. The report has the shape of `webex-token import
// --json` (see ui/API.md): per file its format, warnings or error, per entry its result.

import { KIND_LABEL } from './listing.js';

/** The engine refuses bigger files whole (core::import::MAX_FILE_BYTES); say so before reading. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

function megabytes(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Splits picked or dropped files into those to read and those refused before reading, and drops
 * a second copy of the same file. `files` are {name, size, lastModified}.
 */
export function screenFiles(files) {
  const accepted = [];
  const refused = [];
  const seen = new Set();
  for (const file of files) {
    const key = `${file.name}\u0000${file.size}\u0000${file.lastModified ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (file.size > MAX_FILE_BYTES) {
      refused.push({ file: file.name, error: `${file.name} is ${megabytes(file.size)}; import reads files up to 10 MB. Token files are a few kilobytes: is this the right file?` });
    } else if (file.size === 0) {
      refused.push({ file: file.name, error: `${file.name} is empty: there is nothing to import.` });
    } else {
      accepted.push(file);
    }
  }
  return { accepted, refused };
}

const RESULT = {
  imported: { action: 'imported', verb: 'Imported' },
  'would-import': { action: 'import', verb: 'Will import' },
  attached: { action: 'attached', verb: 'Attached' },
  'would-attach': { action: 'attach', verb: 'Will attach' },
  skipped: { action: 'skip', verb: 'Skip' },
};

function entryModel(e) {
  const result = RESULT[e.result] ?? { action: 'skip', verb: 'Skip' };
  const title = e.name || e.entry;
  let detail;
  switch (e.result) {
    case 'would-attach':
      detail = `The service app tokens will be stored on \u201c${e.detail}\u201d.`;
      break;
    case 'attached':
      detail = 'The service app tokens were stored on their service app.';
      break;
    case 'imported':
      detail = e.detail ? `Stored as ${e.detail}.` : 'Stored.';
      break;
    case 'would-import':
      detail = null;
      break;
    default:
      detail = e.detail || 'Skipped.';
  }
  return {
    key: e.entry,
    title,
    subtitle: e.name && e.name !== e.entry ? `entry \u201c${e.entry}\u201d` : null,
    kind: e.kind ?? null,
    kindLabel: e.kind ? KIND_LABEL[e.kind] ?? e.kind : 'Unknown kind',
    action: result.action,
    verb: result.verb,
    detail,
    notes: Array.isArray(e.notes) ? e.notes.map(noteText) : [],
    id: e.result === 'imported' ? e.detail ?? null : null,
  };
}

const THEN = {
  authorize: 'authorize it after importing',
  refresh: 'refresh it after importing',
};

/** A note as the engine reports it ({text, then?}) or as plain text, in words. */
export function noteText(note) {
  if (typeof note === 'string') return note;
  const then = note?.then ? THEN[note.then] : null;
  return then ? `${note.text}; ${then}` : String(note?.text ?? '');
}

/**
 * The view model of an import report, plus files refused before reading:
 * { files: [{source, format, error, warnings, entries}], counts, canConfirm, summary }.
 */
export function importModel(report, refused = []) {
  const files = [
    ...refused.map((r) => ({ source: r.file, format: null, error: r.error, warnings: [], entries: [] })),
    ...(report?.files ?? []).map((f) => ({
      source: f.file,
      format: f.format ?? null,
      error: f.error ?? null,
      warnings: f.warnings ?? [],
      entries: (f.entries ?? []).map(entryModel),
    })),
  ];
  const counts = { import: 0, attach: 0, skip: 0, imported: 0, attached: 0, unreadable: 0 };
  for (const f of files) {
    if (f.error) counts.unreadable += 1;
    for (const e of f.entries) counts[e.action] += 1;
  }
  const dryRun = report ? report.dry_run !== false : true;
  return {
    dryRun,
    files,
    counts,
    canConfirm: dryRun && counts.import + counts.attach > 0,
    summary: summary(counts, dryRun),
    confirmLabel: confirmLabel(counts),
  };
}

function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export function summary(counts, dryRun) {
  const parts = [];
  if (dryRun) {
    if (counts.import) parts.push(`${plural(counts.import, 'credential')} to import`);
    if (counts.attach) parts.push(`${plural(counts.attach, 'set')} of tokens to attach`);
  } else {
    if (counts.imported) parts.push(`${plural(counts.imported, 'credential')} imported`);
    if (counts.attached) parts.push(`${plural(counts.attached, 'set')} of tokens attached`);
  }
  if (counts.skip) parts.push(`${plural(counts.skip, 'entry', 'entries')} skipped`);
  if (counts.unreadable) parts.push(`${plural(counts.unreadable, 'file')} not readable`);
  if (parts.length === 0) return dryRun ? 'Nothing to import.' : 'Nothing was imported.';
  return `${parts.join(', ')}.`;
}

export function confirmLabel(counts) {
  if (counts.import && counts.attach) return `Import ${plural(counts.import, 'credential')} and attach tokens`;
  if (counts.import) return `Import ${plural(counts.import, 'credential')}`;
  if (counts.attach) return 'Attach tokens';
  return 'Import';
}
