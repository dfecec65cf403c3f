'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('login-form');
  const message = document.getElementById('login-message');
  form.addEventListener('submit', async event => {
    event.preventDefault();
    message.textContent = '';
    message.className = '';
    try {
      const response = await fetch('/api/v1/session', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        body: JSON.stringify({ username: form.username.value, password: form.password.value })
      });
      if (response.ok) {
        window.location.assign('/');
        return;
      }
      const data = await response.json().catch(() => ({}));
      message.className = 'error';
      message.textContent = data.error || ('Login failed (HTTP ' + response.status + ')');
    } catch (e) {
      message.className = 'error';
      message.textContent = 'The controller did not answer: ' + e.message;
    }
  });
});
