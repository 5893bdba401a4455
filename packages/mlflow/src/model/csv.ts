/**
 * A CSV (or TSV) parser for artifact previews: quoted fields, escaped quotes, CRLF; it stops after a number of
 * rows so that a huge file previews quickly.
 */

export interface ICsvTable {
  header: string[];
  rows: string[][];
  /** whether rows were left out after `maxRows` */
  truncated: boolean;
}

/** The delimiter of the first line: tab, semicolon or comma, whichever occurs most outside quotes. */
export function sniffDelimiter(text: string): string {
  const end = text.search(/\r?\n/);
  const line = end < 0 ? text : text.slice(0, end);
  const counts = [',', '\t', ';'].map(d => [d, line.split(d).length - 1] as const);
  return counts.reduce((best, next) => (next[1] > best[1] ? next : best))[0];
}

export function parseCsv(text: string, options: { delimiter?: string; maxRows?: number } = {}): ICsvTable {
  const delimiter = options.delimiter ?? sniffDelimiter(text);
  const maxRows = options.maxRows ?? 1000;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  let truncated = false;
  const endRecord = () => {
    record.push(field);
    field = '';
    if (!(record.length === 1 && record[0] === '')) {
      records.push(record);
    }
    record = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delimiter) {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') {
        i++;
      }
      if (records.length > maxRows) {
        truncated = i + 1 < text.length;
        break;
      }
    } else {
      field += c;
    }
    i++;
  }
  if (!truncated && (field !== '' || record.length)) {
    endRecord();
  }
  const [header = [], ...rows] = records;
  return { header, rows: rows.slice(0, maxRows), truncated: truncated || rows.length > maxRows };
}
