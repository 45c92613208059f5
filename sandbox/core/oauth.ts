/**
 * A reusable OAuth 2.0 authorization server for the emulators (Google, Microsoft, Zoom). The protocol is shared;
 * everything the providers do differently (error bodies, refresh-token rotation, token field names, extra grants)
 * is an OAuthFlavor the emulator passes in.
 *
 * How an emulator uses it (inside EmulatorDefinition.register):
 *
 *   const oauth = new OAuthServer({ flavor: zoomFlavor, clients: [{ clientId, clientSecret }], ctx });
 *   registerOAuthRoutes(app, oauth, { authorize: '/oauth/authorize', token: '/oauth/token', revoke: '/oauth/revoke' });
 *   app.register(async (api) => {
 *     api.addHook('preHandler', oauth.guard());          // 401 in the flavor's shape when missing/expired/revoked
 *     api.get('/v2/users/me', async (request) => oauth.principal(request).user);
 *   });
 *   // and in EmulatorDefinition.reset(): oauth.reset()
 *
 * - authorize: redirects at once to redirect_uri with a one-time `code` and the caller's `state`; the consenting user
 *   is chosen by `login_hint` (an email; unknown emails become new sandbox users), default the first configured user.
 * - token: authorization_code (PKCE S256/plain checked when a challenge was sent; client id/secret from the body or
 *   HTTP Basic), refresh_token (rotated when flavor.rotateRefreshTokens), plus flavor.extraGrants
 *   (client_credentials, account_credentials, ...).
 * - revoke: revokes the whole grant (access and refresh tokens), as Google does.
 * - Access tokens live ctx.accessTokenTtlSeconds() on the sandbox clock (PUT /__sandbox/settings changes it).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from './contract.js';
import { ProviderHttpError } from './server.js';

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** allowed redirect URIs; any when omitted */
  redirectUris?: string[];
}

export interface SandboxUser {
  id: string;
  email: string;
  name: string;
  /** provider-specific traits (e.g. a consumer Microsoft account, a Zoom account id) */
  [trait: string]: unknown;
}

export type TokenFailure =
  | 'invalid_request'
  | 'invalid_client'
  | 'unsupported_grant_type'
  | 'code_invalid'
  | 'code_used'
  | 'code_expired'
  | 'redirect_uri_mismatch'
  | 'pkce_missing'
  | 'pkce_mismatch'
  | 'refresh_invalid'
  | 'refresh_expired'
  | 'refresh_revoked'
  | 'grant_rejected';

export type AccessFailure = 'missing' | 'invalid' | 'expired' | 'revoked';

export interface OAuthResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  /** present when a refresh token is part of this response (new grant, or rotation) */
  refreshToken?: string;
  scope: string;
  grantType: string;
  clientId: string;
  user?: SandboxUser;
}

export type ExtraGrantResult =
  | { user?: SandboxUser; scope: string; refreshToken?: boolean }
  | { failure: TokenFailure; detail?: string };

export interface OAuthFlavor {
  accessTokenPrefix: string;
  refreshTokenPrefix: string;
  codePrefix?: string;
  /** Zoom and Microsoft hand out a new refresh token on every refresh; Google keeps the old one and omits it */
  rotateRefreshTokens: boolean;
  /** whether the old refresh token stays usable after rotation (Microsoft: yes; Zoom: no) */
  keepRotatedRefreshTokens?: boolean;
  codeTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** whether the code exchange returns a refresh token, from the authorize parameters (default: always) */
  issuesRefreshToken?(authorizeParams: Record<string, string>): boolean;
  tokenError(failure: TokenFailure, detail: { grantType?: string; message?: string }): OAuthResponse;
  accessError(failure: AccessFailure): OAuthResponse;
  /** the token endpoint's JSON body (field names differ per provider) */
  tokenBody(tokens: IssuedTokens): Record<string, unknown>;
  revokeResult(outcome: 'revoked' | 'unknown'): OAuthResponse;
  /** grant types beyond authorization_code and refresh_token, e.g. client_credentials, account_credentials */
  extraGrants?: Record<string, (params: Record<string, string>, client: OAuthClient) => ExtraGrantResult>;
}

export interface OAuthPrincipal {
  user?: SandboxUser;
  clientId: string;
  scope: string;
  grantType: string;
  accessToken: string;
}

interface Grant {
  id: string;
  clientId: string;
  user?: SandboxUser;
  scope: string;
  grantType: string;
  revoked: boolean;
}

