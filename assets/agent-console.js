/* The agent console's keyboard helpers (loaded by /agent only).
 *
 * Canned replies: typing "/" at the start of the reply opens the listbox #ag-canned-list,
 * filtered on each key stroke by the words typed after "/" (case and accents ignored; the
 * server folds each option's text into data-search the same way, see live_chat.canned).
 * Focus stays in the textarea; aria-activedescendant names the highlighted option, so a
 * screen reader follows ↑/↓. Enter or Tab puts the reply in the field (to edit, then send);
 * Escape closes the list and keeps what was typed. Nothing is sent from here.
 */
(function () {
  "use strict";
  if (window.__agConsole) { return; }
  window.__agConsole = true;

  var REPLY = "ag-reply";
  var LIST = "ag-canned-list";

  function fold(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function reply() { return document.getElementById(REPLY); }
  function list() { return document.getElementById(LIST); }
  function isOpen() { var l = list(); return !!(l && l.hasAttribute("data-open")); }
  function visible() {
    var l = list();
    if (!l) { return []; }
    return Array.prototype.filter.call(l.querySelectorAll("[role=option]"), function (o) {
      return !o.hasAttribute("data-hide");
    });
  }
  function setActive(option) {
    var l = list(), field = reply();
    if (!l || !field) { return; }
    Array.prototype.forEach.call(l.querySelectorAll("[role=option]"), function (o) {
      o.setAttribute("aria-selected", o === option ? "true" : "false");
    });
    if (option) {
      field.setAttribute("aria-activedescendant", option.id);
      if (option.scrollIntoView) { option.scrollIntoView({ block: "nearest" }); }
    } else {
      field.removeAttribute("aria-activedescendant");
    }
  }
  function close() {
    var l = list();
    if (l) { l.removeAttribute("data-open"); }
    setActive(null);
  }
  function filter() {
    var field = reply(), l = list();
    if (!field || !l) { return; }
    var value = field.value;
    if (value.charAt(0) !== "/") { close(); return; }
    var words = fold(value.slice(1)).split(/\s+/).filter(Boolean);
    var shown = [];
    Array.prototype.forEach.call(l.querySelectorAll("[role=option]"), function (o) {
      var hay = o.getAttribute("data-search") || fold(o.textContent);
      var match = words.every(function (w) { return hay.indexOf(w) !== -1; });
      if (match) { o.removeAttribute("data-hide"); shown.push(o); } else { o.setAttribute("data-hide", ""); }
    });
    if (!shown.length) { close(); return; }
    l.setAttribute("data-open", "");
    setActive(shown[0]);
  }
  function pick(option) {
    var field = reply();
    if (!field || !option) { return; }
    field.value = option.getAttribute("data-text") || option.textContent;
    close();
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  }
  function move(step) {
    var options = visible();
    if (!options.length) { return; }
    var field = reply();
    var current = document.getElementById(field.getAttribute("aria-activedescendant") || "");
    var index = options.indexOf(current);
    index = index === -1 ? 0 : (index + step + options.length) % options.length;
    setActive(options[index]);
  }

  document.addEventListener("input", function (e) {
    if (e.target && e.target.id === REPLY) { filter(); }
  }, true);

  /* Capture phase: runs before the bridge's "Enter sends" handler on window. */
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (!t || t.id !== REPLY || !isOpen() || e.isComposing) { return; }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      move(e.key === "ArrowDown" ? 1 : -1);
    } else if (e.key === "Enter" || e.key === "Tab") {
      var active = document.getElementById(t.getAttribute("aria-activedescendant") || "");
      if (active) {
        e.preventDefault();
        e.stopPropagation();
        pick(active);
      }
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  }, true);

  /* mousedown, not click: the textarea keeps focus. */
  document.addEventListener("mousedown", function (e) {
    var option = e.target && e.target.closest ? e.target.closest("#" + LIST + " [role=option]") : null;
    if (option) { e.preventDefault(); pick(option); }
  }, true);

  document.addEventListener("focusout", function (e) {
    if (e.target && e.target.id === REPLY) { setTimeout(function () {
      if (document.activeElement !== reply()) { close(); }
    }, 0); }
  }, true);

  /* After a send the form resets: the list must not stay open on an empty field. */
  document.addEventListener("submit", function (e) {
    if (e.target && e.target.querySelector && e.target.querySelector("#" + REPLY)) { close(); }
  }, true);
})();

