import type { LlmSettings } from '../../settings.js';

/**
 * Whether the configured endpoint answers and serves the model: GET <base>/models, as every
 * OpenAI-compatible server does. Resolves undefined when usable, else why not (for `doctor`, and
 * for the agent, which then runs interviews scripted). Never throws; never includes the key.
 */
export async function probeLlm(llm: LlmSettings, timeoutMs = 5000): Promise<string | undefined> {
  let res: Response;
  try {
    res = await fetch(`${llm.baseUrl}/models`, {
      headers: llm.apiKey ? { authorization: `Bearer ${llm.apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000}s` : (e.cause?.code ?? e.message);
    return `${llm.baseUrl} is unreachable (${why})`;
  }
  if (res.status === 401 || res.status === 403) return `${llm.baseUrl} refused the key (HTTP ${res.status})`;
  // Some compatible servers serve chat completions without listing models: not a reason to give up.
  if (res.status === 404 || res.status === 405) return undefined;
  if (!res.ok) return `${llm.baseUrl}/models answered HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { data?: { id?: unknown }[] };
    const ids = (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
    if (ids.length > 0 && !ids.includes(llm.model)) return `${llm.baseUrl} does not serve model ${JSON.stringify(llm.model)}`;
  } catch {
    // a listing we cannot read says nothing about chat completions
  }
  return undefined;
}
