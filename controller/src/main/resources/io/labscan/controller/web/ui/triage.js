'use strict';
LS.page(async () => {
  const { el, api, clear } = LS;
  const form = document.getElementById('triage-form');
  const text = document.getElementById('triage-text');
  const file = document.getElementById('triage-file');
  const result = document.getElementById('triage-result');

  // Renders the engine's answer generically, as nested lists of names and text values.
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
      clear(result);
      result.appendChild(el('section', { class: 'panel', id: 'triage-answer' }, el('h2', {}, 'Answer'), render(answer.result)));
      result.appendChild(el('details', {}, el('summary', {}, 'Raw JSON'), el('pre', { class: 'json' }, JSON.stringify(answer.result, null, 2))));
    } catch (e) {
      clear(result);
      LS.showError(result, e);
    }
  });
});