/* New assignments, unread count in the tab title, activity for the presence rules.
 *
 * The server announces a chat routed to this agent in .ag-assigned (a role=status line): here
 * it also plays a short tone and, once the agent has allowed it with the header's button (a
 * user gesture, as browsers require), shows a desktop notification. The title reads
 * "(n) <title>" with n the unread messages of the agent's chats; <title> is the page's own,
 * read afresh each time, as it follows the console's language. Activity (keys, pointer,
 * focus) and a periodic tick are reported through two hidden buttons; the server decides
 * what they mean for presence (agents.presence).
 */
(function () {
  "use strict";
  if (window.__agConsoleAlerts) { return; }
  window.__agConsoleAlerts = true;

  var TICK_MS = 15000;
  var ACTIVITY_MS = 10000;
  var COUNT = /^\(\d+\) /;
  var lastAssigned = "";
  var lastActivity = 0;
  var audio = null;

  function click(id) {
    var b = document.getElementById(id);
    if (b) { b.click(); }
  }

  function tone() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      audio = audio || new Ctx();
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + 0.4);
      window.__agTones = (window.__agTones || 0) + 1;
    } catch (_) { /* no sound: the status line and the title still say it */ }
  }

  function notify(text) {
    if (!("Notification" in window) || Notification.permission !== "granted") { return; }
    try {
      var n = new Notification(baseTitle(), { body: text, tag: "cw-assigned" });
      n.onclick = function () { window.focus(); n.close(); };
    } catch (_) { /* some browsers only allow notifications from a service worker */ }
  }

  function permissionButton() {
    var b = document.getElementById("ag-notify");
    if (!b) { return; }
    var ask = "Notification" in window && Notification.permission === "default";
    if (ask) { b.setAttribute("data-show", ""); } else { b.removeAttribute("data-show"); }
  }

  /* The title without the count this script put in front of it. */
  function baseTitle() { return document.title.replace(COUNT, ""); }

  function update() {
    if (!document.getElementById("ag-tick")) { return; }
    var total = 0;
    Array.prototype.forEach.call(document.querySelectorAll(".ag-unread"), function (el) {
      var m = /\d+/.exec(el.textContent || "");
      if (m) { total += parseInt(m[0], 10); }
    });
    var base = baseTitle();
    var title = total ? "(" + total + ") " + base : base;
    if (document.title !== title) { document.title = title; }
    var status = document.querySelector(".ag-assigned");
    var text = status ? (status.textContent || "").trim() : "";
    if (text && text !== lastAssigned) { tone(); notify(text); }
    lastAssigned = text;
    permissionButton();
  }

  new MutationObserver(update).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true
  });

  document.addEventListener("click", function (e) {
    var b = e.target && e.target.closest ? e.target.closest("#ag-notify") : null;
    if (!b || !("Notification" in window)) { return; }
    Notification.requestPermission().then(permissionButton, permissionButton);
  });

  function activity() {
    var now = Date.now();
    if (now - lastActivity < Math.min(ACTIVITY_MS, tickEvery())) { return; }
    lastActivity = now;
    click("ag-activity");
  }
  ["keydown", "pointerdown", "pointermove", "focus", "wheel"].forEach(function (type) {
    window.addEventListener(type, activity, { capture: true, passive: true });
  });
  /* Tick at least three times per idle period (#ag-tick's data-idle-seconds, the server's
   * CW_AGENT_IDLE_SECONDS), so "away" shows soon after the limit, not up to TICK_MS later;
   * activity is reported at most that often too, so a return is never held back longer. */
  function tickEvery() {
    var b = document.getElementById("ag-tick");
    var idle = b ? parseInt(b.getAttribute("data-idle-seconds") || "0", 10) : 0;
    return idle > 0 ? Math.max(1000, Math.min(TICK_MS, idle * 1000 / 3)) : TICK_MS;
  }
  /* Whether a tick is due is asked every second, not scheduled a period ahead: the period
   * changes under a running page (#ag-tick appears only once the console shows, after sign-in
   * without a page load, and its data-idle-seconds is the build's default until the server's
   * state arrives), and a tick planned 15 s ahead from the default kept "away" that late. */
  var lastTick = Date.now();
  setInterval(function () {
    var now = Date.now();
    if (now - lastTick < tickEvery()) { return; }
    lastTick = now;
    click("ag-tick");
  }, 1000);
  update();
})();

