/**
 * Splits a string `command` or `entrypoint` into words as Compose does (Python's `shlex.split`, POSIX
 * mode): whitespace separates words, single quotes are literal, double quotes keep whitespace and let
 * a backslash escape only `\` and `"`, a backslash outside quotes escapes any character. No expansion, no
 * operators, no comments: `$HOME` and `&&` are words the container's own shell may read. Returns null
 * for an unclosed quote or a trailing backslash (shlex's "No closing quotation", "No escaped character").
 */
export function shellSplit(text: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (quote === "'") {
      if (char === "'") quote = null;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else if (char === '\\' && index + 1 < text.length && '\\"'.includes(text[index + 1] ?? '')) {
        index += 1;
        word += text[index];
      } else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\') {
      if (index + 1 >= text.length) return null;
      index += 1;
      word += text[index];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== null) return null;
  if (inWord) words.push(word);
  return words;
}
