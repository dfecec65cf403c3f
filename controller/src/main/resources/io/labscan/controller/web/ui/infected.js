'use strict';
LS.page(async () => {
  const { el, api } = LS;
  const hosts = await api('/api/v1/infected');
  const list = document.getElementById('infected-list');
  if (hosts.length === 0) {
    list.appendChild(el('p', { class: 'notice', id: 'no-infected' }, 'No ' + LS.meta().verdicts.filter(v => v.infectedList).map(v => v.name).join(' or ') + ' hosts.'));
    return;
  }
  for (const h of hosts) {
    const reasons = el('ul', { class: 'reasons' });
    for (const r of h.reasons) reasons.appendChild(el('li', {}, r.text, ' ', el('span', { class: 'evidence' }, '[' + r.evidence + ']')));
    list.appendChild(el('section', { class: 'panel infected-host', 'data-host-id': h.hostId },
      el('h2', {}, LS.verdictBadge(h.verdict), ' ', LS.hostLink(h.hostId, h.hostname, h.nameShared),
        h.demo ? [' ', el('span', { class: 'badge demo', title: 'simulated demo data' }, 'demo')] : ''),
      el('p', { class: 'muted' }, 'Lab ' + h.lab + ' · ' + (h.addresses.join(', ') || 'no address') + ' · since ', LS.time(h.verdictSince)),
      reasons));
  }
});
