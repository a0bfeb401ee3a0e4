/*
 * whyflow.js: a web shop's events to the Whyflow collector. Served by the collector at /v1/whyflow.js;
 * no third-party code. Include it once per page:
 *
 *   <script src="http://127.0.0.1:58070/v1/whyflow.js" async
 *           data-key="wfk_..." data-app-version="5.4.0" data-country="DE"></script>
 *
 * It sends page_viewed on every page with the page-load time (Navigation Timing), and, when the shop
 * calls them:
 *   whyflow.productViewed({product_id, category, price_minor, currency, stock_status, product_name?})
 *   whyflow.cartItemAdded({product_id, quantity, price_minor, currency, cart_items, cart_value_minor})
 *   whyflow.cartItemRemoved({...same...})
 *   whyflow.pageViewed({page_type, category?})   (data-auto-page="false" turns the automatic one off)
 *
 * Events carry an anonymous id (localStorage), a session id (30 minutes of inactivity ends a session)
 * and the browser's context. They are batched (every 2 s or 20 events) and kept in localStorage until
 * the collector acknowledged them: a failed post (network, 503) is retried with back-off, on this page
 * or the next; on page hide the pending events leave with navigator.sendBeacon. A retried event keeps
 * its event_id, so the collector's pipeline stores it once.
 */
