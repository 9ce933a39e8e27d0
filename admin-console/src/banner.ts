// The alerts banner above every view: what the shop's cron found wrong (GET /api/admin/alerts), read again on each
// navigation. Text only; hidden when nothing is wrong, and a failed read leaves it as it was.
import { api } from './api';
import { $, h, when } from './dom';

export async function refreshBanner(): Promise<void> {
  const banner = $('[data-banner]')!;
  try {
    const { alerts } = await api.alerts();
    $('[data-banner-list]')!.replaceChildren(
      ...alerts.map((alert) =>
        h('li', { 'data-alert-kind': alert.kind }, alert.message, h('span', { class: 'since' }, ` Since ${when(alert.activeSince)}.`)),
      ),
    );
    banner.hidden = alerts.length === 0;
  } catch {
    // The view reports the failure (or the sign-out) itself.
  }
}

export function hideBanner(): void {
  $('[data-banner]')!.hidden = true;
}
