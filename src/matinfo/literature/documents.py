"""Papers in: plain text, HTML, JATS XML and PDF, with DOI, title, year, authors and journal.

:func:`read_document` picks the reader by file suffix (``.txt``, ``.html``, ``.xml``/``.nxml``, ``.pdf``) or,
for other names, by content.  Every reader returns a :class:`Document`: the text in reading order, paragraphs and
headings separated by blank lines (what :func:`~matinfo.literature.sentences.split_sentences` expects), and the
metadata it found.

* **Text**: a DOI anywhere in the first 3,000 characters (``doi:``, ``https://doi.org/``, bare ``10.xxxx/...``);
  the title is the first short line that is not the DOI (the layout of MSPT and of most text dumps); the year
  from ``©``/``Received``/``Published``/``Accepted`` lines.
* **HTML**: ``citation_*``, Dublin Core and ``prism`` meta tags (what publishers and PubMed Central emit), else
  ``<title>``; body text from paragraphs, headings, list items and captions; scripts, styles, navigation and the
  reference list are left out, and so are citation links (``<a href="#b12">12</a>``), so that they do not glue
  onto formulas as ``O3−δ12``.  ``<sub>``/``<sup>`` become plain characters: ``Li<sub>7</sub>`` → ``Li7``,
  ``cm<sup>−1</sup>`` → ``cm−1``.
* **JATS** (``<article>``, the NISO XML of PubMed Central and most publishers): ``article-id[@pub-id-type=doi]``,
  ``article-title``, ``pub-date/year``, contributors, ``journal-title``; abstract, section titles, paragraphs and
  figure/table captions; ``<xref ref-type="bibr">`` and ``<ref-list>`` dropped.  Parsed without network access
  or entity expansion.
* **PDF**: text by :mod:`pypdf` (pure Python), pages separated by blank lines, words hyphenated across a line
  end joined (``conduc-\\ntivity``), ligatures (``ﬁ``) spelled out; the DOI from the document information or
  the first page, the title from the document information or else as for text, the year of its creation date.

>>> doc = document_from_text("10.1039/c6dt02166b\\nMagnetic properties of BaxCr5Se8\\nThe powder was annealed.")
>>> doc.doi, doc.title
('10.1039/c6dt02166b', 'Magnetic properties of BaxCr5Se8')
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matinfo.core.records import ReferenceIn
from matinfo.errors import ImportDataError

__all__ = [
    "Document",
    "read_document",
    "document_from_text",
    "parse_html",
    "parse_jats",
    "parse_pdf",
    "FORMATS",
]

FORMATS = ("text", "html", "jats", "pdf")
_SUFFIXES = {".txt": "text", ".text": "text", ".md": "text", ".html": "html", ".htm": "html",
             ".xhtml": "html", ".xml": "jats", ".nxml": "jats", ".pdf": "pdf"}  # fmt: skip
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>]+)")
_YEAR_CONTEXT = re.compile(
    r"(?:©|\(c\)|copyright|received|accepted|published|available online)[^\n]{0,60}?\b((?:19|20)\d{2})\b",
    re.I,
)


@dataclass(frozen=True)
class Document:
    """One paper: its text and what is known about it.

    Attributes
    ----------
    text : str
        Reading-order text; paragraphs separated by blank lines.
    source : str
        Where it came from (the path as given).
    format : {'text', 'html', 'jats', 'pdf'}
    doi, title, authors, journal : str or None
        ``authors`` joined by ``"; "``.
    year : int or None
    """

    text: str
    source: str
    format: str = "text"
    doi: str | None = None
    title: str | None = None
    year: int | None = None
    authors: str | None = None
    journal: str | None = None

    @property
    def reference(self) -> ReferenceIn:
        """The paper as a store reference (``url`` is the source when there is no DOI)."""
        return ReferenceIn(
            doi=self.doi,
            title=self.title,
            year=self.year,
            authors=self.authors,
            journal=self.journal,
            url=None if self.doi else self.source,
        )


def _clean_doi(text: str | None) -> str | None:
    if not text:
        return None
    m = _DOI.search(text)
    return m.group(1).rstrip(".,;:)]}") if m else None


def _year(text: str | None) -> int | None:
    if not text:
        return None
    m = re.search(r"\b(1[89]\d{2}|20\d{2})\b", text)
    return int(m.group(1)) if m else None


def _squash(text: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()


def document_from_text(
    text: str,
    source: str = "<text>",
    *,
    doi: str | None = None,
    title: str | None = None,
    year: int | None = None,
) -> Document:
    """A :class:`Document` from plain text, metadata read from the text where not given (module docstring)."""
    head = text[:3000]
    doi = doi or _clean_doi(head)
    if title is None:
        for line in head.splitlines()[:5]:
            line = line.strip()
            if not line or _DOI.fullmatch(line) or re.fullmatch(r"(?:doi:\s*|https?://\S+)\S*", line, re.I):
                continue
            if len(line) <= 300 and not line.endswith(".") and len(line.split()) >= 2:
                title = line
            break
    if year is None:
        m = _YEAR_CONTEXT.search(head)
        year = int(m.group(1)) if m else None
    return Document(text=text, source=source, format="text", doi=doi, title=title, year=year)


# ---------------------------------------------------------------------------------------------------- HTML

_BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 li caption figcaption dt dd blockquote title".split())
_SKIP_HTML = frozenset("script style nav header footer noscript form button svg math head".split())
_REFERENCE_SECTION = re.compile(r"\b(?:references?|bibliography|ref-list|citations?)\b", re.I)
_CITATION_TEXT = re.compile(r"^[\s\d,–\-−;\[\]()]*$")


def _is_citation_link(el: Any) -> bool:
    href = el.get("href") or ""
    return el.tag == "a" and href.startswith("#") and bool(_CITATION_TEXT.match(el.text_content() or ""))


def _html_text(el: Any, out: list[str]) -> None:
    """Inline text of ``el`` into ``out``, skipping citation links."""
    if el.text:
        out.append(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if (
            tag in _SKIP_HTML
            or _is_citation_link(child)
            or (tag == "sup" and len(child) and all(_is_citation_link(c) for c in child))
        ):
            pass
        else:
            _html_text(child, out)
        if child.tail:
            out.append(child.tail)


def _html_blocks(el: Any, out: list[str]) -> None:
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _SKIP_HTML or (
            tag and _REFERENCE_SECTION.search(f"{child.get('id', '')} {child.get('class', '')}")
        ):
            continue
        if tag in _BLOCKS or (tag in ("div", "section", "td", "th") and not any(
            isinstance(c.tag, str) and (c.tag in _BLOCKS or c.tag in ("div", "section", "table", "ul", "ol"))
            for c in child.iter() if c is not child
        )):  # fmt: skip
            parts: list[str] = []
            _html_text(child, parts)
            text = _squash("".join(parts))
            if text:
                out.append(text)
        else:
            _html_blocks(child, out)


def parse_html(data: str | bytes, source: str = "<html>") -> Document:
    """A :class:`Document` from an HTML page (module docstring)."""
    import lxml.html

    try:
        root = lxml.html.fromstring(data)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ImportDataError(f"not readable as HTML: {exc}", source=source, hint="check the file") from None
    meta: dict[str, list[str]] = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").lower()
        if name and m.get("content"):
            meta.setdefault(name, []).append(m.get("content").strip())

    def first(*names: str) -> str | None:
        for n in names:
            if meta.get(n):
                return meta[n][0]
        return None

    doi = _clean_doi(first("citation_doi", "dc.identifier", "prism.doi", "doi", "dc.identifier.doi"))
    title = first("citation_title", "dc.title", "og:title")
    if title is None:
        t = root.find(".//title")
        title = _squash(t.text_content()) if t is not None and t.text_content() else None
    year = _year(first("citation_publication_date", "citation_date", "dc.date", "prism.publicationdate",
                       "article:published_time", "citation_online_date"))  # fmt: skip
    authors = "; ".join(meta.get("citation_author", [])) or first("dc.creator")
    journal = first("citation_journal_title", "prism.publicationname")
    body = root.find(".//body")
    blocks: list[str] = []
    _html_blocks(body if body is not None else root, blocks)
    text = "\n\n".join(blocks)
    if doi is None:
        doi = _clean_doi(text[:3000])
    return Document(text, source, "html", doi, title, year, authors or None, journal)


# ---------------------------------------------------------------------------------------------------- JATS

_JATS_BLOCKS = frozenset(("p", "title", "article-title", "caption", "td", "th", "label", "list-item"))
_JATS_SKIP = frozenset(
    ("ref-list", "back", "table", "object-id", "fn-group", "ack", "supplementary-material")
)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _jats_inline(el: Any, out: list[str]) -> None:
    if el.text:
        out.append(el.text)
    for child in el:
        tag = _local(child.tag)
        if not (tag == "xref" and child.get("ref-type") in ("bibr", "fn")) and tag not in _JATS_SKIP:
            _jats_inline(child, out)
        if child.tail:
            out.append(child.tail)


def _jats_blocks(el: Any, out: list[str]) -> None:
    for child in el:
        tag = _local(child.tag)
        if tag in _JATS_SKIP:
            continue
        if tag in _JATS_BLOCKS and not any(
            _local(c.tag) in ("p", "sec") for c in child.iter() if c is not child
        ):
            parts: list[str] = []
            _jats_inline(child, parts)
            text = _squash("".join(parts))
            if text:
                out.append(text)
        else:
            _jats_blocks(child, out)


def parse_jats(data: str | bytes, source: str = "<jats>") -> Document:
    """A :class:`Document` from JATS XML (module docstring)."""
    from lxml import etree

    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        root = etree.fromstring(raw, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ImportDataError(f"not readable as XML: {exc}", source=source, hint="check the file") from None
    if root is None or _local(root.tag) != "article":
        raise ImportDataError(
            "not a JATS article (the root element is not <article>)",
            source=source,
            value=_local(root.tag) if root is not None else None,
            hint="pass HTML as .html, or read the file with format='html'",
        )

    def find(path: str) -> Any:
        found = root.xpath(path)
        return found[0] if found else None

    def text_of(el: Any) -> str | None:
        if el is None:
            return None
        parts: list[str] = []
        _jats_inline(el, parts)
        return _squash("".join(parts)) or None

    doi = _clean_doi(
        text_of(find(".//*[local-name()='article-meta']/*[local-name()='article-id'][@pub-id-type='doi']"))
    )
    title = text_of(find(".//*[local-name()='article-meta']//*[local-name()='article-title']"))
    year_el = find(".//*[local-name()='article-meta']/*[local-name()='pub-date']/*[local-name()='year']")
    year = _year(year_el.text if year_el is not None else None)
    names = []
    for n in root.xpath(".//*[local-name()='contrib'][@contrib-type='author']//*[local-name()='name']"):
        by_tag = {_local(c.tag): text_of(c) for c in n}
        names.append(" ".join(p for p in (by_tag.get("given-names"), by_tag.get("surname")) if p))
    journal = text_of(find(".//*[local-name()='journal-title']"))
    blocks: list[str] = []
    if title:
        blocks.append(title)
    for part in root.xpath(".//*[local-name()='abstract'] | .//*[local-name()='body']"):
        _jats_blocks(part, blocks)
    return Document("\n\n".join(blocks), source, "jats", doi, title, year, "; ".join(names) or None, journal)


# ---------------------------------------------------------------------------------------------------- PDF

_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-\n(?=[a-z])")
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"})


def parse_pdf(data: bytes | str | os.PathLike[str], source: str | None = None) -> Document:
    """A :class:`Document` from a PDF (bytes or a path), text by :mod:`pypdf` (module docstring)."""
    import io

    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportDataError("reading PDF needs pypdf", source=source, hint="pip install pypdf") from exc
    where = source or (str(data) if not isinstance(data, bytes) else "<pdf>")
    stream = io.BytesIO(data) if isinstance(data, bytes) else open(data, "rb")  # noqa: SIM115
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(
        logging.ERROR
    )  # pypdf warns about harmless quirks of real files ("Multiple definitions ...")
    try:
        try:
            reader = PdfReader(stream)
            if reader.is_encrypted:
                raise ImportDataError(
                    "the PDF is encrypted", source=where, hint="save an unencrypted copy or extract its text"
                )
            pages = [page.extract_text() or "" for page in reader.pages]
            info = reader.metadata or {}
        except PdfReadError as exc:
            raise ImportDataError(
                f"not readable as PDF: {exc}", source=where, hint="check the file"
            ) from None
    finally:
        log.setLevel(level)
        stream.close()
    text = "\n\n".join(_HYPHEN_BREAK.sub("", p.translate(_LIGATURES)).strip() for p in pages if p.strip())
    title = _squash(str(info.get("/Title") or "")) or document_from_text(text[:3000]).title
    doi = _clean_doi(str(info.get("/doi") or info.get("/DOI") or "")) or _clean_doi(text[:3000])
    year = _year(str(info.get("/CreationDate") or "")[2:6] if info.get("/CreationDate") else None)
    authors = _squash(str(info.get("/Author") or "")) or None
    return Document(text, where, "pdf", doi, title, year, authors, None)


# ---------------------------------------------------------------------------------------------------- dispatch


def _sniff(head: bytes) -> str:
    start = head.lstrip()[:2000].lower()
    if start.startswith(b"%pdf"):
        return "pdf"
    if b"<article" in start and (b"jats" in start or b"<front" in start or b"article-type" in start):
        return "jats"
    if b"<html" in start or b"<!doctype html" in start:
        return "html"
    return "text"


def read_document(path: str | os.PathLike[str], *, format: str | None = None) -> Document:
    """Read a paper from ``path`` (format from the suffix, else from the content, or forced by ``format``).

    Parameters
    ----------
    path : path-like
    format : {'text', 'html', 'jats', 'pdf'}, optional

    Returns
    -------
    Document
        ``source`` is ``str(path)`` as given.

    Raises
    ------
    ImportDataError
        The file is missing, unreadable, or not what its format says.
    """
    source = str(path)
    p = Path(path)
    if format is not None and format not in FORMATS:
        raise ImportDataError(
            f"unknown format {format!r}", source=source, hint=f"use one of {', '.join(FORMATS)}"
        )
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ImportDataError(
            f"cannot read the file: {exc.strerror}", source=source, hint="check the path"
        ) from None
    kind = format or _SUFFIXES.get(p.suffix.lower()) or _sniff(raw[:4096])
    if kind == "jats" and format is None and _sniff(raw[:4096]) == "html":
        kind = "html"
    if kind == "pdf":
        return parse_pdf(raw, source)
    if kind == "jats":
        return parse_jats(raw, source)
    if kind == "html":
        return parse_html(raw, source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return document_from_text(text.replace("\r\n", "\n"), source)
