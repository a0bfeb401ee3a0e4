// The business users' page: talks to the service's JSON API only (same origin, session cookie, CSRF
// token on every POST). Every text from an answer or an alert goes into the page as text, never as HTML.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const state = { csrf: null, user: null, role: null, conversation: newId(), history: [], current: null, rating: null, alerts: null };

  function newId() {
    const b = new Uint8Array(9);
    crypto.getRandomValues(b);
    return 'c-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
    const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (res.status === 401 && path !== '/api/login') showLogin('Your session has ended; please log in again.');
    return { ok: res.ok, status: res.status, data };
  }

  // --- login ---------------------------------------------------------------------------------

  function showLogin(message) {
    $('app').hidden = true;
    $('who').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    if (state.alerts) { state.alerts.close(); state.alerts = null; }
    $('login-user').focus();
  }

  function showApp(me) {
    state.user = me.user;
    state.role = me.role;
    state.csrf = me.csrf_token || state.csrf;
    $('login').hidden = true;
    $('app').hidden = false;
    $('who').hidden = false;
    $('who-name').textContent = me.user;
    $('who-role').textContent = me.role;
    $('pilot').hidden = me.role !== 'admin';
    if (me.role === 'admin') loadPilot();
    connectAlerts();
    $('question').focus();
  }

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await api('POST', '/api/login', { user: $('login-user').value, secret: $('login-secret').value });
    $('login-secret').value = '';
    if (!r.ok) { $('login-error').textContent = (r.data && r.data.message) || 'Login failed.'; return; }
    showApp(r.data);
  });

  $('logout').addEventListener('click', async () => {
    await api('POST', '/api/logout', {});
    state.csrf = null;
    showLogin('You are logged out.');
  });

  // --- asking --------------------------------------------------------------------------------

  $('ask-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = $('question').value.trim();
    if (q) ask(q);
  });

  $('new-conversation').addEventListener('click', () => {
    state.conversation = newId();
    state.history = [];
    renderHistory();
    $('status').textContent = 'New conversation started.';
    $('question').focus();
  });

  async function ask(question) {
    $('status').textContent = 'Asking…';
    $('ask').disabled = true;
    try {
      const r = await api('POST', '/api/ask', { question, conversation_id: state.conversation });
      if (!r.ok) { $('status').textContent = (r.data && r.data.message) || ('The question failed (' + r.status + ').'); return; }
      state.history.push({ question, id: r.data.question_id });
      renderHistory();
      renderAnswer(r.data);
      $('status').textContent = 'Answered in ' + r.data.wall_ms + ' ms.';
    } finally {
      $('ask').disabled = false;
    }
  }

  function renderHistory() {
    const list = $('history');
    list.replaceChildren(...state.history.map((h) =>
      el('li', {}, el('button', { type: 'button', class: 'link', onclick: () => { $('question').value = h.question; ask(h.question); } }, h.question))));
    $('history-count').textContent = String(state.history.length);
  }

  function pct(v) { return (Math.round(v * 1000) / 10).toLocaleString() + ' %'; }

  function formatValue(value, unit) {
    const n = Number(value);
    if (unit && unit.startsWith('minor_units:')) return (n / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' ' + unit.slice(12);
    if (unit === 'ratio') return pct(n);
    return n.toLocaleString();
  }

  function renderAnswer(a) {
    state.current = a;
    state.rating = null;
    $('thumbs-up').setAttribute('aria-pressed', 'false');
    $('thumbs-down').setAttribute('aria-pressed', 'false');
    $('feedback-reason').value = '';
    $('feedback-status').textContent = '';
    $('answer').hidden = false;
    $('answer-question').textContent = a.question;
    $('answer-text').textContent = a.text;
    $('answer-text').dataset.intent = a.intent;
    const refused = a.data_freshness ? 'data up to ' + new Date(a.data_freshness).toLocaleString() : 'no data in the store';
    const r = a.refused_records;
    const refusedText = r && r.share !== null && r.share !== undefined ? ' · ' + pct(r.share) + ' of the period\'s records refused (' + r.refused + ')' : '';
    $('answer-meta').textContent = 'intent ' + a.intent + ' · ' + refused + refusedText + ' · answered by QueryJob in ' + a.latency_ms + ' ms'
      + (a.error ? ' · error ' + a.error : '');

    const sugg = a.suggestions || [];
    $('suggestions').hidden = sugg.length === 0 || (a.intent !== 'unanswerable' && !a.error);
    $('suggestion-list').replaceChildren(...sugg.map((s) => el('li', {}, el('button', { type: 'button', class: 'link', onclick: () => { $('question').value = s; ask(s); } }, s))));

    const figs = a.figures || [];
    $('figures-box').hidden = figs.length === 0;
    $('figures').tBodies[0].replaceChildren(...figs.map((f) => el('tr', {}, el('th', { scope: 'row' }, f.name), el('td', { class: 'num' }, formatValue(f.value, f.unit)), el('td', {}, f.unit))));

    drawChart(a.chart || { kind: 'none' });

    const hyp = a.hypotheses || [];
    $('hypotheses-box').hidden = hyp.length === 0;
    $('hypotheses').replaceChildren(...hyp.map((h) => hypothesisItem(h, a)));

    const conf = a.confidence || { value: 0, signals: {} };
    $('confidence-value').textContent = pct(conf.value);
    $('confidence-signals').replaceChildren(...Object.entries(conf.signals || {}).map(([k, v]) => el('li', {}, el('code', {}, k), ' ', typeof v === 'object' ? JSON.stringify(v) : String(v))));

    const ev = a.evidence || [];
    $('evidence-box').hidden = ev.length === 0;
    $('evidence').replaceChildren(...ev.map((e, i) => evidenceItem(e, i, a.templates || {})));
    $('answer-title').focus && $('answer').scrollIntoView({ block: 'start' });
  }

  function hypothesisItem(h, a) {
    const li = el('li', { class: 'hypothesis' },
      el('p', {}, el('strong', {}, h.mechanism.replace(/_/g, ' ')), ' · ', h.segment || 'all', h.funnel_step ? ' · at ' + h.funnel_step : ''),
      el('p', {}, h.claim),
      el('meter', { min: '0', max: '1', value: String(h.score), 'aria-label': 'score ' + h.score.toFixed(2) }),
      el('span', { class: 'meta' }, ' score ' + h.score.toFixed(2)));
    if (h.evidence && h.evidence.length) {
      li.append(el('p', { class: 'meta' }, 'signals: ' + h.evidence.map((i) => (a.evidence[i] ? a.evidence[i].claim : '#' + i)).join(' · ')));
    }
    return li;
  }

  function table(rows) {
    if (!rows || rows.length === 0) return el('p', { class: 'meta' }, 'no rows');
    const cols = Object.keys(rows[0]);
    const shown = rows.slice(0, 25);
    return el('div', { class: 'scroll' }, el('table', {},
      el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', { scope: 'col' }, c)))),
      el('tbody', {}, ...shown.map((r) => el('tr', {}, ...cols.map((c) => el('td', {}, r[c] === null ? '' : typeof r[c] === 'object' ? JSON.stringify(r[c]) : String(r[c])))))),
      rows.length > shown.length ? el('caption', {}, shown.length + ' of ' + rows.length + ' rows') : null));
  }

  function evidenceItem(e, i, templates) {
    const params = Object.entries(e.parameters || {});
    return el('details', { class: 'evidence' },
      el('summary', {}, '[' + i + '] ' + e.claim),
      el('p', {}, 'template ', el('code', {}, e.template_id)),
      templates[e.template_id] ? el('pre', { class: 'sql', tabindex: '0', 'aria-label': 'SQL of ' + e.template_id }, templates[e.template_id]) : null,
      params.length ? el('dl', { class: 'params' }, ...params.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v))])) : null,
      table(e.rows));
  }

  // --- charts: drawn by Chartist (npm chartist 1.5.0, served by the service) -------------------

  function drawChart(c) {
    const box = $('chart');
    box.replaceChildren();
    box.className = 'chart';
    if (!c || c.kind === 'none' || !c.labels || c.labels.length === 0 || !window.Chartist) { $('chart-figure').hidden = true; return; }
    $('chart-figure').hidden = false;
    box.classList.add('chart-' + c.kind);
    box.dataset.kind = c.kind;
    box.dataset.points = String(c.labels.length);
    const names = c.series.map((s) => s.name).join(', ');
    const words = { line: 'Line chart', bars: 'Bar chart', funnel: 'Funnel', ranked_bars: 'Ranked bar chart', paired_bars: 'Paired bar chart' };
    const summary = (words[c.kind] || 'Chart') + ' of ' + names + ' in ' + c.unit + ': ' + c.labels.length + ' ' + (c.kind === 'line' ? 'points' : 'bars')
      + ', ' + c.labels.map((l, i) => l + ' ' + c.series.map((s) => s.values[i]).join('/')).join('; ');
    box.setAttribute('aria-label', summary);
    $('chart-caption').textContent = (words[c.kind] || 'Chart') + ' · ' + names + ' (' + c.unit + ')';
    const data = { labels: c.labels, series: c.series.map((s) => s.values) };
    const horizontal = c.kind === 'funnel' || c.kind === 'ranked_bars';
    const height = horizontal ? Math.max(180, 34 * c.labels.length + 40) + 'px' : '260px';
    if (c.kind === 'line') {
      new Chartist.LineChart(box, data, { height, fullWidth: true, showPoint: true, chartPadding: { right: 30 }, axisX: { labelInterpolationFnc: (v, i) => (c.labels.length > 12 && i % Math.ceil(c.labels.length / 12) ? null : v) } });
    } else {
      new Chartist.BarChart(box, data, {
        height, horizontalBars: horizontal, reverseData: horizontal, seriesBarDistance: c.kind === 'paired_bars' ? 18 : 10,
        axisY: horizontal ? { offset: 110 } : {}, chartPadding: { right: 30 },
      });
    }
  }

  // --- feedback ------------------------------------------------------------------------------

  for (const id of ['thumbs-up', 'thumbs-down']) {
    $(id).addEventListener('click', (ev) => {
      state.rating = ev.currentTarget.dataset.rating;
      $('thumbs-up').setAttribute('aria-pressed', String(state.rating === 'up'));
      $('thumbs-down').setAttribute('aria-pressed', String(state.rating === 'down'));
      if (state.rating === 'up') sendFeedback(); else $('feedback-reason').focus();
    });
  }

  $('feedback-form').addEventListener('submit', (ev) => { ev.preventDefault(); sendFeedback(); });

  async function sendFeedback() {
    if (!state.current) return;
    if (!state.rating) { $('feedback-status').textContent = 'Choose yes or no first.'; return; }
    const reason = $('feedback-reason').value.trim();
    const r = await api('POST', '/api/feedback', { question_id: state.current.question_id, rating: state.rating, reason: reason || undefined });
    $('feedback-status').textContent = r.ok ? 'Thank you: feedback recorded.' : ((r.data && r.data.message) || 'Feedback failed.');
    if (r.ok && state.role === 'admin') loadPilot();
  }

  // --- live alerts ---------------------------------------------------------------------------

  function connectAlerts() {
    if (state.alerts) return;
    const source = new EventSource('/api/alerts/stream');
    state.alerts = source;
    source.onopen = () => { $('alerts-state').textContent = 'Live: alerts appear as PatternJob raises them.'; };
    source.onerror = () => { $('alerts-state').textContent = 'Reconnecting to the alerts…'; };
    source.addEventListener('alert', (ev) => {
      let a;
      try { a = JSON.parse(ev.data); } catch (e) { return; }
      addAlert(a);
    });
  }

  function addAlert(a) {
    const list = $('alerts');
    const where = [a.os, a.device, a.app_version, a.channel, a.details && a.details.payment_method].filter(Boolean).join(' · ');
    const answer = el('div', { class: 'why-answer', 'aria-live': 'polite' });
    const item = el('li', { class: 'alert sev-' + a.severity, 'data-pattern': a.pattern },
      el('p', {}, el('strong', {}, a.pattern.replace(/_/g, ' ')), ' ', el('span', { class: 'role' }, a.severity)),
      el('p', { class: 'meta' }, (where || 'all') + ' · ' + new Date(a.detected_at).toLocaleString()),
      el('button', { type: 'button', class: 'why', 'aria-label': 'Why? ' + a.why_question, onclick: (ev) => why(a, answer, ev.currentTarget) }, 'Why?'),
      answer);
    list.prepend(item);
    // at most 50, the oldest go first; an alert whose "why?" was opened stays until the page is left
    const removable = [...list.children].filter((li) => !li.classList.contains('kept'));
    while (list.children.length > 50 && removable.length) removable.pop().remove();
  }

  async function why(a, box, button) {
    button.closest('li').classList.add('kept');
    button.disabled = true;
    box.replaceChildren(el('p', { class: 'meta' }, 'Asking: ' + a.why_question));
    const r = await api('POST', '/api/ask', { question: a.why_question, conversation_id: state.conversation });
    button.disabled = false;
    if (!r.ok) { box.replaceChildren(el('p', { class: 'error' }, (r.data && r.data.message) || 'The question failed.')); return; }
    const d = r.data;
    box.replaceChildren(el('p', { class: 'meta' }, d.question), el('p', {}, d.text),
      (d.hypotheses || []).length ? el('ol', { class: 'why-hypotheses' }, ...d.hypotheses.slice(0, 3).map((h) => el('li', {}, h.mechanism.replace(/_/g, ' ') + ' · ' + (h.segment || 'all') + ' · score ' + h.score.toFixed(2)))) : null,
      el('button', { type: 'button', class: 'link', onclick: () => { state.history.push({ question: d.question, id: d.question_id }); renderHistory(); renderAnswer(d); } }, 'Show the full answer with its evidence'));
  }

  // --- pilot report (admins) -----------------------------------------------------------------

  async function loadPilot() {
    const r = await api('GET', '/api/pilot');
    if (!r.ok) return;
    const p = r.data;
    const dl = $('pilot-summary');
    const pairs = [['Questions asked', p.questions], ['Answered', p.answered + (p.answered_share === null ? '' : ' (' + pct(p.answered_share) + ')')],
      ["Couldn't answer", p.cannot_answer], ['Latency p50 / p95', (p.latency_ms.p50 ?? '-') + ' / ' + (p.latency_ms.p95 ?? '-') + ' ms'],
      ['Satisfaction', p.satisfaction === null ? '-' : pct(p.satisfaction) + ' (' + p.votes_up + ' up, ' + p.votes_down + ' down)'],
      ['Time saved (estimate)', p.time_saved_hours + ' h against ' + p.baseline_minutes + ' min a question']];
    dl.replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]));
    $('pilot-days').tBodies[0].replaceChildren(...p.by_user_day.map((d) => el('tr', {}, el('td', {}, d.day), el('td', {}, d.user), el('td', { class: 'num' }, d.questions), el('td', { class: 'num' }, d.answered))));
    $('pilot-unanswered').replaceChildren(...p.top_unanswered.map((q) => el('li', {}, q.question + ' (' + q.times + '×)')));
    $('pilot-feedback').replaceChildren(...p.recent_feedback.map((f) => el('li', { class: 'feedback-' + f.rating }, (f.rating === 'up' ? 'up: ' : 'down: ') + f.user + ' on "' + f.question + '"' + (f.reason ? ': ' + f.reason : ''))));
  }

  $('pilot-refresh').addEventListener('click', loadPilot);

  // --- start ---------------------------------------------------------------------------------

  (async () => {
    const r = await api('GET', '/api/me');
    if (r.ok) showApp(r.data); else showLogin('');
  })();
}());
