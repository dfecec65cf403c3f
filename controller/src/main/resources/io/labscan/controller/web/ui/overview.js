'use strict';
LS.page(async () => {
  const { el, api } = LS;
  const [overview, trend] = await Promise.all([api('/api/v1/overview'), api('/api/v1/trend?days=30')]);

  const cards = document.getElementById('verdict-cards');
  const card = (id, n, label, extra) => el('div', { class: 'card', id }, el('div', { class: 'n' }, n), el('div', { class: 'label' }, label, extra || ''));
  cards.appendChild(card('count-hosts', overview.hosts, 'hosts'));
  cards.appendChild(card('count-compliant', overview.compliant, 'compliant'));
  for (const [verdict, n] of Object.entries(overview.verdicts)) {
    if (verdict === LS.meta().pending.name && n === 0) continue;
    const link = el('a', { href: '/hosts?verdict=' + encodeURIComponent(verdict) }, verdict.replace('_', ' ').toLowerCase());
    cards.appendChild(el('div', { class: 'card', id: 'count-' + verdict }, el('div', { class: 'n' }, n), el('div', { class: 'label' }, link)));
  }

  document.getElementById('verdicts-panel').appendChild(LS.verdictLegend());

  const tbody = document.querySelector('#lab-compliance tbody');
  for (const lab of overview.labs) {
    tbody.appendChild(el('tr', { 'data-lab': lab.lab },
      el('td', {}, el('a', { href: '/hosts?lab=' + encodeURIComponent(lab.lab) }, lab.lab)),
      el('td', {}, lab.hosts), el('td', {}, lab.compliant), el('td', { class: 'percent' }, lab.percent + ' %')));
  }

  const days = [];
  const today = new Date(overview.generatedAt);
  for (let i = trend.days - 1; i >= 0; i--) {
    days.push(new Date(today.getTime() - i * 86400000).toISOString().slice(0, 10));
  }
  const series = [{ name: 'all labs', color: '#17324d', points: trend.all }];
  trend.labs.forEach((lab, i) => series.push({ name: lab.lab, color: LS.PALETTE[i % LS.PALETTE.length], points: lab.points }));
  document.getElementById('trend-chart').appendChild(LS.lineChart(days, series));
  const legend = document.getElementById('trend-legend');
  for (const s of series) legend.appendChild(el('span', {}, LS.swatch(s.color), s.name));
  const estimated = trend.labs.some(l => l.points.some(p => p.source === 'verdict_history'));
  if (estimated) {
    document.getElementById('trend-note').textContent =
      'Days before the first daily snapshot are estimated from the verdict history (share of hosts ' + LS.meta().compliance.verdict + ' at the end of the day).';
  }
});
