"""The document engine: ODT and DOCX templates filled with ``{{ champ }}`` values, and PDF through LibreOffice.

ATD staff write their own templates in LibreOffice or Word. Both split a paragraph's text into runs
(DOCX ``w:r``) or spans (ODT ``text:span``) wherever formatting, spell-check or editing history changes,
so a placeholder is never looked for in one run: each paragraph's text is read as one string made of
*pieces* (every text node, in order), placeholders are matched on that string, and each match is written
back into the piece where it starts (keeping that run's formatting) while the rest of the match is cut
from the following pieces.

Every problem a user can fix is raised as ``TemplateProblem`` with a French message naming it.
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import io
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from odl.core.archives import ArchiveRefused, check_zip
from odl.core.text import format_date_fr, format_int_fr

Format = Literal["odt", "docx"]

# A template is a few pages written by hand: anything far larger is a mistake or an attack.
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
MAX_TEMPLATE_INFLATED = 200 * 1024 * 1024
# Real office files compress XML about 5–20 times; a zip bomb is thousands of times.
MAX_COMPRESSION_RATIO = 100
PDF_TIMEOUT_SECONDS = 120

PLACEHOLDER = re.compile(r"\{\{[ \u00a0]*(\w+)[ \u00a0]*\}\}")

ODT_MIMETYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.text-template",
}

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
    "svgimg": "http://www.w3.org/2000/svg",
}


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


class TemplateProblem(Exception):
    """The template (or the values given for it) cannot be used; the message is in French, for the user."""


class PdfUnavailable(Exception):
    """No PDF can be produced here (LibreOffice absent or failing); the message is in French."""


@dataclass(frozen=True)
class Image:
    """A picture (a chart) that replaces a placeholder standing alone in its paragraph.

    Word needs a bitmap beside an SVG; ``fallback_png`` is used when given, else a transparent pixel
    (Word 2016+, LibreOffice and the PDF use the SVG itself).
    """

    data: bytes
    mime: str
    width_cm: float
    fallback_png: bytes | None = None


Value = str | int | datetime.date | Image | Sequence[object] | None


# --- Opening the file safely ---------------------------------------------------------------------------


def _open_archive(template: bytes, fmt: Format) -> zipfile.ZipFile:
    expected = "ODT (LibreOffice)" if fmt == "odt" else "DOCX (Word)"
    if not template:
        raise TemplateProblem(f"Le modèle est vide : déposez un fichier {expected}.")
    if len(template) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem(
            f"Le modèle pèse {len(template) // 1024 // 1024} Mo : un modèle ne doit pas dépasser "
            f"{MAX_TEMPLATE_BYTES // 1024 // 1024} Mo."
        )
    if template.startswith(b"%PDF"):
        raise TemplateProblem(
            f"Ce fichier est un PDF, qui ne peut pas servir de modèle : déposez le document source au format {expected}."
        )
    if template.startswith(b"\xd0\xcf\x11\xe0"):
        raise TemplateProblem(
            "Ce fichier est au format Word 97-2003 (.doc), qui n'est pas pris en charge : ouvrez-le et "
            f"enregistrez-le au format {expected}."
        )
    if not template.startswith(b"PK\x03\x04"):
        raise TemplateProblem(
            f"Ce fichier n'est pas un document {expected} (ce n'est pas une archive ODT ou DOCX)."
        )
    try:
        names = check_zip(
            template,
            what="Le modèle",
            max_uncompressed=MAX_TEMPLATE_INFLATED,
            max_ratio=MAX_COMPRESSION_RATIO,
            ratio_from=10 * 1024 * 1024,
        )
    except ArchiveRefused as exc:
        if exc.damaged:
            raise TemplateProblem(
                f"Le modèle est tronqué ou endommagé : il ne s'ouvre pas comme un document {expected}."
            ) from exc
        raise TemplateProblem(str(exc)) from exc
    archive = zipfile.ZipFile(io.BytesIO(template))
    is_docx = "word/document.xml" in names
    is_odt = "content.xml" in names
    if fmt == "odt" and not is_odt:
        hint = " C'est un document DOCX : choisissez le format DOCX." if is_docx else ""
        raise TemplateProblem(f"Ce fichier n'est pas un document ODT.{hint}")
    if fmt == "docx" and not is_docx:
        hint = " C'est un document ODT : choisissez le format ODT." if is_odt else ""
        raise TemplateProblem(f"Ce fichier n'est pas un document DOCX.{hint}")
    if fmt == "odt":
        mimetype = _read_member(archive, "mimetype", expected).decode("ascii", "replace").strip()
        if mimetype not in ODT_MIMETYPES:
            raise TemplateProblem(
                f"Ce fichier OpenDocument n'est pas un texte ({mimetype or 'type inconnu'}) : déposez un document ODT."
            )
    return archive


def _read_member(archive: zipfile.ZipFile, name: str, expected: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        return b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise TemplateProblem(
            f"Le modèle est endommagé : « {name} » ne se décompresse pas ({expected})."
        ) from exc


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def _parse_xml(data: bytes, name: str) -> Any:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise TemplateProblem(
            f"Le modèle est endommagé : la partie « {name} » n'est pas du XML lisible."
        ) from exc


# --- Paragraphs as strings of pieces -------------------------------------------------------------------


class _Piece:
    """One text node of a paragraph; ``atomic`` pieces (tabs, ODF space runs) can only be kept or dropped."""

    __slots__ = ("get", "set", "drop", "atomic_text")

    def __init__(
        self,
        get: Callable[[], str],
        set_: Callable[[str], None] | None,
        drop: Callable[[], None] | None = None,
        atomic_text: str = "",
    ) -> None:
        self.get = get
        self.set = set_
        self.drop = drop
        self.atomic_text = atomic_text

    @property
    def text(self) -> str:
        return self.get() if self.set is not None else self.atomic_text


class _Paragraph:
    """A paragraph of either format: its pieces, and how to copy it or turn it into a picture."""

    def __init__(self, element: Any, pieces: list[_Piece]) -> None:
        self.element = element
        self.pieces = pieces

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)

    def replace(self, start: int, end: int, new: str) -> None:
        offset = 0
        started = False
        for piece in self.pieces:
            text = piece.text
            piece_start, piece_end = offset, offset + len(text)
            offset = piece_end
            if not started:
                if not piece_start <= start < piece_end:
                    continue
                # The match starts here: this run keeps its formatting and receives the whole value.
                assert piece.set is not None  # "{{" is never inside a tab or a space element
                rest = text[end - piece_start :] if end <= piece_end else ""
                piece.set(text[: start - piece_start] + new + rest)
                started = True
                if end <= piece_end:
                    return
            elif piece_start >= end:
                return
            elif end >= piece_end:
                if piece.set is not None:
                    piece.set("")
                elif piece.drop is not None:
                    piece.drop()
            else:
                assert piece.set is not None
                piece.set(text[end - piece_start :])
                return


def _context_of(text: str, position: int) -> str:
    start, end = max(position - 30, 0), min(position + 40, len(text))
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _matches(paragraph_text: str) -> list[re.Match[str]]:
    """The placeholders of a paragraph; a ``{{`` that opens no valid placeholder is an error."""
    found = list(PLACEHOLDER.finditer(paragraph_text))
    covered = [(m.start(), m.end()) for m in found]
    for opening in re.finditer(r"\{\{", paragraph_text):
        at = opening.start()
        if any(start <= at < end for start, end in covered):
            continue
        closing = paragraph_text.find("}}", at)
        if closing == -1:
            raise TemplateProblem(
                f"Un champ ouvert par « {{{{ » n'est jamais fermé par « }}}} » dans le texte "
                f"« {_context_of(paragraph_text, at)} »."
            )
        raise TemplateProblem(
            f"« {paragraph_text[at : closing + 2]} » n'est pas un champ valide (dans « "
            f"{_context_of(paragraph_text, at)} ») : un nom de champ ne contient que des lettres, des chiffres "
            "et des soulignés, par exemple {{ etd_nom }}."
        )
    return found


# DOCX ------------------------------------------------------------------------------------------------

_W_P, _W_T, _W_TAB, _W_BR, _W_CR, _W_R = (_q("w", n) for n in ("p", "t", "tab", "br", "cr", "r"))
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _docx_paragraphs(root: Any) -> Iterator[_Paragraph]:
    for p in list(root.iter(_W_P)):
        pieces: list[_Piece] = []
        for node in p.iter(_W_T, _W_TAB, _W_BR, _W_CR):
            owner = node.getparent()
            while owner is not None and owner.tag != _W_P:
                owner = owner.getparent()
            if owner is not p:  # text of a text box nested in this paragraph: it is a paragraph of its own
                continue
            if node.tag == _W_T:
                pieces.append(
                    _Piece(functools.partial(_docx_get_text, node), functools.partial(_docx_set_text, node))
                )
            else:
                pieces.append(_Piece(str, None, atomic_text="\t" if node.tag == _W_TAB else "\n"))
        yield _Paragraph(p, pieces)


def _docx_get_text(node: Any) -> str:
    return str(node.text or "")


def _docx_set_text(node: Any, value: str) -> None:
    lines = value.split("\n")
    node.text = lines[0]
    node.set(_XML_SPACE, "preserve")
    anchor = node
    # A value written on several lines keeps its line breaks (w:br inside the same run).
    for line in lines[1:]:
        br = etree.Element(_W_BR)
        anchor.addnext(br)
        t = etree.Element(_W_T)
        t.text = line
        t.set(_XML_SPACE, "preserve")
        br.addnext(t)
        anchor = t


# ODT -------------------------------------------------------------------------------------------------

_T_P, _T_H, _T_S, _T_TAB, _T_LB = (_q("text", n) for n in ("p", "h", "s", "tab", "line-break"))
_T_SPAN, _T_A, _T_META = (_q("text", n) for n in ("span", "a", "meta"))
_T_LIST_ITEM = _q("text", "list-item")


def _odt_paragraphs(root: Any) -> Iterator[_Paragraph]:
    for p in list(root.iter(_T_P, _T_H)):
        pieces: list[_Piece] = []
        _odt_collect(p, pieces)
        yield _Paragraph(p, pieces)


def _odt_collect(element: Any, pieces: list[_Piece]) -> None:
    pieces.append(_odt_slot(element, "text"))
    for child in element:
        if child.tag in (_T_SPAN, _T_A, _T_META):
            _odt_collect(child, pieces)
        elif child.tag == _T_S:
            count = int(child.get(_q("text", "c"), "1"))
            pieces.append(
                _Piece(str, None, drop=functools.partial(_odt_remove, child), atomic_text=" " * count)
            )
        elif child.tag == _T_TAB:
            pieces.append(_Piece(str, None, atomic_text="\t"))
        elif child.tag == _T_LB:
            pieces.append(_Piece(str, None, atomic_text="\n"))
        elif isinstance(child.tag, str) and child.tag.startswith("{"):
            # Frames, notes, fields, bookmarks: their content is not this paragraph's text.
            pieces.append(_Piece(str, None, atomic_text="\ufffc"))
        pieces.append(_odt_slot(child, "tail"))


def _odt_slot(element: Any, attribute: Literal["text", "tail"]) -> _Piece:
    def get() -> str:
        return str(getattr(element, attribute) or "")

    def set_(value: str) -> None:
        lines = value.split("\n")
        setattr(element, attribute, lines[0])
        parent, index = (element, 0) if attribute == "text" else (element.getparent(), None)
        if index is None:
            index = parent.index(element) + 1
        # A value written on several lines keeps its line breaks (text:line-break between the lines).
        for line in lines[1:]:
            br = etree.Element(_T_LB)
            br.tail = line
            parent.insert(index, br)
            index += 1

    return _Piece(get, set_)


def _odt_remove(element: Any) -> None:
    # Turned into an empty span rather than removed: its tail, a piece of its own, stays where it is.
    element.tag = _T_SPAN
    element.attrib.pop(_q("text", "c"), None)


def _walker(fmt: Format) -> Callable[[Any], Iterator[_Paragraph]]:
    return _odt_paragraphs if fmt == "odt" else _docx_paragraphs


# --- The two packages ----------------------------------------------------------------------------------


class _Package:
    """An opened template: its XML story parts, each given as paragraphs, and how to save it."""

    fmt: Format

    def roots(self) -> list[Any]:
        raise NotImplementedError

    def paragraphs(self) -> Iterator[tuple[Any, _Paragraph]]:
        for root in self.roots():
            for paragraph in _walker(self.fmt)(root):
                yield root, paragraph

    def insert_image(self, paragraph: _Paragraph, root: Any, image: Image, name: str) -> None:
        raise NotImplementedError

    def save(self) -> bytes:
        raise NotImplementedError


class _OdtPackage(_Package):
    fmt: Format = "odt"
    PARTS = ("content.xml", "styles.xml")  # styles.xml holds the headers and footers of master pages

    def __init__(self, template: bytes) -> None:
        self.archive = _open_archive(template, "odt")
        self.xml = {
            name: _parse_xml(_read_member(self.archive, name, "ODT"), name)
            for name in self.PARTS
            if name in self.archive.namelist()
        }
        self.pictures: dict[str, tuple[bytes, str]] = {}

    def roots(self) -> list[Any]:
        return list(self.xml.values())

    def insert_image(self, paragraph: _Paragraph, root: Any, image: Image, name: str) -> None:
        width, height = image.width_cm, image.width_cm * _aspect_ratio(image, name)
        extension = "svg" if image.mime == "image/svg+xml" else "png"
        path = f"Pictures/{hashlib.sha1(image.data).hexdigest()}.{extension}"
        self.pictures[path] = (image.data, image.mime)
        p = paragraph.element
        for child in list(p):
            p.remove(child)
        p.text = None
        frame = etree.SubElement(p, _q("draw", "frame"))
        frame.set(_q("draw", "name"), f"{name}-{len(self.pictures)}")
        frame.set(_q("text", "anchor-type"), "as-char")
        frame.set(_q("svg", "width"), f"{width:.3f}cm")
        frame.set(_q("svg", "height"), f"{height:.3f}cm")
        frame.set(_q("draw", "z-index"), "0")
        picture = etree.SubElement(frame, _q("draw", "image"))
        for attribute, value in (
            ("href", path),
            ("type", "simple"),
            ("show", "embed"),
            ("actuate", "onLoad"),
        ):
            picture.set(_q("xlink", attribute), value)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        manifest = _parse_xml(_read_member(self.archive, "META-INF/manifest.xml", "ODT"), "manifest.xml")
        known = {entry.get(_q("manifest", "full-path")) for entry in manifest}
        for path, (_, mime) in self.pictures.items():
            if path not in known:
                entry = etree.SubElement(manifest, _q("manifest", "file-entry"))
                entry.set(_q("manifest", "full-path"), path)
                entry.set(_q("manifest", "media-type"), mime)
        replaced = {
            name: etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            for name, root in self.xml.items()
        }
        replaced["META-INF/manifest.xml"] = etree.tostring(manifest, xml_declaration=True, encoding="UTF-8")
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
            # ODF wants "mimetype" first and stored, so that tools can sniff the type from the first bytes.
            out.writestr(
                zipfile.ZipInfo("mimetype"), _read_member(self.archive, "mimetype", "ODT"), zipfile.ZIP_STORED
            )
            for info in self.archive.infolist():
                if info.filename == "mimetype" or info.filename in self.pictures:
                    continue
                data = replaced.get(info.filename)
                out.writestr(
                    info.filename,
                    data if data is not None else _read_member(self.archive, info.filename, "ODT"),
                )
            for path, (data, _) in self.pictures.items():
                out.writestr(path, data)
        return buffer.getvalue()


_DOCX_STORY_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml",
}
_SVG_BLIP_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
_SVG_BLIP_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"


class _DocxPackage(_Package):
    fmt: Format = "docx"

    def __init__(self, template: bytes) -> None:
        import docx

        _open_archive(template, "docx").close()
        try:
            self.document = docx.Document(io.BytesIO(template))
        except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors… for damaged parts
            raise TemplateProblem(
                "Le modèle DOCX ne peut pas être ouvert : il est endommagé ou ce n'est pas un document Word "
                "(un modèle .dotx doit être enregistré en .docx)."
            ) from exc
        self.parts = [
            part for part in self.document.part.package.iter_parts() if part.content_type in _DOCX_STORY_TYPES
        ]

    def roots(self) -> list[Any]:
        return [part.element for part in self.parts]

    def insert_image(self, paragraph: _Paragraph, root: Any, image: Image, name: str) -> None:
        from docx.shared import Cm

        part = next(part for part in self.parts if part.element is root)
        p = paragraph.element
        run_properties = None
        for run in p.iter(_W_R):
            run_properties = run.find(_q("w", "rPr"))
            break
        for child in list(p):
            if child.tag != _q("w", "pPr"):
                p.remove(child)
        width = Cm(image.width_cm)
        height = Cm(image.width_cm * _aspect_ratio(image, name))
        unused: str | None = None
        if image.mime == "image/png":
            inline = part.new_pic_inline(io.BytesIO(image.data), width, height)
        else:
            inline = part.new_pic_inline(io.BytesIO(image.fallback_png or _TRANSPARENT_PNG), width, height)
            svg_id = part.relate_to(self._svg_part(image.data), _IMAGE_RELATIONSHIP)
            blip = inline.find(f".//{_q('a', 'blip')}")
            if image.fallback_png is None:
                # Without a bitmap, the main picture is the SVG too: LibreOffice (hence the PDF) reads only
                # that one, Word 2016+ reads the SVG extension below.
                unused = blip.get(_q("r", "embed"))
                blip.set(_q("r", "embed"), svg_id)
            extensions = etree.SubElement(blip, _q("a", "extLst"))
            extension = etree.SubElement(extensions, _q("a", "ext"), uri=_SVG_BLIP_EXTENSION)
            svg_blip = etree.SubElement(extension, f"{{{_SVG_BLIP_NS}}}svgBlip", nsmap={"asvg": _SVG_BLIP_NS})
            svg_blip.set(_q("r", "embed"), svg_id)
        run = etree.SubElement(p, _W_R)
        if run_properties is not None:
            run.append(copy.deepcopy(run_properties))
        drawing = etree.SubElement(run, _q("w", "drawing"))
        drawing.append(inline)
        if unused is not None:
            part.drop_rel(unused)  # the placeholder pixel, referenced by nothing now

    def _svg_part(self, data: bytes) -> Any:
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part

        package = self.document.part.package
        for part in package.iter_parts():
            if part.content_type == "image/svg+xml" and part.blob == data:
                return part
        partname = package.next_partname("/word/media/image%d.svg")
        return Part(PackURI(partname), "image/svg+xml", data, package)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


_IMAGE_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


def _png(width: int, height: int) -> bytes:
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x00\x00\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


_TRANSPARENT_PNG = _png(1, 1)
_SVG_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px|pt|pc|mm|cm|in)?\s*$")


def _aspect_ratio(image: Image, name: str) -> float:
    """Height over width of the picture, so that a width in centimetres is enough to place it."""
    problem = TemplateProblem(f"L'image donnée pour « {name} » n'est pas un PNG ou un SVG lisible.")
    if image.mime == "image/png":
        if image.data[:8] != b"\x89PNG\r\n\x1a\n" or len(image.data) < 24:
            raise problem
        width, height = struct.unpack(">II", image.data[16:24])
    elif image.mime == "image/svg+xml":
        try:
            root = etree.fromstring(image.data, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise problem from exc
        box = (root.get("viewBox") or "").replace(",", " ").split()
        sizes = [_SVG_LENGTH.match(root.get(attribute) or "") for attribute in ("width", "height")]
        if sizes[0] and sizes[1] and sizes[0].group(2) == sizes[1].group(2):
            width, height = float(sizes[0].group(1)), float(sizes[1].group(1))
        elif len(box) == 4:
            width, height = float(box[2]), float(box[3])
        else:
            raise problem
    else:
        raise TemplateProblem(
            f"L'image donnée pour « {name} » est de type {image.mime} : seuls PNG et SVG sont acceptés."
        )
    if width <= 0 or height <= 0:
        raise problem
    return float(height) / float(width)


def _open(template: bytes, fmt: Format) -> _Package:
    if fmt == "odt":
        return _OdtPackage(template)
    if fmt == "docx":
        return _DocxPackage(template)
    raise TemplateProblem(f"Format de modèle inconnu : « {fmt} » (formats acceptés : odt, docx).")


# --- Public API ----------------------------------------------------------------------------------------


def placeholders(template: bytes, fmt: Format) -> set[str]:
    """The names of the ``{{ champs }}`` of a template, everywhere (body, tables, headers, footers).

    Raises ``TemplateProblem`` for a file that is not a usable ODT/DOCX or for a malformed placeholder,
    so that the upload form can refuse it before it is saved.
    """
    package = _open(template, fmt)
    return {match.group(1) for _, paragraph in package.paragraphs() for match in _matches(paragraph.text)}


def render(template: bytes, fmt: Format, context: Mapping[str, object]) -> bytes:
    """Fill a template with the values of ``context`` and return the document in the same format.

    A list placed alone in its paragraph repeats the paragraph (or its list item) once per element; an
    ``Image`` placed alone in its paragraph becomes that picture; other values are written as text.
    """
    package = _open(template, fmt)
    found: set[str] = set()
    plan: list[tuple[Any, _Paragraph, list[re.Match[str]]]] = []
    for root, paragraph in package.paragraphs():
        matches = _matches(paragraph.text)
        if matches:
            found.update(match.group(1) for match in matches)
            plan.append((root, paragraph, matches))
    unknown = found - set(context)
    if unknown:
        names = ", ".join(f"{{{{ {name} }}}}" for name in sorted(unknown))
        available = ", ".join(sorted(context)) or "aucun"
        plural = "s inconnus" if len(unknown) > 1 else " inconnu"
        raise TemplateProblem(f"Champ{plural} dans le modèle : {names}. Champs disponibles : {available}.")
    for root, paragraph, matches in plan:
        alone = len(matches) == 1 and paragraph.text.strip() == matches[0].group(0)
        value = context[matches[0].group(1)]
        if alone and isinstance(value, Image):
            package.insert_image(paragraph, root, value, matches[0].group(1))
        elif alone and _is_list(value):
            _repeat(paragraph, matches[0], list(value), fmt)  # type: ignore[call-overload]
        else:
            _fill(paragraph, matches, context)
    return package.save()


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence | set | frozenset) and not isinstance(value, str | bytes)


def _as_text(value: object, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return format_int_fr(value)
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    if isinstance(value, datetime.datetime):
        return format_date_fr(value.date())
    if isinstance(value, datetime.date):
        return format_date_fr(value)
    if isinstance(value, Image):
        raise TemplateProblem(
            f"Le champ image {{{{ {name} }}}} doit être seul dans son paragraphe pour que l'image y soit placée."
        )
    if _is_list(value):
        return ", ".join(_as_text(item, name) for item in value)  # type: ignore[attr-defined]
    raise TypeError(f"{name}: cannot write a {type(value).__name__} into a document")


def _fill(paragraph: _Paragraph, matches: list[re.Match[str]], context: Mapping[str, object]) -> None:
    # Right to left: an edit never moves the offsets of the matches still to be done.
    for match in reversed(matches):
        paragraph.replace(match.start(), match.end(), _as_text(context[match.group(1)], match.group(1)))


def _repeat(paragraph: _Paragraph, match: re.Match[str], items: list[object], fmt: Format) -> None:
    element = paragraph.element
    parent = element.getparent()
    # In ODT the bullet belongs to the list item: repeat the item, not only its paragraph.
    if fmt == "odt" and parent is not None and parent.tag == _T_LIST_ITEM and len(parent) == 1:
        element = parent
    anchor = element
    for item in items:
        clone = copy.deepcopy(element)
        inner = next(p for p in _walker(fmt)(clone) if PLACEHOLDER.search(p.text))
        inner.replace(match.start(), match.end(), _as_text(item, match.group(1)))
        anchor.addnext(clone)
        anchor = clone
    element.getparent().remove(element)


# --- PDF -----------------------------------------------------------------------------------------------


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    """Whether LibreOffice is installed here, so that ``to_pdf`` can work."""
    return _soffice() is not None


def to_pdf(document: bytes, fmt: Format, timeout: float = PDF_TIMEOUT_SECONDS) -> bytes:
    """Convert an ODT or DOCX document to PDF with LibreOffice headless."""
    soffice = _soffice()
    if soffice is None:
        raise PdfUnavailable(
            "LibreOffice n'est pas installé sur ce serveur : le PDF ne peut pas être produit."
        )
    if fmt not in ("odt", "docx"):
        raise PdfUnavailable(f"Format inconnu : « {fmt} » (formats acceptés : odt, docx).")
    with tempfile.TemporaryDirectory(prefix="odl-pdf-") as folder:
        work = Path(folder)
        source = work / f"document.{fmt}"
        source.write_bytes(document)
        # Each conversion gets its own throw-away profile: two LibreOffice runs sharing one would collide.
        profile = (work / "profile").as_uri()
        command = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        env = {**os.environ, "HOME": str(work)}
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own process group: a timeout ends soffice.bin too, not just the launcher
        )
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfUnavailable(
                f"LibreOffice n'a pas produit le PDF en {timeout:.0f} secondes : conversion abandonnée."
            ) from exc
        result = work / "out" / "document.pdf"
        if process.returncode != 0 or not result.is_file():
            detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["aucun message"]
            raise PdfUnavailable(
                f"LibreOffice n'a pas réussi à convertir le document en PDF (code {process.returncode} : {detail[0]})."
            )
        return result.read_bytes()


# --- The default convention ----------------------------------------------------------------------------

CONVENTION_PLACEHOLDERS: dict[str, str] = {
    "atd_nom": "Nom de la structure Animateur Territorial des Données (ATD).",
    "atd_signataire": "Prénom et nom de la personne qui signe pour l'ATD.",
    "atd_signataire_qualite": "Fonction de la personne qui signe pour l'ATD (ex. : Président du conseil départemental).",
    "etd_nom": "Nom de la collectivité accompagnée (Expérimentateur Territorial des Données, ETD).",
    "etd_siren": "Numéro SIREN de la collectivité accompagnée.",
    "etd_signataire": "Prénom et nom de la personne qui signe pour la collectivité.",
    "etd_signataire_qualite": "Fonction de la personne qui signe pour la collectivité (ex. : Maire).",
    "date_convention": "Date de signature de la convention (écrite « 1er décembre 2026 »).",
    "date_limite_publication": "Date avant laquelle la collectivité publie les jeux de données prévus.",
    "duree_mois": "Durée de la convention, en mois.",
    "jeux_cibles": "Liste : jeux de données du SCDL que la collectivité s'engage à publier (un par ligne).",
    "engagements": "Liste : engagements supplémentaires de la collectivité (peut être vide).",
    "offre_atd": "Liste : ce que l'ATD met à disposition (animation, formation, outils, portail mutualisé…).",
    "offre_atd_precisions": "Texte libre précisant l'offre de l'ATD (peut être vide).",
    "lieu": "Commune où la convention est signée.",
}

# A filled-in example: the UI previews a template with it, the tests and the benchmark render it.
CONVENTION_EXAMPLE: dict[str, object] = {
    "atd_nom": "Département d'Ille-et-Vilaine",
    "atd_signataire": "Jean-Luc Chenut",
    "atd_signataire_qualite": "Président du conseil départemental",
    "etd_nom": "Commune de Bruz",
    "etd_siren": "213500474",
    "etd_signataire": "Philippe Salmon",
    "etd_signataire_qualite": "Maire",
    "date_convention": datetime.date(2026, 12, 1),
    "date_limite_publication": datetime.date(2027, 12, 31),
    "duree_mois": 24,
    "jeux_cibles": [
        "Délibérations du conseil municipal",
        "Subventions accordées aux associations",
        "Équipements collectifs",
        "Marchés publics",
    ],
    "engagements": ["Nommer un référent données"],
    "offre_atd": [
        "Animation du réseau des ETD",
        "Formation des agents et sensibilisation des élus",
        "Outils de validation des fichiers SCDL",
        "Portail open data mutualisé",
    ],
    "offre_atd_precisions": "Deux demi-journées de formation au printemps, un appel mensuel le premier jeudi.",
    "lieu": "Rennes",
}

# The convention, once, in the platform's own words; both builders below lay it out.
_CONVENTION: list[tuple[str, str]] = [
    ("title", "Convention d'accompagnement à l'ouverture des données publiques"),
    ("subtitle", "Programme OpenDataLocale"),
    ("heading", "Entre les parties"),
    (
        "para",
        "{{ atd_nom }}, Animateur Territorial des Données (ATD), représenté par {{ atd_signataire }}, "
        "{{ atd_signataire_qualite }}, ci-après « l'ATD »,",
    ),
    ("para", "et"),
    (
        "para",
        "{{ etd_nom }} (SIREN {{ etd_siren }}), représentée par {{ etd_signataire }}, "
        "{{ etd_signataire_qualite }}, qui rejoint le programme comme Expérimentateur Territorial des "
        "Données, ci-après « l'ETD ».",
    ),
    ("heading", "Préambule"),
    (
        "para",
        "La loi pour une République numérique du 7 octobre 2016 demande aux communes et aux "
        "établissements publics de coopération intercommunale de plus de 3 500 habitants employant au "
        "moins 50 agents de mettre leurs données publiques en ligne, dans un format ouvert et réutilisable.",
    ),
    (
        "para",
        "OpenDataFrance anime au niveau national le programme OpenDataLocale, qui aide les collectivités à "
        "ouvrir leurs données. Le programme a défini le Socle Commun des Données Locales (SCDL), un ensemble "
        "de jeux de données que toute collectivité peut publier sous une forme commune, et propose des "
        "ressources pour sensibiliser, accompagner et former agents et élus.",
    ),
    (
        "para",
        "{{ atd_nom }} a été retenu comme Animateur Territorial des Données. OpenDataFrance lui apporte de "
        "la méthode, de la documentation et de l'animation, sans financement, pour qu'il accompagne les "
        "collectivités de son territoire. L'ATD offre de même un accompagnement : il ne finance pas l'ETD.",
    ),
    ("heading", "Article 1 – Objet"),
    (
        "para",
        "La présente convention fixe ce que l'ATD et l'ETD s'engagent à faire, chacun pour sa part, afin "
        "d'ouvrir, de publier et de faire connaître les données publiques de {{ etd_nom }}.",
    ),
    ("heading", "Article 2 – Engagements de l'ETD"),
    (
        "para",
        "L'ETD s'engage à publier, avant le {{ date_limite_publication }}, les jeux de données du SCDL "
        "suivants :",
    ),
    ("bullet", "{{ jeux_cibles }}"),
    ("para", "L'ETD s'engage également à :"),
    ("bullet", "prendre part, autant que possible, aux réunions ou appels mensuels organisés par l'ATD ;"),
    (
        "bullet",
        "essayer les outils d'accompagnement du programme, en interne comme avec ses partenaires locaux "
        "(collectivités voisines, associations, entreprises, universités) ;",
    ),
    (
        "bullet",
        "partager son expérience et ses travaux de publication avec les autres ETD, dans l'espace "
        "documentaire commun ;",
    ),
    ("bullet", "{{ engagements }}"),
    ("heading", "Article 3 – Ce que l'ATD propose"),
    ("para", "L'ATD accompagne l'ETD sans contrepartie financière. Il met à sa disposition :"),
    ("bullet", "{{ offre_atd }}"),
    ("para", "{{ offre_atd_precisions }}"),
    ("heading", "Article 4 – Durée"),
    (
        "para",
        "La convention prend effet le {{ date_convention }}, date de sa signature, pour {{ duree_mois }} "
        "mois. Chaque partie peut y mettre fin par courrier, en prévenant l'autre un mois à l'avance.",
    ),
    ("heading", "Signatures"),
    ("para", "Fait à {{ lieu }}, le {{ date_convention }}, en deux exemplaires originaux."),
    ("signatures", ""),
]
_SIGNATURES = [
    ("Pour l'ATD", "Pour l'ETD"),
    ("{{ atd_nom }}", "{{ etd_nom }}"),
    ("{{ atd_signataire }}", "{{ etd_signataire }}"),
    ("{{ atd_signataire_qualite }}", "{{ etd_signataire_qualite }}"),
    ("Signature :", "Signature :"),
]
_FOOTER = "Convention OpenDataLocale – {{ atd_nom }} et {{ etd_nom }}"


def default_convention_template(fmt: Format) -> bytes:
    """The platform's ATD–ETD convention, built by code, with the placeholders of ``CONVENTION_PLACEHOLDERS``."""
    if fmt == "odt":
        return _convention_odt()
    if fmt == "docx":
        return _convention_docx()
    raise TemplateProblem(f"Format de modèle inconnu : « {fmt} » (formats acceptés : odt, docx).")


def _convention_odt() -> bytes:
    from odfdo import Document, Header, List, ListItem, Paragraph, Row, StyleMasterPage, Table

    document = Document("text")
    body = document.body
    body.clear()
    current_list: Any = None
    for kind, text in _CONVENTION:
        if kind != "bullet":
            current_list = None
        if kind == "title":
            body.append(Header(1, text))
        elif kind == "subtitle":
            body.append(Paragraph(text, style="Text_20_body"))
        elif kind == "heading":
            body.append(Header(2, text))
        elif kind == "para":
            body.append(Paragraph(text, style="Text_20_body"))
        elif kind == "bullet":
            if current_list is None:
                current_list = List(style="List_20_1")
                body.append(current_list)
            item = ListItem()
            item.append(Paragraph(text, style="List_20_Contents"))
            current_list.append(item)
        elif kind == "signatures":
            table = Table("Signatures", width=2, height=0)
            for left, right in _SIGNATURES:
                row = Row()
                row.set_values([left, right])
                table.append_row(row)
            body.append(table)
    master_page = document.get_style("master-page", "Standard")
    assert isinstance(master_page, StyleMasterPage)  # odfdo's blank text document always has one
    master_page.set_page_footer(_FOOTER)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _convention_docx() -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    for kind, text in _CONVENTION:
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind == "subtitle":
            document.add_paragraph(text, style="Subtitle")
        elif kind == "heading":
            document.add_heading(text, level=1)
        elif kind == "para":
            document.add_paragraph(text)
        elif kind == "bullet":
            document.add_paragraph(text, style="List Bullet")
        elif kind == "signatures":
            table = document.add_table(rows=0, cols=2)
            for left, right in _SIGNATURES:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = left, right
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = _FOOTER
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