interface CodeRecord {
  grant: Grant;
  redirectUri?: string;
  challenge?: string;
  challengeMethod?: string;
  expiresAt: number;
  used: boolean;
  issuesRefreshToken: boolean;
}

interface AccessRecord {
  grant: Grant;
  expiresAt: number;
}

interface RefreshRecord {
  grant: Grant;
  expiresAt?: number;
  superseded: boolean;
}

export interface OAuthServerOptions {
  flavor: OAuthFlavor;
  clients: OAuthClient[];
  ctx: EmulatorContext;
  /** the sandbox's test users; the first is the default consenting user */
  users?: SandboxUser[];
}

export const DEFAULT_SANDBOX_USER: SandboxUser = {
  id: 'sandbox-user-1',
  email: 'sandbox.user@example.com',
  name: 'Sandbox User',
};

export class OAuthServer {
  readonly flavor: OAuthFlavor;
  private clients: OAuthClient[];
  private readonly ctx: EmulatorContext;
  private readonly configuredUsers: SandboxUser[];
  private users = new Map<string, SandboxUser>();
  private codes = new Map<string, CodeRecord>();
  private accessTokens = new Map<string, AccessRecord>();
  private refreshTokens = new Map<string, RefreshRecord>();
  private readonly principals = new WeakMap<FastifyRequest, OAuthPrincipal>();

  constructor(options: OAuthServerOptions) {
    this.flavor = options.flavor;
    this.clients = [...options.clients];
    this.ctx = options.ctx;
    this.configuredUsers = options.users?.length ? options.users : [DEFAULT_SANDBOX_USER];
    this.reset();
  }

  /** forgets codes, tokens and ad-hoc users (configured users and clients stay) */
  reset(): void {
    this.users = new Map(this.configuredUsers.map((user) => [user.email.toLowerCase(), { ...user }]));
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
  }

  addClient(client: OAuthClient): void {
    this.clients = [...this.clients.filter((known) => known.clientId !== client.clientId), client];
  }

  /** the test user for an email (created on first use), or the default user */
  user(loginHint?: string): SandboxUser {
    if (!loginHint) return this.users.values().next().value ?? DEFAULT_SANDBOX_USER;
    const email = loginHint.trim().toLowerCase();
    let user = this.users.get(email);
    if (!user) {
      const local = email.split('@')[0] ?? email;
      user = { id: `sandbox-${createHash('sha256').update(email).digest('hex').slice(0, 16)}`, email, name: titleCase(local) };
      this.users.set(email, user);
    }
    return user;
  }

  /** GET authorize: where to redirect the browser, or an error page */
  authorize(query: Record<string, string | undefined>): { redirect: string } | OAuthResponse {
    const client = this.clients.find((known) => known.clientId === query.client_id);
    if (!client) return { status: 400, body: `Error 401: invalid_client. The OAuth client was not found: ${query.client_id ?? ''}` };
    const redirectUri = query.redirect_uri;
    if (!redirectUri || (client.redirectUris && !client.redirectUris.includes(redirectUri))) {
      return { status: 400, body: 'Error 400: redirect_uri_mismatch' };
    }
    const target = new URL(redirectUri);
    if (query.response_type !== 'code') {
      target.searchParams.set('error', 'unsupported_response_type');
      if (query.state !== undefined) target.searchParams.set('state', query.state);
      return { redirect: target.toString() };
    }
    if (query.code_challenge_method && !['S256', 'plain'].includes(query.code_challenge_method)) {
      target.searchParams.set('error', 'invalid_request');
      target.searchParams.set('error_description', 'Invalid code_challenge_method');
      if (query.state !== undefined) target.searchParams.set('state', query.state);
      return { redirect: target.toString() };
    }
    const code = (this.flavor.codePrefix ?? '') + token(24);
    const params = Object.fromEntries(Object.entries(query).filter((pair): pair is [string, string] => pair[1] !== undefined));
    this.codes.set(code, {
      grant: this.newGrant(client.clientId, 'authorization_code', query.scope ?? '', this.user(query.login_hint)),
      redirectUri,
      challenge: query.code_challenge,
      challengeMethod: query.code_challenge ? (query.code_challenge_method ?? 'plain') : undefined,
      expiresAt: this.ctx.now() + (this.flavor.codeTtlSeconds ?? 600) * 1000,
      used: false,
      issuesRefreshToken: this.flavor.issuesRefreshToken?.(params) ?? true,
    });
    target.searchParams.set('code', code);
    if (query.state !== undefined) target.searchParams.set('state', query.state);
    if (query.scope) target.searchParams.set('scope', query.scope);
    return { redirect: target.toString() };
  }

