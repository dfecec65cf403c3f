'use strict';
LS.page(async () => {
  const { el, api, clear } = LS;
  const params = new URLSearchParams(window.location.search);
  const filters = document.getElementById('filters');
  const q = document.getElementById('filter-q');
  const lab = document.getElementById('filter-lab');
  const verdict = document.getElementById('filter-verdict');
  const compliant = document.getElementById('filter-compliant');

  const vocabulary = LS.meta();
  const states = vocabulary.verdicts.concat([vocabulary.pending]);
  for (const v of states) verdict.appendChild(el('option', { value: v.name, title: v.meaning }, v.name));
  const labs = await api('/api/v1/labs');
  for (const l of labs) lab.appendChild(el('option', { value: l.lab }, l.lab));
  q.value = params.get('q') || '';
  lab.value = params.get('lab') || '';
  verdict.value = params.get('verdict') || '';
  compliant.value = params.get('compliant') || '';

  let rows = [];
  let sortKey = 'hostname';
  let ascending = true;
  const tbody = document.querySelector('#hosts-table tbody');
  // Most serious first, as /api/v1/meta lists them; a host without a verdict yet is not known to
  // be compliant, so it sorts just before the compliant verdict.
  const order = {};
  vocabulary.verdicts.forEach((v, i) => { order[v.name] = i; });
  order[vocabulary.pending.name] = (order[vocabulary.compliance.verdict] ?? vocabulary.verdicts.length) - 0.5;

  function query() {
    const p = new URLSearchParams();
    if (q.value.trim()) p.set('q', q.value.trim());
    if (lab.value) p.set('lab', lab.value);
    if (verdict.value) p.set('verdict', verdict.value);
    if (compliant.value) p.set('compliant', compliant.value);
    return p;
  }

  function key(h) {
    switch (sortKey) {
      case 'verdict': return order[h.verdict] ?? 9;
      case 'compliant': return h.compliance.compliant ? 1 : 0;
      case 'os': return (h.osVersion || h.osFamily || '').toLowerCase();
      case 'addresses': return h.addresses.join(' ');
      case 'lastFullScan': return h.lastFullScan || '';
      case 'lastSeen': return h.lastSeen || '';
      default: return String(h[sortKey] || '').toLowerCase();
    }
  }

  function render() {
    const sorted = rows.slice().sort((a, b) => {
      const ka = key(a), kb = key(b);
      const c = ka < kb ? -1 : ka > kb ? 1 : 0;
      return ascending ? c : -c;
    });
    clear(tbody);
    for (const h of sorted) {
      tbody.appendChild(el('tr', { 'data-host-id': h.hostId },
        el('td', {}, LS.hostLink(h.hostId, h.hostname, h.nameShared), h.demo ? [' ', el('span', { class: 'badge demo', title: 'simulated demo data' }, 'demo')] : ''),
        el('td', {}, h.lab),
        el('td', {}, LS.verdictBadge(h.verdict)),
        el('td', { title: h.compliance.shortfalls.join('; ') }, LS.yesNo(h.compliance.compliant)),
        el('td', {}, h.antivirus),
        el('td', {}, h.osVersion || h.osFamily),
        el('td', { class: 'mono' }, h.addresses.join(', ')),
        el('td', { title: h.lastSeen }, LS.ago(h.lastSeen)),
        el('td', {}, LS.time(h.lastFullScan))));
    }
    document.getElementById('host-count').textContent = sorted.length + (sorted.length === 1 ? ' host' : ' hosts');
  }

  async function load() {
    const p = query();
    const qs = p.toString();
    history.replaceState(null, '', '/hosts' + (qs ? '?' + qs : ''));
    document.getElementById('export-csv').setAttribute('href', '/api/v1/hosts?' + new URLSearchParams([...p, ['format', 'csv']]).toString());
    document.getElementById('export-json').setAttribute('href', '/api/v1/hosts?' + new URLSearchParams([...p, ['format', 'json'], ['download', '1']]).toString());
    rows = await api('/api/v1/host-status' + (qs ? '?' + qs : ''));
    render();
  }

  LS.sortable(document.getElementById('hosts-table'), (k, asc) => { sortKey = k; ascending = asc; render(); });
  let timer = null;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 250); });
  [lab, verdict, compliant].forEach(s => s.addEventListener('change', load));
  filters.addEventListener('submit', e => { e.preventDefault(); load(); });
  await load();
});
