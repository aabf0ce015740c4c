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
      if (typeof data === "string" && data.length > MAX_FRAME_BYTES / 4 &&
          new Blob([data]).size > MAX_FRAME_BYTES) {
        local({ type: "local-too-large" });
        return undefined;
      }
      return nativeSend.apply(this, arguments);
    };
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
    if (field && field.value.trim() === "") {
      e.preventDefault();
      e.stopImmediatePropagation();
      return;
    }
    setTimeout(function () { if (field) { field.focus(); } }, 0);
  }, true);

  /* Keep the newest message in view as the log grows, but never scroll a long answer past its
   * own start (and its AI notice): the customer reads it from the top. Runs only when the log
   * changed (a new message, chips appearing), so reading older messages is not interrupted. */
  var seen = "";
  var still = w.matchMedia && w.matchMedia("(prefers-reduced-motion: reduce)");
  new MutationObserver(function () {
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