  /** POST token: params from the form body, authorization header for HTTP Basic client authentication */
  token(params: Record<string, string | undefined>, authorization?: string): OAuthResponse {
    const grantType = params.grant_type;
    const fail = (failure: TokenFailure, message?: string) => this.flavor.tokenError(failure, { grantType, message });
    if (!grantType) return fail('invalid_request', 'Missing required parameter: grant_type');
    const client = this.authenticateClient(params, authorization);
    if (!client) return fail('invalid_client');

    if (grantType === 'authorization_code') return this.exchangeCode(params, client, fail);
    if (grantType === 'refresh_token') return this.refresh(params, client, fail);
    const extra = this.flavor.extraGrants?.[grantType];
    if (!extra) return fail('unsupported_grant_type', `Invalid grant_type: ${grantType}`);
    const result = extra(Object.fromEntries(Object.entries(params).filter((pair): pair is [string, string] => pair[1] !== undefined)), client);
    if ('failure' in result) return fail(result.failure, result.detail);
    const grant = this.newGrant(client.clientId, grantType, result.scope, result.user);
    return this.issue(grant, result.refreshToken ?? false);
  }

  /** POST revoke: revokes the grant behind an access or refresh token */
  revoke(tokenValue: string | undefined): OAuthResponse {
    const grant = tokenValue
      ? (this.accessTokens.get(tokenValue)?.grant ?? this.refreshTokens.get(tokenValue)?.grant)
      : undefined;
    if (!grant || grant.revoked) return this.flavor.revokeResult('unknown');
    grant.revoked = true;
    return this.flavor.revokeResult('revoked');
  }

  /** checks an Authorization header; the API routes call this (or guard()) on every request */
  verify(authorization: string | undefined): OAuthPrincipal | { failure: AccessFailure } {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return { failure: 'missing' };
    const record = this.accessTokens.get(match[1]);
    if (!record) return { failure: 'invalid' };
    if (record.grant.revoked) return { failure: 'revoked' };
    if (record.expiresAt <= this.ctx.now()) return { failure: 'expired' };
    const { user, clientId, scope, grantType } = record.grant;
    return { user, clientId, scope, grantType, accessToken: match[1] };
  }

  /** when an access token expires (ms on the sandbox clock), e.g. for a tokeninfo endpoint */
  expiryOf(accessToken: string): number | undefined {
    return this.accessTokens.get(accessToken)?.expiresAt;
  }

