/**
 * Zoom emulator: OAuth (zoom.us/oauth/...) and API v2 (api.zoom.us/v2/...) on one origin, with signed webhooks.
 * See README.md for the controls and settings.
 */
import type { EmulatorContext, EmulatorDefinition, SandboxSettings } from '../core/contract.js';
import { OAuthServer, registerOAuthRoutes, type OAuthClient, type SandboxUser } from '../core/oauth.js';
import { registerZoomApi } from './api.js';
import { zoomErrorForStatus } from './errors.js';
import { ZoomMeetings } from './meetings.js';
import { zoomOAuthFlavor } from './oauth-flavor.js';
import { simulateMeeting, type SimulationInput } from './simulation.js';
import { ZoomWebhooks, type ZoomWebhookTarget } from './webhooks.js';

export interface ZoomEmulatorOptions {
  webhook?: ZoomWebhookTarget;
  /** a HIPAA (BAA) account: no participant names or emails, no cloud recording */
  hipaa?: boolean;
  clients?: OAuthClient[];
  /** the Server-to-Server OAuth account id accepted by account_credentials */
  accountId?: string;
  /** the account's users; the first is the admin S2S tokens act as and the default consenting user */
  users?: SandboxUser[];
}

export const SANDBOX_ZOOM_CLIENT: OAuthClient = {
  clientId: 'sandbox-zoom-client-id',
  clientSecret: 'sandbox-zoom-client-secret',
};
export const SANDBOX_ZOOM_ACCOUNT_ID = 'sandbox-zoom-account';
const DEFAULT_ZOOM_USER: SandboxUser = { id: 'zoom-admin', email: 'therapist@practice.example', name: 'Practice Therapist' };

export function createZoomEmulator(options: ZoomEmulatorOptions = {}): EmulatorDefinition {
  const accountId = options.accountId ?? SANDBOX_ZOOM_ACCOUNT_ID;
  const users = options.users?.length ? options.users : [DEFAULT_ZOOM_USER];
  let context: EmulatorContext | undefined;
  let oauth: OAuthServer | undefined;
  let hipaa = options.hipaa ?? false;
  const ctx = () => {
    if (!context) throw new Error('the Zoom emulator is not registered yet');
    return context;
  };
  const meetings = new ZoomMeetings();
  const webhooks = new ZoomWebhooks(options.webhook, ctx);

  return {
    name: 'zoom',
    // the seed's Zoom quota: 10,000 requests per day
    defaultQuota: { limit: 10_000, windowMs: 24 * 3600 * 1000 },
    errorResponse: (status, message) => zoomErrorForStatus(status, message),
    register(app, emulatorContext) {
      context = emulatorContext;
      const server = new OAuthServer({
        flavor: zoomOAuthFlavor({ apiUrl: () => ctx().baseUrl(), accountId, admin: () => users[0] }),
        clients: options.clients ?? [SANDBOX_ZOOM_CLIENT],
        ctx: emulatorContext,
        users,
      });
      oauth = server;
      registerOAuthRoutes(app, server, { authorize: '/oauth/authorize', token: '/oauth/token', revoke: '/oauth/revoke' });
      registerZoomApi(app, { ctx, oauth: () => server, meetings, accountId, hipaa: () => hipaa });

      app.get('/__sandbox/webhook', async () => ({ webhook: webhooks.configured() ?? null }));
      app.put<{ Body: Partial<ZoomWebhookTarget> }>('/__sandbox/webhook', async (request, reply) => {
        const { url, secretToken } = request.body ?? {};
        if (!url || !secretToken) return reply.code(400).send({ error: 'url and secretToken are required' });
        webhooks.configure({ url, secretToken });
        return { webhook: { url } };
      });
      app.post('/__sandbox/webhook/validate', async () => webhooks.validate());
      app.post<{ Params: { meetingId: string }; Body: SimulationInput }>(
        '/__sandbox/meetings/:meetingId/simulate',
        async (request, reply) => {
          const stored = meetings.byId(Number(request.params.meetingId));
          if (!stored) return reply.code(404).send({ error: 'unknown meeting' });
          return simulateMeeting(stored, request.body ?? {}, { ctx: ctx(), webhooks, hipaa, accountId });
        },
      );
    },
    applySettings(settings: SandboxSettings) {
      if (typeof settings.hipaa === 'boolean') hipaa = settings.hipaa;
      const webhook = settings.webhook as ZoomWebhookTarget | undefined;
      if (webhook?.url && webhook.secretToken) webhooks.configure(webhook);
    },
    reset() {
      meetings.reset();
      oauth?.reset();
      webhooks.reset(options.webhook);
      hipaa = options.hipaa ?? false;
    },
  };
}
