/**
 * Zoom's OAuth (zoom.us/oauth/...): user OAuth whose refresh tokens rotate (the old one dies at once) and
 * Server-to-Server OAuth's account_credentials grant (HTTP Basic client auth + account_id, no refresh token).
 */
import type { OAuthFlavor, OAuthResponse, SandboxUser, TokenFailure } from '../core/oauth.js';

const REASONS: Record<TokenFailure, { status: number; error: string; reason: string }> = {
  invalid_request: { status: 400, error: 'invalid_request', reason: 'Invalid request' },
  invalid_client: { status: 401, error: 'invalid_client', reason: 'Invalid client_id or client_secret' },
  unsupported_grant_type: { status: 400, error: 'unsupported_grant_type', reason: 'unsupported grant type' },
  code_invalid: { status: 400, error: 'invalid_grant', reason: 'Invalid authorization code' },
  code_used: { status: 400, error: 'invalid_grant', reason: 'Invalid authorization code' },
  code_expired: { status: 400, error: 'invalid_grant', reason: 'Invalid authorization code' },
  redirect_uri_mismatch: { status: 400, error: 'invalid_grant', reason: 'Redirect URI mismatch.' },
  pkce_missing: { status: 400, error: 'invalid_request', reason: 'Invalid code_verifier' },
  pkce_mismatch: { status: 400, error: 'invalid_grant', reason: 'Invalid code_verifier' },
  refresh_invalid: { status: 400, error: 'invalid_grant', reason: 'Invalid Token!' },
  refresh_expired: { status: 400, error: 'invalid_grant', reason: 'Invalid Token!' },
  refresh_revoked: { status: 400, error: 'invalid_grant', reason: 'Invalid Token!' },
  grant_rejected: { status: 400, error: 'invalid_request', reason: 'Invalid request' },
};

export function zoomOAuthFlavor(options: { apiUrl: () => string; accountId: string; admin: () => SandboxUser }): OAuthFlavor {
  return {
    accessTokenPrefix: 'eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIiwidiI6IjIuMCJ9.',
    refreshTokenPrefix: 'eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIiwidiI6IjIuMCIsInJ0IjoxfQ.',
    rotateRefreshTokens: true,
    keepRotatedRefreshTokens: false,
    // Zoom refresh tokens live 90 days
    refreshTokenTtlSeconds: 90 * 24 * 3600,
    tokenError(failure, detail): OAuthResponse {
      const known = REASONS[failure];
      return { status: known.status, body: { reason: detail.message ?? known.reason, error: known.error } };
    },
    accessError(failure): OAuthResponse {
      const message = failure === 'expired' ? 'Access token is expired.' : 'Invalid access token.';
      return { status: 401, body: { code: 124, message } };
    },
    tokenBody(tokens) {
      const body: Record<string, unknown> = {
        access_token: tokens.accessToken,
        token_type: 'bearer',
        expires_in: tokens.expiresIn,
        scope: tokens.scope || 'meeting:read meeting:write user:read recording:read',
        api_url: options.apiUrl(),
      };
      if (tokens.refreshToken) body.refresh_token = tokens.refreshToken;
      return body;
    },
    revokeResult(outcome): OAuthResponse {
      return outcome === 'revoked'
        ? { status: 200, body: { status: 'success' } }
        : { status: 400, body: { reason: 'Invalid Token!', error: 'invalid_request' } };
    },
    extraGrants: {
      account_credentials: (params) => {
        if (params.account_id !== options.accountId) {
          return { failure: 'grant_rejected', detail: 'Invalid account_id' };
        }
        return {
          user: options.admin(),
          scope: 'meeting:read:admin meeting:write:admin user:read:admin recording:read:admin report:read:admin',
          refreshToken: false,
        };
      },
    },
  };
}