  /** a Fastify preHandler that answers the flavor's 401 or remembers the principal for principal(request) */
  guard() {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const result = this.verify(request.headers.authorization);
      if ('failure' in result) {
        const error = this.flavor.accessError(result.failure);
        return reply.code(error.status).headers(error.headers ?? {}).send(error.body);
      }
      this.principals.set(request, result);
    };
  }

  /** the principal guard() accepted for this request */
  principal(request: FastifyRequest): OAuthPrincipal {
    const principal = this.principals.get(request);
    if (principal) return principal;
    const result = this.verify(request.headers.authorization);
    if ('failure' in result) {
      const error = this.flavor.accessError(result.failure);
      throw new ProviderHttpError(error.status, error.body, error.headers);
    }
    return result;
  }

  /** mints a valid access token directly, for tests and the bench scripts */
  issueAccessToken(clientId: string, scope: string, user: SandboxUser = this.user()): string {
    const response = this.issue(this.newGrant(clientId, 'authorization_code', scope, user), false);
    return (response as { accessToken?: string }).accessToken ?? '';
  }

  private exchangeCode(
    params: Record<string, string | undefined>,
    client: OAuthClient,
    fail: (failure: TokenFailure, message?: string) => OAuthResponse,
  ): OAuthResponse {
    if (!params.code) return fail('invalid_request', 'Missing required parameter: code');
    const record = this.codes.get(params.code);
    if (!record || record.grant.clientId !== client.clientId) return fail('code_invalid');
    if (record.used) return fail('code_used');
    if (record.expiresAt <= this.ctx.now()) return fail('code_expired');
    if (record.redirectUri && params.redirect_uri !== record.redirectUri) return fail('redirect_uri_mismatch');
    if (record.challenge) {
      const verifier = params.code_verifier;
      if (!verifier) return fail('pkce_missing');
      const expected = record.challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (expected !== record.challenge) return fail('pkce_mismatch');
    }
    record.used = true;
    return this.issue(record.grant, record.issuesRefreshToken);
  }

  private refresh(
    params: Record<string, string | undefined>,
    client: OAuthClient,
    fail: (failure: TokenFailure, message?: string) => OAuthResponse,
  ): OAuthResponse {
    if (!params.refresh_token) return fail('invalid_request', 'Missing required parameter: refresh_token');
    const record = this.refreshTokens.get(params.refresh_token);
    if (!record || record.grant.clientId !== client.clientId) return fail('refresh_invalid');
    if (record.grant.revoked) return fail('refresh_revoked');
    if (record.superseded) return fail('refresh_invalid');
    if (record.expiresAt !== undefined && record.expiresAt <= this.ctx.now()) return fail('refresh_expired');
    if (this.flavor.rotateRefreshTokens && !this.flavor.keepRotatedRefreshTokens) record.superseded = true;
    return this.issue(record.grant, this.flavor.rotateRefreshTokens, 'refresh_token');
  }

  private issue(grant: Grant, withRefreshToken: boolean, grantType = grant.grantType): OAuthResponse & { accessToken?: string } {
    const expiresIn = this.ctx.accessTokenTtlSeconds();
    const accessToken = this.flavor.accessTokenPrefix + token(32);
    this.accessTokens.set(accessToken, { grant, expiresAt: this.ctx.now() + expiresIn * 1000 });
    let refreshToken: string | undefined;
    if (withRefreshToken) {
      refreshToken = this.flavor.refreshTokenPrefix + token(32);
      const ttl = this.flavor.refreshTokenTtlSeconds;
      this.refreshTokens.set(refreshToken, {
        grant,
        expiresAt: ttl ? this.ctx.now() + ttl * 1000 : undefined,
        superseded: false,
      });
    }
    const body = this.flavor.tokenBody({
      accessToken,
      expiresIn,
      refreshToken,
      scope: grant.scope,
      grantType,
      clientId: grant.clientId,
      user: grant.user,
    });
    return { status: 200, body, headers: { 'cache-control': 'no-store', pragma: 'no-cache' }, accessToken };
  }

  private newGrant(clientId: string, grantType: string, scope: string, user?: SandboxUser): Grant {
    return { id: token(8), clientId, grantType, scope, user, revoked: false };
  }

  private authenticateClient(params: Record<string, string | undefined>, authorization?: string): OAuthClient | undefined {
    let clientId = params.client_id;
    let clientSecret = params.client_secret;
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return undefined;
      // RFC 6749 2.3.1: both parts are form-urlencoded inside the Basic credentials
      clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    }
    const client = this.clients.find((known) => known.clientId === clientId);
    return client && client.clientSecret === clientSecret ? client : undefined;
  }
}

export interface OAuthRoutePaths {
  authorize?: string;
  token?: string;
  revoke?: string;
}

/**
 * Registers the authorize (GET), token (POST, form body) and revoke (POST, token in form body or query) routes.
 * They live in their own plugin scope with a form-body parser, so an emulator's own parsers do not clash.
 */
export function registerOAuthRoutes(app: FastifyInstance, oauth: OAuthServer, paths: OAuthRoutePaths): void {
  app.register(async (scope) => {
    if (!scope.hasContentTypeParser('application/x-www-form-urlencoded')) {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      });
    }
    const send = (reply: FastifyReply, response: OAuthResponse) =>
      reply.code(response.status).headers(response.headers ?? {}).send(response.body);

    if (paths.authorize) {
      scope.get<{ Querystring: Record<string, string> }>(paths.authorize, async (request, reply) => {
        const result = oauth.authorize(request.query);
        if ('redirect' in result) return reply.redirect(result.redirect, 302);
        return reply.code(result.status).type('text/plain; charset=utf-8').send(result.body);
      });
    }
    if (paths.token) {
      scope.post<{ Body: Record<string, string> | undefined }>(paths.token, async (request, reply) =>
        send(reply, oauth.token(formOf(request.body), request.headers.authorization)),
      );
    }
    if (paths.revoke) {
      scope.post<{ Body: Record<string, string> | undefined; Querystring: Record<string, string> }>(
        paths.revoke,
        async (request, reply) => send(reply, oauth.revoke(formOf(request.body).token ?? request.query.token)),
      );
    }
  });
}

function formOf(body: unknown): Record<string, string | undefined> {
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, value === undefined ? undefined : String(value)]));
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function titleCase(local: string): string {
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join(' ');
}
