// The CochlearFit storefront: a static export whose only dynamic part is this script talking to /api through
// the platform's browser client. Each page says what it is in <body data-page>.
import {
  ChallengeRequiredError,
  CommerceError,
  createCommerce,
  RateLimitedError,
  StockConflictError,
  type CartView,
  type ChallengeConfig,
  type ProductsResponse,
} from '../../../client/commerce';

const commerce = createCommerce();
type Product = ProductsResponse['products'][number];
type Variant = Product['variants'][number];

const $ = <T extends Element = HTMLElement>(selector: string, root: ParentNode = document) => root.querySelector<T>(selector);

function money(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function say(message: string, tone: 'info' | 'warn' = 'info') {
  const status = $('[data-status]');
  if (!status) return;
  status.className = message ? `notice ${tone === 'warn' ? 'warn' : ''}` : '';
  status.textContent = message;
}

function showCount(cart: CartView) {
  for (const el of document.querySelectorAll('[data-cart-count]')) el.textContent = String(cart.itemCount);
}

function explain(error: unknown): string {
  if (error instanceof StockConflictError) {
    return error.available !== undefined ? `Sorry, only ${error.available} left.` : 'Some items are no longer available in that quantity.';
  }
  if (error instanceof RateLimitedError && error.code === 'hold_limit') {
    const minutes = Math.ceil(error.retryAfterSeconds / 60);
    return `You already have items reserved in another checkout. Finish or cancel it, or try again in about ${minutes} min.`;
  }
  if (error instanceof CommerceError) return error.problem.detail;
  return 'Something went wrong. Please try again.';
}

// ---------- shop page ----------

const SIZE_ORDER = ['XS', 'S', 'M', 'L', 'XL'];

function stockLine(variant: Variant | undefined): { text: string; tone: string } {
  if (!variant) return { text: 'Not available in this combination', tone: 'out' };
  if (variant.available === 0 && !variant.backorder) return { text: 'Sold out', tone: 'out' };
  if (variant.available !== null && variant.available <= 3) return { text: `Only ${variant.available} left`, tone: 'low' };
  return { text: 'In stock', tone: 'in' };
}

function renderProduct(product: Product, currency: string): HTMLElement {
  const card = document.createElement('article');
  card.className = 'product';
  card.dataset.product = product.sku;
  const colours = [...new Set(product.variants.map((v) => v.attributes.colour!))];
  const sizes = [...new Set(product.variants.map((v) => v.attributes.size!))].sort((a, b) => SIZE_ORDER.indexOf(a) - SIZE_ORDER.indexOf(b));
  const id = product.sku.toLowerCase();
  const radios = (name: string, values: string[]) =>
    values
      .map((value) => `<label><input type="radio" name="${id}-${name}" value="${escapeHtml(value)}"><span>${escapeHtml(value)}</span></label>`)
      .join('');
  card.innerHTML = `
    <h2 id="${id}-name">${escapeHtml(product.name)}</h2>
    <p class="description">${escapeHtml(product.description)}</p>
    <fieldset><legend>Colour</legend><div class="options" data-colours>${radios('colour', colours)}</div></fieldset>
    <fieldset><legend>Size</legend><div class="options" data-sizes>${radios('size', sizes)}</div></fieldset>
    <p class="price" data-price></p>
    <p class="stock" data-stock></p>
    <p class="limit" data-limit></p>
    <button type="button" data-add aria-describedby="${id}-name">Add to cart</button>`;

  const find = (colour: string, size: string) => product.variants.find((v) => v.attributes.colour === colour && v.attributes.size === size);
  const buyable = (v: Variant | undefined) => v !== undefined && (v.backorder || v.available === null || v.available > 0);
  const chosen = (name: string) => $<HTMLInputElement>(`input[name="${id}-${name}"]:checked`, card)?.value;

  const update = () => {
    const colour = chosen('colour')!;
    for (const input of card.querySelectorAll<HTMLInputElement>(`input[name="${id}-size"]`)) {
      input.disabled = !buyable(find(colour, input.value));
    }
    const selected = card.querySelector<HTMLInputElement>(`input[name="${id}-size"]:checked`);
    if (selected?.disabled) {
      const firstOpen = card.querySelector<HTMLInputElement>(`input[name="${id}-size"]:not(:disabled)`);
      if (firstOpen) firstOpen.checked = true;
    }
    const variant = find(colour, chosen('size') ?? '');
    const stock = stockLine(variant);
    $('[data-price]', card)!.textContent = variant ? money(variant.unitAmount, currency) : '';
    const stockEl = $('[data-stock]', card)!;
    stockEl.textContent = stock.text;
    stockEl.className = `stock ${stock.tone}`;
    $('[data-limit]', card)!.textContent = variant?.maxPerCheckout ? `Limited run: ${variant.maxPerCheckout} per order` : '';
    const add = $<HTMLButtonElement>('[data-add]', card)!;
    add.disabled = !buyable(variant);
    add.dataset.sku = variant?.sku ?? '';
    add.textContent = buyable(variant) ? 'Add to cart' : 'Sold out';
  };

  // Start on the first colour and size that can be bought.
  const start = product.variants.find(buyable) ?? product.variants[0]!;
  card.querySelector<HTMLInputElement>(`input[name="${id}-colour"][value="${CSS.escape(start.attributes.colour!)}"]`)!.checked = true;
  card.querySelector<HTMLInputElement>(`input[name="${id}-size"][value="${CSS.escape(start.attributes.size!)}"]`)!.checked = true;
  card.addEventListener('change', update);
  $('[data-add]', card)!.addEventListener('click', async (event) => {
    const button = event.currentTarget as HTMLButtonElement;
    button.disabled = true;
    try {
      const cart = await commerce.cart.add(button.dataset.sku!, 1);
      showCount(cart);
      say(`Added ${product.name} (${chosen('colour')}, ${chosen('size')}) to your cart.`);
    } catch (error) {
      say(explain(error), 'warn');
      await refreshProducts();
    } finally {
      update();
    }
  });
  update();
  return card;
}

async function refreshProducts() {
  const list = $('[data-products]')!;
  const catalog = await commerce.products();
  list.replaceChildren(...catalog.products.map((p) => renderProduct(p, catalog.currency)));
  list.setAttribute('aria-busy', 'false');
}

async function shopPage() {
  await Promise.all([refreshProducts(), commerce.cart.get().then(showCount)]);
}

// ---------- cart page ----------

const PROBLEMS: Record<string, string> = {
  inactive: 'No longer sold: please remove it.',
  unknown_sku: 'No longer sold: please remove it.',
  insufficient_stock: 'Not enough in stock for this quantity.',
  over_limit: 'More than one order may hold: please lower the quantity.',
};

// ---------- security check (Cloudflare Turnstile), for the checkouts the shop protects ----------

interface Turnstile {
  render(container: HTMLElement, options: Record<string, unknown>): string;
  reset(widgetId: string): void;
}

let turnstile: Promise<Turnstile> | null = null;

function loadTurnstile(): Promise<Turnstile> {
  turnstile ??= new Promise<Turnstile>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit';
    script.async = true;
    script.onload = () => {
      const api = (window as unknown as { turnstile?: Turnstile }).turnstile;
      if (api) resolve(api);
      else reject(new Error('no turnstile'));
    };
    script.onerror = () => {
      turnstile = null; // let a later attempt try again
      reject(new Error('The security check could not load. Check your connection and try again.'));
    };
    document.head.append(script);
  });
  return turnstile;
}

