'use strict';
LS.page(async () => {
  const { el, api, clear } = LS;
  const labs = await api('/api/v1/labs');
  const tbody = document.querySelector('#labs-table tbody');
  // The agents' own footprint (docs/dashboard.md, "Agent resources"): median and max of the newest figures.
  const mib = b => (b / 1048576).toFixed(1) + ' MiB';
  function agentResources(r) {
    if (!r || r.agents === 0) return [el('td', { class: 'muted' }, 'no figures'), el('td', { class: 'muted' }, 'no figures')];
    const over = r.overBudget > 0 ? el('span', { class: 'flag', title: 'agents over the fleet budget' }, ' ' + r.overBudget + ' over budget') : '';
    return [el('td', { class: 'agent-memory' }, mib(r.rssMedianBytes) + ' / ' + mib(r.rssMaxBytes), over),
      el('td', { class: 'agent-cpu' }, r.cpuMedianPercent + ' % / ' + r.cpuMaxPercent + ' %')];
  }
  for (const lab of labs) {
    const egress = el('td', {});
    if (lab.smtpEgressHosts.length === 0) {
      egress.appendChild(el('span', { class: 'muted' }, 'none'));
    } else {
      lab.smtpEgressHosts.forEach((h, i) => {
        if (i > 0) egress.appendChild(document.createTextNode(', '));
        egress.appendChild(LS.hostLink(h.hostId, h.hostname, h.nameShared));
      });
    }
    tbody.appendChild(el('tr', { 'data-lab': lab.lab },
      el('td', {}, el('a', { href: '/hosts?lab=' + encodeURIComponent(lab.lab) }, lab.lab)),
      el('td', {}, lab.hosts),
      el('td', {}, lab.compliancePercent + ' % (' + lab.compliant + ')'),
      el('td', {}, lab.definitionsFreshPercent + ' %'),
      el('td', {}, lab.fullScanRecentPercent + ' %'),
      el('td', {}, lab.seenRecentlyPercent + ' %'),
      egress,
      ...agentResources(lab.agentResources)));
  }

  const rulesBody = document.querySelector('#rules-table tbody');
  async function loadRules() {
    clear(rulesBody);
    const rules = await api('/api/v1/lab-rules');
    for (const r of rules) {
      const row = el('tr', {}, el('td', {}, r.position), el('td', {}, r.kind), el('td', { class: 'mono' }, r.pattern), el('td', {}, r.lab));
      if (LS.isAdmin()) {
        const remove = el('button', { type: 'button', class: 'secondary' }, 'Remove');
        remove.addEventListener('click', async () => {
          await api('/api/v1/lab-rules/' + encodeURIComponent(r.ruleId), { method: 'DELETE' });
          await loadRules();
        });
        row.appendChild(el('td', {}, remove));
      }
      rulesBody.appendChild(row);
    }
    if (rules.length === 0) rulesBody.appendChild(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'No rules: labs come from the agents\' configuration.')));
  }
  await loadRules();

  const form = document.getElementById('rule-form');
  if (form) {
    const message = document.getElementById('rule-message');
    form.addEventListener('submit', async event => {
      event.preventDefault();
      clear(message);
      try {
        await api('/api/v1/lab-rules', { method: 'POST', json: { kind: form.kind.value, pattern: form.pattern.value, lab: form.lab.value } });
        form.reset();
        await loadRules();
        message.appendChild(el('div', { class: 'notice' }, 'Rule added. Lab figures change on the next page load.'));
      } catch (e) {
        LS.showError(message, e);
      }
    });
  }
});
