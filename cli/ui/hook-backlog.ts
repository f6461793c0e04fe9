import type { HookBacklog } from './feed.js';

/** " · webhooks: ep_a 120 pending (failing), ep_b disabled": only endpoints with something to say. */
export function hookBacklogText(hooks: readonly HookBacklog[] | undefined): string {
  const shown = (hooks ?? []).filter((h) => h.pending > 0 || h.state !== 'ok');
  if (shown.length === 0) return '';
  const one = (h: HookBacklog) => `${h.endpoint} ${h.state === 'disabled' ? `disabled${h.pending > 0 ? `, ${h.pending} waiting` : ''}` : `${h.pending} pending${h.state === 'failing' ? ' (failing)' : ''}`}`;
  return ` · webhooks: ${shown.slice(0, 2).map(one).join(', ')}${shown.length > 2 ? ` +${shown.length - 2} more` : ''}`;
}
