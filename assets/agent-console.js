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
