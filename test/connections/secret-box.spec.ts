import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/app-config.js';
import { keyIdOf, SecretBox } from '../../src/connections/secret-box.js';

const key = () => randomBytes(32).toString('base64');

describe(SecretBox.name, () => {
  const oldKey = key();
  const newKey = key();
  const before = new SecretBox(loadConfig({ NODE_ENV: 'test', APP_ENCRYPTION_KEY: oldKey }));
  const after = new SecretBox(loadConfig({ NODE_ENV: 'test', APP_ENCRYPTION_KEY: newKey, APP_ENCRYPTION_PREVIOUS_KEYS: oldKey }));

  it('round-trips and never stores the plaintext', () => {
    const sealed = before.encrypt('ya29.secret-token', 'connection:a');
    expect(sealed).not.toContain('secret-token');
    expect(sealed.split('.')[1]).toBe(keyIdOf(Buffer.from(oldKey, 'base64')));
    expect(before.decrypt(sealed, 'connection:a')).toBe('ya29.secret-token');
  });

  it('decrypts secrets of a previous key after rotation and says they need re-encryption', () => {
    const sealed = before.encrypt('refresh-1', 'x');
    expect(after.decrypt(sealed, 'x')).toBe('refresh-1');
    expect(after.needsRotation(sealed)).toBe(true);
    expect(after.needsRotation(after.encrypt('refresh-1', 'x'))).toBe(false);
  });

  it('refuses a ciphertext moved to another owner, tampered with, or sealed with an unknown key', () => {
    const sealed = before.encrypt('token', 'connection:a');
    expect(() => before.decrypt(sealed, 'connection:b')).toThrow();
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => before.decrypt(parts.join('.'), 'connection:a')).toThrow();
    const stranger = new SecretBox(loadConfig({ NODE_ENV: 'test', APP_ENCRYPTION_KEY: key() }));
    expect(() => stranger.decrypt(sealed, 'connection:a')).toThrow(/unknown key/);
  });
});
