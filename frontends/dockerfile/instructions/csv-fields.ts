import { failure, type Failure } from './failure.js';

/**
 * The fields of a one-line CSV value, as `github.com/tonistiigi/go-csvvalue`
 * splits `--mount` and `--device` values: commas separate fields; a field that
 * starts with `"` is quoted (`""` inside is one quote); a quote anywhere else
 * is an error, worded as Go's `encoding/csv` words it.
 */

const BARE_QUOTE = 'bare " in non-quoted-field';
const QUOTE = 'extraneous or missing " in quoted-field';

const utf8 = new TextEncoder();

function parseError(line: string, index: number, reason: string): Failure {
  // Go reports a 1-based byte column.
  const column = utf8.encode(line.slice(0, index)).length + 1;
  return failure('invalid-csv', `parse error on line 1, column ${column}: ${reason}`);
}

/** The fields, or Go's error (`EOF` for an empty value). */
export function csvFields(input: string): string[] | Failure {
  let line = input;
  if (line.endsWith('\r\n')) line = line.slice(0, -2);
  else if (line.endsWith('\n')) line = line.slice(0, -1);
  if (line === '') return failure('invalid-csv', 'EOF');

  const fields: string[] = [];
  const appendToLast = (s: string): void => {
    fields[fields.length - 1] += s;
  };
  let pos = 0;
  field: for (;;) {
    if (line[pos] !== '"') {
      const comma = line.indexOf(',', pos);
      const text = comma >= 0 ? line.slice(pos, comma) : line.slice(pos);
      const quote = text.indexOf('"');
      if (quote >= 0) return parseError(line, pos + quote, BARE_QUOTE);
      fields.push(text);
      if (comma < 0) break;
      pos = comma + 1;
      continue;
    }
    pos++;
    let halfOpen = false;
    for (;;) {
      const quote = line.indexOf('"', pos);
      if (quote < 0) return parseError(line, pos, QUOTE);
      if (halfOpen) appendToLast(line.slice(pos, quote));
      else fields.push(line.slice(pos, quote));
      halfOpen = false;
      pos = quote + 1;
      if (line[pos] === '"') {
        appendToLast('"');
        pos++;
        halfOpen = true;
      } else if (line[pos] === ',') {
        pos++;
        continue field;
      } else if (pos === line.length) {
        break field;
      } else {
        return parseError(line, pos - 1, QUOTE);
      }
    }
  }
  return fields;
}
