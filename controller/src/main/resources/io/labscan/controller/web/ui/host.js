'use strict';
LS.page(async () => {
  const { el, api } = LS;
  const hostId = decodeURIComponent(window.location.pathname.split('/').pop());
  const h = await api('/api/v1/hosts/' + encodeURIComponent(hostId));
  document.title = 'LabScan · ' + LS.hostText(h);
  const title = document.getElementById('host-title');
  title.textContent = '';
  title.appendChild(document.createTextNode(h.hostname + ' '));
  // Another host carries this name, or one that prints the same: the id tells them apart.
  if (h.nameShared) title.append(LS.hostIdNote(h.hostId), ' ');
  title.appendChild(LS.verdictBadge(h.verdict));
  if (h.demo) {
    title.appendChild(document.createTextNode(' '));
    title.appendChild(el('span', { class: 'badge demo', id: 'demo-badge', title: 'simulated demo data' }, 'demo'));
  }
  const body = document.getElementById('host-body');

  const facts = (pairs) => el('dl', { class: 'facts' }, pairs.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  body.appendChild(el('section', { class: 'panel', id: 'inventory' }, el('h2', {}, 'Inventory'), facts([
    ['Host id', el('span', { class: 'mono' }, h.hostId)],
    // The name reported now beside the controller's name for the host (the first it saw), when they differ.
    ['Hostname', h.enrolledAs && h.enrolledAs !== h.hostname
      ? [h.hostname + ' ', el('span', { class: 'flag', id: 'enrolled-as' }, '(enrolled as ' + h.enrolledAs + ')')] : h.hostname],
  ].concat(h.demo ? [['Demo data', 'simulated by labscan-controller demo; not a real machine']] : []).concat([
    ['Lab', h.lab + (h.labSource === 'rule' ? ' (by controller rule)' : h.labSource === 'agent' ? ' (agent configuration)' : '')],
    ['Operating system', (h.osVersion || '') + ' (' + h.osFamily + ')'],
    ['Agent', h.agentVersion + (h.elevated ? ' (elevated)' : ' (NOT elevated: other users\' sockets may be invisible)')],
    ['Addresses', el('span', { class: 'mono' }, h.addresses.join(', ') || 'none')],
    ['First seen', LS.time(h.firstSeen)],
    ['Last seen', [LS.time(h.lastSeen), ' (' + LS.ago(h.lastSeen) + ')']],
    ['Last full scan', LS.time(h.lastFullScan)],
    ['Antivirus', h.antivirus]
  ]).concat(h.clock ? [['Agent clock', el('span', { class: h.clock.flagged ? 'flag' : '', id: 'clock' },
    (h.clock.flagged ? 'SKEWED: ' : '') + h.clock.text)]] : []).concat(h.certificate ? [['Agent certificate ends', [LS.time(h.certificate.ends),
    h.certificate.renewed ? [' (renewed ', LS.time(h.certificate.renewed), ')'] : '']]] : []))));

  const verdict = el('section', { class: 'panel', id: 'verdict' }, el('h2', {}, 'Verdict'),
    el('p', {}, LS.verdictBadge(h.verdict), h.verdictSince ? [' since ', LS.time(h.verdictSince)] : ''));
  const reasons = el('ul', { class: 'reasons', id: 'reasons' });
  for (const r of h.reasons) reasons.appendChild(el('li', {}, r.text, ' ', el('span', { class: 'evidence' }, '[' + r.evidence + ']')));
  verdict.appendChild(reasons);
  const c = h.compliance;
  const rule = LS.meta().compliance;
  verdict.appendChild(el('h2', {}, 'Compliance: ', LS.yesNo(c.compliant)));
  verdict.appendChild(facts([
    ['Agent seen in the last ' + rule.seenWithin.text, LS.yesNo(c.seenRecently)],
    ['Antivirus definitions ' + rule.definitions, LS.yesNo(c.definitionsFresh)],
    ['Full scan in the last ' + rule.fullScanWithin.text, LS.yesNo(c.fullScanRecent)],
    ['No forbidden SMTP egress', LS.yesNo(c.noSmtpEgress)],
    ['Verdict ' + rule.verdict, LS.yesNo(c.verdictClean)],
    ['Not quarantined', LS.yesNo(c.notQuarantined)]
  ]));
  body.appendChild(verdict);

  // SMTP quarantine (docs/egress.md, "Quarantine"): the order, what the agent enforces, refused attempts.
  const q = h.quarantine;
  const qPanel = el('section', { class: 'panel', id: 'quarantine' }, el('h2', {}, 'SMTP quarantine: ',
    el('span', { id: 'quarantine-state', class: q.quarantined ? 'flag' : '' }, q.quarantined ? 'QUARANTINED' : 'not quarantined')));
  if (q.order) qPanel.appendChild(el('p', { id: 'quarantine-order' }, q.order.text));
  if (q.agent) {
    qPanel.appendChild(el('p', { id: 'quarantine-agent' }, 'Agent reports ' + q.agent.enforcement
      + (q.agent.detail ? ' (' + q.agent.detail + ')' : '') + ' for order ' + q.agent.revision
      + (q.agent.current ? '' : ' (not yet the current order)') + ', ', LS.time(q.agent.reported)));
  } else if (q.quarantined) {
    qPanel.appendChild(el('p', { id: 'quarantine-agent' }, 'The agent has not reported its quarantine yet.'));
  }
  if (q.blocked.length > 0) {
    const bt = el('table', { id: 'quarantine-blocked' }, el('thead', {}, el('tr', {}, ['Destination', 'User', 'Process', 'Refused attempts', 'Last'].map(t => el('th', {}, t)))));
    const bb = el('tbody');
    for (const b of q.blocked) {
      bb.appendChild(el('tr', {}, el('td', { class: 'mono' }, b.ip + ':' + b.port), el('td', {}, b.user),
        el('td', {}, b.process || 'unknown'), el('td', {}, String(b.attempts)), el('td', {}, LS.time(b.last))));
    }
    bt.appendChild(bb);
    qPanel.appendChild(bt);
  }
  if (LS.isAdmin()) {
    const reason = el('input', { type: 'text', id: 'quarantine-reason', placeholder: 'reason (for the record)', maxlength: '1000' });
    const button = el('button', { type: 'button', id: 'quarantine-button' }, q.quarantined ? 'Release' : 'Quarantine SMTP');
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await api('/api/v1/hosts/' + encodeURIComponent(hostId) + (q.quarantined ? '/release' : '/quarantine'),
          { method: 'POST', json: { reason: reason.value } });
        window.location.reload();
      } catch (e) {
        LS.showError(qPanel, e);
        button.disabled = false;
      }
    });
    qPanel.appendChild(el('p', { 'data-admin': '' }, reason, ' ', button));
  }
  body.appendChild(qPanel);

  // The agent's own footprint, as it reported it with its heartbeat, judged against the fleet's budget.
  const r = h.agentResources;
  if (r) {
    const mib = b => (b / 1048576).toFixed(1) + ' MiB';
    const rPanel = el('section', { class: 'panel', id: 'agent-resources' }, el('h2', {}, 'Agent resources'));
    if (r.rssBytes !== undefined) {
      rPanel.appendChild(facts([
        ['Resident memory', el('span', { id: 'agent-rss', class: r.overBudget ? 'flag' : '' }, mib(r.rssBytes)
          + (r.rssAnonBytes !== undefined ? ' (anon ' + mib(r.rssAnonBytes) + ', file ' + mib(r.rssFileBytes || 0) + ')' : ''))],
        ['CPU', el('span', { id: 'agent-cpu' }, r.cpuPercent + ' % last minute, ' + r.cpuPercentWindow + ' % over the budget window')],
        ['Threads', String(r.threads)],
        ['Budget', mib(r.memoryBudgetBytes) + ', ' + r.cpuBudgetPercent + ' % of a core'
          + (r.appliedMemoryBudgetBytes !== undefined && (r.appliedMemoryBudgetBytes !== r.memoryBudgetBytes
            || r.appliedCpuBudgetPercent !== r.cpuBudgetPercent)
            ? ' (the agent still applies ' + mib(r.appliedMemoryBudgetBytes) + ', ' + r.appliedCpuBudgetPercent + ' %)' : '')],
        ['State', r.budgetState + (r.memoryRestarts > 0 ? ', ' + r.memoryRestarts + ' restart(s) for memory' : '')],
        ['Measured', r.measured ? LS.time(r.measured) : 'unknown']
      ]));
    } else {
      rPanel.appendChild(el('p', { class: 'muted' }, 'The agent has not reported its own figures yet.'));
    }
    for (const f of r.flags) rPanel.appendChild(el('p', { class: 'flag agent-flag' }, f));
    if (r.refused) rPanel.appendChild(el('p', { class: 'muted' }, 'Last figures refused: ' + r.refused));
    body.appendChild(rPanel);
  }

  if (h.antivirusStatuses.length > 0) {
    const av = el('table', { id: 'antivirus' }, el('thead', {}, el('tr', {}, ['Provider', 'Product', 'State', 'Reason'].map(t => el('th', {}, t)))));
    const tb = el('tbody');
    for (const a of h.antivirusStatuses) tb.appendChild(el('tr', {}, el('td', {}, a.provider), el('td', {}, a.product), el('td', {}, a.state), el('td', {}, a.reason)));
    av.appendChild(tb);
    body.appendChild(el('section', { class: 'panel' }, el('h2', {}, 'Antivirus'), av));
  }

  // Evidence timeline: reports and verdict changes, newest first.
  const events = [];
  for (const r of h.reports) {
    events.push({ at: r.created, what: r.kind.toLowerCase() + ' report #' + r.sequence,
      detail: r.findings + ' findings, ' + r.egressWindows + ' egress windows, ' + r.avStatuses + ' AV statuses ('
        + (r.provenance || 'via ' + r.via) + ')', id: r.reportId });
  }
  for (const o of h.quarantine.history) {
    events.push({ at: o.at, what: o.quarantined ? 'SMTP quarantine' : 'SMTP release', detail: o.text, id: 'order ' + o.revision });
  }
  for (const v of h.verdictHistory) {
    events.push({ at: v.at, verdict: v.verdict, detail: v.reasons.length ? v.reasons[0].text : '', id: '' });
  }
  events.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const timeline = el('table', { id: 'timeline' }, el('thead', {}, el('tr', {}, ['When', 'What', 'Detail', 'Evidence'].map(t => el('th', {}, t)))));
  const tb = el('tbody');
  for (const e of events) {
    tb.appendChild(el('tr', {}, el('td', {}, LS.time(e.at)),
      el('td', {}, e.verdict ? ['verdict ', LS.verdictBadge(e.verdict)] : e.what),
      el('td', {}, e.detail), el('td', { class: 'mono' }, e.id)));
  }
  timeline.appendChild(tb);
  body.appendChild(el('section', { class: 'panel' }, el('h2', {}, 'Evidence timeline'), timeline));

  // Hostnames are claims (issue 15, D, R9): every name the host reported, so a machine that took
  // another one's name shows the name it mailed under.
  if (h.nameHistory && h.nameHistory.length > 1) {
    const n = el('table', { id: 'name-history' }, el('thead', {}, el('tr', {}, ['Name', 'From', 'Until'].map(t => el('th', {}, t)))));
    const nb = el('tbody');
    for (const s of h.nameHistory) {
      nb.appendChild(el('tr', {}, el('td', { class: 'mono' }, s.name), el('td', {}, LS.time(s.from)),
        el('td', {}, s.current ? 'current' : LS.time(s.until))));
    }
    n.appendChild(nb);
    body.appendChild(el('section', { class: 'panel', id: 'previous-names' }, el('h2', {}, 'Previous names'),
      el('p', {}, 'This host has reported other names. The first is the controller\'s name for it (at enrolment); '
        + 'later names are the agent\'s claims: a machine a worm controls may take another machine\'s name.'), n));
  }
  if (h.addressConflicts && h.addressConflicts.length > 0) {
    const k = el('table', { id: 'address-conflicts' }, el('thead', {}, el('tr', {}, ['Address', 'Also claimed by', 'Host id', 'Since'].map(t => el('th', {}, t)))));
    const kb = el('tbody');
    for (const c of h.addressConflicts) {
      kb.appendChild(el('tr', {}, el('td', { class: 'mono' }, c.ip),
        el('td', {}, el('a', { href: '/hosts/' + encodeURIComponent(c.otherHostId) }, c.otherHostname)),
        el('td', { class: 'mono' }, c.otherHostId), el('td', {}, LS.time(c.since))));
    }
    k.appendChild(kb);
    body.appendChild(el('section', { class: 'panel', id: 'conflicts' }, el('h2', {}, 'Address conflicts'),
      el('p', {}, 'Another host reports the same address: both remain triage candidates.'), k));
  }
  // A configured MTA's exact address reported by this host: a false claim triage ignores (issue 15, D).
  if (h.mtaAddressClaims && h.mtaAddressClaims.length > 0) {
    const m = el('table', { id: 'mta-claims' }, el('thead', {}, el('tr', {}, ['Address', 'Configured MTA', 'Held', 'Now'].map(t => el('th', {}, t)))));
    const mb = el('tbody');
    for (const c of h.mtaAddressClaims) {
      mb.appendChild(el('tr', { class: 'flag' }, el('td', { class: 'mono' }, c.ip), el('td', { class: 'mono' }, '--trust ' + c.entry),
        el('td', {}, LS.time(c.firstSeen), ' – ', LS.time(c.lastSeen)), el('td', {}, c.current ? 'yes' : 'no')));
    }
    m.appendChild(mb);
    body.appendChild(el('section', { class: 'panel', id: 'mta-claim' }, el('h2', {}, 'False MTA address claims'),
      el('p', {}, 'This host reports the address of a configured MTA: a lying agent or a misconfiguration. '
        + 'Triage ignores the claim and keeps trusting the MTA; an alert was raised.'), m));
  }
  if (h.imports && h.imports.length > 0) {
    const imp = el('table', { id: 'imports' }, el('thead', {}, el('tr', {}, ['Imported', 'From file', 'By', 'Report'].map(t => el('th', {}, t)))));
    const ib = el('tbody');
    for (const i of h.imports) {
      ib.appendChild(el('tr', {}, el('td', {}, LS.time(i.at)), el('td', { class: 'mono' }, i.file), el('td', {}, i.importedBy),
        el('td', { class: 'mono' }, i.reportId)));
    }
    imp.appendChild(ib);
    body.appendChild(el('section', { class: 'panel' }, el('h2', {}, 'Imported reports (carried in on files, not delivered by the agent)'), imp));
  }

  const addresses = el('table', { id: 'address-history' }, el('thead', {}, el('tr', {}, ['Address', 'MAC', 'Interface', 'From', 'Last seen', ''].map(t => el('th', {}, t)))));
  const ab = el('tbody');
  for (const a of h.addressHistory) {
    ab.appendChild(el('tr', {}, el('td', { class: 'mono' }, a.ip), el('td', { class: 'mono' }, a.mac), el('td', {}, a.interface),
      el('td', {}, LS.time(a.firstSeen)), el('td', {}, LS.time(a.lastSeen)), el('td', {}, a.current ? 'current' : '')));
  }
  addresses.appendChild(ab);
  body.appendChild(el('section', { class: 'panel' }, el('h2', {}, 'Address history'), addresses));
});
