"""The data space's grid in Chromium: 5,000 rows (and the 20,000-row maximum) opened, scrolled, edited,
pasted, checked and saved.

    .venv/bin/python -m bench.publishing_grid              # SQLite, and PostgreSQL if reachable
    .venv/bin/python -m bench.publishing_grid --sqlite-only

Goal: « usable without visible lag » with 5,000 rows: scrolling frames near 16 ms (60 images a second)
and none long (over 50 ms, a stall one sees), an edit shown at once (under 100 ms), the page ready in a
couple of seconds. Every request goes through a real local HTTP server (wsgiref, one thread per request)
and the whole middleware stack; the browser is Debian's Chromium, headless, driven by Playwright (as the
browser tests). Times are wall-clock on this machine, printed with its load; no test asserts them.

- « grille prête »: from the navigation to Tabulator's « tableBuilt » (the HTML with the rows as JSON,
  Tabulator's build of the first screen of rows), median of 3 loads;
- « défilement »: 150 frames, the table scrolled by 400 px at each frame (about 12 rows), the time between
  frames; then 10 jumps to a random place, the time until that screen is drawn;
- « modification »: a cell selected, Enter, text typed, Enter: the time from the last Enter until the new
  text is in the cell (Playwright's keyboard through the DevTools protocol included), 20 edits;
- « collage »: 1,000 tab-separated rows pasted at the end of the grid (rows added);
- « vérification » and « enregistrement »: the engine's check of the whole table, then the publication of
  a new version (the page then shows that version), against the same publication done in the process.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.tools import database, wsgi_server

PG_URL = os.environ.get(
    "ODL_BENCH_PUBLISHING_GRID_POSTGRES_URL",
    "postgres://postgres@127.0.0.1:5432/odl_publishing_grid_bench",
)
CHROMIUM = os.environ.get("ODL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
SIZES = (5000, 20000)
PASTED = 1000


def _row(i: int, fields: list[str]) -> list[str]:
    values = {
        "nomAttribuant": "Ville de Rennes",
        "idAttribuant": "21350238800019",
        "dateConvention": "2024-03-12",
        "nomBeneficiaire": f"Association {i}",
        "idBeneficiaire": "44088714900019",
        "objet": f"Projet de quartier {i}",
        "montant": f"{100 + i * 7}.50",
        "nature": ("aide en numéraire", "aide en nature")[i % 2],
        "conditionsVersement": "Versement unique",
        "datesPeriodeVersement": "2024-04-01",
        "notificationUE": "non",
        "pourcentageSubvention": "0.5",
    }
    return [values.get(f, "") for f in fields]


def populate(sizes: tuple[int, ...]) -> tuple[Any, list[Any]]:
    from django.contrib.auth import get_user_model

    from odl.accounts.models import EtdAgent
    from odl.atds.models import Atd
    from odl.programme.models import Etd
    from odl.publishing import services
    from odl.publishing.models import Dataset
    from odl.publishing.versions import publish
    from odl.schemas.registry import known
    from odl.territories.models import Territory

    atd = Atd.objects.create(name="ATD du banc", kind="departement")
    rennes = Territory.objects.create(kind="commune", code="35238", nom="Rennes", siren="213502388")
    etd = Etd.objects.create(atd=atd, territory=rennes)
    user = get_user_model().objects.create_user("banc", password="banc-du-grille-2026")
    EtdAgent.objects.create(user=user, atd=atd, territory=rennes)
    schema = known("subventions")
    datasets = []
    for size in sizes:
        dataset = Dataset.objects.create(
            etd=etd, schema_name="subventions", title=f"Subventions ({size} lignes)", siret="21350238800019"
        )
        rows = [_row(i, schema.field_names) for i in range(size)]
        publish(dataset, services.to_plain_csv(schema.field_names, rows), schema, by=None, valid=True)
        dataset.refresh_from_db()
        datasets.append(dataset)
    return user, datasets


SCROLL = """async ([frames, step]) => {
  const holder = document.querySelector('#grid .tabulator-tableholder');
  const times = [];
  let last = performance.now();
  for (let i = 0; i < frames; i++) {
    holder.scrollTop += step;
    await new Promise(r => requestAnimationFrame(r));
    const now = performance.now();
    times.push(now - last);
    last = now;
  }
  return times;
}"""
JUMPS = """async (count) => {
  const holder = document.querySelector('#grid .tabulator-tableholder');
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    holder.scrollTop = Math.floor(((i * 7919) % 997) / 997 * holder.scrollHeight);
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    times.push(performance.now() - start);
  }
  return times;
}"""
SELECT = """([position, field]) => {
  const row = window.odlGrid.getRows()[position];
  return window.odlGrid.scrollToRow(row, 'top', false).then(() => {
    window.odlGrid.addRange(row.getCell(field), row.getCell(field));
    document.querySelector('#grid .tabulator-tableholder').focus({preventScroll: true});
  });
}"""
PASTE = """async (text) => {
  const data = new DataTransfer();
  data.setData('text/plain', text);
  const status = document.getElementById('grid-status');
  status.textContent = '';
  const start = performance.now();
  document.querySelector('#grid .tabulator-tableholder').dispatchEvent(
    new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
  await new Promise(r => { const look = () => status.textContent.includes('collée') ? r() : setTimeout(look, 1); look(); });
  await new Promise(r => requestAnimationFrame(r));
  return performance.now() - start;
}"""


BARE = """async () => {
  const holder = document.createElement('div');
  holder.id = 'bare';
  document.getElementById('grid').after(holder);
  document.getElementById('grid').hidden = true;
  const fields = JSON.parse(document.getElementById('grid-config').textContent).fields;
  const rows = JSON.parse(document.getElementById('grid-rows').textContent).map(
    cells => Object.fromEntries(fields.map((f, i) => [f.name, cells[i]])));
  await new Promise(r => {
    const bare = new Tabulator(holder, {data: rows, height: '65vh', columns: fields.map(
      f => ({title: f.name, field: f.name, width: 170}))});
    bare.on('tableBuilt', r);
  });
}"""


def reference(engine: str, page: Any) -> None:
    """Tabulator bare (its own formatter, no range selection, no row numbers) on the same rows."""
    page.evaluate(BARE)
    frames = page.evaluate(
        SCROLL.replace("#grid .tabulator-tableholder", "#bare .tabulator-tableholder"), [150, 400]
    )[1:]
    _line(engine, "référence : Tabulator nu, mêmes lignes, défilement", frames)


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def _line(engine: str, label: str, samples: list[float], unit: str = "ms") -> None:
    print(
        f"[{engine}] {label:<44} médiane {statistics.median(samples):7.1f} {unit}, p95 {_p95(samples):7.1f} {unit}, "
        f"max {max(samples):7.1f} {unit} ({len(samples)} mesures)"
    )


def measure(engine: str, page: Any, base: str, dataset: Any, size: int) -> None:
    from odl.publishing import grid, versions
    from odl.schemas.registry import known

    url = f"{base}{dataset.space_url()}grille/"
    ready = []
    for _ in range(3):
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("#grid[data-ready=grid]", timeout=120_000)
        ready.append((time.perf_counter() - start) * 1000)
    html = page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
    _line(engine, f"{size} lignes : grille prête", ready)
    print(f"[{engine}]   dont la page HTML reçue à {html:.0f} ms (les lignes en JSON dans la page)")
    heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize / 1048576 : 0")
    dom = page.evaluate("document.querySelectorAll('#grid .tabulator-row').length")
    print(f"[{engine}]   {dom} lignes dans le DOM (rendu virtuel), tas JavaScript {heap:.0f} Mo")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    frames = page.evaluate(SCROLL, [150, 400])[1:]
    after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    spent = {
        k: (after[k] - before[k]) * 1000
        for k in ("ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "TaskDuration")
    }
    print(f"[{engine}]   pendant le défilement : " + ", ".join(f"{k} {v:.0f} ms" for k, v in spent.items()))
    _line(engine, f"{size} lignes : défilement, temps entre images", frames)
    long = sum(1 for t in frames if t > 50)
    print(
        f"[{engine}]   {long} image(s) sur {len(frames)} au-delà de 50 ms ; {1000 / statistics.mean(frames):.0f} images/s"
    )
    _line(engine, f"{size} lignes : saut à un endroit quelconque", page.evaluate(JUMPS, 10))
    slow = page.evaluate(SCROLL, [150, 100])[1:]
    _line(engine, f"{size} lignes : défilement lent (100 px par image)", slow)
    if size == SIZES[0]:
        reference(engine, page)
        page.goto(url)
        page.wait_for_selector("#grid[data-ready=grid]", timeout=120_000)

    edits = []
    for i in range(20):
        page.evaluate(SELECT, [size // 2 + i, "objet"])
        page.evaluate(
            "(p) => { document.querySelectorAll('[data-bench]').forEach(e => e.removeAttribute('data-bench'));"
            " window.odlGrid.getRows()[p].getElement().setAttribute('data-bench', '1'); }",
            size // 2 + i,
        )
        page.locator('[data-bench="1"] .tabulator-cell[tabulator-field="objet"]').click()
        page.keyboard.press("Enter")
        text = f"Modifié {i}"
        page.locator("#grid .tabulator-editing input").fill(text)
        start = time.perf_counter()
        page.keyboard.press("Enter")
        page.wait_for_function(
            "([p, t]) => window.odlGrid.getRows()[p].getCell('objet').getElement().textContent === t",
            arg=[size // 2 + i, text],
        )
        edits.append((time.perf_counter() - start) * 1000)
    _line(engine, f"{size} lignes : modification d'une cellule", edits)

    schema = known("subventions")
    if size + PASTED <= grid.MAX_ROWS:
        page.evaluate(SELECT, [size - 1, "nomAttribuant"])
        tsv = "\n".join("\t".join(_row(i, schema.field_names)) for i in range(PASTED + 1)) + "\n"
        pasted = page.evaluate(PASTE, tsv)
        print(
            f"[{engine}] {size} lignes : collage de {PASTED + 1} lignes (dont {PASTED} ajoutées) {pasted:7.1f} ms"
        )

    rows = page.evaluate("window.odlGrid.getRows().length")
    start = time.perf_counter()
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_function(
        "() => document.getElementById('grid-status').textContent.startsWith('Vérifié')", timeout=120_000
    )
    checked = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    page.get_by_role("button", name="Enregistrer et publier une nouvelle version").click()
    page.wait_for_url("**/versions/**", timeout=120_000)
    saved = (time.perf_counter() - start) * 1000
    print(f"[{engine}] {rows} lignes : vérification par le moteur, aller-retour {checked:7.0f} ms")
    print(f"[{engine}] {rows} lignes : enregistrement jusqu'à la page de la version {saved:7.0f} ms")

    # The same check and publication in the process, without the browser, JSON and HTTP.
    dataset.refresh_from_db()
    table = versions.read_version(dataset.latest)
    start = time.perf_counter()
    data, result, _answer = grid.check(dataset, table.rows)
    versions.publish(dataset, data, schema, by=None, valid=result.valid, note="banc")
    direct = (time.perf_counter() - start) * 1000
    print(
        f"[{engine}] {rows} lignes : la même vérification et publication dans le processus {direct:7.0f} ms "
        f"(navigateur / direct {saved / direct:.2f})"
    )


def run_engine(database_url: str, data_dir: str) -> None:
    engine = database.django_on(database_url, data_dir)
    if not Path(CHROMIUM).exists():
        print(f"[{engine}] Chromium absent ({CHROMIUM}) : lancez « make chromium ».")
        return
    from django.test import Client
    from playwright.sync_api import sync_playwright

    user, datasets = populate(SIZES)
    database.analyze()
    server, base = wsgi_server.serve()
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[{engine}] Chromium headless, charge {load}")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
        page = context.new_page()
        try:
            for dataset, size in zip(datasets, SIZES, strict=True):
                measure(engine, page, base, dataset, size)
        finally:
            context.close()
            browser.close()
            server.shutdown()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[{engine}] charge à la fin {load}")


def main() -> None:
    database.engines_main("bench.publishing_grid", __doc__, PG_URL, run_engine)


if __name__ == "__main__":
    main()
