// What every console section is: a title, the nav section it belongs to, and a render from the route's parameters.
// A new section (health, say) is one more View and one more line in routes.ts.
import { $ } from './dom';

export type Section = 'orders' | 'stock' | 'coupons';

export interface View {
  section: Section;
  /** The page title, from the route's parameters. */
  title: (params: string[]) => string;
  render: (params: string[], query: URLSearchParams) => Promise<HTMLElement>;
}

/** The alert region: a refusal or failure, in words. Empty clears it. */
export function alertText(text: string): void {
  $('[data-alert]')!.textContent = text;
}

/** Re-runs the current route (after a change), keeping the merchant where they are. */
export function refresh(): void {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