(function () {
  'use strict';
  var script = document.currentScript || document.querySelector('script[data-key][src*="whyflow.js"]');
  if (!script || window.whyflow) return;
  var key = script.getAttribute('data-key');
  var base = script.getAttribute('data-endpoint') || new URL(script.src, location.href).origin;
  var endpoint = base + '/v1/events?key=' + encodeURIComponent(key || '');
  var appVersion = script.getAttribute('data-app-version') || '0.0.0';
  var PENDING = 'whyflow.pending', MAX_PENDING = 500, BATCH = 20, EVERY_MS = 2000, SESSION_GAP_MS = 30 * 60 * 1000;
  var MAX_BODY = 60000;
  var backoff = 0, timer = null, inFlight = false;

  function store(k, v) { try { if (v === undefined) return localStorage.getItem(k); localStorage.setItem(k, v); } catch (e) { return null; } }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b); b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  function id(name) { var v = store(name); if (!v) { v = uuid(); store(name, v); } return v; }

  var anonymousId = 'a-' + id('whyflow.aid');
  function sessionId() {
    var now = Date.now(), last = +(store('whyflow.seen') || 0), sid = store('whyflow.sid');
    if (!sid || now - last > SESSION_GAP_MS) {
      sid = 's-' + uuid(); store('whyflow.sid', sid);
      store('whyflow.visits', String(+(store('whyflow.visits') || 0) + 1));
    }
    store('whyflow.seen', String(now));
    return sid;
  }

  var ua = navigator.userAgent.toLowerCase();
  function device() { return /ipad|tablet/.test(ua) ? 'tablet' : /mobi|iphone|android/.test(ua) ? 'mobile' : 'desktop'; }
  function os() {
    return /iphone|ipad|ios/.test(ua) ? 'ios' : /android/.test(ua) ? 'android' : /windows/.test(ua) ? 'windows'
      : /mac os|macintosh/.test(ua) ? 'macos' : 'linux';
  }
  function browser() { return /edg\//.test(ua) ? 'edge' : /firefox/.test(ua) ? 'firefox' : /chrome|chromium/.test(ua) ? 'chrome' : /safari/.test(ua) ? 'safari' : 'other'; }
  function channel() {
    var q = location.search.toLowerCase(), r = document.referrer.toLowerCase();
    if (/utm_medium=(cpc|paid)|gclid=/.test(q)) return 'paid_search';
    if (/utm_medium=email/.test(q)) return 'email';
    if (/utm_medium=affiliate/.test(q)) return 'affiliate';
    if (/utm_medium=social/.test(q) || /facebook\.|instagram\.|tiktok\.|pinterest\./.test(r)) return 'social';
    if (/google\.|bing\.|duckduckgo\.|ecosia\./.test(r)) return 'organic_search';
    return 'direct';
  }
  function country() {
    var c = script.getAttribute('data-country') || ((navigator.language || '').split('-')[1] || '');
    return /^[A-Za-z]{2}$/.test(c) ? c.toUpperCase() : 'ZZ';
  }
  function context(extra) {
    var c = { device: device(), os: os(), browser: browser(), app_version: appVersion, channel: channel(),
      country: country(), customer_segment: +(store('whyflow.visits') || 1) > 1 ? 'returning' : 'new',
      page: location.pathname || '/', user_agent: navigator.userAgent.slice(0, 1024) };
    if (document.referrer) c.referrer = document.referrer.slice(0, 2048);
    for (var k in extra) c[k] = extra[k];
    return c;
  }
  function cartId() { return 'c-' + id('whyflow.cart'); }
  function pageEntity() {
    var h = 0, p = location.pathname || '/';
    for (var i = 0; i < p.length; i++) h = (h * 31 + p.charCodeAt(i)) | 0;
    return 'pg-' + (h >>> 0).toString(16);
  }

  function pending() { try { return JSON.parse(store(PENDING) || '[]'); } catch (e) { return []; } }
  function keep(events) { store(PENDING, JSON.stringify(events.slice(-MAX_PENDING))); }

  function track(type, entity, payload, ctxExtra) {
    var e = { event_id: uuid(), event_type: type, schema_version: 1, occurred_at: new Date().toISOString(),
      actor: { anonymous_id: anonymousId, session_id: sessionId() }, context: context(ctxExtra || {}),
      entity: entity, payload: payload };
    var q = pending(); q.push(e); keep(q);
    if (q.length >= BATCH) flush(); else schedule(EVERY_MS);
    return e.event_id;
  }

  function schedule(ms) { if (!timer) timer = setTimeout(function () { timer = null; flush(); }, ms); }

  function done(ids) {
    var q = pending().filter(function (e) { return ids.indexOf(e.event_id) < 0; });
    keep(q);
    return q.length;
  }

  // keepalive fetches and beacons may carry 64 KiB at most: a batch stays below that
  function firstBatch(q) {
    var batch = [], size = 2;
    for (var i = 0; i < q.length && batch.length < 100; i++) {
      var n = JSON.stringify(q[i]).length + 1;
      if (batch.length && size + n > MAX_BODY) break;
      batch.push(q[i]); size += n;
    }
    return batch;
  }

  function flush() {
    var q = pending();
    if (!q.length || inFlight) return;
    var batch = firstBatch(q), ids = batch.map(function (e) { return e.event_id; });
    var body = JSON.stringify(batch);
    inFlight = true;
    fetch(endpoint, { method: 'POST', body: body, keepalive: body.length < MAX_BODY,
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' } })
      .then(function (res) {
        inFlight = false;
        if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 429)) {
          // 200: every event is stored or refused for good (the answer says which); other 4xx: this batch
          // will never be taken as it is. Either way, sending it again cannot help.
          if (!res.ok && window.console) console.warn('whyflow: the collector refused a batch:', res.status);
          backoff = 0;
          if (done(ids)) schedule(0);
        } else {
          retry();
        }
      }, function () { inFlight = false; retry(); });
  }

  function retry() { backoff = Math.min(backoff ? backoff * 2 : 2000, 60000); schedule(backoff); }

  function beacon() {
    var q = pending();
    if (!q.length || !navigator.sendBeacon) return;
    // they stay in localStorage: if the beacon is lost, the next page sends them again (same event_id)
    navigator.sendBeacon(endpoint, new Blob([JSON.stringify(firstBatch(q))], { type: 'text/plain;charset=UTF-8' }));
  }
  addEventListener('pagehide', beacon);
  addEventListener('online', function () { backoff = 0; if (timer) { clearTimeout(timer); timer = null; } flush(); });
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'hidden') beacon(); });

  function pageLoadMs() {
    var nav = performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
    var ms = nav ? (nav.loadEventEnd || nav.domInteractive || nav.duration)
      : (performance.timing ? performance.timing.loadEventEnd - performance.timing.navigationStart : 0);
    return Math.max(0, Math.min(600000, Math.round(ms || 0)));
  }

  var api = {
    pageViewed: function (p) {
      p = p || {};
      var payload = { page_type: p.page_type || script.getAttribute('data-page-type') || 'home' };
      if (p.category) payload.category = p.category;
      return track('page_viewed', { type: 'page', id: pageEntity() }, payload, { page_load_ms: pageLoadMs() });
    },
    productViewed: function (p) {
      return track('product_viewed', { type: 'product', id: p.product_id }, p);
    },
    cartItemAdded: function (p) { return track('cart_item_added', { type: 'cart', id: cartId() }, p); },
    cartItemRemoved: function (p) { return track('cart_item_removed', { type: 'cart', id: cartId() }, p); },
    flush: flush,
    pending: function () { return pending().length; }
  };
  window.whyflow = api;

  if (script.getAttribute('data-auto-page') !== 'false') {
    var onLoad = function () { setTimeout(function () { api.pageViewed(); }, 0); };
    if (document.readyState === 'complete') onLoad(); else addEventListener('load', onLoad);
  }
  if (pending().length) schedule(0); // what an earlier page could not send
})();
