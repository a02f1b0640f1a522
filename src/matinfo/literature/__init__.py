"""matinfo.literature: materials data out of papers — ingest, extract, evaluate, curate.

* ingest: :func:`read_document` (plain text, HTML, JATS XML, PDF) with DOI, title and year;
  :func:`split_sentences` keeps formulas, numbers and abbreviations whole;
* extract: :func:`extract` gives one :class:`Extraction` per reported property value — the material as written
  and its formula (abbreviations such as ``Li7La3Zr2O12 (LLZO)`` resolved), the property, the value in its
  canonical unit, the conditions (temperature, voltage, atmosphere, ...) and the sentence; building blocks
  :func:`find_materials` (a CRF trained on the shipped gold corpora plus formula validation),
  :func:`find_quantities` (numbers, ranges, uncertainties, powers of ten, units read by ``matinfo.core``) and
  :func:`find_abbreviations`; :func:`to_records` turns extractions into store records;
* evaluate: readers of the SOFC-Exp and MSPT gold corpora and exact/overlap precision, recall and F1
  (:func:`evaluate_corpus`; ``benchmarks/literature_extraction.py``);
* classify, overview, qc and curation: relevance of sentences, which papers to read, outliers and duplicates, and
  the editor's queue from draft to published.

Everything runs offline.  Names load on first use.
"""

from __future__ import annotations

from matinfo._lazy import lazy_exports

_EXPORTS: dict[str, tuple[str, ...]] = {
    "matinfo.literature.documents": ("Document", "read_document", "document_from_text"),
    "matinfo.literature.sentences": ("Sentence", "split_sentences"),
    "matinfo.literature.tokens": ("Token", "tokenize"),
    "matinfo.literature.values": ("QuantityMention", "find_quantities"),
    "matinfo.literature.formulas": ("formula_of", "printed_formula"),
    "matinfo.literature.abbreviations": ("Abbreviation", "find_abbreviations", "abbreviation_map"),
    "matinfo.literature.materials": ("MaterialMention", "find_materials"),
    "matinfo.literature.properties": ("find_terms", "ensure_quantities", "LITERATURE_QUANTITIES"),
    "matinfo.literature.tagger": ("MaterialTagger", "train_tagger"),
    "matinfo.literature.pipeline": (
        "Extraction",
        "extract",
        "extract_document",
        "extract_text",
        "to_records",
    ),
    "matinfo.literature.corpora": ("AnnotatedDocument", "read_corpus", "read_sofc_exp", "read_mspt"),
    "matinfo.literature.evaluate": ("Score", "score_spans", "evaluate_corpus"),
    "matinfo.literature.classify": ("RelevanceClassifier", "shipped_relevance_model"),
    "matinfo.literature.overview": ("formula_frequencies", "normalise_formula", "select_papers"),
    "matinfo.literature.qc": ("flag_outliers", "find_duplicates", "same_paper_series"),
    "matinfo.literature.curation": ("Curation",),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
