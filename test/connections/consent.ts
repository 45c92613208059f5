/** Plays the browser in an OAuth flow: opens the provider's consent URL and reads the code and state of the redirect. */
export async function consent(authorizeUrl: string, loginHint: string): Promise<{ code: string; state: string | null }> {
  const url = new URL(authorizeUrl);
  url.searchParams.set('login_hint', loginHint);
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (!location) throw new Error(`consent page answered ${response.status} without a redirect: ${await response.text()}`);
  const target = new URL(location);
  const code = target.searchParams.get('code');
  if (!code) throw new Error(`no code in the redirect: ${location}`);
  return { code, state: target.searchParams.get('state') };
}
