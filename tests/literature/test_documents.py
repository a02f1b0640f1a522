"""Ingest: plain text, HTML, JATS XML and PDF, with DOI / title / year."""

from __future__ import annotations

from pathlib import Path

import pytest

from matinfo.errors import ImportDataError
from matinfo.literature.documents import document_from_text, parse_html, parse_jats, parse_pdf, read_document
from tests.conftest import shared_data

DATA = Path(__file__).parent / "data"


def make_pdf(lines: list[str], *, title: str | None = None, doi: str | None = None) -> bytes:
    """A one-page PDF (Helvetica, WinAnsi text) written byte by byte, as a PDF producer would."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = ("BT /F1 11 Tf 14 TL 72 740 Td " + " ".join(f"({esc(x)}) '" for x in lines) + " ET").encode(
        "latin-1"
    )
    info = "<< /Producer (matinfo tests) /CreationDate (D:20210315120000Z)"
    info += (f" /Title ({esc(title)})" if title else "") + (f" /doi ({esc(doi)})" if doi else "") + " >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        info.encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_plain_text_metadata_from_the_layout():
    doc = read_document(DATA / "garnet_note.txt")
    assert (doc.format, doc.doi, doc.title) == ("text", "10.5555/matinfo.test.0001",
                                                "Ionic conductivity of garnet and NASICON electrolytes")  # fmt: skip
    assert doc.source == str(DATA / "garnet_note.txt")
    assert "1.2 × 10−3 S cm−1" in doc.text
    assert document_from_text("Received 3 March 2019; accepted 2019\n\nText.").year == 2019


def test_html_meta_tags_sub_sup_and_no_citations_scripts_or_references():
    doc = read_document(DATA / "ni_fe_sofc.html")
    assert doc.doi == "10.1038/srep35981"
    assert doc.year == 2016
    assert doc.title.startswith("Enhanced methane steam reforming activity")
    assert doc.authors == "Kai Li; Lichao Jia"
    assert doc.journal == "Scientific Reports"
    assert "Ni0.9Fe0.1-supported" in doc.text and "NiTiO3" in doc.text
    assert "1.20 W cm−2" in doc.text
    assert "at 650 °C." in doc.text  # the citation link "12" is not glued on
    assert (
        "1.5 W cm-2" not in doc.text and "navigation" not in doc.text and "must not be read" not in doc.text
    )
    assert "\n\n" in doc.text  # paragraphs stay apart


def test_jats_front_matter_body_and_dropped_references():
    doc = read_document(DATA / "ni_fe_sofc.xml")
    assert (doc.format, doc.doi, doc.year, doc.journal) == (
        "jats",
        "10.1038/srep35981",
        2016,
        "Scientific Reports",
    )
    assert doc.title.endswith("with infiltrated Ni-TiO2 particles")
    assert doc.authors == "Kai Li; Lichao Jia"
    assert "2.83 A cm−2 at 650 °C." in doc.text
    assert "777 mW" not in doc.text and "must not be read" not in doc.text
    assert doc.reference.key == "doi:10.1038/srep35981"


def test_jats_parser_does_not_expand_entities():
    evil = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><article><body><p>&x;</p></body></article>'
    assert "root:" not in parse_jats(evil).text


def test_not_jats_says_so():
    with pytest.raises(ImportDataError, match="not a JATS article"):
        parse_jats(b"<root><p>text</p></root>", "x.xml")


def test_pdf_text_dehyphenation_and_metadata(tmp_path):
    pdf = make_pdf(
        ["The garnet Li7La3Zr2O12 (LLZO) shows an ionic conduc-", "tivity of 0.5 mS cm-1 at 25 °C and",
         "an activation energy of 0.32 ± 0.02 eV."],
        title="Garnet electrolytes", doi="10.5555/matinfo.pdf.1",
    )  # fmt: skip
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    doc = read_document(path)
    assert (doc.format, doc.title, doc.doi, doc.year) == (
        "pdf",
        "Garnet electrolytes",
        "10.5555/matinfo.pdf.1",
        2021,
    )
    assert "ionic conductivity of 0.5 mS cm-1 at 25 °C" in doc.text
    assert parse_pdf(pdf).text == doc.text


def test_format_by_content_and_forced(tmp_path):
    odd = tmp_path / "paper.bin"
    odd.write_bytes(make_pdf(["LiCoO2 delivers 140 mAh/g."]))
    assert read_document(odd).format == "pdf"
    page = tmp_path / "page.dat"
    page.write_text((DATA / "ni_fe_sofc.html").read_text(encoding="utf-8"), encoding="utf-8")
    assert read_document(page).format == "html"
    assert read_document(DATA / "garnet_note.txt", format="text").format == "text"


def test_errors_name_the_file():
    with pytest.raises(ImportDataError, match="missing.pdf"):
        read_document("missing.pdf")
    with pytest.raises(ImportDataError, match="unknown format"):
        read_document(DATA / "garnet_note.txt", format="docx")
    with pytest.raises(ImportDataError, match="not readable as PDF"):
        parse_pdf(b"%PDF-1.4 truncated", "broken.pdf")


def test_html_without_meta_falls_back_to_title_and_body_doi():
    doc = parse_html(
        "<html><head><title>A note</title></head><body><p>See doi:10.1000/xyz123.</p></body></html>"
    )
    assert (doc.title, doc.doi) == ("A note", "10.1000/xyz123")


@pytest.mark.slow
def test_real_pdf_from_the_shared_data():
    """The SOFC-Exp annotation guidelines (a real, multi-page PDF)."""
    doc = read_document(shared_data("literature", "sofc_exp", "sofc_exp_guidelines.pdf"))
    assert doc.title == "SOFC-Exp Corpus" and doc.year == 2020
    assert "scientific texts" in doc.text  # ligature "ﬁ" spelled out