/** The widget in the checkout form: its latest token, and a reset for after a refusal (tokens are single use). */
interface ChallengeWidget {
  token(): string | undefined;
  reset(): void;
}

async function mountChallenge(container: HTMLElement, config: ChallengeConfig): Promise<ChallengeWidget> {
  let token: string | undefined;
  container.hidden = false;
  const api = await loadTurnstile();
  const id = api.render(container, {
    sitekey: config.siteKey,
    action: 'checkout',
    callback: (value: string) => (token = value),
    'expired-callback': () => (token = undefined),
    'error-callback': () => (token = undefined),
  });
  return {
    token: () => token,
    reset: () => {
      token = undefined;
      api.reset(id);
    },
  };
}

function renderCart(cart: CartView) {
  showCount(cart);
  const root = $('[data-cart]')!;
  root.setAttribute('aria-busy', 'false');
  if (cart.lines.length === 0) {
    root.innerHTML = '<p>Your cart is empty.</p><p><a class="button" href="/">Browse headbands</a></p>';
    return;
  }
  const rows = cart.lines
    .map((line) => {
      const label = `${line.name} (${Object.values(line.attributes).join(', ')})`;
      return `<tr data-line="${escapeHtml(line.sku)}">
        <td>${escapeHtml(label)}${line.problem ? `<span class="problem">${PROBLEMS[line.problem]}${line.problem === 'insufficient_stock' ? ` Only ${line.available} left.` : ''}</span>` : ''}
          ${line.quantity >= line.maxQuantity ? `<span class="limit">Limit ${line.maxQuantity} per order</span>` : ''}</td>
        <td><span class="stepper">
          <button type="button" class="secondary" data-step="-1" aria-label="One fewer ${escapeHtml(label)}">−</button>
          <span aria-label="Quantity">${line.quantity}</span>
          <button type="button" class="secondary" data-step="1" aria-label="One more ${escapeHtml(label)}"
            ${line.quantity >= line.maxQuantity ? 'disabled' : ''}>+</button>
        </span></td>
        <td class="amount">${money(line.lineAmount, cart.currency)}</td>
        <td><button type="button" class="secondary" data-remove aria-label="Remove ${escapeHtml(label)}">Remove</button></td>
      </tr>`;
    })
    .join('');
  const blocked = cart.lines.some((l) => l.problem);
  root.innerHTML = `
    <table class="cart"><thead><tr><th>Item</th><th>Quantity</th><th class="amount">Price</th><th><span class="skip">Actions</span></th></tr></thead><tbody>${rows}</tbody></table>
    <form class="summary" data-checkout>
      <div class="row"><span>Subtotal</span><strong data-subtotal>${money(cart.subtotal, cart.currency)}</strong></div>
      <label>Coupon code (optional)<input name="coupon" autocomplete="off"></label>
      <label>Email for your receipt (optional)<input name="email" type="email" autocomplete="email"></label>
      <div class="challenge" data-challenge hidden></div>
      <button type="submit" ${blocked ? 'disabled' : ''}>Checkout securely</button>
      ${blocked ? '<p class="problem">Please fix the items marked above first.</p>' : '<p>Shipping is chosen on the next page.</p>'}
    </form>`;

  for (const row of root.querySelectorAll<HTMLElement>('[data-line]')) {
    const sku = row.dataset.line!;
    const line = cart.lines.find((l) => l.sku === sku)!;
    row.querySelectorAll<HTMLButtonElement>('[data-step]').forEach((button) =>
      button.addEventListener('click', () => change(() => commerce.cart.set(sku, line.quantity + Number(button.dataset.step)))),
    );
    row.querySelector('[data-remove]')!.addEventListener('click', () => change(() => commerce.cart.remove(sku)));
  }
  const form = root.querySelector<HTMLFormElement>('[data-checkout]')!;
  const challengeBox = $('[data-challenge]', form)!;
  let challenge: Promise<ChallengeWidget> | null = cart.challenge ? mountChallenge(challengeBox, cart.challenge) : null;
  challenge?.catch((error: Error) => say(error.message, 'warn'));
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const widget = challenge ? await challenge.catch(() => null) : null;
    const challengeToken = widget?.token();
    if (challenge && !challengeToken) {
      say('Please complete the security check, then press “Checkout securely”.', 'warn');
      return;
    }
    submit.disabled = true;
    say('Reserving your items…');
    try {
      const coupon = String(data.get('coupon') ?? '').trim();
      const email = String(data.get('email') ?? '').trim();
      await commerce.checkout({ ...(coupon ? { coupon } : {}), ...(email ? { email } : {}), ...(challengeToken ? { challengeToken } : {}) });
    } catch (error) {
      if (error instanceof ChallengeRequiredError && (widget || error.challenge)) {
        // The shop asks for the check on this checkout, or the token was refused (tokens are single use).
        if (widget) widget.reset();
        else challenge = mountChallenge(challengeBox, error.challenge!);
        const again = error.code === 'challenge_failed' ? 'The security check did not pass. Please complete it again' : 'Please complete the security check';
        say(`${again}, then press “Checkout securely”.`, 'warn');
        submit.disabled = false;
        return;
      }
      say(explain(error), 'warn');
      renderCart(await commerce.cart.get());
    }
  });
}

