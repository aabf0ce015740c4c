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
    deliver(e.data);
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

  bridge.focus = function (id) {
    var el = document.getElementById(id);
    if (el) { el.focus(); }
    return !!el;
  };

  w.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && mode === "embed") { bridge.post("close"); }
  });

  w.ContactWidgetBridge = bridge;
})(window);
