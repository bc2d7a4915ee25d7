// A local stand-in for Chatwoot, for the bridge's tests: Chatwoot itself
// (Rails, Postgres, Redis, Sidekiq) cannot run on these machines. It serves
// exactly the endpoints of Chatwoot's application API the bridge uses, with
// the request and response shapes of Chatwoot's published swagger
// (github.com/chatwoot/chatwoot, swagger/paths/application/… and
// swagger/definitions/request/…), checks the `api_access_token` header, and,
// like Chatwoot, posts a `message_created` webhook event to the API inbox's
// webhook URL for every message created in the inbox — incoming messages,
// private notes and agents' replies alike.
//
//   POST /api/v1/accounts/{account_id}/contacts                      (contact/create_payload.yml)
//   POST /api/v1/accounts/{account_id}/conversations                 (conversation/create_payload.yml)
//   POST /api/v1/accounts/{account_id}/conversations/{id}/messages   (conversation/messages/create.yml)
//   POST /api/v1/accounts/{account_id}/conversations/{id}/labels     (conversation/labels/create.yml)
//   POST /api/v1/accounts/{account_id}/conversations/{id}/toggle_status (conversation/toggle_status.yml)
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const MESSAGE_TYPES = { incoming: 0, outgoing: 1 };

export async function startChatwoot({ accountId = 7, inboxId = 3, token = 'cw-access-token-123' } = {}) {
  // `failures`: calls to refuse once each ({ pattern, status }), to test retries.
  const state = { contacts: [], conversations: new Map(), calls: [], webhookUrl: null, webhookDeliveries: [], failures: [] };
  let nextId = 100;

  function reply(res, status, body) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }
  const refuse = (res, status, message) => reply(res, status, { message, attributes: [] });

  async function fireWebhook(conversation, message) {
    if (!state.webhookUrl) return;
    // The shape of Chatwoot's message_created webhook event (the fields a receiver reads).
    const event = {
      event: 'message_created',
      id: message.id,
      content: message.content,
      created_at: new Date(message.created_at * 1000).toISOString(),
      message_type: message.message_type_name,
      content_type: 'text',
      private: message.private,
      source_id: null,
      sender: message.sender,
      account: { id: accountId, name: 'Shop' },
      conversation: { id: conversation.id, inbox_id: inboxId, status: conversation.status, additional_attributes: {}, custom_attributes: conversation.custom_attributes },
      inbox: { id: inboxId, name: 'Touchpoint' },
    };
    try {
      const answer = await fetch(state.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
      state.webhookDeliveries.push({ status: answer.status, body: await answer.json().catch(() => null), event });
    } catch (error) {
      state.webhookDeliveries.push({ status: 0, error: String(error), event });
    }
  }

  function addMessage(conversation, { content, message_type, private: isPrivate = false, sender }) {
    const message = {
      id: nextId++,
      content,
      message_type: MESSAGE_TYPES[message_type],
      message_type_name: message_type,
      private: Boolean(isPrivate),
      conversation_id: conversation.id,
      created_at: Math.floor(Date.now() / 1000),
      sender: sender ?? (message_type === 'incoming'
        ? { id: conversation.contact_id, name: 'Website visitor', type: 'contact' }
        : { id: 1, name: 'API', type: 'user' }),
    };
    conversation.messages.push(message);
    return message;
  }

  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => { raw += chunk; });
    req.on('end', async () => {
      const url = new URL(req.url, 'http://chatwoot.local');
      let body = null;
      try { body = raw ? JSON.parse(raw) : {}; } catch { return refuse(res, 400, 'invalid JSON'); }
      state.calls.push({ method: req.method, path: url.pathname, body, token: req.headers.api_access_token });
      const base = `/api/v1/accounts/${accountId}`;
      if (!url.pathname.startsWith('/api/v1/accounts/')) return refuse(res, 404, 'not found');
      if (!url.pathname.startsWith(base + '/')) return refuse(res, 404, 'account not found');
      if (req.headers.api_access_token !== token) return refuse(res, 401, 'You need to sign in or sign up before continuing.');
      if (req.method !== 'POST') return refuse(res, 404, 'not found');
      const rest = url.pathname.slice(base.length);
      const failure = state.failures.findIndex((f) => f.pattern.test(rest));
      if (failure >= 0) return refuse(res, state.failures.splice(failure, 1)[0].status, 'injected failure');

      if (rest === '/contacts') {
        if (typeof body.inbox_id !== 'number' || body.inbox_id !== inboxId) return refuse(res, 422, 'inbox_id is required and must be an API inbox of the account');
        const contact = { id: nextId++, name: body.name ?? '', email: body.email ?? null, phone_number: body.phone_number ?? null, identifier: body.identifier ?? null, additional_attributes: body.additional_attributes ?? {} };
        if (contact.identifier && state.contacts.some((c) => c.identifier === contact.identifier)) return refuse(res, 422, 'Identifier has already been taken');
        const source_id = randomUUID();
        state.contacts.push({ ...contact, source_id });
        return reply(res, 200, { payload: { contact, contact_inbox: { source_id, inbox: { id: inboxId, name: 'Touchpoint', channel_type: 'Channel::Api' } } } });
      }
      if (rest === '/conversations') {
        const contact = state.contacts.find((c) => c.source_id === body.source_id);
        if (typeof body.source_id !== 'string' || !contact) return refuse(res, 422, 'source_id is required and must belong to a contact of the inbox');
        if (body.inbox_id !== inboxId || body.contact_id !== contact.id) return refuse(res, 422, 'inbox_id and contact_id must match the source_id');
        if (body.status && !['open', 'resolved', 'pending'].includes(body.status)) return refuse(res, 422, 'invalid status');
        const conversation = { id: nextId++, account_id: accountId, inbox_id: inboxId, contact_id: contact.id, status: body.status ?? 'open', custom_attributes: body.custom_attributes ?? {}, labels: [], messages: [] };
        state.conversations.set(conversation.id, conversation);
        const { messages, ...view } = conversation;
        return reply(res, 200, view);
      }
      const match = rest.match(/^\/conversations\/(\d+)\/(messages|labels|toggle_status)$/);
      const conversation = match && state.conversations.get(Number(match[1]));
      if (!conversation) return refuse(res, 404, 'Resource could not be found');
      if (match[2] === 'messages') {
        if (typeof body.content !== 'string' || !['incoming', 'outgoing'].includes(body.message_type ?? 'outgoing')) return refuse(res, 422, 'content and a valid message_type are required');
        const message = addMessage(conversation, { content: body.content, message_type: body.message_type ?? 'outgoing', private: body.private });
        reply(res, 200, { ...message, message_type: message.message_type, message_type_name: undefined });
        await fireWebhook(conversation, message);
        return;
      }
      if (match[2] === 'labels') {
        if (!Array.isArray(body.labels) || body.labels.some((l) => typeof l !== 'string')) return refuse(res, 422, 'labels must be an array of strings');
        conversation.labels = body.labels;
        return reply(res, 200, { payload: conversation.labels });
      }
      if (!['open', 'resolved', 'pending', 'snoozed'].includes(body.status)) return refuse(res, 422, 'status is required');
      conversation.status = body.status;
      return reply(res, 200, { meta: {}, payload: { success: true, current_status: conversation.status, conversation_id: conversation.id } });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    accountId,
    inboxId,
    token,
    state,
    /** Sets the API inbox's webhook URL (Chatwoot: Inbox settings → Webhook URL). */
    setWebhook(webhookUrl) { state.webhookUrl = webhookUrl; },
    /** An agent answers in Chatwoot's dashboard: the message is stored and the webhook fires. */
    async agentReplies(conversationId, content, name = 'Carla Mendes') {
      const conversation = state.conversations.get(conversationId);
      const message = addMessage(conversation, { content, message_type: 'outgoing', sender: { id: 42, name, type: 'user' } });
      await fireWebhook(conversation, message);
      return message;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