/* Keyboard shortcuts, listed in the "?" dialog (#ag-keys, a native <dialog>: focus stays in
 * it and Escape closes it). Alt+letter uses the physical key (e.code), so it works on every
 * layout; none of them fires while a field has focus except those that leave the field. */
(function () {
  "use strict";
  if (window.__agConsoleKeys) { return; }
  window.__agConsoleKeys = true;

  function typing(t) {
    return !!(t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)));
  }
  function focus(id) {
    var el = document.getElementById(id);
    if (el) { el.focus(); }
    return !!el;
  }
  function openKeys() {
    var d = document.getElementById("ag-keys");
    if (d && !d.open && d.showModal) { d.showModal(); }
  }
  function nextChat(step) {
    var tabs = Array.prototype.slice.call(document.querySelectorAll(".ag-chat-tab"));
    if (!tabs.length) { return; }
    var index = tabs.findIndex(function (b) { return b.getAttribute("aria-current") === "true"; });
    var next = tabs[(index + step + tabs.length) % tabs.length];
    next.click();
    next.focus();
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.isComposing) { return; }
    if (e.key === "?" && !typing(e.target) && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      openKeys();
      return;
    }
    if (!e.altKey || e.ctrlKey || e.metaKey) { return; }
    var done = true;
    switch (e.code) {
      case "KeyN": nextChat(e.shiftKey ? -1 : 1); break;
      case "KeyR": done = focus("ag-reply"); break;
      case "KeyT": done = focus("ag-transfer"); break;
      case "KeyE": done = focus("ag-reason"); break;
      case "KeyQ": done = focus("ag-queue-h"); break;
      default: done = false;
    }
    if (done) { e.preventDefault(); }
  });

  document.addEventListener("click", function (e) {
    var t = e.target && e.target.closest ? e.target : null;
    if (!t) { return; }
    if (t.closest("#ag-keys-open")) { openKeys(); }
    if (t.closest("#ag-keys-close")) {
      var d = document.getElementById("ag-keys");
      if (d && d.open) { d.close(); }
    }
  });
})();

/* How long each customer of "My conversations" has waited for an answer, and each customer
 * in the queue for an agent.
 *
 * The server gives the moment of the customer's first unanswered message (data-since on
 * .ag-wait, live_chat.waiting) and its own clock when the console opened (data-server-now on
 * #ag-chats); the wording comes translated in data-wait-now / data-wait-min. Here the wait is
 * counted on, so it grows without asking the server; the offset to the server's clock keeps a
 * browser whose clock is off from showing a wrong wait. The queue's rows carry the moment the
 * customer asked (data-since on .ag-qwait) and #ag-queue the wording (data-minutes).
 */
(function () {
  "use strict";
  if (window.__agConsoleWaits) { return; }
  window.__agConsoleWaits = true;

  var REFRESH_MS = 5000;
  var seenServerNow = null;
  var offset = 0;

  function refresh() {
    var nav = document.getElementById("ag-chats");
    if (!nav) { return; }
    var serverNow = parseInt(nav.getAttribute("data-server-now") || "0", 10);
    if (serverNow && serverNow !== seenServerNow) {
      seenServerNow = serverNow;
      offset = serverNow - Date.now();
    }
    var now = Date.now() + offset;
    Array.prototype.forEach.call(nav.querySelectorAll(".ag-wait[data-since]"), function (el) {
      var since = parseInt(el.getAttribute("data-since") || "0", 10);
      if (!since) { return; }
      var minutes = Math.floor(Math.max(0, now - since) / 60000);
      var words = minutes < 1
        ? nav.getAttribute("data-wait-now") || ""
        : (nav.getAttribute("data-wait-min") || "").replace("{n}", String(minutes));
      var text = " · " + words;
      if (el.textContent !== text) { el.textContent = text; }
    });
    var queue = document.getElementById("ag-queue");
    if (!queue) { return; }
    var wording = queue.getAttribute("data-minutes") || "";
    Array.prototype.forEach.call(queue.querySelectorAll(".ag-qwait[data-since]"), function (el) {
      var since = parseInt(el.getAttribute("data-since") || "0", 10);
      if (!since || !wording) { return; }
      var text = wording.replace("{n}", String(Math.floor(Math.max(0, now - since) / 60000)));
      if (el.textContent !== text) { el.textContent = text; }
    });
  }

  new MutationObserver(refresh).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["data-since", "data-server-now", "data-wait-min", "data-minutes"]
  });
  setInterval(refresh, REFRESH_MS);
  refresh();
})();
