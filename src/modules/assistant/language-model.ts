// The pluggable language model: an OpenAI-compatible chat-completions endpoint, off unless configured. The model is
// given the message, the Page's approved FAQ questions by id, and three tools; it never sees a PSID, a name or any
// stored data. Its answer counts only as a tool call naming a known entry (faq_lookup), the asker's orders
// (contact_orders) or a handover (hand_over): pagescope then renders the reply itself from the entry or the data, so
// no text the model writes is ever sent. Anything else (a timeout, an HTTP error, prose, an unknown tool or id)
// returns null and the offline assistant decides.

export interface LanguageModelConfig {
  url: string;
  model: string;
  apiKey: string | null;
  timeoutMs: number;
}

export type ModelChoice = { tool: 'faq_lookup'; faqId: string } | { tool: 'contact_orders' } | { tool: 'hand_over' };

export type ModelOutcome =
  { ok: true; choice: ModelChoice } | { ok: false; failure: 'timeout' | 'http_error' | 'unreachable' | 'garbage' };

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'faq_lookup',
      description: "Answer with one of the business's approved FAQ entries, by its id.",
      parameters: {
        type: 'object',
        properties: { faq_id: { type: 'string', description: 'the id of the FAQ entry that answers the message' } },
        required: ['faq_id'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'contact_orders',
      description: "Answer with the status of the person's own orders (the business looks them up).",
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  },
  {
    type: 'function',
    function: {
      name: 'hand_over',
      description: 'Hand the conversation to a person on the team: the person asks for one, or no entry answers.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  },
];

function endpoint(url: string): string {
  return /\/chat\/completions$/.test(url) ? url : `${url.replace(/\/+$/, '')}/chat/completions`;
}

function parseChoice(body: unknown, faqIds: ReadonlySet<string>): ModelChoice | null {
  const message = (body as { choices?: { message?: unknown }[] } | null)?.choices?.[0]?.message as
    { tool_calls?: { function?: { name?: unknown; arguments?: unknown } }[] } | undefined;
  const call = message?.tool_calls?.[0]?.function;
  if (!call || typeof call.name !== 'string') return null;
  if (call.name === 'hand_over') return { tool: 'hand_over' };
  if (call.name === 'contact_orders') return { tool: 'contact_orders' };
  if (call.name !== 'faq_lookup' || typeof call.arguments !== 'string') return null;
  let args: unknown;
  try {
    args = JSON.parse(call.arguments);
  } catch {
    return null;
  }
  const faqId = (args as { faq_id?: unknown } | null)?.faq_id;
  return typeof faqId === 'string' && faqIds.has(faqId) ? { tool: 'faq_lookup', faqId } : null;
}

/** Asks the model which tool answers `text`; never throws. */
export async function askLanguageModel(
  config: LanguageModelConfig,
  text: string,
  entries: readonly { id: string; question: string }[],
): Promise<ModelOutcome> {
  const catalogue = entries.map((e) => `${e.id}: ${e.question}`).join('\n');
  const body = {
    model: config.model,
    temperature: 0,
    tool_choice: 'required',
    tools: TOOLS,
    messages: [
      {
        role: 'system',
        content:
          "You route a customer's message for a business on Messenger. Call exactly one tool: faq_lookup with the " +
          'id of the FAQ entry that answers the message, contact_orders when they ask about their own order, or ' +
          'hand_over when they ask for a person or nothing below answers. Never write a reply yourself.\n' +
          `FAQ entries (id: question):\n${catalogue}`,
      },
      { role: 'user', content: text },
    ],
  };
  let res: Response;
  try {
    res = await fetch(endpoint(config.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(config.apiKey && { authorization: `Bearer ${config.apiKey}` }),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (err) {
    const name = (err as { name?: string }).name;
    return { ok: false, failure: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unreachable' };
  }
  let parsed: unknown;
  try {
    // The body is read under the same deadline: a model that stalls mid-answer times out too.
    parsed = JSON.parse(await res.text());
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, failure: 'timeout' };
    return { ok: false, failure: res.ok ? 'garbage' : 'http_error' };
  }
  if (!res.ok) return { ok: false, failure: 'http_error' };
  const choice = parseChoice(parsed, new Set(entries.map((e) => e.id)));
  return choice ? { ok: true, choice } : { ok: false, failure: 'garbage' };
}
