/**
 * Google's OAuth behaviour: refresh tokens only for access_type=offline, never rotated (refresh responses omit
 * refresh_token), `invalid_grant` bodies as oauth2.googleapis.com sends them, 401s as the Google APIs send them,
 * and an RS256 id_token (keys at /oauth2/v3/certs) when the scope asks for openid.
 */
import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { AccessFailure, IssuedTokens, OAuthFlavor, OAuthResponse, TokenFailure } from '../core/oauth.js';
import { googleErrorBody } from './errors.js';

const REVOKED_OR_EXPIRED = 'Token has been expired or revoked.';
const GOOGLE_ISSUER = 'https://accounts.google.com';

export class GoogleIdTokenSigner {
  readonly keyId: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.keyId = createHash('sha256').update(pair.publicKey.export({ format: 'der', type: 'spki' })).digest('hex').slice(0, 40);
  }

  /** the JWKS document served at /oauth2/v3/certs */
  jwks() {
    return { keys: [{ ...this.publicKey.export({ format: 'jwk' }), kid: this.keyId, use: 'sig', alg: 'RS256' }] };
  }

  /** the PEM document served at /oauth2/v1/certs (google-auth-library's Node default) */
  pemCerts(): Record<string, string> {
    return { [this.keyId]: String(this.publicKey.export({ format: 'pem', type: 'spki' })) };
  }

  sign(payload: Record<string, unknown>): string {
    const header = { alg: 'RS256', kid: this.keyId, typ: 'JWT' };
    const encoded = `${base64url(header)}.${base64url(payload)}`;
    const signature = createSign('RSA-SHA256').update(encoded).sign(this.privateKey).toString('base64url');
    return `${encoded}.${signature}`;
  }
}

export function googleOAuthFlavor(signer: GoogleIdTokenSigner, now: () => number): OAuthFlavor {
  return {
    accessTokenPrefix: 'ya29.sandbox-',
    refreshTokenPrefix: '1//sandbox-',
    codePrefix: '4/0sandbox-',
    rotateRefreshTokens: false,
    codeTtlSeconds: 600,
    issuesRefreshToken: (params) => params.access_type === 'offline',
    tokenError: googleTokenError,
    accessError: googleAccessError,
    tokenBody(tokens: IssuedTokens) {
      const body: Record<string, unknown> = {
        access_token: tokens.accessToken,
        expires_in: tokens.expiresIn,
        scope: tokens.scope,
        token_type: 'Bearer',
      };
      if (tokens.refreshToken) body.refresh_token = tokens.refreshToken;
      if (tokens.user && tokens.scope.split(' ').includes('openid')) {
        const issuedAt = Math.floor(now() / 1000);
        body.id_token = signer.sign({
          iss: GOOGLE_ISSUER,
          azp: tokens.clientId,
          aud: tokens.clientId,
          sub: tokens.user.id,
          email: tokens.user.email,
          email_verified: true,
          at_hash: createHash('sha256').update(tokens.accessToken).digest().subarray(0, 16).toString('base64url'),
          name: tokens.user.name,
          iat: issuedAt,
          exp: issuedAt + 3600,
        });
      }
      return body;
    },
    revokeResult(outcome): OAuthResponse {
      return outcome === 'revoked'
        ? { status: 200, body: {} }
        : { status: 400, body: { error: 'invalid_token', error_description: 'Token expired or revoked' } };
    },
  };
}

export function googleTokenError(failure: TokenFailure, detail: { grantType?: string; message?: string }): OAuthResponse {
  const grant = (description: string) => ({ status: 400, body: { error: 'invalid_grant', error_description: description } });
  switch (failure) {
    case 'invalid_client':
      return { status: 401, body: { error: 'invalid_client', error_description: 'Unauthorized' } };
    case 'unsupported_grant_type':
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${detail.grantType ?? ''}` } };
    case 'invalid_request':
      return { status: 400, body: { error: 'invalid_request', error_description: detail.message ?? 'Bad Request' } };
    case 'redirect_uri_mismatch':
      return { status: 400, body: { error: 'redirect_uri_mismatch', error_description: 'Bad Request' } };
    case 'code_invalid':
      return grant('Malformed auth code.');
    case 'code_used':
    case 'code_expired':
      return grant('Bad Request');
    case 'pkce_missing':
      return grant('Missing code verifier.');
    case 'pkce_mismatch':
      return grant('Invalid code verifier.');
    case 'refresh_invalid':
      return grant('Bad Request');
    case 'refresh_expired':
    case 'refresh_revoked':
      return grant(REVOKED_OR_EXPIRED);
    case 'grant_rejected':
      return grant(detail.message ?? 'Bad Request');
  }
}

const AUTH_HELP =
  'Expected OAuth 2 access token, login cookie or other valid authentication credential. ' +
  'See https://developers.google.com/identity/sign-in/web/devconsole-project.';

export function googleAccessError(failure: AccessFailure): OAuthResponse {
  const missing = failure === 'missing';
  const message = missing
    ? `Request is missing required authentication credential. ${AUTH_HELP}`
    : `Request had invalid authentication credentials. ${AUTH_HELP}`;
  return {
    status: 401,
    headers: {
      'www-authenticate': missing
        ? `Bearer realm="${GOOGLE_ISSUER}/"`
        : `Bearer realm="${GOOGLE_ISSUER}/", error="invalid_token"`,
    },
    body: googleErrorBody(401, message, {
      domain: 'global',
      reason: missing ? 'required' : 'authError',
      message: missing ? 'Login Required.' : 'Invalid Credentials',
      location: 'Authorization',
      locationType: 'header',
    }),
  };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
