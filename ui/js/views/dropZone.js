// A place to drop files, with a real button to pick them (a drop target alone is neither keyboard
// nor screen-reader friendly).

import { h, icon } from '../dom.js';

export function dropZone({ id, onFiles, compact = false }) {
  const input = h('input', { type: 'file', id, multiple: true, class: 'sr-only', tabindex: -1, aria: { hidden: 'true' } });
  const pick = h('button', { type: 'button', class: 'btn btn-secondary' }, icon('file'), h('span', { text: 'Choose files\u2026' }));
  const zone = h('div', { class: ['drop-zone', compact && 'drop-zone-compact'] },
    icon('import', 'drop-icon'),
    h('p', { class: 'drop-text' }, h('strong', { text: 'Drop files here' }), h('span', { class: 'muted', text: ' or ' })),
    pick, input);
  pick.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const files = [...input.files];
    input.value = '';
    if (files.length) onFiles(files);
  });
  let depth = 0;
  zone.addEventListener('dragenter', (e) => {
    e.preventDefault();
    depth += 1;
    zone.classList.add('is-over');
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    depth -= 1;
    if (depth <= 0) zone.classList.remove('is-over');
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    zone.classList.remove('is-over');
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });
  return zone;
}
