'use strict';
// The Triage page. The answer starts with its one-sentence summary, then the Received: chain
// (trusted lines and the boundary marked, with why each writer is trusted), the candidates with
// their reasons, and the warnings. Every string in the answer is endpoint or mail text: it
// reaches the page only as text nodes. Tracing never records; "Record as evidence" does, for a
// recordable answer, and the page shows who recorded it and when.
LS.page(async () => {
  const { el, api, clear } = LS;
  const form = document.getElementById('triage-form');
  const text = document.getElementById('triage-text');
  const file = document.getElementById('triage-file');
  const result = document.getElementById('triage-result');

  // Renders any JSON value generically, as nested lists of names and text values.
  function render(value) {
    if (value === null || value === undefined) return el('span', { class: 'muted' }, 'none');
    if (Array.isArray(value)) {
      if (value.length === 0) return el('span', { class: 'muted' }, 'none');
      return el('ol', {}, value.map(v => el('li', {}, render(v))));
    }
    if (typeof value === 'object') {
      return el('dl', { class: 'facts' }, Object.entries(value).map(([k, v]) => [el('dt', {}, k), el('dd', {}, render(v))]));
    }
    return String(value);
  }

  function str(v) {
    return v === null || v === undefined ? '' : String(v);
  }

  function chain(r) {
    const complaints = Array.isArray(r.complaints) ? r.complaints : [];
    const parts = [];
    complaints.forEach((c, i) => {
      if (!c || !Array.isArray(c.hops) || c.hops.length === 0) return;
      const rows = c.hops.slice(0, 50).map(h => {
        const trust = /^[A-Z]+$/.test(str(h.trust)) ? h.trust : 'CLAIMED';
        const client = [h.fromIp ? '[' + h.fromIp + ']' : '(no client IP)',
          h.fromRdns ? 'rDNS ' + h.fromRdns : '', h.fromHelo ? 'HELO ' + h.fromHelo : ''].filter(Boolean).join(' ');
        return el('tr', { class: 'hop-' + trust.toLowerCase() },
          el('td', {}, str(h.index)),
          el('td', {}, trust === 'BOUNDARY' ? 'BOUNDARY (origin)' : trust),
          el('td', { class: 'mono' }, str(h.byHost) || '?'),
          el('td', { class: 'mono' }, client),
          el('td', {}, h.trustSource ? str(h.trustSource) : el('span', { class: 'muted' }, 'claimed by the sender')));
      });
      parts.push(el('h3', {}, 'Received: chain' + (complaints.length > 1 ? ' of complaint ' + (i + 1) : '') + ' (newest first)'),
        el('table', { class: 'chain' },
          el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, 'trust'), el('th', {}, 'written by'),
            el('th', {}, 'client'), el('th', {}, 'why the writer is trusted'))),
          el('tbody', {}, rows)));
    });
    return parts;
  }

  function candidates(r) {
    if (!Array.isArray(r.candidates)) return [];
    if (r.candidates.length === 0) return [el('h3', {}, 'Candidates'), el('p', { class: 'muted' }, 'No candidate host.')];
    return [el('h3', {}, 'Candidates'), el('ol', { id: 'triage-candidates' }, r.candidates.map(c =>
      // Named as at the mail's time; what it calls itself now beside it when that differs (issue 15, D, R9).
      el('li', {}, el('strong', {}, str(c.nameAtTime || c.hostname)), ' (' + str(c.hostId) + ')',
        c.renamedAt ? el('span', { class: 'flag renamed' }, ', now calling itself ' + str(c.hostname) + ' since '
          + str(c.renamedAt)) : '', ' confidence ' + Number(c.confidence).toFixed(2)
          // What records (issue 15, round 7): network evidence alone, without the address book.
          + (typeof c.networkConfidence === 'number' && c.networkConfidence < c.confidence
            ? ', network evidence ' + Number(c.networkConfidence).toFixed(2) : ''),
        el('ul', { class: 'reasons' }, (Array.isArray(c.reasons) ? c.reasons : []).map(x => el('li', {}, str(x)))))))];
  }

  function warnings(r) {
    if (!Array.isArray(r.warnings) || r.warnings.length === 0) return [];
    return [el('h3', {}, 'Warnings'), el('ul', { class: 'reasons' }, r.warnings.map(w => el('li', {}, str(w))))];
  }

  function recording(answer, body) {
    const box = el('div', { id: 'triage-recording' });
    const r = answer.result || {};
    if (answer.recorded) {
      box.appendChild(el('p', { class: 'notice' }, 'Recorded as evidence by ' + str(answer.recorded.by) + ' at '
        + str(answer.recorded.at) + ' (' + (answer.recorded.hostIds || []).length + ' host(s)).'));
      // One complaint has one recorded answer: an admin may withdraw it (kept in the history).
      const withdraw = el('button', { type: 'button', id: 'triage-withdraw' }, 'Withdraw the recorded trace');
      withdraw.addEventListener('click', async () => {
        withdraw.disabled = true;
        try {
          const done = await api('/api/v1/triage/withdraw', { method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ complaintId: answer.complaintId, reason: 'withdrawn on the Triage page' }) });
          clear(box);
          box.appendChild(el('p', { class: 'notice' }, 'Withdrawn: the trace against ' + (done.withdrawn || []).map(str).join(', ')
            + ' no longer counts; it is kept in the history.'));
        } catch (e) {
          withdraw.disabled = false;
          LS.showError(box, e);
        }
      });
      box.appendChild(el('p', {}, withdraw));
    }
    if (Array.isArray(answer.recordWarnings) && answer.recordWarnings.length > 0) {
      box.appendChild(el('ul', { class: 'reasons' }, answer.recordWarnings.map(w => el('li', {}, str(w)))));
    }
    if (r.recordable === true) {
      const button = el('button', { type: 'button', id: 'triage-record' },
        answer.recorded ? 'Record this answer instead' : 'Record as evidence');
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          const recorded = await api('/api/v1/triage/record', { method: 'POST', headers: { 'Content-Type': 'message/rfc822' }, body });
          clear(box);
          if (recorded.recorded) {
            box.appendChild(el('p', { class: 'notice' }, 'Recorded as evidence by ' + str(recorded.recorded.by) + ' at '
              + str(recorded.recorded.at) + '.'));
          } else {
            box.appendChild(el('p', { class: 'notice' }, str(recorded.note)));
          }
          (Array.isArray(recorded.recordWarnings) ? recorded.recordWarnings : [])
            .forEach(w => box.appendChild(el('p', { class: 'error' }, str(w))));
        } catch (e) {
          button.disabled = false;
          LS.showError(box, e);
        }
      });
      box.appendChild(el('p', {}, button, ' ', el('span', { class: 'muted' }, str(r.recordableBecause))));
    } else if (r.recordable === false) {
      box.appendChild(el('p', { class: 'error', id: 'triage-unverified' }, 'Not recordable as evidence: ' + str(r.recordableBecause)));
    }
    return box;
  }

  // A stored sample complaint (the demo stores Janet's message "from" Harold) is offered for a re-run.
  try {
    const sample = await api('/api/v1/triage/sample');
    document.getElementById('triage-sample-name').textContent = sample.name;
    document.getElementById('triage-sample').hidden = false;
    document.getElementById('triage-sample-load').addEventListener('click', () => {
      file.value = '';
      text.value = sample.message;
    });
  } catch (e) {
    // No sample stored: nothing to offer.
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clear(result);
    let body;
    if (file.files.length > 0) {
      body = await file.files[0].arrayBuffer();
    } else if (text.value.trim() !== '') {
      body = text.value.replace(/\r?\n/g, '\r\n');
    } else {
      LS.showError(result, new Error('Paste a message or choose an .eml file.'));
      return;
    }
    result.appendChild(el('p', { class: 'muted' }, 'Tracing...'));
    try {
      const answer = await api('/api/v1/triage', { method: 'POST', headers: { 'Content-Type': 'message/rfc822' }, body });
      const r = answer.result || {};
      clear(result);
      const section = el('section', { class: 'panel', id: 'triage-answer' }, el('h2', {}, 'Answer'));
      if (typeof r.summary === 'string') section.appendChild(el('p', { class: 'summary', id: 'triage-summary' }, r.summary));
      section.appendChild(recording(answer, body));
      chain(r).forEach(n => section.appendChild(n));
      candidates(r).forEach(n => section.appendChild(n));
      warnings(r).forEach(n => section.appendChild(n));
      section.appendChild(el('details', { open: typeof r.summary !== 'string' }, el('summary', {}, 'Every field'), render(r)));
      result.appendChild(section);
      result.appendChild(el('details', {}, el('summary', {}, 'Raw JSON'), el('pre', { class: 'json' }, JSON.stringify(answer.result, null, 2))));
    } catch (e) {
      clear(result);
      LS.showError(result, e);
    }
  });
});
