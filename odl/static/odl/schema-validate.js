// The validation page: schema suggested from the file's header, upload progress (CSP: no inline script).
(function () {
  "use strict";
  var columns = JSON.parse(document.getElementById("schema-columns").textContent);
  var input = document.getElementById("id_file");
  var select = document.getElementById("id_schema");
  var status = document.getElementById("suggestion");
  function norm(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]/g, ""); }
  input.addEventListener("change", function () {
    var file = input.files[0];
    status.textContent = "";
    // Several files: each one's header chooses its own schema on the server (« Deviner »).
    if (input.files.length > 1) { select.value = "auto"; return; }
    if (!file || /\.(xlsx|ods)$/i.test(file.name)) { return; }
    file.slice(0, 65536).text().then(function (text) {
      var line = text.replace(/^\ufeff/, "").split(/\r?\n/)[0] || "";
      var sep = [";", ",", "\t"].sort(function (a, b) { return line.split(b).length - line.split(a).length; })[0];
      var labels = line.split(sep).map(function (l) { return norm(l.replace(/"/g, "")); });
      var best = null, score = 0;
      Object.keys(columns).forEach(function (name) {
        var names = columns[name].map(norm);
        var common = names.filter(function (n) { return labels.indexOf(n) >= 0; }).length;
        var value = common / names.length;
        if (common && value > score) { best = name; score = value; }
      });
      if (best && score >= 0.5) {
        select.value = best;
        status.textContent = "Schéma proposé d'après l'en-tête : " + select.options[select.selectedIndex].text + ".";
      }
    });
  });
  var form = document.getElementById("validation-form");
  form.addEventListener("submit", function (event) {
    if (!window.XMLHttpRequest || !window.FormData) { return; }
    event.preventDefault();
    var box = document.getElementById("progression");
    var bar = document.getElementById("barre-progression");
    var label = document.getElementById("progression-texte");
    box.hidden = false;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round(100 * e.loaded / e.total);
        label.textContent = "Envoi du fichier : " + bar.value + " %";
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      label.textContent = "Fichier reçu, validation en cours…";
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && xhr.responseURL !== window.location.href && xhr.status === 200) {
        window.location.href = xhr.responseURL;
      } else {
        document.open(); document.write(xhr.responseText); document.close();
      }
    });
    xhr.addEventListener("error", function () { label.textContent = "L'envoi a échoué : vérifiez votre connexion et réessayez."; });
    xhr.send(new FormData(form));
  });
})();
