// LabScan UI helpers shared by every page. Endpoint-reported text is hostile: it only ever
// reaches the page as text nodes (textContent), never as markup.
'use strict';

const LS = (() => {
  let session = null;
  let vocabulary = null;
  const SVG = 'http://www.w3.org/2000/svg';

  /** Builds an element: attrs are set as attributes (never innerHTML); children become text nodes or nodes. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function setAttrs(node, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) throw new Error('use addEventListener, not ' + k);
      if (k === 'href' && !String(v).startsWith('/')) throw new Error('only same-site links');
      node.setAttribute(k, v === true ? '' : String(v));
    }
  }

  function append(node, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /** Calls the JSON API; sends the CSRF token on changes; goes to the login page when the session ended. */
  async function api(path, options = {}) {
    const method = (options.method || 'GET').toUpperCase();
    const headers = Object.assign({ 'Accept': 'application/json' }, options.headers || {});
    let body = options.body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    if (method !== 'GET' && method !== 'HEAD' && session) {
      headers['X-CSRF-Token'] = session.csrfToken;
    }
    const response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
    if (response.status === 401) {
      window.location.assign('/login');
      throw new Error('not logged in');
    }
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    const data = type.startsWith('application/json') ? await response.json() : await response.text();
    if (!response.ok) {
      const message = data && data.error ? data.error : 'HTTP ' + response.status;
      const err = new Error(message);
      err.status = response.status;
      throw err;
    }
    return data;
  }

  function verdictBadge(verdict) {
    // The name picks the colour (style.css); a name of another shape gets the neutral one.
    const v = /^[A-Z_]+$/.test(verdict) ? verdict : 'other';
    return el('span', { class: 'badge v-' + v }, verdict);
  }

  function time(iso) {
    if (!iso) return el('span', { class: 'muted' }, 'never');
    const d = new Date(iso);
    return el('time', { datetime: iso, title: iso }, d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC');
  }

  function ago(iso) {
    if (!iso) return 'never';
    const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
    if (s < 90) return Math.round(s) + ' s ago';
    if (s < 5400) return Math.round(s / 60) + ' min ago';
    if (s < 172800) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' days ago';
  }

  function yesNo(ok) {
    return el('span', { class: ok ? 'ok' : 'bad' }, ok ? 'yes' : 'no');
  }

  // Hostnames are the endpoints' claims: a name another host carries too, or one that prints the
  // same (case, invisible characters, look-alike letters), is shown with the host id. The server
  // decides (the API's "nameShared", the CLI's rule: HostnameKey); pages only pass it on.
  function hostLink(hostId, hostname, showId) {
    const link = el('a', { href: '/hosts/' + encodeURIComponent(hostId) }, hostname || hostId);
    return showId ? el('span', {}, link, ' ', hostIdNote(hostId)) : link;
  }

  /** "(host id)" beside a name the API marked nameShared. */
  function hostIdNote(hostId) {
    return el('span', { class: 'mono host-id' }, '(' + hostId + ')');
  }

  /** A host's name as plain text: with its id when the API marked the name shared. */
  function hostText(h) {
    return h.nameShared ? (h.hostname || '') + ' (' + h.hostId + ')' : (h.hostname || h.hostId);
  }

  function showError(container, err) {
    container.appendChild(el('div', { class: 'error', role: 'alert' }, err && err.message ? err.message : String(err)));
  }

  function isAdmin() {
    return session && session.role === 'admin';
  }

  /** Admins start campaigns for any lab, lab managers for theirs. */
  function canCampaign() {
    return session && (session.role === 'admin' || session.role === 'lab-manager');
  }

  function currentUser() {
    return session;
  }

  /**
   * The vocabulary of GET /api/v1/meta (verdict names and meanings, compliance windows, complaint
   * threshold, roles): pages read these words from here, never spell them out themselves.
   */
  function meta() {
    return vocabulary;
  }

  /** The value at a dotted path of the vocabulary ("compliance.fullScanWithin.text"), or ''. */
  function metaValue(path) {
    let v = vocabulary;
    for (const part of String(path).split('.')) {
      if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, part)) return '';
      v = v[part];
    }
    return v === null || typeof v === 'object' ? '' : String(v);
  }

  /** Every verdict (and the state before the first one) with its badge and meaning, as a definition list. */
  function verdictLegend() {
    const list = el('dl', { class: 'verdict-legend', id: 'verdict-legend' });
    for (const v of vocabulary.verdicts.concat([vocabulary.pending])) {
      list.appendChild(el('div', { class: 'term', 'data-verdict': v.name }, el('dt', {}, verdictBadge(v.name)), el('dd', {}, v.meaning)));
    }
    return list;
  }

  /**
   * Loads the session and the vocabulary, fills the header and every [data-meta] element, removes
   * admin-only controls for viewers, then runs the page. The header and its navigation are
   * assembled by the server (UiPages.java); the current page's link is marked there too.
   */
  function page(run) {
    document.addEventListener('DOMContentLoaded', async () => {
      try {
        [session, vocabulary] = await Promise.all([api('/api/v1/session'), api('/api/v1/meta')]);
      } catch (e) {
        return;
      }
      const who = document.getElementById('who');
      if (who) {
        who.textContent = session.username + ' (' + session.role
          + (Array.isArray(session.labs) ? ': ' + session.labs.join(', ') : '') + ')';
      }
      if (!isAdmin()) {
        document.querySelectorAll('[data-admin]').forEach(n => n.remove());
      }
      if (!canCampaign()) {
        document.querySelectorAll('[data-campaign]').forEach(n => n.remove());
      }
      if (Array.isArray(session.labs)) {
        // A lab-scoped role: pages about every lab (complaints name hosts anywhere) are not for it.
        document.querySelectorAll('[data-all-labs]').forEach(n => n.remove());
      }
      document.querySelectorAll('[data-meta]').forEach(n => { n.textContent = metaValue(n.getAttribute('data-meta')); });
      const logout = document.getElementById('logout');
      if (logout) {
        logout.addEventListener('click', async () => {
          // A single sign-on session also ends at the identity provider, which then sends the browser back.
          let next = '/login';
          try {
            const ended = await api('/api/v1/session', { method: 'DELETE' });
            if (ended && typeof ended.logoutUrl === 'string' && /^https?:\/\//.test(ended.logoutUrl)) next = ended.logoutUrl;
          } finally { window.location.assign(next); }
        });
      }
      const main = document.querySelector('main');
      try {
        await run(main);
      } catch (e) {
        showError(main, e);
      }
    });
  }

  /** Draws a line chart of percentages (0-100) per day into an SVG. series: [{name, color, points:[{day, percent}]}] */
  function lineChart(days, series) {
    const W = 720, H = 240, L = 40, R = 10, T = 10, B = 30;
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Compliance trend' });
    const x = i => L + (days.length <= 1 ? 0 : i * (W - L - R) / (days.length - 1));
    const y = p => T + (100 - p) * (H - T - B) / 100;
    for (const p of [0, 25, 50, 75, 100]) {
      root.appendChild(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(p), y2: y(p) }));
      root.appendChild(svg('text', { class: 'tick', x: L - 6, y: y(p) + 4, 'text-anchor': 'end' }, p + '%'));
    }
    root.appendChild(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
    root.appendChild(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
    const step = Math.max(1, Math.ceil(days.length / 8));
    days.forEach((d, i) => {
      if (i % step === 0 || i === days.length - 1) {
        root.appendChild(svg('text', { class: 'tick', x: x(i), y: H - B + 16, 'text-anchor': 'middle' }, d.slice(5)));
      }
    });
    for (const s of series) {
      const byDay = new Map(s.points.map(p => [p.day, p]));
      let path = '';
      days.forEach((d, i) => {
        const p = byDay.get(d);
        if (!p || p.hosts === 0) return;
        path += (path === '' || !byDay.get(days[i - 1]) ? 'M' : 'L') + x(i).toFixed(1) + ' ' + y(p.percent).toFixed(1) + ' ';
      });
      if (path) root.appendChild(svg('path', { class: 'line', d: path.trim(), stroke: s.color }));
      days.forEach((d, i) => {
        const p = byDay.get(d);
        if (!p || p.hosts === 0) return;
        const dot = svg('circle', { cx: x(i), cy: y(p.percent), r: 2.5, fill: s.color });
        dot.appendChild(svg('title', {}, s.name + ' ' + d + ': ' + p.percent + '% (' + p.compliant + '/' + p.hosts + ', ' + (p.source || '') + ')'));
        root.appendChild(dot);
      });
    }
    return root;
  }

  const PALETTE = ['#1f5fbf', '#b3261e', '#1e7b34', '#c46a00', '#6a3fb5', '#00838f', '#8a6d00', '#c2185b', '#455a64'];

  function swatch(color) {
    return svg('svg', { class: 'swatch', viewBox: '0 0 10 10', width: 12, height: 12 }, svg('rect', { width: 10, height: 10, fill: color }));
  }

  /** Makes a table sortable by clicking its headers; rows carry their sort keys in data-sort-* attributes. */
  function sortable(table, onSort) {
    table.querySelectorAll('th[data-key]').forEach(th => {
      th.classList.add('sortable');
      th.addEventListener('click', () => {
        const asc = !th.classList.contains('sorted-asc');
        table.querySelectorAll('th').forEach(h => h.classList.remove('sorted-asc', 'sorted-desc'));
        th.classList.add(asc ? 'sorted-asc' : 'sorted-desc');
        onSort(th.getAttribute('data-key'), asc);
      });
    });
  }

  return { el, svg, clear, api, page, meta, metaValue, verdictLegend, verdictBadge, time, ago, yesNo, hostLink, hostIdNote, hostText, showError, isAdmin, canCampaign, currentUser,
    lineChart, PALETTE, swatch, sortable };
})();
