/**
 * The sandbox tenant's users. Anyone can sign in: an unknown login_hint becomes a new account. Addresses at the
 * consumer domains are personal Microsoft accounts (MSA), which live in Microsoft's fixed consumer tenant and
 * cannot organise Teams meetings.
 */
import { createHash } from 'node:crypto';

export const SANDBOX_TENANT_ID = '5ab1e0a5-0000-4000-8000-5a0db0c5ba5e';
/** the tenant every personal Microsoft account belongs to (documented by Microsoft) */
export const CONSUMER_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';
export const DEFAULT_ACCOUNT_EMAIL = 'therapist@sandbox.onmicrosoft.com';
const CONSUMER_DOMAINS = ['outlook.com', 'hotmail.com', 'live.com', 'msn.com'];

export interface Account {
  id: string;
  email: string;
  displayName: string;
  personal: boolean;
  tenantId: string;
}

function guidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function displayNameFrom(email: string): string {
  return email
    .split('@')[0]
    .split(/[._-]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join(' ');
}

export function isConsumerAddress(email: string): boolean {
  const domain = email.split('@')[1]?.toLowerCase() ?? '';
  return CONSUMER_DOMAINS.some((consumer) => domain === consumer || domain.startsWith(`${consumer.split('.')[0]}.`));
}

export class Directory {
  private accounts = new Map<string, Account>();
  /** addresses a control marked personal (or business) regardless of their domain */
  private personalOverrides = new Map<string, boolean>();

  reset(): void {
    this.accounts.clear();
    this.personalOverrides.clear();
  }

  upsert(email: string, changes: { displayName?: string; personal?: boolean } = {}): Account {
    const key = email.toLowerCase();
    if (changes.personal !== undefined) this.personalOverrides.set(key, changes.personal);
    const personal = this.personalOverrides.get(key) ?? isConsumerAddress(key);
    const existing = this.accounts.get(key);
    const account: Account = {
      id: existing?.id ?? (personal ? guidFrom(key).replace(/-/g, '').slice(0, 16) : guidFrom(key)),
      email: existing?.email ?? email,
      displayName: changes.displayName ?? existing?.displayName ?? displayNameFrom(email),
      personal,
      tenantId: personal ? CONSUMER_TENANT_ID : SANDBOX_TENANT_ID,
    };
    this.accounts.set(key, account);
    return account;
  }

  byId(id: string): Account | undefined {
    return [...this.accounts.values()].find((account) => account.id === id);
  }

  /** Graph's /users/{id | userPrincipalName} */
  find(idOrEmail: string): Account | undefined {
    return this.accounts.get(idOrEmail.toLowerCase()) ?? this.byId(idOrEmail);
  }

  list(): Account[] {
    return [...this.accounts.values()];
  }
}
