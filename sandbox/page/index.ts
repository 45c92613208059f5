/**
 * The read-only inspection page: recent requests, events, deliveries and emails across the running emulators, so a
 * person running the sandbox sees what the service did. Plain HTML with no external assets; every value is escaped
 * because request paths, summaries and mail subjects come from whoever called the sandbox.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JournalEntry, SandboxActivity } from '../core/contract.js';
import type { EmulatorHarness } from '../core/server.js';
import type { SmtpCatcher } from '../smtp/index.js';

export interface InspectionPageOptions {
  host?: string;
  port?: number;
  emulators: EmulatorHarness[];
  smtp?: SmtpCatcher;
  /** rows per table (default 100) */
  limit?: number;
}

export interface InspectionPage {
  url: string;
  stop(): Promise<void>;
}

export interface InspectionSnapshot {
  emulators: Array<{ provider: string; url: string; stats: ReturnType<EmulatorHarness['stats']> }>;
  requests: JournalEntry[];
  activities: SandboxActivity[];
  emails: Array<{ id: number; receivedAt: string; from: string | null; to: string[]; subject?: string }>;
}

export function snapshot(options: InspectionPageOptions): InspectionSnapshot {
  const limit = options.limit ?? 100;
  const newestFirst = <T extends { at: string }>(rows: T[]) => rows.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
  return {
    emulators: options.emulators.map((emulator) => ({ provider: emulator.name, url: emulator.url, stats: emulator.stats() })),
    requests: newestFirst(options.emulators.flatMap((emulator) => emulator.journal())),
    activities: newestFirst(options.emulators.flatMap((emulator) => emulator.activities())),
    emails: (options.smtp?.messages() ?? [])
      .slice(-limit)
      .reverse()
      .map((mail) => ({
        id: mail.id,
        receivedAt: mail.receivedAt,
        from: mail.envelope.from,
        to: mail.envelope.to,
        subject: mail.subject,
      })),
  };
}

export function renderPage(state: InspectionSnapshot): string {
  const table = (headings: string[], rows: string[][]) =>
    rows.length === 0
      ? '<p class="empty">nothing yet</p>'
      : `<table><thead><tr>${headings.map((heading) => `<th>${escapeHtml(heading)}</th>`).join('')}</tr></thead><tbody>${rows
          .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`;

  const emulators = table(
    ['provider', 'origin', 'requests', 'rate limited', 'faults injected'],
    state.emulators.map((emulator) => [
      emulator.provider,
      emulator.url,
      String(emulator.stats.requests),
      String(emulator.stats.rateLimited),
      String(emulator.stats.faultsInjected),
    ]),
  );
  const requests = table(
    ['time', 'provider', 'method', 'path', 'status', 'note'],
    state.requests.map((entry) => [
      entry.at,
      entry.provider,
      entry.method,
      entry.path,
      entry.status === undefined ? '…' : String(entry.status),
      entry.interceptedBy ?? '',
    ]),
  );
  const byKind = (kind: SandboxActivity['kind']) =>
    table(
      ['time', 'provider', 'summary'],
      state.activities.filter((activity) => activity.kind === kind).map((activity) => [activity.at, activity.provider, activity.summary]),
    );
  const emails = table(
    ['received', 'from', 'to', 'subject'],
    state.emails.map((mail) => [mail.receivedAt, mail.from ?? '', mail.to.join(', '), mail.subject ?? '']),
  );

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>Provider sandbox</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d1d1f}
h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f6}td{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}.empty{color:#888}
</style>
</head>
<body>
<h1>Provider sandbox</h1>
<p>Read-only; refreshes every 5 seconds. Control APIs live under <code>/__sandbox/</code> on each emulator.</p>
<h2>Emulators</h2>${emulators}
<h2>Events</h2>${byKind('event')}
<h2>Deliveries</h2>${byKind('delivery')}
<h2>Emails</h2>${emails}
<h2>Recent requests</h2>${requests}
</body>
</html>
`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export async function startInspectionPage(options: InspectionPageOptions): Promise<InspectionPage> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/state.json') {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      response.end(JSON.stringify(snapshot(options)));
      return;
    }
    if (path !== '/') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'x-content-type-options': 'nosniff',
    });
    response.end(renderPage(snapshot(options)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
