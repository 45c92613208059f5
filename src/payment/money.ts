import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app-exception.js';
import { PaymentErrors } from './payment-errors.js';

/**
 * Stripe's currency rules (docs.stripe.com/currencies): amounts travel in the currency's minor unit, except for
 * zero-decimal currencies; three-decimal currencies must end in 0; ISK and HUF are sent with two decimals but only
 * whole units can be charged (multiples of 100); minimum charge amounts per currency; at most 8 digits.
 */
const ZERO_DECIMAL = new Set('bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '));
const THREE_DECIMAL = new Set('bhd jod kwd omr tnd'.split(' '));
const WHOLE_UNITS_ONLY = new Set(['isk', 'huf']);

export const SUPPORTED_CURRENCIES = new Set(
  (
    'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf ' +
    'clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils ' +
    'inr isk jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk ' +
    'mxn myr mzn nad ngn nio nok npr nzd omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp ' +
    'sle sos srd std szl thb tjs tnd top try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw'
  ).split(' '),
);

/** Minimum charge in minor units (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). */
const MINIMUM_MINOR: Record<string, number> = {
  usd: 50, eur: 50, aud: 50, cad: 50, chf: 50, nzd: 50, sgd: 50, brl: 50, inr: 50,
  gbp: 30, jpy: 50, hkd: 400, dkk: 250, nok: 300, sek: 300, mxn: 1000, thb: 1000,
  pln: 200, ron: 200, aed: 200, myr: 200, czk: 1500, huf: 17500, bgn: 100,
};

const MAXIMUM_MINOR = 99_999_999;

export function minorDigits(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

export function normalizeCurrency(raw: string): string {
  const currency = raw.toLowerCase();
  if (!SUPPORTED_CURRENCIES.has(currency)) {
    throw new AppException(PaymentErrors.UNSUPPORTED_CURRENCY, `Stripe does not support the currency ${currency.toUpperCase()}`, {
      status: HttpStatus.BAD_REQUEST,
    });
  }
  return currency;
}

function invalid(message: string): AppException {
  return new AppException(PaymentErrors.INVALID_AMOUNT, message, { status: HttpStatus.BAD_REQUEST });
}

/**
 * Major units (as clients send them, e.g. 150.00) to Stripe's integer minor units. Works on the number's decimal
 * text, not on floating-point products, so 0.29 never becomes 28.
 */
export function toMinorUnits(amount: number, currency: string, options: { minimum?: boolean } = {}): number {
  if (!Number.isFinite(amount) || amount <= 0) throw invalid('amount must be a positive number');
  const text = String(amount);
  if (/e/i.test(text)) throw invalid('amount is out of range');
  const [whole, fraction = ''] = text.split('.');
  const digits = minorDigits(currency);
  const upper = currency.toUpperCase();
  if (WHOLE_UNITS_ONLY.has(currency) && fraction !== '') throw invalid(`${upper} amounts must be whole units`);
  if (fraction.length > digits) throw invalid(`${upper} amounts have at most ${digits} decimal places`);
  const minor = Number(whole + fraction.padEnd(digits, '0'));
  if (THREE_DECIMAL.has(currency) && minor % 10 !== 0) {
    throw invalid(`${upper} amounts must end in 0 in the third decimal place`);
  }
  if (minor > MAXIMUM_MINOR) throw invalid(`amount is above Stripe's maximum of ${fromMinorUnits(MAXIMUM_MINOR, currency)} ${upper}`);
  const minimum = MINIMUM_MINOR[currency] ?? 1;
  if (options.minimum !== false && minor < minimum) {
    throw invalid(`amount is below Stripe's minimum of ${fromMinorUnits(minimum, currency)} ${upper}`);
  }
  if (minor < 1) throw invalid('amount is too small');
  return minor;
}

/** Stripe's minor units back to the major units the API speaks. */
export function fromMinorUnits(minor: number, currency: string): number {
  const digits = minorDigits(currency);
  return Number((minor / 10 ** digits).toFixed(digits));
}
