'use strict';
// The Settings page (admin): trusted MTAs for complaint triage. Entries are shown as text only.
LS.page(async () => {
  const { el, api, clear } = LS;
  const body = document.querySelector('#trusted-mtas tbody');
  const form = document.getElementById('trusted-mta-form');
  const entry = document.getElementById('trusted-mta-entry');
  const status = document.getElementById('trusted-mta-status');

  async function load() {
    const items = await api('/api/v1/settings/trusted-mtas');
    clear(body);
    if (items.length === 0) {
      body.appendChild(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'None: only hosts with the mail-server role are trusted.')));
    }
    for (const item of items) {
      let action = el('span', { class: 'muted' }, 'fixed');
      if (item.removable) {
        action = el('button', { type: 'button', class: 'danger' }, 'Remove');
        action.addEventListener('click', async () => {
          clear(status);
          try {
            await api('/api/v1/settings/trusted-mtas/' + encodeURIComponent(item.entryId), { method: 'DELETE' });
            await load();
          } catch (e) {
            LS.showError(status, e);
          }
        });
      }
      body.appendChild(el('tr', {}, el('td', { class: 'mono' }, String(item.entry)), el('td', {}, String(item.source)),
        el('td', {}, String(item.addedBy)), el('td', {}, item.added ? LS.time(item.added) : '-'), el('td', {}, action)));
    }
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clear(status);
    try {
      await api('/api/v1/settings/trusted-mtas', { method: 'POST', json: { entry: entry.value.trim() } });
      entry.value = '';
      await load();
    } catch (e) {
      LS.showError(status, e);
    }
  });

  await load();
});
