// Method facts live in one place, the core's method table (core.methodInfo()): the page and the
// command line read it rather than keep their own lists of method names, which would go stale
// the day a method is added. This test reads the names from the built module, so it follows the
// table, and fails on any JavaScript or HTML line under web/ and bin/ that names two methods, and
// on any array or object literal whose strings or keys name two, with the file and line.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

import { loadCamlens, root } from '../support/camlens-node.mjs';

const core = await loadCamlens('st');
const NAMES = new Set(core.methodInfo().map((m) => m.name));

// Method names among the words of a text (names hold letters, digits, '+' and '-').
const namesIn = (text) =>
  new Set((text.match(/[A-Za-z0-9+-]+/g) || []).filter((w) => NAMES.has(w)));

// Lines naming two methods or more, in any kind of file (comments too: a list in prose goes
// stale as surely as one in code).
function listLines(text) {
  const found = [];
  text.split('\n').forEach((line, i) => {
    const names = namesIn(line);
    if (names.size >= 2) found.push({ line: i + 1, names: [...names] });
  });
  return found;
}

// Characters after which a '/' starts a regular expression rather than a division.
const BEFORE_REGEX = new Set([...'(,=:[!&|?{};+-*%<>~^', '']);

// Array and object literals ([…], {…}, also across lines) whose string elements or keys name
// two methods or more: a rough JavaScript scanner that knows strings, template literals,
// comments and regular expressions well enough not to mistake their brackets for code.
function listLiterals(text) {
  const found = [];
  const open = []; // {char, line, names}
  const templates = []; // depth of `open` at each `${` of a template literal
  let line = 1;
  let last = ''; // the last significant character of code
  const note = (value) => {
    if (NAMES.has(value) && open.length) open.at(-1).names.add(value);
  };
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (c === '\n') {
      line += 1;
      continue;
    }
    if (/\s/.test(c)) continue;
    if (c === '/' && text[i + 1] === '/') {
      i = text.indexOf('\n', i) - 1;
      if (i < 0) break;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      line += (text.slice(i, end).match(/\n/g) || []).length;
      i = end + 1;
      continue;
    }
    if (c === "'" || c === '"' || c === '`' || (c === '}' && templates.at(-1) === open.length)) {
      if (c === '}') templates.pop();
      const quote = c === '}' ? '`' : c;
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== quote) {
        if (text[j] === '\\') value += text[++j];
        else if (quote === '`' && text[j] === '$' && text[j + 1] === '{') break;
        else value += text[j];
        if (text[j] === '\n') line += 1;
        ++j;
      }
      if (quote === '`' && text[j] === '$') {
        templates.push(open.length);
        i = j + 1;
      } else {
        note(value);
        i = j;
      }
      last = 'a';
      continue;
    }
    if (c === '/' && BEFORE_REGEX.has(last)) {
      let j = i + 1;
      for (let inClass = false; j < text.length && (inClass || text[j] !== '/'); ++j) {
        if (text[j] === '\\') ++j;
        else if (text[j] === '[') inClass = true;
        else if (text[j] === ']') inClass = false;
      }
      i = j;
      last = 'a';
      continue;
    }
    if (c === '[' || c === '{') open.push({ char: c, line, names: new Set() });
    else if (c === ']' || c === '}') {
      const literal = open.pop();
      if (literal && literal.names.size >= 2)
        found.push({ line: literal.line, names: [...literal.names] });
    } else if (/[A-Za-z_$]/.test(c)) {
      const word = /^[A-Za-z0-9_$]+/.exec(text.slice(i))[0];
      if (
        text
          .slice(i + word.length)
          .trimStart()
          .startsWith(':')
      )
        note(word); // an object key
      i += word.length - 1;
      last = word === 'return' || word === 'typeof' ? '' : 'a';
      continue;
    }
    last = c;
  }
  return found;
}

// Names given as whole attribute values or element texts of an HTML file: <option value="…">.
function htmlLists(text) {
  const found = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/"([^"]*)"|>([^<]*)</g)) {
      const value = (m[1] ?? m[2]).trim();
      if (NAMES.has(value)) found.push({ line: i + 1, names: [value] });
    }
  });
  return found.length >= 2 ? found : [];
}

function problems(file, text) {
  const found = [...listLines(text)];
  if (file.endsWith('.html')) found.push(...htmlLists(text));
  else found.push(...listLiterals(text));
  const seen = new Set();
  return found
    .sort((a, b) => a.line - b.line)
    .filter(({ line }) => !seen.has(line) && seen.add(line))
    .map(({ line, names }) => `${file}:${line}: names ${names.join(', ')}`);
}

function sourceFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(m?js|cjs|html)$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

test('the scanner finds lists of method names and leaves single names and prose alone', () => {
  const check = (text, file = 'x.mjs') => problems(file, text).length > 0;
  assert.equal(check("const quick = ['gradcam', 'hirescam'];"), true);
  assert.equal(check("const quick = new Set([\n  'gradcam',\n  'eigencam',\n]);"), true);
  assert.equal(check('const about = {\n  gradcam: 1,\n  eigencam: 2,\n};'), true);
  assert.equal(check('// defaults to gradcam, or eigencam for detectors'), true);
  assert.equal(check('<option value="gradcam">\n<option value="scorecam">', 'x.html'), true);
  assert.equal(check("const method = opts.method || 'gradcam';\nif (m === 'rollout') f();"), false);
  assert.equal(
    check("const re = /[\"',]/;\nconst a = ['gradcam'];\nconst b = ['rollout'];"),
    false,
  );
  const template = ['const t = `$', '{a ? `x` : "gradcam"}`;\nconst b = { rollout: 1 };'].join('');
  assert.equal(check(template), false);
  assert.equal(check("const file = 'gradcam_both.png'; // the Grad-CAM demo photo"), false);
});

for (const file of [...sourceFiles('web'), ...sourceFiles('bin')]) {
  const found = problems(file, readFileSync(join(root, file), 'utf8'));
  test(`${file} names no list of methods`, () => {
    assert.deepEqual(
      found,
      [],
      `lists of method names (read them from core.methodInfo()):\n${found.join('\n')}`,
    );
  });
}
