/** Reading typed values out of parsed form parameters, with Stripe's own validation errors. */
import type Stripe from 'stripe';
import { invalidRequest, missingParam } from './errors.js';
import type { StripeParams, StripeParamValue } from './form.js';

export function optionalString(params: StripeParams, name: string): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidRequest(`Invalid string: ${JSON.stringify(v)}`, name, 'parameter_invalid_string');
  return v;
}

export function requiredString(params: StripeParams, name: string): string {
  const v = optionalString(params, name);
  if (v === undefined || v === '') throw missingParam(name);
  return v;
}

/** Stripe treats an empty string as "unset" (null) for nullable fields. */
export function nullableString(params: StripeParams, name: string): string | null | undefined {
  const v = optionalString(params, name);
  return v === '' ? null : v;
}

export function optionalInteger(params: StripeParams, name: string): number | undefined {
  const v = optionalString(params, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidRequest(`Invalid integer: ${v}`, name, 'parameter_invalid_integer');
  return Number(v);
}

export function optionalBoolean(params: StripeParams, name: string): boolean | undefined {
  const v = optionalString(params, name);
  if (v === undefined || v === '') return undefined;
  if (v !== 'true' && v !== 'false') throw invalidRequest(`Invalid boolean: ${v}`, name);
  return v === 'true';
}

export function optionalObject(params: StripeParams, name: string): StripeParams | undefined {
  const v = params[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidRequest(`Invalid hash`, name, 'parameter_invalid_empty');
  return v;
}

export function optionalArray(params: StripeParams, name: string): StripeParamValue[] | undefined {
  const v = params[name];
  if (v === undefined || v === '') return undefined;
  if (!Array.isArray(v)) throw invalidRequest(`Invalid array`, name);
  return v;
}

export function expandList(params: StripeParams): string[] {
  const v = params.expand;
  if (v === undefined || v === '') return [];
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is string => typeof x === 'string');
}

/**
 * Metadata updates merge: `metadata[k]=v` sets, `metadata[k]=` removes a key, `metadata=` clears everything.
 * Stripe caps metadata at 50 keys, 40-character keys and 500-character values.
 */
export function applyMetadata(current: Stripe.Metadata | null, params: StripeParams): Stripe.Metadata {
  const v = params.metadata;
  const next: Stripe.Metadata = { ...(current ?? {}) };
  if (v === undefined) return next;
  if (v === '') return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidRequest('Invalid hash', 'metadata');
  for (const [key, value] of Object.entries(v)) {
    if (typeof value !== 'string') throw invalidRequest('Invalid metadata value', `metadata[${key}]`);
    if (key.length > 40) {
      throw invalidRequest(`Metadata keys can have up to 40 characters. Key '${key}' has ${key.length}.`, `metadata[${key}]`);
    }
    if (value.length > 500) {
      throw invalidRequest('Metadata values can have up to 500 characters.', `metadata[${key}]`);
    }
    if (value === '') delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > 50) throw invalidRequest('Metadata can have up to 50 keys.', 'metadata');
  return next;
}
