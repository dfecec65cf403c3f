'use strict';
// The page a report confirmation mail links to (/reports/confirm?token=...). Anonymous: the address's owner
// may have no LabScan account. Opening the page confirms nothing (mail scanners open every link); the button
// does, with a POST.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('confirm-form');
  const message = document.getElementById('confirm-message');
  const token = new URLSearchParams(window.location.search).get('token');
  if (token) form.token.value = token;
  form.addEventListener('submit', async event => {
    event.preventDefault();
    message.textContent = '';
    message.className = '';
    try {
      const response = await fetch('/api/v1/reports/confirm', {
        method: 'POST',
        credentials: 'omit',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        body: JSON.stringify({ token: form.token.value.trim() })
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        message.className = 'ok';
        message.textContent = 'Confirmed: LabScan will e-mail the reports ' + data.username + ' subscribed to ' + data.email + '.';
        form.hidden = true;
        return;
      }
      message.className = 'error';
      message.textContent = data.error || ('Not confirmed (HTTP ' + response.status + ')');
    } catch (e) {
      message.className = 'error';
      message.textContent = 'The controller did not answer: ' + e.message;
    }
  });
});
