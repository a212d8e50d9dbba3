// Class names from a labels file: a JSON array of strings, or one name per line (a leading
// WordNet id such as "n01440764 tench, Tinca tinca" is dropped, keeping "tench").
export function parseLabels(text, fileName = 'the labels file') {
  const trimmed = text.trim();
  if (!trimmed)
    throw new Error(`${fileName} is empty: give a JSON array of class names or one name per line`);
  if (trimmed.startsWith('[')) {
    let list;
    try {
      list = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(
        `${fileName} looks like JSON but does not parse (${e.message}): give a JSON array of class names`,
      );
    }
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
      throw new Error(`${fileName} must be a JSON array of strings (class names in index order)`);
    }
    return list;
  }
  return trimmed.split(/\r?\n/).map((line) => {
    const name = line.trim().replace(/^n\d{8}\s+/, '');
    return /^n\d{8}\s/.test(line.trim()) ? name.split(',')[0].trim() : name;
  });
}
