'use strict';
LS.page(async () => {
  const { el, api, clear } = LS;
  const tbody = document.querySelector('#campaigns-table tbody');
  const detail = document.getElementById('campaign-detail');

  function stateCell(run, state) {
    return el('td', { class: 'state-' + state }, run ? run.counts[state] : '');
  }

  async function showDetail(campaignId) {
    clear(detail);
    const c = await api('/api/v1/campaigns/' + encodeURIComponent(campaignId));
    detail.appendChild(el('h2', {}, 'Campaign: ' + c.name));
    if (c.runs.length === 0) {
      detail.appendChild(el('p', { class: 'muted' }, 'Not run yet.'));
      return;
    }
    for (const run of c.runs) {
      const t = el('table', { class: 'run-targets', 'data-run-id': run.runId },
        el('thead', {}, el('tr', {}, ['Host', 'State', 'Detail'].map(h => el('th', {}, h)))));
      const tb = el('tbody');
      for (const target of run.targets) {
        tb.appendChild(el('tr', { 'data-host-id': target.hostId }, el('td', {}, LS.hostLink(target.hostId, target.hostname, target.nameShared)),
          el('td', { class: 'state-' + target.state }, target.state), el('td', {}, target.detail)));
      }
      t.appendChild(tb);
      detail.appendChild(el('section', { class: 'panel' },
        el('p', {}, 'Run fired ', LS.time(run.fired), ' by ' + run.firedBy + ': ' + run.targets.length + ' hosts'), t));
    }
  }

  async function load() {
    clear(tbody);
    const campaigns = await api('/api/v1/campaigns');
    for (const c of campaigns) {
      const run = c.runs[0];
      const actions = el('td', {});
      const view = el('button', { type: 'button', class: 'secondary' }, 'Details');
      view.addEventListener('click', () => showDetail(c.campaignId));
      actions.appendChild(view);
      if (LS.canCampaign()) {
        const runNow = el('button', { type: 'button', class: 'run-now' }, 'Run now');
        runNow.addEventListener('click', async () => {
          await api('/api/v1/campaigns/' + encodeURIComponent(c.campaignId) + '/run', { method: 'POST' });
          await load();
          await showDetail(c.campaignId);
        });
        const remove = el('button', { type: 'button', class: 'danger' }, 'Delete');
        remove.addEventListener('click', async () => {
          if (!window.confirm('Delete campaign "' + c.name + '" and its history?')) return;
          await api('/api/v1/campaigns/' + encodeURIComponent(c.campaignId), { method: 'DELETE' });
          clear(detail);
          await load();
        });
        actions.append(' ', runNow, ' ', remove);
      }
      tbody.appendChild(el('tr', { 'data-campaign-id': c.campaignId },
        el('td', {}, c.name), el('td', {}, c.lab === null ? 'every host' : c.lab),
        el('td', { class: 'mono' }, c.cron === null ? 'on demand' : c.cron + ' (' + c.timeZone + ')'),
        el('td', {}, LS.time(c.nextFire)), el('td', {}, run ? LS.time(run.fired) : 'never'),
        stateCell(run, 'completed'), stateCell(run, 'pending'), stateCell(run, 'offline'), stateCell(run, 'failed'),
        actions));
    }
    if (campaigns.length === 0) tbody.appendChild(el('tr', {}, el('td', { colspan: 10, class: 'muted' }, 'No campaigns.')));
  }

  const form = document.getElementById('campaign-form');
  if (form) {
    const labSelect = document.getElementById('campaign-lab');
    // A lab manager's campaigns name one of its labs: never every host.
    if (!LS.isAdmin()) labSelect.querySelectorAll('option[value=""]').forEach(o => o.remove());
    for (const l of await api('/api/v1/labs')) labSelect.appendChild(el('option', { value: l.lab }, l.lab));
    const message = document.getElementById('campaign-message');
    form.addEventListener('submit', async event => {
      event.preventDefault();
      clear(message);
      const when = form.when.value;
      let cron = null;
      if (when === 'nightly') {
        const [hh, mm] = (form.time.value || '01:00').split(':').map(n => parseInt(n, 10));
        cron = '0 ' + mm + ' ' + hh + ' * * ?';
      } else if (when === 'cron') {
        cron = form.cron.value;
      }
      try {
        const c = await api('/api/v1/campaigns', { method: 'POST', json: {
          name: form.name.value, lab: form.lab.value || null, cron,
          timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' } });
        form.reset();
        message.appendChild(el('div', { class: 'notice' }, cron ? 'Campaign scheduled.' : 'Scan requested.'));
        await load();
        await showDetail(c.campaignId);
      } catch (e) {
        LS.showError(message, e);
      }
    });
  }
  await load();
});