async function change(action: () => Promise<CartView>) {
  try {
    renderCart(await action());
    say('');
  } catch (error) {
    say(explain(error), 'warn');
    renderCart(await commerce.cart.get());
  }
}

async function cartPage() {
  const params = new URLSearchParams(location.search);
  if (params.has('checkout_id')) {
    say(params.has('declined') ? 'Your payment was declined. Your items are still in your cart.' : 'Checkout cancelled. Your items are still in your cart.', 'warn');
  }
  renderCart(await commerce.cart.get());
}

// ---------- success page ----------

async function successPage() {
  const root = $('[data-order]')!;
  const sessionId = new URLSearchParams(location.search).get('session_id');
  if (!sessionId) {
    root.innerHTML = '<p>We could not find your order. If you paid, you will get an email shortly.</p>';
    return;
  }
  // The payment's webhook may land a moment after the shopper does.
  for (let attempt = 0; attempt < 20; attempt++) {
    const status = await commerce.orderStatus(sessionId);
    if (status.order) {
      const { order } = status;
      root.setAttribute('aria-busy', 'false');
      root.innerHTML = `
        <p class="notice">${status.paymentStatus === 'paid' ? 'Your payment is confirmed.' : 'Your order is waiting for your payment to clear.'}</p>
        <p>Your order number is <strong data-order-number>${escapeHtml(order.number)}</strong>.</p>
        <ul>${order.lines.map((l) => `<li>${l.quantity} × ${escapeHtml(l.name)} (${escapeHtml(Object.values(l.attributes).join(', '))}) · ${money(l.lineAmount, order.currency)}</li>`).join('')}</ul>
        <p>Total paid: <strong>${money(order.total, order.currency)}</strong></p>
        ${order.fulfilment ? `<p class="notice" data-shipped>Shipped with ${escapeHtml(order.fulfilment.carrier)}, tracking number <strong>${escapeHtml(order.fulfilment.trackingNumber)}</strong>.</p>` : ''}`;
      showCount(await commerce.cart.get());
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  root.innerHTML = '<p>Your payment is being confirmed. You will get an email with your order number shortly.</p>';
}

const pages: Record<string, () => Promise<void>> = {
  shop: shopPage,
  cart: cartPage,
  success: successPage,
  notfound: async () => showCount(await commerce.cart.get()),
};
pages[document.body.dataset.page ?? '']?.().catch((error) => say(explain(error), 'warn'));
