/**
 * Stripe's amount rules (docs.stripe.com/currencies): amounts are in the currency's minor unit, except for
 * zero-decimal currencies; three-decimal currencies must end in 0; ISK is sent with two decimals but must be whole
 * krónur (multiple of 100); minimum charge amounts per currency; at most 8 digits.
 */
import { invalidRequest, StripeApiError } from './errors.js';

const ZERO_DECIMAL = new Set('bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '));
const THREE_DECIMAL = new Set('bhd jod kwd omr tnd'.split(' '));

const SUPPORTED = new Set(
  (
    'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf ' +
    'clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils ' +
    'inr isk jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk ' +
    'mxn myr mzn nad ngn nio nok npr nzd omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp ' +
    'sle sos srd std szl thb tjs tnd top try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw'
  ).split(' '),
);

/** Minimum charge amounts in the minor unit Stripe expects (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). */
const MINIMUM: Record<string, number> = {
  usd: 50, eur: 50, aud: 50, cad: 50, chf: 50, nzd: 50, sgd: 50, brl: 50, inr: 50,
  gbp: 30, jpy: 50, hkd: 400, dkk: 250, nok: 300, sek: 300, mxn: 1000, thb: 1000,
  pln: 200, ron: 200, aed: 200, myr: 200, czk: 1500, huf: 17500, bgn: 100,
};

export function decimalsOf(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

/** Returns the lowercase currency or throws Stripe's error for an unsupported one. */
export function checkCurrency(raw: string | undefined, param = 'currency'): string {
  if (raw === undefined || raw === '') {
    throw invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
  }
  const currency = raw.toLowerCase();
  if (!SUPPORTED.has(currency)) {
    throw invalidRequest(
      `Invalid currency: ${currency}. Stripe currently supports these currencies: ${[...SUPPORTED].join(', ')}`,
      param,
    );
  }
  return currency;
}

export function formatAmount(amount: number, currency: string): string {
  const decimals = decimalsOf(currency);
  const major = (amount / 10 ** decimals).toFixed(decimals);
  const symbol: Record<string, string> = { usd: '$', eur: '€', gbp: '£', jpy: '¥' };
  return `${symbol[currency] ?? ''}${major} ${currency}`;
}

/**
 * Checks a charge amount (payment intents, refunds) the way the API does. `minimum` is false for refunds and
 * prices, which may be smaller than the minimum charge.
 */
export function checkAmount(
  raw: string | undefined,
  currency: string,
  options: { param?: string; minimum?: boolean; allowZero?: boolean } = {},
): number {
  const param = options.param ?? 'amount';
  if (raw === undefined || raw === '') throw invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
  if (!/^-?\d+$/.test(raw)) throw invalidRequest(`Invalid integer: ${raw}`, param, 'parameter_invalid_integer');
  const amount = Number(raw);
  if (amount < 0 || (amount === 0 && !options.allowZero)) {
    throw invalidRequest('This value must be greater than or equal to 1.', param, 'parameter_invalid_integer');
  }
  if (amount > 99_999_999) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'amount_too_large',
      param,
      message: `Amount must be no more than ${formatAmount(99_999_999, currency)}`,
    });
  }
  if (THREE_DECIMAL.has(currency) && amount % 10 !== 0) {
    throw invalidRequest(
      `Invalid amount. Currency ${currency.toUpperCase()} requires the least-significant digit of the amount to be 0 ` +
        'for compatibility with payment partners. See https://stripe.com/docs/currencies#three-decimal for more information.',
      param,
      'invalid_charge_amount',
    );
  }
  if (currency === 'isk' && amount % 100 !== 0) {
    throw invalidRequest(
      'Invalid amount. Currency ISK has become effectively zero-decimal and charged amounts must be evenly divisible ' +
        'by 100. See https://stripe.com/docs/currencies#special-cases for more information.',
      param,
      'invalid_charge_amount_no_decimal_compatible',
    );
  }
  const minimum = MINIMUM[currency];
  if (options.minimum !== false && minimum !== undefined && amount < minimum) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'amount_too_small',
      param,
      message: `Amount must be at least ${formatAmount(minimum, currency)}`,
    });
  }
  return amount;
}
