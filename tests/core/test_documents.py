"""The document engine: ODT/DOCX templates filled with values, French errors, the default convention, PDF."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import docx
import pytest
from docx.shared import Pt
from odfdo import Document, Header, List, ListItem, Paragraph, Row, Span, Table

from odl.core import documents
from odl.core.documents import CONVENTION_PLACEHOLDERS, Image, PdfUnavailable, TemplateProblem
from odl.core.text import format_date_fr

SVG_CHART = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">'
    b'<rect x="10" y="10" width="100" height="150" fill="#1f77b4"/>'
    b'<text x="20" y="190" font-size="20">Jeux publies en 2026</text></svg>'
)
PNG_CHART = documents._png(4, 2)


def full_context() -> dict[str, object]:
    """What the programme app will pass for a real convention."""
    return dict(documents.CONVENTION_EXAMPLE)


def rendered_values() -> list[str]:
    values = []
    for value in full_context().values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            values.append(format_date_fr(item) if isinstance(item, datetime.date) else str(item))
    return values


def docx_bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def new_odt(*elements: Any) -> bytes:
    document = Document("text")
    document.body.clear()
    for element in elements:
        document.body.append(element)
    return odt_bytes(document)


def odt_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    footer = document.get_style("master-page", "Standard").get_page_footer()
    paragraphs = [p.text_recursive for p in document.body.get_paragraphs() + document.body.get_headers()]
    return "\n".join(paragraphs) + "\n" + (footer.text_recursive if footer is not None else "")


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


# --- Filling --------------------------------------------------------------------------------------------


def test_a_placeholder_split_across_three_docx_runs_is_found_and_keeps_the_first_runs_format() -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Commune : ")
    first = paragraph.add_run("{{ et")
    first.bold = True
    first.font.size = Pt(14)
    paragraph.add_run("d_n").italic = True
    paragraph.add_run("om }}, Bretagne")
    template = docx_bytes(document)

    assert documents.placeholders(template, "docx") == {"etd_nom"}
    result = docx.Document(io.BytesIO(documents.render(template, "docx", {"etd_nom": "Bruz"})))

    paragraph = result.paragraphs[0]
    assert paragraph.text == "Commune : Bruz, Bretagne"
    holder = next(run for run in paragraph.runs if "Bruz" in run.text)
    assert holder.bold and holder.font.size == Pt(14)


def test_a_placeholder_split_across_odt_spans_is_found_and_replaced() -> None:
    paragraph = Paragraph("Signé par {{ etd_", style="Text_20_body")
    paragraph.append(Span("signa", style="T1"))
    paragraph.append(Span("taire", style="T2"))
    paragraph.append(" }} le {{date_convention}}.")
    template = new_odt(paragraph)

    assert documents.placeholders(template, "odt") == {"etd_signataire", "date_convention"}
    result = documents.render(
        template, "odt", {"etd_signataire": "Philippe Salmon", "date_convention": datetime.date(2027, 3, 15)}
    )

    assert "Signé par Philippe Salmon le 15 mars 2027." in odt_text(result)


def test_dates_are_written_the_french_way() -> None:
    assert format_date_fr(datetime.date(2026, 12, 1)) == "1er décembre 2026"
    assert format_date_fr(datetime.date(2027, 3, 15)) == "15 mars 2027"


def test_numbers_and_several_lines_are_written_as_french_text() -> None:
    document = docx.Document()
    document.add_paragraph("{{ habitants }} habitants. {{ note }}")
    result = documents.render(docx_bytes(document), "docx", {"habitants": 12480, "note": "un\ndeux"})
    paragraph = docx.Document(io.BytesIO(result)).paragraphs[0]
    assert paragraph.text == "12\u202f480 habitants. un\ndeux"


def test_a_list_alone_in_its_docx_paragraph_repeats_it_with_its_style() -> None:
    document = docx.Document()
    document.add_paragraph("Jeux :")
    document.add_paragraph("{{ jeux_cibles }}", style="List Bullet")
    document.add_paragraph("Aussi : {{ jeux_cibles }}.")
    result = docx.Document(
        io.BytesIO(
            documents.render(docx_bytes(document), "docx", {"jeux_cibles": ["Délibérations", "Subventions"]})
        )
    )
    assert [(p.text, p.style.name) for p in result.paragraphs] == [
        ("Jeux :", "Normal"),
        ("Délibérations", "List Bullet"),
        ("Subventions", "List Bullet"),
        ("Aussi : Délibérations, Subventions.", "Normal"),
    ]


def test_a_list_alone_in_an_odt_list_item_repeats_the_item_and_an_empty_list_removes_it() -> None:
    bullets = List(style="List_20_1")
    item = ListItem()
    item.append(Paragraph("{{ offre_atd }}"))
    bullets.append(item)
    other = ListItem()
    other.append(Paragraph("{{ engagements }}"))
    bullets.append(other)
    template = new_odt(Paragraph("Offre :"), bullets)

    result = Document(
        io.BytesIO(
            documents.render(template, "odt", {"offre_atd": ["Animation", "Formation"], "engagements": []})
        )
    )
    items = result.body.get_list().get_elements("text:list-item")
    assert [i.text_recursive.strip() for i in items] == ["Animation", "Formation"]


def test_placeholders_in_docx_tables_headers_and_footers_are_filled() -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "En-tête {{ atd_nom }}"
    document.sections[0].footer.paragraphs[0].text = "Pied {{ etd_nom }}"
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "{{ etd_siren }}"
    table.rows[0].cells[1].text = "{{ jeux }}"
    result = documents.render(
        docx_bytes(document),
        "docx",
        {"atd_nom": "Mégalis", "etd_nom": "Bruz", "etd_siren": "213500474", "jeux": ["A", "B"]},
    )
    text = docx_text(result)
    for expected in ("En-tête Mégalis", "Pied Bruz", "213500474", "A\nB"):
        assert expected in text


def test_placeholders_in_odt_tables_and_footers_are_filled() -> None:
    document = Document("text")
    document.body.clear()
    table = Table("T", width=2, height=0)
    row = Row()
    row.set_values(["{{ etd_nom }}", "SIREN {{ etd_siren }}"])
    table.append_row(row)
    document.body.append(table)
    document.get_style("master-page", "Standard").set_page_footer("Pied {{ atd_nom }}")
    result = documents.render(
        odt_bytes(document), "odt", {"etd_nom": "Bruz", "etd_siren": "213500474", "atd_nom": "Mégalis"}
    )
    text = odt_text(result)
    assert "Bruz" in text and "SIREN 213500474" in text and "Pied Mégalis" in text


@pytest.mark.parametrize("mime", ["image/png", "image/svg+xml"])
def test_an_image_alone_in_its_paragraph_is_inserted_in_a_docx(mime: str) -> None:
    document = docx.Document()
    document.add_paragraph("{{ graphique }}")
    data = PNG_CHART if mime == "image/png" else SVG_CHART
    result = documents.render(docx_bytes(document), "docx", {"graphique": Image(data, mime, 12)})

    media = [n for n in zipfile.ZipFile(io.BytesIO(result)).namelist() if n.startswith("word/media/")]
    assert media == [f"word/media/image1.{'png' if mime == 'image/png' else 'svg'}"]
    reread = docx.Document(io.BytesIO(result))
    assert reread.paragraphs[0].text == ""
    shape = reread.inline_shapes[0]
    assert round(shape.width.cm, 1) == 12.0 and round(shape.height.cm, 1) == 6.0


@pytest.mark.parametrize("mime", ["image/png", "image/svg+xml"])
def test_an_image_alone_in_its_paragraph_is_inserted_in_an_odt(mime: str) -> None:
    data = PNG_CHART if mime == "image/png" else SVG_CHART
    result = documents.render(
        new_odt(Paragraph("{{ graphique }}")), "odt", {"graphique": Image(data, mime, 10)}
    )

    archive = zipfile.ZipFile(io.BytesIO(result))
    pictures = [n for n in archive.namelist() if n.startswith("Pictures/")]
    assert len(pictures) == 1 and archive.read(pictures[0]) == data
    assert pictures[0].encode() in archive.read("META-INF/manifest.xml")
    frame = Document(io.BytesIO(result)).body.get_frame()
    assert frame.size == ("10.000cm", "5.000cm")


def test_an_image_among_text_is_refused_in_french() -> None:
    template = new_odt(Paragraph("Voir {{ graphique }}"))
    with pytest.raises(TemplateProblem, match="doit être seul dans son paragraphe"):
        documents.render(template, "odt", {"graphique": Image(PNG_CHART, "image/png", 10)})


# --- Errors ---------------------------------------------------------------------------------------------


def test_unknown_placeholders_are_all_named_with_the_available_ones() -> None:
    template = new_odt(Paragraph("{{ etd_nom }} {{ maire }} {{ budget }}"))
    with pytest.raises(TemplateProblem) as error:
        documents.render(template, "odt", {"etd_nom": "Bruz", "lieu": "Rennes"})
    message = str(error.value)
    assert "{{ budget }}, {{ maire }}" in message
    assert "Champs disponibles : etd_nom, lieu" in message


def test_an_unclosed_placeholder_quotes_the_text_around_it() -> None:
    document = docx.Document()
    document.add_paragraph("La commune de {{ etd_nom s'engage à publier ses données.")
    with pytest.raises(TemplateProblem, match="jamais fermé") as error:
        documents.placeholders(docx_bytes(document), "docx")
    assert "La commune de {{ etd_nom s'engage" in str(error.value)


def test_a_placeholder_name_with_spaces_is_refused_with_an_example() -> None:
    with pytest.raises(TemplateProblem, match="n'est pas un champ valide"):
        documents.placeholders(new_odt(Paragraph("{{ nom du maire }}")), "odt")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3", "docx", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "docx", "Word 97-2003"),
        (b"Madame, Monsieur, {{ etd_nom }}", "odt", "pas un document ODT"),
        (b"", "odt", "vide"),
        ("truncated", "docx", "tronqué ou endommagé"),
        ("bomb", "odt", "bombe de décompression"),
        ("docx-as-odt", "odt", "C'est un document DOCX"),
        (_zip({"hello.txt": b"bonjour"}), "docx", "pas un document DOCX"),
    ],
)
def test_a_file_that_is_not_a_template_is_refused_with_a_clear_message(
    content: bytes | str, fmt: documents.Format, message: str
) -> None:
    if content == "truncated":
        whole = documents.default_convention_template("docx")
        content = whole[: len(whole) // 2]
    elif content == "bomb":
        content = _zip(
            {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"\0" * 12_000_000}
        )
    elif content == "docx-as-odt":
        content = documents.default_convention_template("docx")
    assert isinstance(content, bytes)
    with pytest.raises(TemplateProblem, match=message):
        documents.placeholders(content, fmt)


# --- The default convention -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["odt", "docx"])
def test_the_default_convention_holds_exactly_the_documented_placeholders(fmt: documents.Format) -> None:
    assert documents.placeholders(documents.default_convention_template(fmt), fmt) == set(
        CONVENTION_PLACEHOLDERS
    )
    assert all(description.strip() for description in CONVENTION_PLACEHOLDERS.values())


@pytest.mark.parametrize("fmt", ["odt", "docx"])
def test_the_default_convention_renders_every_value(fmt: documents.Format) -> None:
    result = documents.render(documents.default_convention_template(fmt), fmt, full_context())
    text = odt_text(result) if fmt == "odt" else docx_text(result)
    for value in rendered_values():
        assert value in text, value
    assert "{{" not in text
    assert "Convention OpenDataLocale – Département d'Ille-et-Vilaine et Commune de Bruz" in text


# --- PDF ------------------------------------------------------------------------------------------------

needs_libreoffice = pytest.mark.skipif(
    not (documents.pdf_available() and shutil.which("pdftotext")),
    reason="LibreOffice (soffice) ou pdftotext absent : lancez « make libreoffice »",
)


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


@needs_libreoffice
@pytest.mark.parametrize("fmt", ["odt", "docx"])
def test_a_rendered_convention_becomes_a_pdf_holding_its_values(fmt: documents.Format) -> None:
    context = full_context()
    context["offre_atd_precisions"] = Image(SVG_CHART, "image/svg+xml", 8)
    pdf = documents.to_pdf(documents.render(documents.default_convention_template(fmt), fmt, context), fmt)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for value in rendered_values():
        if value != full_context()["offre_atd_precisions"]:
            assert " ".join(value.split()) in text, value
    assert "Jeux publies en 2026" in text  # the SVG chart is drawn as vectors, its label is text


@needs_libreoffice
def test_two_conversions_at_once_do_not_collide() -> None:
    # Each conversion has its own LibreOffice profile; a shared one would make the second run fail.
    templates = {fmt: documents.default_convention_template(fmt) for fmt in ("odt", "docx")}
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdfs = list(pool.map(lambda fmt: documents.to_pdf(templates[fmt], fmt), ["odt", "docx"]))
    assert all("{{ etd_nom }}" in pdf_text(pdf) for pdf in pdfs)


def test_to_pdf_without_libreoffice_says_so_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents.shutil, "which", lambda name: None)
    assert not documents.pdf_available()
    with pytest.raises(PdfUnavailable, match="LibreOffice n'est pas installé"):
        documents.to_pdf(b"PK", "odt")


@needs_libreoffice
def test_a_conversion_that_runs_too_long_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PdfUnavailable, match="en 0 secondes"):
        documents.to_pdf(documents.default_convention_template("odt"), "odt", timeout=0.01)


def test_placeholders_in_odt_headings_are_found() -> None:
    template = new_odt(Header(1, "{{ titre }}"))
    assert documents.placeholders(template, "odt") == {"titre"}
