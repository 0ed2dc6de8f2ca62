// The communes' autocomplete of the row form: each input marked data-commune-suggest becomes a WAI-ARIA
// combobox (ARIA 1.2 pattern: the input keeps the focus, its list of options is a listbox pointed at
// by aria-activedescendant). Typing asks the platform's JSON endpoint for at most 10 communes by name
// or code; arrows move in the list, Enter or a click chooses, Escape closes; the count of results and
// the chosen commune are announced in a polite live region. Without JavaScript the field stays a plain
// text input, and the server checks that the code is a commune of the référentiel.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-commune-suggest]");
  Array.prototype.forEach.call(inputs, function (input) { setUp(input); });

  function setUp(input) {
    var url = input.getAttribute("data-commune-suggest");
    var base = input.id || ("commune-" + Math.random().toString(36).slice(2));
    var list = document.createElement("ul");
    list.id = base + "-listbox";
    list.className = "combobox-list";
    list.setAttribute("role", "listbox");
    var label = document.querySelector("label[for='" + input.id + "']");
    list.setAttribute("aria-label", "Communes proposées" + (label ? " pour « " + label.textContent.replace(/\s*\*$/, "") + " »" : ""));
    list.hidden = true;
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.id = base + "-status";
    status.setAttribute("aria-live", "polite");
    status.setAttribute("aria-atomic", "true");
    var chosen = document.createElement("span");
    chosen.className = "combobox-chosen";
    chosen.id = base + "-chosen";
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", chosen);
    chosen.insertAdjacentElement("afterend", status);
    var help = document.getElementById(base + "_helptext");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-describedby", (help ? help.id + " " : "") + chosen.id);

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var options = list.querySelectorAll("[role='option']");
      Array.prototype.forEach.call(options, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(index) {
      var item = results[index];
      if (!item) { return; }
      input.value = item.code;
      chosen.textContent = item.nom + " (" + item.departement + ")";
      status.textContent = item.nom + " choisie, code " + item.code + ".";
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function show(items) {
      results = items;
      list.textContent = "";
      items.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = base + "-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.label;  // text, never HTML
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(i); });
        list.appendChild(option);
      });
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = items.length + (items.length > 1 ? " communes proposées" : " commune proposée") +
          " : flèche bas pour les parcourir, Entrée pour choisir.";
      } else {
        close();
        status.textContent = "Aucune commune ne correspond.";
      }
      active = -1;
    }
    function ask() {
      var query = input.value.trim();
      chosen.textContent = "";
      if (query.length < 2) { results = []; list.textContent = ""; close(); return; }
      var mine = ++asked;
      fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (mine === asked) { show(data.results || []); } })
        .catch(function () { if (mine === asked) { close(); status.textContent = "Suggestions indisponibles : saisissez le code INSEE."; } });
    }

    input.addEventListener("input", function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (event) {
      var count = results.length;
      if (event.key === "ArrowDown") {
        if (list.hidden) { if (count) { list.hidden = false; input.setAttribute("aria-expanded", "true"); highlight(0); } else { ask(); } }
        else { highlight(active + 1 >= count ? 0 : active + 1); }
        event.preventDefault();
      } else if (event.key === "ArrowUp") {
        if (!list.hidden && count) { highlight(active <= 0 ? count - 1 : active - 1); event.preventDefault(); }
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) { choose(active); event.preventDefault(); }
      } else if (event.key === "Escape") {
        if (!list.hidden) { close(); event.preventDefault(); }
      }
    });
    input.addEventListener("blur", function () { close(); });
  }
})();
