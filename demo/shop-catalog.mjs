// The demo shop's goods: fixed data, so answers are realistic JSON without a database.

export const PRODUCTS = Object.freeze([
  { id: 1, name: 'Trail running shoes', priceCents: 12900, stock: 14 },
  { id: 2, name: 'Insulated bottle', priceCents: 2900, stock: 120 },
  { id: 3, name: 'Rain shell', priceCents: 18900, stock: 6 },
  { id: 4, name: 'Head torch', priceCents: 3900, stock: 41 },
  { id: 5, name: 'Merino socks', priceCents: 1900, stock: 230 },
  { id: 6, name: 'Trekking poles', priceCents: 8900, stock: 0 },
]);

export function findProduct(id) {
  return PRODUCTS.find((p) => String(p.id) === id);
}

/** The usual time each endpoint takes when nothing is wrong, [min, max) in ms: /slow is slow by design. */
export const BASE_LATENCY_MS = Object.freeze({
  products: [5, 20],
  product: [2, 10],
  orders: [10, 40],
  slow: [300, 700],
});
