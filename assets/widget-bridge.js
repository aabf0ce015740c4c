/* Contact widget: in-iframe bridge (runs in <head>, before the app's modules).
 * 1. Storage-blocked browsers: a cross-site iframe with third-party storage blocked throws on
 *    sessionStorage/localStorage, which stops the Reflex frontend. Swap in in-memory storage.
 * 2. Host <-> widget messages (protocol v1, see docs/postmessage.md): origin AND source checked,
 *    malformed or foreign messages dropped and counted, never trusted.
 */
(function (w) {
  "use strict";
  var V = 1;
  var storageBlocked = false;
  function memoryStorage() {
    var d = Object.create(null);
    return {
      getItem: function (k) { return k in d ? d[k] : null; },
      setItem: function (k, v) { d[k] = String(v); },
      removeItem: function (k) { delete d[k]; },
      clear: function () { d = Object.create(null); },
      key: function (i) { return Object.keys(d)[i] || null; },
      get length() { return Object.keys(d).length; }
    };
  }
  ["sessionStorage", "localStorage"].forEach(function (name) {
    try {
      var s = w[name];
      s.setItem("__cw_probe", "1");
      s.removeItem("__cw_probe");
    } catch (e) {
      storageBlocked = true;
      try { Object.defineProperty(w, name, { value: memoryStorage(), configurable: true }); } catch (_) { /* nothing else to do */ }
    }
  });

  var params = new URLSearchParams(w.location.search);
  var mode = params.get("mode") === "app" ? "app" : "embed";
  var hostParam = params.get("host") || "";
  var hostOrigin = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(hostParam) ? hostParam.toLowerCase() : null;
  var framed = w.parent !== w;
  var native = w.ReactNativeWebView || (w.webkit && w.webkit.messageHandlers && w.webkit.messageHandlers.contactWidget) || w.ContactWidgetNative || null;
  var TYPES = { init: 1, "set-locale": 1, "set-context": 1, identify: 1, open: 1, close: 1 };
  var queue = [];
  var listener = null;
  var initMsg = null;
  var initWaiters = [];
  var bridge = { ignored: 0, storageBlocked: storageBlocked, mode: mode, hostOrigin: hostOrigin };

  function valid(data) {
    return data && typeof data === "object" && data.cw === V && typeof data.type === "string" && TYPES[data.type] === 1;
  }
  function deliver(data) {
    if (data.type === "init" && !initMsg) {
      initMsg = data;
      initWaiters.splice(0).forEach(function (f) { f(data); });
      return;
    }
    if (listener) { listener(JSON.stringify(data)); } else { queue.push(data); }
  }
  function onMessage(e) {
    if (!framed || e.source !== w.parent || !hostOrigin || e.origin !== hostOrigin || !valid(e.data)) {
      bridge.ignored += 1;
      return;
    }
    if (e.data.type === "open") { modality(e.data.via === "keyboard" ? "keyboard" : "pointer"); }
    deliver(e.data);
  }

  /* How the customer is moving around (pointer or keyboard): a heading focused when a view
   * opens shows its focus box to keyboard users only (widget.css). */
  function modality(m) { document.documentElement.setAttribute("data-cw-input", m); }
  w.addEventListener("pointerdown", function () { modality("pointer"); }, true);

  /* Full-screen on a phone the widget is a modal dialog: Tab from the last control goes to the
   * first (and back), never into the hidden bank page behind it. */
  var TABBABLE = "a[href],button:not([disabled]),input:not([disabled]):not([type=hidden]),select:not([disabled])," +
    "textarea:not([disabled]),summary,[tabindex]:not([tabindex='-1'])";
  function fullScreen() { return mode === "embed" && framed && w.innerWidth < 640; }
  function trapTab(e) {
    if (e.key !== "Tab" || !fullScreen()) { return; }
    var all = [].filter.call(document.querySelectorAll(TABBABLE), function (el) {
      return el.getClientRects().length > 0 && !el.closest("[inert]");
    });
    if (!all.length) { return; }
    var first = all[0], last = all[all.length - 1], at = document.activeElement;
    var inside = all.indexOf(at) !== -1;
    if (e.shiftKey && (at === first || !inside)) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (at === last || !inside)) { e.preventDefault(); first.focus(); }
  }
  w.addEventListener("message", onMessage);

  /* Native app webviews push the same messages by calling ContactWidgetBridge.receive(obj). */
  bridge.receive = function (data) {
    if (mode !== "app" || !valid(data)) { bridge.ignored += 1; return false; }
    deliver(data);
    return true;
  };

  bridge.post = function (type, data) {
    var msg = { cw: V, type: type };
    if (data) { for (var k in data) { if (Object.prototype.hasOwnProperty.call(data, k)) { msg[k] = data[k]; } } }
    if (framed && hostOrigin) { w.parent.postMessage(msg, hostOrigin); }
    if (native) {
      try { native.postMessage(JSON.stringify(msg)); } catch (_) { /* the app has no bridge */ }
    }
    return true;
  };

  bridge.boot = function () {
    var own = null;
    try { own = w.localStorage.getItem("cw.session"); } catch (_) { own = null; }
    var base = {
      mode: mode,
      framed: framed,
      hostOrigin: hostOrigin,
      storageBlocked: storageBlocked,
      browserLocales: (navigator.languages || [navigator.language || ""]).slice(0, 5),
      locale: params.get("locale") || null,
      timeZone: (w.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone) || null,
      ownSession: own
    };
    if (mode === "app" || !framed || !hostOrigin) { base.init = initMsg; return Promise.resolve(JSON.stringify(base)); }
    return new Promise(function (resolve) {
      var done = false;
      function finish(init) { if (done) { return; } done = true; base.init = init; resolve(JSON.stringify(base)); }
      if (initMsg) { finish(initMsg); return; }
      initWaiters.push(finish);
      bridge.post("hello");
      setTimeout(function () { finish(null); }, 2000);
    });
  };

  bridge.subscribe = function (fn) {
    listener = fn;
    queue.splice(0).forEach(function (d) { fn(JSON.stringify(d)); });
    return true;
  };

  bridge.saveSession = function (token) {
    try { w.localStorage.setItem("cw.session", token); } catch (_) { /* memory only */ }
    bridge.post("session", { session: token });
    return true;
  };

  bridge.setLang = function (lang) { document.documentElement.lang = lang; return true; };

  /* Focus the element with this id. A view loaded on demand may not be drawn yet, and the
   * control the customer clicked may just have been removed (focus fell to <body>): keep
   * trying for about a second, but never take the focus from where the customer put it. */
  bridge.focus = function (id) {
    /* A view reopened after a reconnect must not pull the focus out of a composer. */
    var active = document.activeElement;
    if (active && active.id !== id && active.matches && active.matches("textarea[data-cw-composer]")) { return false; }
    var el = document.getElementById(id), tries = 0;
    if (el) { el.focus(); }
    (function retry() {
      var now = document.getElementById(id), at = document.activeElement;
      if (now && now !== at && (!at || at === document.body || !at.isConnected)) { now.focus(); }
      if (++tries < 60) { w.requestAnimationFrame(retry); }
    })();
    return !!el;
  };

  w.addEventListener("keydown", function (e) {
    if (e.key === "Tab" || e.key === "Enter" || e.key === " ") { modality("keyboard"); }
    trapTab(e);
    if (e.key === "Escape" && mode === "embed") { bridge.post("close"); }
    var t = e.target;
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && t && t.matches && t.matches("textarea[data-cw-composer]")) {
      e.preventDefault();
      if (t.form) { t.form.requestSubmit(); }
    }
  });

  /* Local events (not from the host) go to the app through the same subscription. */
  function local(data) {
    data.cw = V;
    if (listener) { listener(JSON.stringify(data)); } else { queue.push(data); }
  }

  /* A websocket frame over the server's limit (Socket.IO's 1 MB buffer) would be dropped
   * together with the connection, silently: refuse it here and say why instead. */
  var MAX_FRAME_BYTES = 1000000 - 4096;
  var nativeSend = w.WebSocket && w.WebSocket.prototype.send;
  if (nativeSend) {
    w.WebSocket.prototype.send = function (data) {
      trackSocket(this);
      if (typeof data === "string" && data.length > MAX_FRAME_BYTES / 4 &&
          new Blob([data]).size > MAX_FRAME_BYTES) {
        local({ type: "local-too-large" });
        return undefined;
      }
      return nativeSend.apply(this, arguments);
    };
  }

  /* Connection state (issue #19). The server-side state can be lost (restart, dead worker):
   * from the moment the event socket closes until the server says the view is resumed
   * (resumed() / outboxReady()), sends from a composer with an outbox stay here, shown as
   * pending, and the status region says "reconnecting…". Texts come from data attributes the
   * server rendered in the customer's (or agent's) language; everything is set as text. */
  var conn = { ready: true, lost: false, unloading: false, log: [], senders: {}, timer: null };
  bridge.conn = conn;
  w.addEventListener("pagehide", function () { conn.unloading = true; });
  w.addEventListener("beforeunload", function () { conn.unloading = true; });
  /* The app's event socket is recognised at its first frame (the Socket.IO CONNECT), sent
   * through WebSocket.prototype.send below: that works however early the app's socket
   * library took its reference to the WebSocket constructor. */
  function trackSocket(ws) {
    if (ws.__cwTracked || String(ws.url).indexOf("/_event") === -1) { return; }
    ws.__cwTracked = true;
    ws.addEventListener("close", function () { if (!conn.unloading) { connectionLost(); } });
  }
  function showConn(state) {
    var regions = document.querySelectorAll("[data-cw-conn='1']");
    for (var i = 0; i < regions.length; i += 1) {
      var r = regions[i];
      var text = state === "lost" ? r.getAttribute("data-reconnecting") : state === "online" ? r.getAttribute("data-online") : "";
      if (r.textContent !== (text || "")) { r.textContent = text || ""; }
      if (state) { r.setAttribute("data-state", state); } else { r.removeAttribute("data-state"); }
    }
  }
  function connectionLost() {
    conn.ready = false;
    conn.senders = {};
    if (conn.timer) { clearTimeout(conn.timer); conn.timer = null; }
    if (!conn.lost) {
      conn.lost = true;
      conn.log.push({ state: "reconnecting", at: Date.now() });
      var active = document.activeElement;
      conn.composerFocus = !!(active && active.matches && active.matches("textarea[data-cw-composer]"));
    }
    document.documentElement.setAttribute("data-cw-connection", "lost");
    showConn("lost");
  }
  bridge.resumed = function () {
    conn.ready = true;
    if (!conn.lost) { return true; }
    conn.lost = false;
    conn.log.push({ state: "online", at: Date.now() });
    document.documentElement.setAttribute("data-cw-connection", "online");
    showConn("online");
    conn.timer = setTimeout(function () {
      conn.timer = null;
      document.documentElement.removeAttribute("data-cw-connection");
      showConn("");
    }, 6000);
    return true;
  };

  /* The outbox: [{kind, id, text, conv, state}] in session storage, so a reload keeps it. */
  var OUTBOX = "cw.outbox";
  function loadOutbox() {
    try {
      var v = JSON.parse(w.sessionStorage.getItem(OUTBOX) || "[]");
      return Array.isArray(v) ? v : [];
    } catch (_) { return []; }
  }
  function saveOutbox(list) {
    try { w.sessionStorage.setItem(OUTBOX, JSON.stringify(list)); } catch (_) { /* memory only */ }
    renderOutbox(true);
  }
  bridge.outbox = loadOutbox;
  function flush(kind) {
    var send = conn.senders[kind];
    if (!send || !conn.ready) { return; }
    var list = loadOutbox();
    var batch = list.filter(function (m) { return m.kind === kind && m.state === "pending"; });
    if (!batch.length) { return; }
    batch.forEach(function (m) { m.state = "sending"; });
    saveOutbox(list);
    send(JSON.stringify(batch.map(function (m) { return { id: m.id, text: m.text, conv: m.conv || "" }; })));
  }
  bridge.outboxReady = function (kind, send) {
    conn.ready = true;
    conn.senders[kind] = send;
    /* Whatever was "sending" when the connection dropped goes again, with the same id. */
    var list = loadOutbox();
    list.forEach(function (m) { if (m.kind === kind && m.state === "sending") { m.state = "pending"; } });
    saveOutbox(list);
    flush(kind);
    return true;
  };
  bridge.outboxResult = function (raw) {
    var outcomes = {};
    try { outcomes = JSON.parse(raw) || {}; } catch (_) { outcomes = {}; }
    var list = loadOutbox().filter(function (m) { return outcomes[m.id] !== "sent"; });
    list.forEach(function (m) { if (outcomes[m.id] === "failed") { m.state = "failed"; } });
    saveOutbox(list);
    return true;
  };
  function retry(id) {
    var list = loadOutbox();
    var kind = null;
    list.forEach(function (m) { if (m.id === id) { m.state = "pending"; kind = m.kind; } });
    saveOutbox(list);
    if (kind) { flush(kind); }
  }
  function renderOutbox(force) {
    var boxes = document.querySelectorAll("[data-cw-outbox-list]");
    if (!boxes.length) { return; }
    var list = loadOutbox();
    for (var i = 0; i < boxes.length; i += 1) {
      var box = boxes[i];
      var kind = box.getAttribute("data-cw-outbox-list");
      var mine = list.filter(function (m) { return m.kind === kind; });
      var sig = JSON.stringify(mine.map(function (m) { return [m.id, m.state]; }));
      if (!force && box.getAttribute("data-sig") === sig) { continue; }
      box.setAttribute("data-sig", sig);
      while (box.firstChild) { box.removeChild(box.firstChild); }
      mine.forEach(function (m) {
        var failed = m.state === "failed";
        var li = document.createElement("li");
        li.className = "cw-msg cw-msg--customer cw-msg--pending" + (failed ? " cw-msg--failed" : "");
        li.setAttribute("data-id", m.id);
        var bubble = document.createElement("div");
        bubble.className = "cw-msg-bubble";
        var p = document.createElement("p");
        p.className = "cw-msg-text";
        p.textContent = m.text;
        var status = document.createElement("span");
        status.className = "cw-msg-time";
        status.textContent = box.getAttribute(failed ? "data-failed" : "data-pending") || "";
        bubble.appendChild(p);
        bubble.appendChild(status);
        li.appendChild(bubble);
        if (failed) {
          var again = document.createElement("button");
          again.type = "button";
          again.className = "cw-chip";
          again.textContent = box.getAttribute("data-retry") || "";
          again.addEventListener("click", function (id) { return function () { retry(id); }; }(m.id));
          li.appendChild(again);
        }
        box.appendChild(li);
      });
    }
  }

  /* Composer drafts: what is typed survives a reconnect that re-renders the view. */
  function draftKey(form) {
    return "cw.draft." + form.getAttribute("data-cw-outbox") + "." + (form.getAttribute("data-cw-conv") || "");
  }
  document.addEventListener("input", function (e) {
    var t = e.target;
    if (!t || !t.matches || !t.matches("textarea[data-cw-composer]") || !t.form || !t.form.hasAttribute("data-cw-outbox")) { return; }
    try { w.sessionStorage.setItem(draftKey(t.form), t.value); } catch (_) { /* memory only */ }
  }, true);
  function restoreDrafts() {
    var fields = document.querySelectorAll("form[data-cw-outbox] textarea[data-cw-composer]");
    for (var i = 0; i < fields.length; i += 1) {
      var f = fields[i];
      var key = draftKey(f.form);
      if (f.getAttribute("data-cw-draft") === key) { continue; }
      f.setAttribute("data-cw-draft", key);
      var saved = null;
      try { saved = w.sessionStorage.getItem(key); } catch (_) { saved = null; }
      if (saved && !f.value) {
        f.value = saved;
        if (conn.composerFocus) { conn.composerFocus = false; f.focus(); }
      }
    }
  }
  function syncConnection() {
    showConn(conn.lost ? "lost" : document.documentElement.getAttribute("data-cw-connection") === "online" ? "online" : "");
    renderOutbox(false);
    restoreDrafts();
  }

  function newId() {
    if (w.crypto && w.crypto.randomUUID) { return w.crypto.randomUUID(); }
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  /* The privacy guard runs in the browser before anything is sent: a blocked text (PIN, codes,
   * passwords, card numbers) never leaves the page; the server checks again. */
  bridge.loadGuard = function () {
    if (w.CWGuard || document.getElementById("cw-guard-js")) { return true; }
    var sc = document.createElement("script");
    sc.id = "cw-guard-js";
    sc.src = "/guard.js";
    sc.async = true;
    document.head.appendChild(sc);
    return true;
  };
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f || !f.matches || !f.matches("form[data-cw-guard]")) { return; }
    var field = f.querySelector("[name=message]");
    var idField = f.querySelector("[name=client_msg_id]");
    if (idField) { idField.value = newId(); }
    if (field && w.CWGuard) {
      var verdict = w.CWGuard.scan(field.value, document.documentElement.lang);
      if (verdict.action === "block") {
        e.preventDefault();
        e.stopImmediatePropagation();
        local({ type: "local-guard", kinds: verdict.kinds });
        field.focus();
        return;
      }
    }
    /* An empty chat message is simply not sent; a form marked data-cw-required (the callback
     * request) goes to the server, which says in the customer's language what is missing. */
    if (field && field.value.trim() === "" && !f.hasAttribute("data-cw-required")) {
      e.preventDefault();
      e.stopImmediatePropagation();
      return;
    }
    if (f.hasAttribute("data-cw-outbox")) {
      try { w.sessionStorage.removeItem(draftKey(f)); } catch (_) { /* memory only */ }
      if (!conn.ready && field && idField) {
        /* Offline: keep it here with its id; it goes out once the chat is resumed. */
        e.preventDefault();
        e.stopImmediatePropagation();
        var list = loadOutbox();
        list.push({ kind: f.getAttribute("data-cw-outbox"), id: idField.value, text: field.value.trim(), conv: f.getAttribute("data-cw-conv") || "", state: "pending" });
        saveOutbox(list);
        field.value = "";
        field.focus();
        return;
      }
    }
    setTimeout(function () { if (field) { field.focus(); } }, 0);
  }, true);

  /* Keep the newest message in view as the log grows, but never scroll a long answer past its
   * own start (and its AI notice): the customer reads it from the top. Runs only when the log
   * changed (a new message, chips appearing), so reading older messages is not interrupted. */
  var seen = "";
  var still = w.matchMedia && w.matchMedia("(prefers-reduced-motion: reduce)");
  new MutationObserver(function () {
    syncConnection();
    var log = document.querySelector(".cw-log");
    var items = log ? log.querySelectorAll(".cw-msg") : [];
    var last = items[items.length - 1];
    var sig = last ? (last.getAttribute("data-msg") || "") + ":" + items.length + ":" + log.scrollHeight : "";
    if (!log || sig === seen) { return; }
    seen = sig;
    var bottom = log.scrollHeight - log.clientHeight;
    var top = bottom;
    if (last && !last.classList.contains("cw-msg--customer")) {
      top = Math.min(bottom, last.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop - 4);
    }
    log.scrollTo({ top: Math.max(0, top), behavior: still && still.matches ? "auto" : "smooth" });
  }).observe(document.documentElement, { childList: true, subtree: true });

  /* Video device check: the camera/microphone are touched ONLY here, when the customer clicks
   * "test my camera" after giving consent. Returns "ok", "denied", "missing" or "error". */
  var preview = null;
  bridge.mediaRequests = 0;
  bridge.testDevices = function (audioOnly) {
    bridge.stopDevices();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return Promise.resolve("missing"); }
    bridge.mediaRequests += 1;
    return navigator.mediaDevices.getUserMedia({ audio: true, video: !audioOnly }).then(function (stream) {
      preview = stream;
      var v = document.getElementById("cw-preview");
      if (v && !audioOnly) { v.srcObject = stream; v.play && v.play().catch(function () { return null; }); }
      return "ok";
    }, function (err) {
      var name = err && err.name;
      if (name === "NotAllowedError" || name === "SecurityError") { return "denied"; }
      if (name === "NotFoundError" || name === "OverconstrainedError" || name === "NotReadableError") { return "missing"; }
      return "error";
    });
  };
  bridge.stopDevices = function () {
    if (preview) { preview.getTracks().forEach(function (t) { t.stop(); }); preview = null; }
    var v = document.getElementById("cw-preview");
    if (v) { v.srcObject = null; }
    return true;
  };

  /* Technical device data, read only after the customer accepted the device-data notice. */
  bridge.deviceInfo = function () {
    var ua = navigator.userAgent || "";
    var browser = (/(Edg|OPR|Firefox|Chrome|Safari)\/(\d+)/.exec(ua) || []).slice(1, 3).join(" ");
    var os = (/(Windows NT [\d.]+|Android [\d.]+|iPhone OS [\d_]+|Mac OS X [\d_]+|Linux)/.exec(ua) || [""])[0];
    var app = (/ContactWidgetApp\/([\w.]+)/.exec(ua) || ["", ""])[1];
    return JSON.stringify({
      browser: browser, os: os.replace(/_/g, "."), app_version: app,
      screen: (w.screen ? w.screen.width + "x" + w.screen.height : ""),
      language: navigator.language || ""
    });
  };

  w.ContactWidgetBridge = bridge;
})(window);
