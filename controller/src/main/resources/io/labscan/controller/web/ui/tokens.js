'use strict';
// The API tokens page (admin). Token names and labs are shown as text only; the secret once.
LS.page(async () => {
  const { el, api, clear } = LS;
  const body = document.querySelector('#tokens tbody');
  const form = document.getElementById('token-form');
  const status = document.getElementById('token-status');
  const secretBox = document.getElementById('token-secret');
  const secret = document.getElementById('new-token');

  async function load() {
    const tokens = await api('/api/v1/tokens');
    clear(body);
    if (tokens.length === 0) {
      body.appendChild(el('tr', {}, el('td', { colspan: 10, class: 'muted' }, 'No tokens.')));
    }
    for (const t of tokens) {
      let action = el('span', { class: 'muted' }, '');
      if (t.state === 'active') {
        action = el('button', { type: 'button', class: 'danger revoke' }, 'Revoke');
        action.addEventListener('click', async () => {
          clear(status);
          if (!window.confirm('Revoke token "' + t.name + '"? Scripts using it stop working at once.')) return;
          try {
            await api('/api/v1/tokens/' + encodeURIComponent(t.tokenId), { method: 'DELETE' });
            await load();
          } catch (e) {
            LS.showError(status, e);
          }
        });
      }
      body.appendChild(el('tr', { 'data-token-id': t.tokenId }, el('td', {}, t.name), el('td', { class: 'mono' }, t.tokenId),
        el('td', {}, t.role), el('td', {}, t.labs.join(', ')), el('td', {}, t.createdBy), el('td', {}, LS.time(t.created)),
        el('td', {}, LS.time(t.expires)), el('td', { class: 'last-used' }, t.lastUsed ? LS.time(t.lastUsed) : 'never'),
        el('td', { class: 'token-state' }, t.state), el('td', {}, action)));
    }
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clear(status);
    secretBox.hidden = true;
    const labs = form.labs.value.split(',').map(s => s.trim()).filter(s => s !== '');
    try {
      const created = await api('/api/v1/tokens', { method: 'POST', json: {
        name: form.name.value, role: form.role.value, labs, expiresIn: form.expires.value } });
      secret.textContent = created.token;
      secretBox.hidden = false;
      form.reset();
      await load();
    } catch (e) {
      LS.showError(status, e);
    }
  });

  await load();
});
