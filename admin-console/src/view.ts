// What every console section is: a title, the nav section it belongs to, and a render from the route's parameters.
// A new section (health, say) is one more View and one more line in routes.ts.
import { ApiError } from './api';
import { $ } from './dom';

export type Section = 'orders' | 'stock' | 'coupons' | 'health';

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

/** What to tell the merchant about a failure: the shop's own words, or `fallback` when it could not answer. */
export function explain(error: unknown, fallback = 'The shop could not be reached. Try again.'): string {
  return error instanceof ApiError ? error.explanation : fallback;
}

/** Runs a change the merchant asked for, then re-renders the page; a refusal goes to the alert region. */
export async function act(change: () => Promise<unknown>, then: () => void = refresh): Promise<void> {
  try {
    await change();
    then();
  } catch (error) {
    alertText(explain(error, 'Nothing changed: the shop could not be reached.'));
  }
}
