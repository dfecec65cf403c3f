'use strict';
// The audit log page (admin). Every cell is text: names a client sent (a failed login's) may be hostile.
LS.page(async () => {
  const { el, api, clear } = LS;
  const body = document.querySelector('#audit tbody');
  const form = document.getElementById('audit-filter');
  const csv = document.getElementById('audit-csv');
  const status = document.getElementById('audit-status');

  function query() {
    const q = new URLSearchParams();
    if (form.actor.value.trim()) q.set('actor', form.actor.value.trim());
    if (form.action.value.trim()) q.set('action', form.action.value.trim());
    if (form.from.value) q.set('from', form.from.value);
    if (form.to.value) q.set('to', form.to.value);
    return q;
  }

  async function load() {
    clear(status);
    const q = query();
    const csvQuery = new URLSearchParams(q);
    csvQuery.set('format', 'csv');
    csv.setAttribute('href', '/api/v1/audit?' + csvQuery.toString());
    let entries;
    try {
      entries = await api('/api/v1/audit?' + q.toString());
    } catch (e) {
      LS.showError(status, e);
      return;
    }
    clear(body);
    if (entries.length === 0) body.appendChild(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No entries.')));
    for (const e of entries) {
      body.appendChild(el('tr', { 'data-action': e.action }, el('td', { class: 'mono' }, String(e.seq)), el('td', {}, LS.time(e.at)),
        el('td', { class: 'audit-actor' }, e.actor + ' (' + e.actorKind + ')'), el('td', { class: 'mono audit-action' }, e.action),
        el('td', { class: 'audit-target' }, e.target), el('td', { class: 'audit-detail' }, e.detail),
        el('td', { class: 'mono' }, e.channel + (e.address ? ' ' + e.address : ''))));
    }
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    await load();
  });
  await load();
});
