/**
 * Just enough MIME to show a caught message: headers (unfolded, RFC 2047 words decoded), the first text/plain and
 * text/html parts of a (nested) multipart body, quoted-printable and base64 transfer encodings.
 */
export interface ParsedMail {
  headers: Record<string, string>;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text?: string;
  html?: string;
}

interface Part {
  headers: Record<string, string>;
  body: string;
}

function splitPart(raw: string): Part {
  const normalized = raw.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function parameter(header: string | undefined, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i').exec(header ?? '');
  return match ? (match[2] ?? match[1]) : undefined;
}

function charsetOf(contentType: string | undefined): BufferEncoding {
  const charset = (parameter(contentType, 'charset') ?? 'utf-8').toLowerCase();
  return charset === 'iso-8859-1' || charset === 'latin1' || charset === 'us-ascii' ? 'latin1' : 'utf8';
}

function decodeQuotedPrintable(text: string): Buffer {
  const softBreaksRemoved = text.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < softBreaksRemoved.length; i++) {
    const char = softBreaksRemoved[i];
    const hex = softBreaksRemoved.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeBody(part: Part): string {
  const encoding = (part.headers['content-transfer-encoding'] ?? '').toLowerCase();
  const charset = charsetOf(part.headers['content-type']);
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString(charset);
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(part.body).toString(charset);
  return part.body;
}

/** RFC 2047 encoded words, e.g. =?UTF-8?Q?Caf=C3=A9?= or =?utf-8?B?...?= */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, charset: string, kind: string, data: string) => {
      const encoding: BufferEncoding = charset.toLowerCase().startsWith('iso-8859') ? 'latin1' : 'utf8';
      if (kind.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString(encoding);
      return decodeQuotedPrintable(data.replace(/_/g, ' ')).toString(encoding);
    });
}

function addresses(value: string | undefined): string[] {
  if (!value) return [];
  return decodeWords(value)
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function collectTexts(part: Part, into: { text?: string; html?: string }): void {
  const contentType = (part.headers['content-type'] ?? 'text/plain').toLowerCase();
  if (contentType.startsWith('multipart/')) {
    const boundary = parameter(part.headers['content-type'], 'boundary');
    if (!boundary) return;
    const sections = part.body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break;
      collectTexts(splitPart(section.replace(/^\n/, '')), into);
    }
    return;
  }
  if ((part.headers['content-disposition'] ?? '').toLowerCase().startsWith('attachment')) return;
  if (contentType.startsWith('text/plain') && into.text === undefined) into.text = decodeBody(part).replace(/\n$/, '');
  if (contentType.startsWith('text/html') && into.html === undefined) into.html = decodeBody(part).replace(/\n$/, '');
}

export function parseMail(raw: string): ParsedMail {
  const root = splitPart(raw);
  const texts: { text?: string; html?: string } = {};
  collectTexts(root, texts);
  return {
    headers: root.headers,
    from: decodeWords(root.headers['from'] ?? ''),
    to: addresses(root.headers['to']),
    cc: addresses(root.headers['cc']),
    subject: decodeWords(root.headers['subject'] ?? ''),
    ...texts,
  };
}
