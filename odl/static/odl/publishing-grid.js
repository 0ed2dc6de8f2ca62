// The data space's grid (publishing/grid.html): the latest version's rows in Tabulator, edited with the
// keyboard, pasted from Excel or LibreOffice (tab-separated text), checked by the platform's validation
// engine as one goes (the whole table, a moment after the last change) and published as a new version.
// Data comes from the page's json_script blocks (no inline script); cell text is always shown as text.
(function () {
  "use strict";
  var element = document.getElementById("grid");
  var holder = document.getElementById("grid-config");
  if (!element || !holder || typeof Tabulator === "undefined") { return; }
  var config = JSON.parse(holder.textContent);
  var initial = JSON.parse(document.getElementById("grid-rows").textContent);
  var fields = config.fields;
  var names = fields.map(function (f) { return f.name; });
  var labels = {};
  fields.forEach(function (f) { labels[f.name] = f.label; });
  var statusEl = document.getElementById("grid-status");
  var alertEl = document.getElementById("grid-alert");
  var cellMessageEl = document.getElementById("grid-cell-message");
  var summaryEl = document.getElementById("grid-errors-summary");
  var listEl = document.getElementById("grid-errors");
  var acceptBox = document.getElementById("grid-accept-box");
  var accept = document.getElementById("grid-accept");
  var csrf = document.querySelector("#grid-form input[name=csrfmiddlewaretoken]").value;
  var LISTED = 200;

  var nextId = 1;
  var errors = {};  // row id -> {field: message}
  var dirty = false;
  var checkTimer = null;
  var checking = false;
  var checkAgain = false;

  function record(cells) {
    var r = { _id: nextId++ };
    names.forEach(function (name, i) { r[name] = cells[i] == null ? "" : String(cells[i]); });
    return r;
  }

  function blankRecord() {
    return record(names.map(function (n) { return config.defaults[n] || ""; }));
  }

  function say(text) { statusEl.textContent = text; }

  function refuse(text) {
    alertEl.textContent = text;
    alertEl.hidden = !text;
  }

  function escapeText(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // Cells are drawn as they scroll into view: the error mark is decided each time a cell is drawn.
  function formatter(cell) {
    var el = cell.getElement();
    var row = errors[cell.getRow().getData()._id];
    var message = row && row[cell.getField()];
    el.classList.toggle("grid-cell-error", Boolean(message));
    if (message) {
      el.setAttribute("title", message);
      el.setAttribute("aria-invalid", "true");
    } else {
      el.removeAttribute("title");
      el.removeAttribute("aria-invalid");
    }
    var value = cell.getValue();
    return document.createTextNode(value == null ? "" : String(value));
  }

  var columns = fields.map(function (f) {
    var column = {
      // Tabulator writes a title as HTML: the schema's label is escaped first.
      title: escapeText(f.label + (f.required ? " *" : "")),
      field: f.name,
      width: 170,
      editor: f.enum.length ? "list" : "input",
      formatter: formatter,
      headerTooltip: f.name + (f.example ? " — exemple : " + f.example : ""),
    };
    if (f.enum.length) {
      column.editorParams = { values: [""].concat(f.enum), autocomplete: true, freetext: true, listOnEmpty: true };
    }
    return column;
  });

  var data = initial.map(record);
  if (!data.length) { data.push(blankRecord()); }

  var table = new Tabulator(element, {
    data: data,
    index: "_id",
    columns: columns,
    height: "65vh",
    renderVertical: "virtual",
    // One height for every row: Tabulator then never measures a row as it scrolls into view.
    rowHeight: 32,
    placeholder: "Aucune ligne : ajoutez-en une ou collez un tableau.",
    rowHeader: { formatter: "rownum", headerSort: false, resizable: false, frozen: true, width: 64, hozAlign: "right", title: "N°" },
    columnDefaults: { headerSort: false, resizable: "header" },
    selectableRange: 1,
    selectableRangeColumns: true,
    selectableRangeRows: true,
    selectableRangeClearCells: true,
    editTriggerEvent: "dblclick",
    // Copying is Tabulator's; pasting is this file's (rows added as needed, the row limit, a header line).
    clipboard: "copy",
    clipboardCopyRowRange: "range",
    clipboardCopyConfig: { columnHeaders: false, rowHeaders: false, columnGroups: false, formatCells: false },
    history: true,
  });
  window.odlGrid = table;

  function rowsInOrder() { return table.getRows(); }

  function changed() {
    dirty = true;
    if (checkTimer) { clearTimeout(checkTimer); }
    checkTimer = setTimeout(function () { checkTimer = null; check(); }, 1200);
  }

  // --- Paste -------------------------------------------------------------------------------------------

  // Spreadsheets copy rows as lines and cells as tabs; a cell with a tab, a line break or a quote is
  // written between quotes, its quotes doubled.
  function parseTsv(text) {
    var rows = [], row = [], cell = "", quoted = false, i = 0, n = text.length;
    if (text.charAt(n - 1) === "\n") { n -= text.charAt(n - 2) === "\r" ? 2 : 1; }
    while (i < n) {
      var c = text.charAt(i);
      if (quoted) {
        if (c === '"' && text.charAt(i + 1) === '"') { cell += '"'; i += 2; continue; }
        if (c === '"') { quoted = false; i++; continue; }
        cell += c; i++; continue;
      }
      if (c === '"' && cell === "") { quoted = true; i++; continue; }
      if (c === "\t") { row.push(cell); cell = ""; i++; continue; }
      if (c === "\r" || c === "\n") {
        row.push(cell); rows.push(row); row = []; cell = "";
        i += c === "\r" && text.charAt(i + 1) === "\n" ? 2 : 1;
        continue;
      }
      cell += c; i++;
    }
    if (n > 0) { row.push(cell); rows.push(row); }
    return rows;
  }

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]/gi, "").toLowerCase();
  }

  function isHeader(line) {
    var known = {};
    fields.forEach(function (f) { known[fold(f.name)] = true; known[fold(f.label)] = true; });
    return line.length > 1 && line.every(function (c) { return c === "" || known[fold(c)]; });
  }

  function startOfSelection() {
    var ranges = table.getRanges();
    var rows = rowsInOrder();
    if (!ranges.length) { return { row: rows.length, column: 0 }; }
    var range = ranges[0];
    var first = range.getRows()[0];
    var column = range.getColumns().map(function (c) { return names.indexOf(c.getField()); }).filter(function (i) { return i >= 0; })[0];
    return { row: first ? rows.indexOf(first) : rows.length, column: column === undefined ? 0 : column };
  }

  function paste(text) {
    refuse("");
    var lines = parseTsv(text);
    if (lines.length && isHeader(lines[0])) { lines.shift(); }
    if (!lines.length) { return; }
    var start = startOfSelection();
    var rows = rowsInOrder();
    var total = Math.max(rows.length, start.row + lines.length);
    if (total > config.maxRows) {
      refuse("Collage refusé : ces " + lines.length.toLocaleString("fr-FR") + " lignes porteraient la grille à " +
        total.toLocaleString("fr-FR") + " lignes. " + config.maxRowsMessage +
        " Pour un tableau de cette taille, importez-le comme fichier (CSV, XLSX ou ODS) depuis la page du jeu : rien n'a été collé.");
      return;
    }
    var updates = [], added = [], extra = 0;
    lines.forEach(function (line, offset) {
      var target = rows[start.row + offset];
      var values = target ? { _id: target.getData()._id } : blankRecord();
      line.forEach(function (value, k) {
        var index = start.column + k;
        if (index < names.length) { values[names[index]] = value; } else if (value !== "") { extra = Math.max(extra, k); }
      });
      if (target) { updates.push(values); } else { added.push(values); }
    });
    var work = updates.length ? table.updateData(updates) : Promise.resolve();
    work.then(function () { return added.length ? table.addData(added) : null; }).then(function () {
      say(lines.length + " ligne(s) collée(s)" + (added.length ? ", dont " + added.length + " ajoutée(s)" : "") +
        (extra ? " ; les cellules au-delà de la dernière colonne sont ignorées." : "."));
      changed();
    });
  }

  element.addEventListener("paste", function (event) {
    var target = event.target;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    // Inside a cell being edited, a single value is pasted into the field as usual.
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA") && !/[\t\n]/.test(text)) { return; }
    event.preventDefault();
    event.stopPropagation();
    paste(text);
  }, true);

  // --- Rows ----------------------------------------------------------------------------------------------

  document.getElementById("grid-add").addEventListener("click", function () {
    if (rowsInOrder().length >= config.maxRows) { refuse(config.maxRowsMessage); return; }
    table.addRow(blankRecord()).then(function (row) {
      table.scrollToRow(row, "bottom", false);
      say("Ligne " + rowsInOrder().length + " ajoutée.");
      changed();
    });
  });

  document.getElementById("grid-delete").addEventListener("click", function () {
    var doomed = [];
    table.getRanges().forEach(function (range) { doomed = doomed.concat(range.getRows()); });
    if (!doomed.length) { say("Sélectionnez d'abord une ou plusieurs lignes (cliquez sur leur numéro)."); return; }
    table.deleteRow(doomed).then(function () {
      say(doomed.length + " ligne(s) supprimée(s) de la grille (la version publiée reste telle quelle).");
      changed();
    });
  });

  table.on("cellEdited", function () { changed(); });
  table.on("historyUndo", function () { changed(); });
  table.on("historyRedo", function () { changed(); });

  // The active cell's error, in words, above the grid.
  function showCell(cell) {
    if (!cell || !cell.getField || !cell.getField()) { cellMessageEl.textContent = ""; return; }
    var row = errors[cell.getRow().getData()._id];
    var message = row && row[cell.getField()];
    var number = rowsInOrder().indexOf(cell.getRow()) + 1;
    cellMessageEl.textContent = message ? "Ligne " + number + ", colonne « " + labels[cell.getField()] + " » : " + message : "";
  }
  table.on("cellClick", function (e, cell) { showCell(cell); });
  table.on("rangeChanged", function (range) {
    var cells = range.getStructuredCells();
    showCell(cells.length && cells[0].length ? cells[0][0] : null);
  });

  // --- Check and save -----------------------------------------------------------------------------------

  function payload(extra) {
    var rows = rowsInOrder();
    var body = {
      base: config.base,
      rows: rows.map(function (row) { var d = row.getData(); return names.map(function (n) { return d[n] == null ? "" : String(d[n]); }); }),
    };
    Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
    return { ids: rows.map(function (row) { return row.getData()._id; }), body: JSON.stringify(body) };
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body,
    }).then(function (response) {
      return response.json().catch(function () { return { refused: "Le serveur n'a pas pu lire le tableau (erreur " + response.status + ")." }; })
        .then(function (answer) { return { status: response.status, answer: answer }; });
    }, function () {
      return { status: 0, answer: { refused: "Le serveur ne répond pas : vérifiez la connexion et réessayez. Rien n'a été enregistré." } };
    });
  }

  function goTo(id, field) {
    var row = table.getRow(id);
    if (!row) { return; }
    table.scrollToRow(row, "center", false).then(function () {
      var cell = row.getCell(field);
      if (cell) {
        table.addRange(cell, cell);
        showCell(cell);
        // The keyboard goes on in the grid: Enter now opens that cell.
        element.querySelector(".tabulator-tableholder").focus({ preventScroll: true });
      }
    });
  }

  function showErrors(answer, ids) {
    var before = errors;
    errors = {};
    (answer.errors || []).forEach(function (e) {
      var id = ids[e.row];
      if (id === undefined) { return; }
      errors[id] = errors[id] || {};
      var field = names.indexOf(e.field) >= 0 ? e.field : names[0];
      errors[id][field] = errors[id][field] ? errors[id][field] + " ; " + e.message : e.message;
    });
    // Only the rows whose marks changed are drawn again.
    Object.keys(before).concat(Object.keys(errors)).forEach(function (id) {
      var row = table.getRow(Number(id));
      if (row) { row.reformat(); }
    });
    listEl.textContent = "";
    var count = 0;
    (answer.general || []).forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      listEl.appendChild(item);
    });
    (answer.errors || []).slice(0, LISTED).forEach(function (e) {
      var id = ids[e.row];
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = "Ligne " + (e.row + 1) + ", colonne « " + (labels[e.field] || e.field || "—") + " » : " + e.message;
      button.addEventListener("click", function () { goTo(id, e.field || names[0]); });
      item.appendChild(button);
      listEl.appendChild(item);
      count++;
    });
    var total = answer.errors_total || 0;
    var text = total ? total + " erreur(s) à corriger" : "Aucune erreur : le tableau est valide.";
    if (total && count < total) { text += " (les " + count + " premières sont listées)"; }
    if (answer.corrections_total) { text += " " + answer.corrections_total + " correction(s) sûre(s) seront appliquées à la publication (espaces, dates et nombres à la française…)."; }
    if (answer.empty_rows) { text += " " + answer.empty_rows + " ligne(s) vide(s) ne seront pas publiées."; }
    summaryEl.textContent = text;
    acceptBox.hidden = !total;
    element.setAttribute("data-checked", String(total));
  }

  function check() {
    if (checking) { checkAgain = true; return Promise.resolve(); }
    checking = true;
    var sent = payload();
    say("Vérification par le moteur de validation…");
    return post(config.checkUrl, sent.body).then(function (result) {
      checking = false;
      if (result.answer.refused) { refuse(result.answer.refused); say(""); }
      else { refuse(""); showErrors(result.answer, sent.ids); say("Vérifié : " + (result.answer.errors_total ? result.answer.errors_total + " erreur(s)." : "aucune erreur.")); }
      if (checkAgain) { checkAgain = false; return check(); }
      return null;
    });
  }

  document.getElementById("grid-check").addEventListener("click", function () { check(); });

  document.getElementById("grid-save").addEventListener("click", function () {
    if (checkTimer) { clearTimeout(checkTimer); checkTimer = null; }
    var sent = payload({ publish_anyway: Boolean(accept.checked) });
    var button = this;
    button.disabled = true;
    say("Vérification et publication…");
    post(config.saveUrl, sent.body).then(function (result) {
      button.disabled = false;
      var answer = result.answer;
      if (answer.published) {
        dirty = false;
        say(answer.message);
        window.location.assign(answer.url);
        return;
      }
      if (answer.refused) { refuse(answer.refused); say("Rien n'a été publié."); return; }
      refuse("");
      showErrors(answer, sent.ids);
      say("Rien n'a été publié : corrigez les erreurs signalées, ou cochez « Publier quand même ».");
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // ARIA: Tabulator makes its outer box the grid, but the scrolling box inside it is focusable (for the
  // keyboard) without a role, which a grid may not contain. That scrolling box becomes the grid, owning
  // the header's row group.
  function ariaGrid() {
    var holderEl = element.querySelector(".tabulator-tableholder");
    var headerEl = element.querySelector(".tabulator-header");
    if (!holderEl || !headerEl) { return; }
    headerEl.id = "grid-header";
    headerEl.removeAttribute("tabindex");
    element.removeAttribute("role");
    element.removeAttribute("aria-owns");
    holderEl.setAttribute("role", "grid");
    holderEl.setAttribute("aria-label", element.getAttribute("data-label") || "Grille");
    holderEl.setAttribute("aria-owns", "grid-header");
    holderEl.setAttribute("aria-multiselectable", "true");
  }

  table.on("tableBuilt", function () {
    ariaGrid();
    element.setAttribute("data-ready", "grid");
    say(rowsInOrder().length + " ligne(s) dans la grille.");
  });
})();
