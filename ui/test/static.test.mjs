// The window runs under CSP default-src 'self' with no network: no inline script or style, no
// eval, nothing fetched from elsewhere. And text reaches the DOM only as text. These scan the
// sources so a slip fails here rather than as a blank window in the app.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, extname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const UI = fileURLToPath(new URL('..', import.meta.url));
const SKIP = new Set(['test', 'tools']);

function files(dir = UI) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return SKIP.has(name) ? [] : files(path);
    return [path];
  });
}
const shipped = files();
const read = (p) => readFileSync(p, 'utf8');
const of = (ext) => shipped.filter((p) => extname(p) === ext);

test('the page has no inline script, inline style or inline event handler', () => {
  for (const html of of('.html')) {
    const text = read(html);
    for (const m of text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      assert.match(m[1], /\bsrc=/, `${relative(UI, html)}: inline <script>`);
      assert.equal(m[2].trim(), '', `${relative(UI, html)}: script with a body`);
    }
    assert.doesNotMatch(text, /<style\b/, `${relative(UI, html)}: <style>`);
    assert.doesNotMatch(text, /\sstyle=/, `${relative(UI, html)}: style attribute`);
    assert.doesNotMatch(text, /\son[a-z]+=/, `${relative(UI, html)}: inline event handler`);
  }
});

test('scripts never evaluate strings, write HTML or set style attributes', () => {
  const forbidden = [
    [/\beval\s*\(/, 'eval'], [/new\s+Function\s*\(/, 'new Function'], [/\.innerHTML\b|\.outerHTML\b/, 'innerHTML'],
    [/insertAdjacentHTML/, 'insertAdjacentHTML'], [/document\.write/, 'document.write'],
    [/setAttribute\(\s*['"]style['"]/, 'style attribute'], [/setTimeout\(\s*['"`]/, 'setTimeout with a string'],
  ];
  for (const js of of('.js')) {
    const text = read(js);
    for (const [re, what] of forbidden) assert.doesNotMatch(text, re, `${relative(UI, js)}: ${what}`);
  }
});

test('nothing is loaded from another origin: no CDN, no web font, no remote image', () => {
  for (const path of shipped.filter((p) => ['.html', '.css', '.js'].includes(extname(p)))) {
    const text = read(path);
    assert.doesNotMatch(text, /\b(?:src|href)=["']?(?:https?:)?\/\//, `${relative(UI, path)}: remote src/href`);
    assert.doesNotMatch(text, /url\(\s*["']?(?:https?:)?\/\//, `${relative(UI, path)}: remote url()`);
    assert.doesNotMatch(text, /@import\s/, `${relative(UI, path)}: @import`);
    assert.doesNotMatch(text, /\bimport\s*\(?\s*["'](?:https?:)?\/\//, `${relative(UI, path)}: remote module`);
    assert.doesNotMatch(text, /\bfetch\s*\(|XMLHttpRequest|WebSocket\(/, `${relative(UI, path)}: network call outside the backend`);
  }
});

test('only api.js touches the Tauri API', () => {
  for (const js of of('.js')) {
    if (js.endsWith(join('js', 'api.js'))) continue;
    assert.doesNotMatch(read(js), /__TAURI__/, `${relative(UI, js)} reaches past api.js`);
  }
});

test('nothing is kept in browser storage (secrets pass through the page, never stay)', () => {
  for (const js of of('.js')) assert.doesNotMatch(read(js), /localStorage|sessionStorage|indexedDB|document\.cookie/, relative(UI, js));
});
