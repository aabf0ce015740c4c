/*! Contact widget loader v1. Docs: README.md "Embedding" and docs/postmessage.md. */
(function (w, d) {
  "use strict";
  var s = d.currentScript || d.querySelector("script[data-contact-widget]");
  if (!s || w.__cwLoaded) { return; }
  w.__cwLoaded = 1;
  var o = s.dataset, base = new URL(s.src).origin, V = 1;
  var lang = o.locale || (d.documentElement.lang || "fr").slice(0, 2);
  var ctx = { topic: o.topic || null, page: w.location.href.split(/[?#]/)[0] };
  // From the widget catalog (launcher.*): python -m chat_widget.web.build_embed
  var L = {
    fr: ["Contactez-nous", "Fermer le contact", "Fenêtre de contact", "{n} message non lu", "{n} messages non lus"],
    nl: ["Contacteer ons", "Contact sluiten", "Contactvenster", "{n} ongelezen bericht", "{n} ongelezen berichten"],
    en: ["Contact us", "Close contact", "Contact window", "{n} unread message", "{n} unread messages"],
    de: ["Kontakt", "Kontakt schließen", "Kontaktfenster", "{n} ungelesene Nachricht", "{n} ungelesene Nachrichten"]
  };
  var hooks = {}, frame, dlg, btn, badge, host, root, isOpen = false, ready = false, pending = [], unread = 0, tokenProvider, via, inerted = [];
  var KEY = "cw.session." + base;
  var prev = w.cw;
  var api = w.cw = function (cmd) {
    var a = [].slice.call(arguments, 1);
    if (api[cmd]) { return api[cmd].apply(null, a); }
  };
  api.ignored = 0;
  function t(i) { return (L[lang] || L.fr)[i]; }
  function emit(n, v) { (hooks[n] || []).forEach(function (f) { try { f(v); } catch (e) { /* host handler */ } }); }
  function send(type, data) {
    var m = { cw: V, type: type }, k;
    for (k in data) { m[k] = data[k]; }
    if (ready) { frame.contentWindow.postMessage(m, base); } else { pending.push(m); }
  }
  function store(k, v) { try { return v === undefined ? w.localStorage.getItem(k) : w.localStorage.setItem(k, v); } catch (e) { return null; } }
  function label() {
    btn.setAttribute("aria-label", isOpen ? t(1) : t(0) + (unread ? ", " + t(unread === 1 ? 3 : 4).replace("{n}", unread) : ""));
    btn.setAttribute("aria-expanded", isOpen);
    btn.lastChild.textContent = isOpen ? "\u2715" : t(0);
    badge.textContent = unread || "";
    badge.hidden = !unread;
  }
  function identify() {
    if (!tokenProvider) { return; }
    Promise.resolve().then(tokenProvider).then(function (tok) { send("identify", { token: String(tok) }); }, function () { emit("error", { code: "identify_failed" }); });
  }
  function onMsg(e) {
    var m = e.data;
    if (!frame || e.source !== frame.contentWindow || e.origin !== base || !m || m.cw !== V || typeof m.type !== "string") {
      if (m && m.cw) { api.ignored++; }
      return;
    }
    if (m.type === "hello") {
      ready = true;
      frame.contentWindow.postMessage({ cw: V, type: "init", session: store(KEY), locale: lang, topic: ctx.topic, page: ctx.page, mode: "embed" }, base);
      pending.splice(0).forEach(function (p) { frame.contentWindow.postMessage(p, base); });
      identify();
      emit("ready");
    } else if (m.type === "close") { api.close(); }
    else if (m.type === "session" && typeof m.session === "string" && m.session.length < 200) { store(KEY, m.session); }
    else if (m.type === "unread" && m.count >= 0) { unread = isOpen ? 0 : m.count | 0; label(); emit("unread", unread); }
    else if (m.type === "error") { emit("error", { code: String(m.code) }); }
  }
  function mount() {
    if (root) { return; }
    host = d.createElement("div");
    host.setAttribute("data-contact-widget", "");
    root = host.attachShadow({ mode: "closed" });
    var side = o.position === "left" ? "left" : "right", c = /^#[0-9a-f]{3,8}$/i.test(o.color || "") ? o.color : "#b0003c";
    root.innerHTML = "<style>:host{all:initial}button{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;min-height:48px;min-width:48px;padding:0 20px;border:0;border-radius:24px;background:" + c +
      ";color:#fff;font:600 16px/1 system-ui,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)}button:focus-visible{outline:3px solid #1a1a1a;outline-offset:3px;box-shadow:0 0 0 6px #fff}" +
      "span{position:absolute;top:-6px;" + side + ":-6px;min-width:20px;padding:2px 5px;border-radius:12px;background:#1a1a1a;color:#fff;font-size:12px}iframe{position:fixed;bottom:84px;" + side + ":20px;z-index:2147483000;width:400px;height:min(680px,calc(100vh - 104px));border:0;border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.3);background:#fff}" +
      "@media (max-width:639px){iframe{inset:0;width:100%;height:100%;border-radius:0}}</style><button type=button><span hidden></span><b></b></button><div role=dialog hidden></div>";
    btn = root.querySelector("button");
    badge = root.querySelector("span");
    dlg = root.querySelector("div");
    btn.onclick = function (e) { via = e.detail ? "pointer" : "keyboard"; api.toggle(); };
    d.body.appendChild(host);
    label();
    if (o.prefetch === "true") { var p = d.createElement("link"); p.rel = "prefetch"; p.href = src(); d.head.appendChild(p); }
  }
  function src() { return base + "/widget?host=" + encodeURIComponent(w.location.origin) + "&locale=" + lang; }
  function fit() {
    var v = w.visualViewport, full = isOpen && w.innerWidth < 640;
    if (frame && v && full) { frame.style.height = v.height + "px"; }
    // Full screen on a phone: a modal dialog, the bank page behind it out of reach.
    dlg.hidden = !isOpen;
    dlg.setAttribute("aria-modal", full);
    if (full && !inerted.length) { [].forEach.call(d.body.children, function (el) { if (el !== host && !el.inert) { el.inert = true; inerted.push(el); } }); }
    if (!full) { inerted.splice(0).forEach(function (el) { el.inert = false; }); }
  }
  api.open = function () {
    if (isOpen) { return; }
    mount();
    if (!frame) {
      frame = d.createElement("iframe");
      frame.src = src();
      frame.title = t(2);
      frame.allow = "camera; microphone";
      dlg.setAttribute("aria-label", t(2));
      dlg.appendChild(frame);
      if (w.visualViewport) { w.visualViewport.addEventListener("resize", fit); }
    }
    frame.hidden = false;
    isOpen = true;
    unread = 0;
    label();
    fit();
    frame.focus();
    send("open", { via: via || "pointer" });
    via = 0;
    emit("open");
  };
  api.close = function () {
    if (!isOpen) { return; }
    frame.hidden = true;
    isOpen = false;
    fit();
    label();
    btn.focus();
    send("close", {});
    emit("close");
  };
  api.toggle = function () { return isOpen ? api.close() : api.open(); };
  api.setLocale = function (l) { if (L[l]) { lang = l; if (btn) { label(); } send("set-locale", { locale: l }); } };
  api.setContext = function (c) { if (c && typeof c === "object") { ctx.topic = c.topic || ctx.topic; ctx.page = c.page || ctx.page; send("set-context", { topic: ctx.topic, page: ctx.page }); } };
  api.identify = function (fn) { if (typeof fn === "function") { tokenProvider = fn; if (ready) { identify(); } } };
  api.on = function (n, f) { (hooks[n] = hooks[n] || []).push(f); };
  w.addEventListener("message", onMsg);
  d.addEventListener("keydown", function (e) { if (e.key === "Escape" && isOpen) { api.close(); } });
  var queued = (prev && prev.q) || [];
  (w.requestIdleCallback || function (f) { setTimeout(f, 1); })(function () {
    mount();
    queued.forEach(function (args) { api.apply(null, args); });
  });
})(window, document);
