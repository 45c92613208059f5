/**
 * Microsoft identity platform v2.0 (login.microsoftonline.com/{tenant}/oauth2/v2.0/...): authorization_code with
 * PKCE, refresh_token and client_credentials. Refresh tokens rotate the way Azure AD does it: every refresh returns a
 * new one, and the old one stays valid until it expires or the user's sessions are revoked.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../core/contract.js';

import { DEFAULT_ACCOUNT_EMAIL, type Account, type Directory } from './directory.js';
import { graphError, identityError } from './graph-errors.js';

export interface MicrosoftClient {
  clientId: string;
  clientSecret: string;
}

interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  accountId: string;
  challenge?: string;
  challengeMethod?: string;
  expiresAt: number;
  redeemed: boolean;
}

interface Grant {
  clientId: string;
  accountId: string | null;
  scope: string;
  expiresAt: number;
}

/** who is calling Graph: a signed-in user (delegated) or the app itself (client_credentials) */
export interface Caller {
  clientId: string;
  account: Account | null;
  scope: string;
}

const CODE_TTL_MS = 10 * 60 * 1000;
const REFRESH_TTL_MS = 90 * 24 * 3600 * 1000;
const SIGNING_KEY = 'sandbox-microsoft-signing-key';

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

function jwt(claims: Record<string, unknown>): string {
  const head = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'sandbox' }));
  const body = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', SIGNING_KEY).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

export class MicrosoftIdentity {
  private codes = new Map<string, AuthorizationCode>();
  private refreshTokens = new Map<string, Grant>();
  private accessTokens = new Map<string, Grant>();
  /** sessions revoked before this time (per account) no longer refresh or call Graph */
  private revokedBefore = new Map<string, number>();
  private issuedAt = new Map<string, number>();

  constructor(
    private readonly clients: MicrosoftClient[],
    private readonly directory: Directory,
    private readonly ctx: () => EmulatorContext,
  ) {}

  reset(): void {
    this.codes.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
    this.revokedBefore.clear();
    this.issuedAt.clear();
  }

  /** what revokeSignInSessions (or an admin) does: every token issued so far stops working */
  revokeSessions(accountId: string): void {
    this.revokedBefore.set(accountId, this.ctx().now() + 1);
  }

  register(app: FastifyInstance): void {
    app.get<{ Params: { tenant: string }; Querystring: Record<string, string | undefined> }>(
      '/:tenant/oauth2/v2.0/authorize',
      async (request, reply) => {
        const query = request.query;
        const client = this.clients.find((candidate) => candidate.clientId === query.client_id);
        if (!client) {
          return reply
            .code(400)
            .type('text/plain')
            .send(`AADSTS700016: Application with identifier '${query.client_id ?? ''}' was not found in the directory.`);
        }
        if (!query.redirect_uri) {
          return reply.code(400).type('text/plain').send("AADSTS900144: The request body must contain the following parameter: 'redirect_uri'.");
        }
        const target = new URL(query.redirect_uri);
        if (query.response_type !== 'code') {
          target.searchParams.set('error', 'unsupported_response_type');
          target.searchParams.set('error_description', 'AADSTS70005: response_type is not supported for the application.');
          if (query.state) target.searchParams.set('state', query.state);
          return reply.redirect(target.toString(), 302);
        }
        const account = this.directory.upsert(query.login_hint || DEFAULT_ACCOUNT_EMAIL);
        const code = `0.A${base64url(randomBytes(48))}`;
        this.codes.set(code, {
          clientId: client.clientId,
          redirectUri: query.redirect_uri,
          scope: query.scope ?? 'openid profile offline_access User.Read',
          accountId: account.id,
          challenge: query.code_challenge,
          challengeMethod: query.code_challenge_method ?? (query.code_challenge ? 'plain' : undefined),
          expiresAt: this.ctx().now() + CODE_TTL_MS,
          redeemed: false,
        });
        target.searchParams.set('code', code);
        if (query.state) target.searchParams.set('state', query.state);
        target.searchParams.set('session_state', randomUUID());
        return reply.redirect(target.toString(), 302);
      },
    );

    app.post<{ Params: { tenant: string }; Body: Record<string, string | undefined> }>(
      '/:tenant/oauth2/v2.0/token',
      async (request) => {
        const body = request.body ?? {};
        const client = this.authenticateClient(request, body);
        switch (body.grant_type) {
          case 'authorization_code':
            return this.redeemCode(client, body);
          case 'refresh_token':
            return this.refresh(client, body);
          case 'client_credentials':
            return this.clientCredentials(client, body, request.params.tenant);
          default:
            throw identityError(
              400,
              'unsupported_grant_type',
              70003,
              `The app requested an unsupported grant type '${body.grant_type ?? ''}'.`,
            );
        }
      },
    );
  }

