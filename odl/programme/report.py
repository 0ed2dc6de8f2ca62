"""The yearly activity report of an ATD, for its élus: an ODT built with odfdo, and its PDF.

The document is written with odfdo (headings, paragraphs, tables); each chart is a paragraph holding
a ``{{ placeholder }}`` that ``odl.core.documents.render`` then replaces with an SVG image, the same
engine that fills convention templates. Every figure is followed by its source and its date.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape

from django.utils import timezone

from odl.core.documents import Image, render, to_pdf
from odl.core.text import format_date_fr, format_int_fr
from odl.programme.dashboard import (
    FUNNEL_METHOD,
    MAP_METHOD,
    PROGRAMME_SOURCE,
    RATE_METHOD,
    YearFigures,
)

BAR_COLOUR = "#1f4e9c"
LINE_COLOUR = "#b34700"


def pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",") + " %"


# --- Charts as SVG -----------------------------------------------------------------------------------


def bar_chart_svg(labels: Sequence[str], values: Sequence[int], title: str) -> bytes:
    """Horizontal bars, one per label, with the figure written at the end of each bar."""
    width, left, row, top = 600, 170, 28, 34
    height = top + row * len(labels) + 10
    top_value = max([*values, 1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * row
        length = int((width - left - 60) * value / top_value)
        parts.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 4}" width="{length}" height="{row - 8}" fill="{BAR_COLOUR}"/>'
        )
        parts.append(f'<text x="{left + length + 6}" y="{y + 17}">{format_int_fr(value)}</text>')
    parts.append("</svg>")
    return "".join(parts).encode()


def line_chart_svg(labels: Sequence[str], values: Sequence[float | None], title: str) -> bytes:
    """A line of percentages (0–100 %), one point per date, each point labelled with its value."""
    width, height, left, right, top, bottom = 600, 260, 50, 20, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#555"/>',
    ]
    for tick in (0, 50, 100):
        y = top + plot_h - plot_h * tick / 100
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick} %</text>')
    step = plot_w / max(len(labels) - 1, 1)
    points = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + (index * step if len(labels) > 1 else plot_w / 2)
        parts.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle">{escape(label)}</text>')
        if value is None:
            continue
        y = top + plot_h - plot_h * value / 100
        points.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{LINE_COLOUR}"/>')
        parts.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{escape(pct(value))}</text>')
    if len(points) > 1:
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>'
        )
    parts.append("</svg>")
    return "".join(parts).encode()


# --- The document ----------------------------------------------------------------------------------------


def report_title(figures: YearFigures) -> str:
    return f"Rapport d'activité {figures.year} — {figures.atd.name}"


def build_odt(figures: YearFigures) -> bytes:
    from odfdo import Document, Header, Paragraph, Row, Table

    atd = figures.atd
    as_of = format_date_fr(figures.as_of)
    made = format_date_fr(timezone.localdate())
    programme_source = f"Source : {PROGRAMME_SOURCE}, état au {as_of} (document produit le {made})."
    document = Document("text")
    body = document.body
    body.clear()

    def para(text: str) -> None:
        body.append(Paragraph(text, style="Text_20_body"))

    def table(name: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        grid = Table(name, width=len(header), height=0)
        first = Row()
        first.set_values([str(h) for h in header])
        grid.append_row(first)
        for values in rows:
            row = Row()
            row.set_values([str(v) for v in values])
            grid.append_row(row)
        body.append(grid)

    body.append(Header(1, report_title(figures)))
    if atd.demo:
        para("Document de démonstration : les collectivités, conventions et réunions citées sont fictives.")
    para(
        f"L'ATD {atd.name} accompagne les collectivités de son périmètre dans l'ouverture de leurs données "
        f"publiques, dans le cadre du programme OpenDataLocale. Ce rapport présente son activité de "
        f"l'année {figures.year}, arrêtée au {as_of}."
    )

    body.append(Header(2, "Les collectivités accompagnées"))
    para(
        f"{format_int_fr(figures.etds_total)} collectivités suivies au {as_of}, réparties par étape "
        f"d'accompagnement :"
    )
    table(
        "Etapes",
        ["Étape", "Collectivités"],
        [(row["label"], format_int_fr(row["count"])) for row in figures.steps],
    )
    para("{{ graphique_etapes }}")
    para(f"{programme_source} Méthode : {FUNNEL_METHOD}")

    body.append(Header(2, "Les conventions signées"))
    signed = figures.conventions_signed
    para(f"{format_int_fr(len(signed))} conventions signées en {figures.year}.")
    if signed:
        table(
            "Conventions",
            ["Collectivité", "Signée le"],
            [(c.etd.territory.nom, format_date_fr(c.signed_at) if c.signed_at else "") for c in signed],
        )
    para(programme_source)

    body.append(Header(2, "Les engagements des collectivités"))
    para(
        f"{format_int_fr(figures.commitments_met)} engagements tenus en {figures.year} ; "
        f"{format_int_fr(figures.commitments_overdue)} en retard au {as_of} (échéance passée, pas encore "
        f"tenus) ; {format_int_fr(figures.commitments_total)} engagements pris au total."
    )
    para(programme_source)

    body.append(Header(2, "Les points mensuels"))
    attendance = figures.attendance
    para(
        f"{format_int_fr(len(figures.meetings))} réunions tenues en {figures.year}. Présences relevées : "
        f"{format_int_fr(attendance['present'])} présents, {format_int_fr(attendance['excuse'])} excusés, "
        f"{format_int_fr(attendance['absent'])} absents, soit un taux de présence de "
        f"{pct(figures.attendance_rate)}."
    )
    if figures.meetings:
        table(
            "Reunions",
            ["Date", "Réunion", "Présents", "Relevés"],
            [
                (
                    format_date_fr(timezone.localtime(row["meeting"].starts_at).date()),
                    row["meeting"].title,
                    format_int_fr(row["present"]),
                    format_int_fr(row["counted"]),
                )
                for row in figures.meetings
            ],
        )
    para(programme_source)

    body.append(Header(2, "Ce que publient les collectivités accompagnées"))
    published = figures.publication
    if published is None or published.snapshot is None:
        para(f"Publication non mesurée : {figures.rate.problem or 'aucun instantané de l’observatoire.'}")
    else:
        states = figures.publication_states
        para(
            f"Sur {format_int_fr(len(published.rows))} collectivités accompagnées (hors abandons) : "
            + " ; ".join(f"{format_int_fr(row['count'])} {row['label']}" for row in states)
            + "."
        )
        if published.rows:
            table(
                "Publication",
                ["Collectivité", "Étape actuelle", "Publication", "Jeux publiés", "Schémas SCDL"],
                [
                    (
                        row.etd.territory.nom,
                        row.etd.get_step_display(),
                        row.state_label,
                        format_int_fr(row.datasets),
                        ", ".join(row.schemas) or "—",
                    )
                    for row in published.rows
                ],
            )
        para("{{ graphique_publication }}")
        snap = published.snapshot
        para(
            f"Source : {snap.label} ({snap.origin_label}), instantané du {format_date_fr(snap.date)}. "
            f"Méthode : {MAP_METHOD}"
        )

    body.append(Header(2, "L'ouverture des données dans le périmètre"))
    rate = figures.rate
    if rate.snapshot is None:
        para(f"Taux d'ouverture non mesuré : {rate.problem}")
    else:
        data = rate.figures
        para(
            f"{format_int_fr(data['open_obliged'])} collectivités ouvertes sur "
            f"{format_int_fr(data['obliged'])} obligées dans le périmètre de l'ATD, soit "
            f"{pct(data['rate_obliged'])}."
        )
        if rate.points:
            table(
                "Ouverture",
                ["Instantané", "Obligées ouvertes", "Obligées", "Taux"],
                [
                    (
                        p["snapshot"]["date"],
                        format_int_fr(p["open_obliged"]),
                        format_int_fr(p["obliged"]),
                        pct(p["rate_obliged"]),
                    )
                    for p in rate.points
                ],
            )
            para("{{ graphique_ouverture }}")
        snapshot = rate.snapshot
        para(
            f"Source : {snapshot.label} ({snapshot.origin_label}), instantané du "
            f"{format_date_fr(snapshot.date)}. Méthode : {RATE_METHOD} {data['open_rule']} "
            f"Dénominateur : {data['denominator']}."
        )

    buffer = io.BytesIO()
    document.save(buffer)
    context: dict[str, object] = {
        "graphique_etapes": Image(
            bar_chart_svg(
                [row["label"] for row in figures.steps],
                [row["count"] for row in figures.steps],
                f"Collectivités par étape au {as_of}",
            ),
            "image/svg+xml",
            width_cm=16,
        ),
    }
    if figures.publication is not None and figures.publication.snapshot is not None:
        snap_day = format_date_fr(figures.publication.snapshot.date)
        context["graphique_publication"] = Image(
            bar_chart_svg(
                [row["label"] for row in figures.publication_states],
                [row["count"] for row in figures.publication_states],
                f"Collectivités accompagnées selon leur publication, instantané du {snap_day}",
            ),
            "image/svg+xml",
            width_cm=16,
        )
    if rate.snapshot is not None and rate.points:
        context["graphique_ouverture"] = Image(
            line_chart_svg(
                [p["snapshot"]["date"] for p in rate.points],
                [p["rate_obliged"] for p in rate.points],
                "Part des collectivités obligées ouvertes",
            ),
            "image/svg+xml",
            width_cm=16,
        )
    return render(buffer.getvalue(), "odt", context)


def build_pdf(figures: YearFigures) -> bytes:
    """The same report as PDF; raises ``PdfUnavailable`` (French message) without LibreOffice."""
    return to_pdf(build_odt(figures), "odt")
