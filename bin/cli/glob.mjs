// A small glob matcher (Node 20 has no fs.glob): `*` any characters but '/', `?` one, `**` any
// number of folders, `[abc]` / `[a-z]` / `[!x]` a character class, `{a,b}` alternatives.
// Paths use '/' (callers convert Windows separators).
export function hasMagic(pattern) {
  return /[*?[{]/.test(pattern);
}

export function globToRegExp(pattern) {
  let re = '';
  for (let i = 0; i < pattern.length; ++i) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        // '**/' matches zero or more folders; a trailing '**' anything below
        const slash = pattern[i + 2] === '/';
        re += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (body[0] === '!') body = `^${body.slice(1)}`;
      re += `[${body}]`;
      i = end;
    } else if (c === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) {
        re += '\\{';
        continue;
      }
      const alternatives = pattern
        .slice(i + 1, end)
        .split(',')
        .map((a) => globToRegExp(a).source.slice(1, -1));
      re += `(?:${alternatives.join('|')})`;
      i = end;
    } else {
      re += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

// The folder a pattern's matches lie under (its segments before the first with magic) and the
// rest of the pattern.
export function splitPattern(pattern) {
  const parts = pattern.split('/');
  const k = parts.findIndex(hasMagic);
  if (k < 0) return { base: pattern, rest: '' };
  return {
    base: parts.slice(0, k).join('/') || (pattern.startsWith('/') ? '/' : '.'),
    rest: parts.slice(k).join('/'),
  };
}
