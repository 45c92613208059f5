import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';

const VERSION = 'v1';
const IV_BYTES = 12;

/** Short public fingerprint of a key, stored in every ciphertext so that the right key is found after a rotation. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/**
 * AES-256-GCM for secrets at rest (OAuth tokens, CalDAV passwords, meeting passcodes).
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). New secrets use APP_ENCRYPTION_KEY; secrets written
 * under a key listed in APP_ENCRYPTION_PREVIOUS_KEYS still decrypt, and `needsRotation` tells a caller to re-encrypt.
 * `aad` binds a ciphertext to its owner (e.g. the connection id) so a copied column does not decrypt elsewhere.
 */
@Injectable()
export class SecretBox {
  private readonly current: { id: string; key: Buffer };
  private readonly keys = new Map<string, Buffer>();

  constructor(config: AppConfig) {
    const key = Buffer.from(config.encryption.key, 'base64');
    this.current = { id: keyIdOf(key), key };
    for (const encoded of [config.encryption.key, ...config.encryption.previousKeys]) {
      const candidate = Buffer.from(encoded, 'base64');
      this.keys.set(keyIdOf(candidate), candidate);
    }
  }

  encrypt(plaintext: string, aad = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(sealed: string, aad = ''): string {
    const [version, keyId, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || body === undefined) throw new Error('not a sealed secret');
    const key = this.keys.get(keyId);
    // The key id is public, so naming it is safe and tells the operator which old key to put back.
    if (!key) throw new Error(`secret sealed with unknown key ${keyId}`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** True when the secret was sealed with an older key and should be re-encrypted with the current one. */
  needsRotation(sealed: string): boolean {
    return sealed.split('.')[1] !== this.current.id;
  }
}
