'use strict';
// The Complaints page: every complaint that arrived in a watched mailbox with triage's answer,
// and (at /complaints/{id}) one complaint with the whole triage view. Subject, From, the answer
// and every host name are mail or endpoint text: they reach the page only as text nodes.
LS.page(async () => {
  const { el, api } = LS;
  const root = document.getElementById('complaints');
  const str = v => (v === null || v === undefined ? '' : String(v));
  const OUTCOMES = { 'triaged': 'triaged', 'no-origin': 'no origin', 'not-a-complaint': 'not a complaint', 'failed': 'failed' };
  const outcome = o => el('span', { class: 'badge outcome-' + (OUTCOMES[o] ? o : 'failed') }, OUTCOMES[o] || str(o));

  function host(c) {
    if (!c.host) return el('span', { class: 'muted' }, 'none');
    return el('span', {}, LS.hostLink(c.host.hostId, c.host.hostname, c.host.nameShared), ' ',
      c.host.verdict ? LS.verdictBadge(c.host.verdict) : '',
      c.confidence === null ? '' : ' ' + Number(c.confidence).toFixed(2));
  }

  function evidence(c) {
    return c.recorded ? el('span', { class: 'ok' }, 'recorded')
      : el('span', { class: 'muted', title: str(c.evidence) }, c.recordable ? 'not recorded' : 'unverified');
  }

  const match = window.location.pathname.match(/^\/complaints\/(\d+)$/);
  if (match) {
    const c = await api('/api/v1/complaints/' + match[1]);
    document.getElementById('complaints-title').textContent = 'Complaint #' + c.id;
    document.getElementById('complaints-intro').remove();
    root.appendChild(el('p', { class: 'answer', id: 'complaint-answer' }, c.summary || c.detail));
    root.appendChild(el('dl', { class: 'facts', id: 'complaint-facts' },
      el('dt', {}, 'Received'), el('dd', {}, LS.time(c.receivedAt)),
      el('dt', {}, 'Mailbox'), el('dd', { class: 'mono' }, c.mailbox),
      el('dt', {}, 'Subject'), el('dd', {}, c.subject),
      el('dt', {}, 'From (claimed)'), el('dd', {}, c.from),
      el('dt', {}, 'Message-ID'), el('dd', { class: 'mono' }, c.messageId),
      el('dt', {}, 'Outcome'), el('dd', {}, outcome(c.outcome), c.detail ? ' ' + c.detail : ''),
      el('dt', {}, 'Origin'), el('dd', { class: 'mono' }, c.originIp || 'none'),
      el('dt', {}, 'Host'), el('dd', {}, host(c)),
      el('dt', {}, 'Evidence'), el('dd', {}, evidence(c), ' ', c.evidence)));
    const t = c.triage;
    if (t) {
      for (const complaint of (Array.isArray(t.complaints) ? t.complaints : [])) {
        if (!Array.isArray(complaint.hops) || complaint.hops.length === 0) continue;
        root.appendChild(el('h2', {}, 'Received: chain (newest first)'));
        root.appendChild(el('table', { class: 'chain' },
          el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, 'trust'), el('th', {}, 'written by'),
            el('th', {}, 'client'), el('th', {}, 'why the writer is trusted'))),
          el('tbody', {}, complaint.hops.slice(0, 50).map(h => el('tr', {},
            el('td', {}, str(h.index)), el('td', {}, str(h.trust)), el('td', { class: 'mono' }, str(h.byHost) || '?'),
            el('td', { class: 'mono' }, [h.fromIp ? '[' + h.fromIp + ']' : '(no client IP)', h.fromRdns ? 'rDNS ' + h.fromRdns : '',
              h.fromHelo ? 'HELO ' + h.fromHelo : ''].filter(Boolean).join(' ')),
            el('td', {}, h.trustSource ? str(h.trustSource) : el('span', { class: 'muted' }, 'claimed by the sender')))))));
      }
      if (t.tracedPart) root.appendChild(el('p', {}, 'Traced: ', str(t.tracedPart)));
      root.appendChild(el('h2', {}, 'Candidates'));
      const cands = Array.isArray(t.candidates) ? t.candidates : [];
      root.appendChild(cands.length === 0 ? el('p', { class: 'muted' }, 'No candidate host.')
        : el('ol', { id: 'complaint-candidates' }, cands.map(k => el('li', {},
          LS.hostLink(k.hostId, k.hostname, true), ' confidence ' + Number(k.confidence).toFixed(2),
          el('ul', { class: 'reasons' }, (k.reasons || []).map(r => el('li', {}, str(r))))))));
      root.appendChild(el('p', {}, (t.recordable ? 'Recordable: ' : 'Not recordable: ') + str(t.recordableBecause)));
      const warnings = Array.isArray(t.warnings) ? t.warnings : [];
      if (warnings.length) {
        root.appendChild(el('h2', {}, 'Warnings'));
        root.appendChild(el('ul', {}, warnings.map(w => el('li', {}, str(w)))));
      }
    }
    root.appendChild(el('p', {}, el('a', { href: '/complaints' }, 'All complaints')));
    return;
  }

  const data = await api('/api/v1/complaints');
  if (data.mailboxes.length) {
    root.appendChild(el('ul', { class: 'mailboxes', id: 'complaint-mailboxes' }, data.mailboxes.map(m => el('li', {},
      el('span', { class: 'mono' }, m.mailbox), ' — ' + m.state + ' since ', LS.time(m.since),
      ', ' + m.handled + ' handled since start', m.lastError ? el('span', { class: 'bad' }, ' · last error: ' + m.lastError) : ''))));
  } else {
    root.appendChild(el('p', { class: 'muted' }, 'No mailbox is watched (serve --complaint-mailbox).'));
  }
  if (data.complaints.length === 0) {
    root.appendChild(el('p', { class: 'notice', id: 'no-complaints' }, 'No complaint has arrived by mail.'));
    return;
  }
  root.appendChild(el('table', { class: 'complaints', id: 'complaint-list' },
    el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, 'received'), el('th', {}, 'subject / from (claimed)'),
      el('th', {}, 'answer'), el('th', {}, 'host'), el('th', {}, 'evidence'))),
    el('tbody', {}, data.complaints.map(c => el('tr', { 'data-complaint-id': c.id },
      el('td', {}, el('a', { href: '/complaints/' + c.id }, '#' + c.id)),
      el('td', {}, LS.time(c.receivedAt)),
      el('td', {}, el('div', {}, c.subject || '(no subject)'), el('div', { class: 'muted' }, c.from)),
      el('td', {}, outcome(c.outcome), ' ', c.summary || c.detail),
      el('td', {}, host(c)),
      el('td', {}, evidence(c)))))));
});
