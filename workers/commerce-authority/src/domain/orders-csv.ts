// Orders as CSV (RFC 4180) for the merchant's spreadsheet or accounting tool: one row per order, CRLF line ends,
// a field quoted when it holds a quote, comma, CR or LF (quotes doubled). A text field that a spreadsheet would run
// as a formula (starting with = + - @, tab or CR) is prefixed with an apostrophe. Amounts are decimals in the
// order's currency (its minor-unit exponent), never floats.
import type { AdminOrderView } from '../../../../shared/contracts';

const HEADER = [
  'order',
  'created_at',
  'status',
  'email',
  'name',
  'address',
  'items',
  'currency',
  'subtotal',
  'discount',
  'shipping',
  'tax',
  'total',
  'refunded',
  'coupon',
  'dispute',
  'attention',
  'carrier',
  'tracking_number',
  'fulfilled_at',
];

function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Text a person or shopper typed: kept as text by spreadsheets, never evaluated. */
function text(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** 1850 gbp -> "18.50"; 1850 jpy -> "1850". */
export function decimalAmount(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  const units = String(Math.abs(minor)).padStart(digits + 1, '0');
  const sign = minor < 0 ? '-' : '';
  return digits === 0 ? `${sign}${units}` : `${sign}${units.slice(0, -digits)}.${units.slice(-digits)}`;
}

function addressOf(address: Record<string, unknown> | null): { name: string; address: string } {
  const inner = (address?.address ?? {}) as Record<string, unknown>;
  const parts = ['line1', 'line2', 'city', 'state', 'postal_code', 'country']
    .map((key) => inner[key])
    .filter((part): part is string => typeof part === 'string' && part.length > 0);
  return { name: typeof address?.name === 'string' ? address.name : '', address: parts.join(', ') };
}

export function ordersCsv(orders: readonly AdminOrderView[]): string {
  const rows = orders.map((order) => {
    const money = (minor: number) => decimalAmount(minor, order.currency);
    const { name, address } = addressOf(order.shippingAddress);
    const items = order.lines.map((line) => {
      const attributes = Object.values(line.attributes).join(', ');
      return `${line.quantity} x ${line.name}${attributes ? ` (${attributes})` : ''} [${line.sku}]`;
    });
    return [
      order.number,
      order.createdAt,
      order.status,
      text(order.email),
      text(name),
      text(address),
      text(items.join('; ')),
      order.currency,
      money(order.amounts.subtotal),
      money(order.amounts.discount),
      money(order.amounts.shipping),
      money(order.amounts.tax),
      money(order.amounts.total),
      money(order.amounts.refunded),
      order.couponCode ?? '',
      order.dispute ?? '',
      order.attention ?? '',
      text(order.fulfilment?.carrier),
      text(order.fulfilment?.trackingNumber),
      order.fulfilment?.fulfilledAt ?? '',
    ];
  });
  return [HEADER, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
