'use strict';
// The Reports page and its printable view (/reports/print?lab=&from=&to=). Every cell is text: host names,
// products and reasons come from the endpoints and may be hostile.
LS.page(async () => {
  const { el, api, clear } = LS;
  const printView = window.location.pathname.replace(/\/+$/, '') === '/reports/print';
  const form = document.getElementById('report-form');
  const status = document.getElementById('report-status');
  const article = document.getElementById('report');
  const csv = document.getElementById('report-csv');
  const printLink = document.getElementById('report-print-link');
  const params = new URLSearchParams(window.location.search);

  const labs = await api('/api/v1/labs').catch(() => []);
  const scoped = Array.isArray((LS.currentUser() || {}).labs);
  form.lab.options[0].textContent = scoped ? 'All my labs' : 'All labs';
  for (const l of labs) form.lab.appendChild(el('option', { value: l.lab }, l.lab));

  const today = new Date();
  const iso = d => d.toISOString().slice(0, 10);
  const tomorrow = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1));
  const monthAgo = new Date(tomorrow.getTime() - 30 * 86400000);
  form.lab.value = params.get('lab') || '';
  form.from.value = params.get('from') || iso(monthAgo);
  form.to.value = params.get('to') || iso(tomorrow);

  function query() {
    const q = new URLSearchParams();
    if (form.lab.value) q.set('lab', form.lab.value);
    q.set('from', form.from.value);
    q.set('to', form.to.value);
    return q;
  }

  function links() {
    const q = query();
    printLink.setAttribute('href', '/reports/print?' + q.toString());
    q.set('format', 'csv');
    csv.setAttribute('href', '/api/v1/reports/compliance?' + q.toString());
  }

  function rows(tbody, items, cells, empty) {
    clear(tbody);
    if (items.length === 0) {
      tbody.appendChild(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, empty)));
    }
    for (const item of items) tbody.appendChild(el('tr', {}, ...cells(item).map(c => el('td', {}, c))));
  }

  function count(id, list) {
    document.getElementById(id).textContent = '(' + list.total + (list.truncated ? ', the first ' + list.hosts.length + ' shown' : '') + ')';
  }

  async function show() {
    clear(status);
    links();
    let r;
    try {
      r = await api('/api/v1/reports/compliance?' + query().toString());
    } catch (e) {
      article.hidden = true;
      LS.showError(status, e);
      return;
    }
    const last = new Date(Date.parse(r.to + 'T00:00:00Z') - 86400000).toISOString().slice(0, 10);
    document.getElementById('report-title').textContent = 'Compliance of ' + (r.lab === null ? (scoped ? 'my labs' : 'all labs') : r.lab)
      + ', ' + r.from + ' to ' + last;
    document.getElementById('report-summary').textContent = 'Labs: ' + (r.labs.join(', ') || 'none') + '. '
      + (r.averagePercent === null ? 'No daily data in this range.' : 'Average compliance ' + r.averagePercent + ' % over the days with data.')
      + ' Hosts now: ' + r.hosts + ', compliant ' + r.compliantNow + '. Made ' + LS.time(r.generatedAt) + '.';
    rows(document.querySelector('#report-days tbody'), r.compliance, d => [d.day, d.source === 'none' ? '' : String(d.hosts),
      d.source === 'none' ? '' : String(d.compliant), d.percent === null ? '–' : d.percent + ' %', d.source], 'No days.');
    rows(document.querySelector('#report-out tbody'), r.outOfCompliance.hosts, h => [LS.hostText(h), h.lab, h.verdict, h.reasons.join('; ')],
      'Every host is compliant.');
    count('report-out-count', r.outOfCompliance);
    rows(document.querySelector('#report-stale tbody'), r.staleAntivirus.hosts, h => [LS.hostText(h), h.lab, h.state, h.products],
      'Every host has fresh definitions.');
    count('report-stale-count', r.staleAntivirus);
    rows(document.querySelector('#report-missed tbody'), r.missedScans.hosts, h => [LS.hostText(h), h.lab,
      h.daysWithoutFullScan + ' of ' + h.daysExpected, h.lastFullScan ? LS.time(h.lastFullScan) : 'never', h.overdueNow ? 'yes' : 'no'],
    'No missed scans.');
    count('report-missed-count', r.missedScans);
    rows(document.querySelector('#report-infections tbody'), r.infections.hosts, h => [LS.hostText(h), h.lab, LS.time(h.found),
      h.cleared ? LS.time(h.cleared) : 'not cleared', h.reasons], 'No infections.');
    count('report-infections-count', r.infections);
    article.hidden = false;
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    await show();
  });
  form.addEventListener('change', links);

  if (printView) {
    document.body.classList.add('print-view');
    form.hidden = true;
    document.getElementById('report-intro').hidden = true;
    const subscriptions = document.getElementById('subscriptions');
    if (subscriptions) subscriptions.remove();
    document.getElementById('report-print-bar').hidden = false;
    document.getElementById('report-print').addEventListener('click', () => window.print());
    await show();
    return;
  }
  await show();

  // Subscriptions (lab managers and admins; the section is removed for viewers).
  const section = document.getElementById('subscriptions');
  if (!section) return;
  const subscribeForm = document.getElementById('subscribe-form');
  const subscribeStatus = document.getElementById('subscribe-status');
  if (LS.isAdmin()) subscribeForm.lab.appendChild(el('option', { value: '' }, 'All labs'));
  for (const l of labs) subscribeForm.lab.appendChild(el('option', { value: l.lab }, l.lab));
  const list = document.querySelector('#subscription-list tbody');

  const CONFIRMATION = {
    confirmed: 'confirmed',
    'mail-due': 'confirmation mail about to be sent',
    pending: 'waiting for the address to confirm (link mailed)',
    expired: 'confirmation link expired'
  };

  async function loadSubscriptions() {
    const subs = await api('/api/v1/reports/subscriptions');
    clear(list);
    if (subs.length === 0) list.appendChild(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No subscriptions.')));
    for (const s of subs) {
      const remove = el('button', { type: 'button', class: 'unsubscribe' }, 'Unsubscribe');
      remove.addEventListener('click', async () => {
        try {
          await api('/api/v1/reports/subscriptions/' + encodeURIComponent(s.subscriptionId), { method: 'DELETE' });
          await loadSubscriptions();
        } catch (e) {
          LS.showError(subscribeStatus, e);
        }
      });
      const state = el('td', { class: 'confirmation' }, CONFIRMATION[s.confirmation] || s.confirmation);
      const mine = s.username === (LS.currentUser() || {}).username;
      if (s.confirmation !== 'confirmed' && s.confirmation !== 'mail-due' && mine) {
        const resend = el('button', { type: 'button', class: 'resend' }, 'Send the confirmation again');
        resend.addEventListener('click', async () => {
          try {
            await api('/api/v1/reports/subscriptions/' + encodeURIComponent(s.subscriptionId) + '/confirmation', { method: 'POST', json: {} });
            await loadSubscriptions();
          } catch (e) {
            LS.showError(subscribeStatus, e);
          }
        });
        state.appendChild(el('br'));
        state.appendChild(resend);
      }
      list.appendChild(el('tr', { 'data-subscription': s.subscriptionId }, el('td', {}, s.lab === null ? 'all labs' : s.lab),
        el('td', {}, s.cadence), el('td', {}, s.email), state, el('td', {}, s.username), el('td', {}, s.lastError || ''), el('td', {}, remove)));
    }
  }

  subscribeForm.addEventListener('submit', async event => {
    event.preventDefault();
    clear(subscribeStatus);
    try {
      await api('/api/v1/reports/subscriptions', { method: 'POST', json: {
        lab: subscribeForm.lab.value || null, cadence: subscribeForm.cadence.value, email: subscribeForm.email.value.trim() } });
      subscribeForm.email.value = '';
      await loadSubscriptions();
    } catch (e) {
      LS.showError(subscribeStatus, e);
    }
  });
  await loadSubscriptions();
});