  /** Graph's bearer check on every API call */
  authenticate(request: FastifyRequest): Caller {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    if (!token) throw graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const grant = this.accessTokens.get(token);
    if (!grant) {
      throw graphError(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed, there are no dots (.).');
    }
    if (grant.expiresAt <= this.ctx().now() || this.isRevoked(token, grant)) {
      throw graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
    }
    return {
      clientId: grant.clientId,
      scope: grant.scope,
      account: grant.accountId ? (this.directory.byId(grant.accountId) ?? null) : null,
    };
  }

  private isRevoked(token: string, grant: Grant): boolean {
    if (!grant.accountId) return false;
    const revokedBefore = this.revokedBefore.get(grant.accountId);
    return revokedBefore !== undefined && (this.issuedAt.get(token) ?? 0) < revokedBefore;
  }

  private authenticateClient(request: FastifyRequest, body: Record<string, string | undefined>): MicrosoftClient {
    let clientId = body.client_id;
    let secret = body.client_secret;
    const basic = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (basic) {
      const [id, ...rest] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id);
      secret = decodeURIComponent(rest.join(':'));
    }
    const client = this.clients.find((candidate) => candidate.clientId === clientId);
    if (!client) {
      throw identityError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId ?? ''}' was not found in the directory 'Sandbox'.`,
      );
    }
    if (!secret) {
      throw identityError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    if (secret !== client.clientSecret) {
      throw identityError(
        401,
        'invalid_client',
        7000215,
        'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
      );
    }
    return client;
  }

  private redeemCode(client: MicrosoftClient, body: Record<string, string | undefined>) {
    const stored = body.code ? this.codes.get(body.code) : undefined;
    if (!stored || stored.clientId !== client.clientId) {
      throw identityError(400, 'invalid_grant', 70000, "The provided value for the 'code' parameter is not valid.");
    }
    if (stored.redeemed) {
      throw identityError(
        400,
        'invalid_grant',
        54005,
        'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
      );
    }
    if (stored.expiresAt <= this.ctx().now()) {
      throw identityError(
        400,
        'invalid_grant',
        70008,
        'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
      );
    }
    if (body.redirect_uri !== stored.redirectUri) {
      throw identityError(
        400,
        'invalid_grant',
        50011,
        `The redirect URI '${body.redirect_uri ?? ''}' specified in the request does not match the redirect URIs configured for the application.`,
      );
    }
    if (stored.challenge) {
      const verifier = body.code_verifier ?? '';
      const computed =
        stored.challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (!body.code_verifier || computed !== stored.challenge) {
        throw identityError(
          400,
          'invalid_grant',
          501481,
          'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
        );
      }
    }
    stored.redeemed = true;
    return this.issue(client.clientId, stored.accountId, stored.scope);
  }

  private refresh(client: MicrosoftClient, body: Record<string, string | undefined>) {
    const token = body.refresh_token ?? '';
    const grant = this.refreshTokens.get(token);
    if (!grant || grant.clientId !== client.clientId) {
      throw identityError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    }
    if (grant.expiresAt <= this.ctx().now()) {
      throw identityError(
        400,
        'invalid_grant',
        700082,
        'The refresh token has expired due to inactivity. The token was issued on a date and was inactive for 90.00:00:00.',
      );
    }
    if (this.isRevoked(token, grant)) {
      throw identityError(
        400,
        'invalid_grant',
        50173,
        'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
      );
    }
    return this.issue(client.clientId, grant.accountId, body.scope ?? grant.scope);
  }

  private clientCredentials(client: MicrosoftClient, body: Record<string, string | undefined>, tenant: string) {
    const scope = body.scope ?? '';
    if (!scope.split(' ').every((part) => part.endsWith('/.default'))) {
      throw identityError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    if (tenant === 'common' || tenant === 'consumers') {
      throw identityError(
        400,
        'invalid_request',
        90009,
        "Application is requesting a token for itself. This scenario is supported only if resource is specified using the GUID based App Identifier. Use a tenant-specific authority such as a tenant ID instead of '/common'.",
      );
    }
    return this.issue(client.clientId, null, scope);
  }

  private issue(clientId: string, accountId: string | null, scope: string) {
    const now = this.ctx().now();
    const ttl = this.ctx().accessTokenTtlSeconds();
    const account = accountId ? this.directory.byId(accountId) : undefined;
    const accessToken = jwt({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${account?.tenantId ?? 'sandbox'}/`,
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000) + ttl,
      appid: clientId,
      oid: account?.id,
      upn: account?.email,
      scp: accountId ? scope : undefined,
      roles: accountId ? undefined : ['Calendars.ReadWrite', 'OnlineMeetings.ReadWrite.All'],
      uti: base64url(randomBytes(16)),
    });
    this.accessTokens.set(accessToken, { clientId, accountId, scope, expiresAt: now + ttl * 1000 });
    this.issuedAt.set(accessToken, now);
    const response: Record<string, unknown> = {
      token_type: 'Bearer',
      scope,
      expires_in: ttl,
      ext_expires_in: ttl,
      access_token: accessToken,
    };
    const scopes = scope.split(' ');
    if (accountId && scopes.includes('offline_access')) {
      const refreshToken = `1.A${base64url(randomBytes(64))}`;
      this.refreshTokens.set(refreshToken, { clientId, accountId, scope, expiresAt: now + REFRESH_TTL_MS });
      this.issuedAt.set(refreshToken, now);
      response.refresh_token = refreshToken;
    }
    if (account && scopes.includes('openid')) {
      response.id_token = jwt({
        aud: clientId,
        iss: `https://login.microsoftonline.com/${account.tenantId}/v2.0`,
        iat: Math.floor(now / 1000),
        exp: Math.floor(now / 1000) + 3600,
        oid: account.id,
        tid: account.tenantId,
        sub: base64url(createHash('sha256').update(`${clientId}:${account.id}`).digest()).slice(0, 43),
        name: account.displayName,
        preferred_username: account.email,
        email: account.email,
        ver: '2.0',
      });
    }
    return response;
  }
}

