"""Convert ciptool's reference data into the framework catalogs and crosswalks it bundles.

Usage::

    python tools/convert_catalogs.py SOURCE_DATA_DIR frameworks/
    python tools/convert_catalogs.py SOURCE_DATA_DIR frameworks/ --check

SOURCE_DATA_DIR holds ``catalogs/*.yaml`` and ``crosswalks/*.yaml`` in the reference-data
shape (a flat ``items`` list with ``parent`` links; ``mappings`` rows with ``from``/``to``).
Each output file has one top-level key, ``catalog:`` or ``crosswalk:``, in the shape of
``ciptool.models.catalog``. Sources and licences are described in ``frameworks/README.md``.

The conversion is deterministic (same input, same bytes) and needs only PyYAML. Before it
writes anything it verifies the result: ids unique, every parent present, exact counts,
every crosswalk id present in its catalog, and a YAML round trip that gives back exactly
the data written (so ids such as ``'4.1'`` or ``'10'`` are quoted and stay text).
With ``--check`` nothing is written: the exit status says whether the files on disk are
exactly what the conversion produces.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Data = dict[str, Any]

_README = "frameworks/README.md"
_PROVENANCE = f"Converted for ciptool from the reference data recorded in {_README}."

_NIST_LICENSE = (
    "US Government work (NIST): not subject to copyright in the United States"
    " (17 U.S.C. 105). Free to use, copy and redistribute; NIST asks for attribution."
)
_ISO_LICENSE = (
    "{standard} is copyright ISO/IEC. This catalog holds only clause and Annex A"
    " identifiers and short titles, for cross-reference: no requirement or control text"
    " and no ISO/IEC 27002 guidance. {status}Obtain the standard from ISO"
    " (https://www.iso.org/standard/27001)."
)


class ConversionError(Exception):
    """The reference data does not have the shape or content the conversion expects."""


@dataclass(frozen=True)
class LevelSpec:
    """One level of an output catalog."""

    type: str
    label: str
    requirement: bool = False
    heading: bool = False
    prefix: str = ""


@dataclass(frozen=True)
class CatalogSpec:
    """How one reference catalog becomes one ciptool catalog."""

    source_file: str
    source_id: str
    id: str
    name: str
    short_name: str
    version: str
    publisher: str
    license: str
    source: str
    levels: tuple[LevelSpec, ...]
    expected: Mapping[str, int]
    optional_prefixes: tuple[str, ...] = ()
    previous_version: str = ""


@dataclass(frozen=True)
class CrosswalkSpec:
    """How one reference crosswalk becomes one ciptool crosswalk."""

    source_file: str
    source_id: str
    id: str
    source_framework: str
    target_framework: str
    name: str
    license: str
    source: str
    expected_mappings: int
    expected_withdrawals: int = 0
    relationships: frozenset[str] = field(default_factory=lambda: frozenset({"related"}))


_CSF_LEVELS = (
    LevelSpec("function", "functions", heading=True),
    LevelSpec("category", "categories", heading=True),
    LevelSpec("subcategory", "subcategories", requirement=True),
)
# `Clause 7.3` names clause 7.3 where `7.3` alone is also Annex A control A.7.3 written without
# its prefix.
_ISO_CLAUSES = (
    LevelSpec("clause", "clauses", heading=True, prefix="Clause"),
    LevelSpec("subclause", "subclauses", prefix="Clause"),
)

CATALOGS: tuple[CatalogSpec, ...] = (
    CatalogSpec(
        source_file="catalogs/nist-csf-2.0.yaml",
        source_id="nist-csf-2.0",
        id="nist-csf-2.0",
        name="NIST Cybersecurity Framework (CSF) 2.0",
        short_name="CSF 2.0",
        previous_version="nist-csf-1.1",
        version="2.0",
        publisher="National Institute of Standards and Technology (NIST)",
        license=_NIST_LICENSE,
        source=(
            "NIST CSWP 29, The NIST Cybersecurity Framework (CSF) 2.0 (2024-02-26,"
            " https://doi.org/10.6028/NIST.CSWP.29): the Core as exported from NIST's CSF 2.0"
            " Reference Tool, with implementation example ids from NIST's OSCAL CSF 2.0"
            f" catalog. {_PROVENANCE}"
        ),
        levels=_CSF_LEVELS,
        expected={
            "function": 6,
            "category": 22,
            "subcategory": 106,
            "examples": 363,
            "withdrawn category": 12,
            "withdrawn subcategory": 79,
        },
    ),
    CatalogSpec(
        source_file="catalogs/nist-csf-1.1.yaml",
        source_id="nist-csf-1.1",
        id="nist-csf-1.1",
        name="NIST Cybersecurity Framework (CSF) 1.1",
        short_name="CSF 1.1",
        version="1.1",
        publisher="National Institute of Standards and Technology (NIST)",
        license=(
            f"{_NIST_LICENSE} Only NIST's text was taken from the AGPL-3.0 library it was"
            " read from."
        ),
        source=(
            "NIST, Framework for Improving Critical Infrastructure Cybersecurity, Version 1.1"
            " (CSWP 6, 2018-04-16, https://doi.org/10.6028/NIST.CSWP.04162018): Core function"
            " and category names and subcategory text; category descriptions and function"
            f" definitions are not included. {_PROVENANCE}"
        ),
        levels=_CSF_LEVELS,
        expected={"function": 5, "category": 23, "subcategory": 108},
    ),
    CatalogSpec(
        source_file="catalogs/iso-iec-27001-2022.yaml",
        source_id="iso-iec-27001-2022",
        id="iso27001-2022",
        name="ISO/IEC 27001:2022 Information security management systems - Requirements",
        short_name="ISO/IEC 27001:2022",
        previous_version="iso27001-2013",
        version="2022",
        publisher="ISO/IEC",
        license=_ISO_LICENSE.format(standard="ISO/IEC 27001:2022", status=""),
        source=(
            "ISO/IEC 27001:2022 clause and Annex A ids and titles, with titles normalised to"
            " the published wording, read from the CISO Assistant framework library and"
            f" checked against other public listings. {_PROVENANCE}"
        ),
        levels=(
            *_ISO_CLAUSES,
            LevelSpec("annex_a_theme", "Annex A themes", heading=True),
            LevelSpec("annex_a_control", "Annex A controls", requirement=True),
        ),
        expected={"clause": 7, "subclause": 34, "annex_a_theme": 4, "annex_a_control": 93},
        optional_prefixes=("A.",),
    ),
    CatalogSpec(
        source_file="catalogs/iso-iec-27001-2013.yaml",
        source_id="iso-iec-27001-2013",
        id="iso27001-2013",
        name="ISO/IEC 27001:2013 Information security management systems - Requirements",
        short_name="ISO/IEC 27001:2013",
        version="2013",
        publisher="ISO/IEC",
        license=_ISO_LICENSE.format(
            standard="ISO/IEC 27001:2013",
            status="The 2013 edition is withdrawn and superseded by ISO/IEC 27001:2022. ",
        ),
        source=(
            "ISO/IEC 27001:2013 clause and Annex A ids and titles (domains, control objectives"
            " and controls), with titles normalised to the published wording, read from the"
            f" CISO Assistant framework library. {_PROVENANCE}"
        ),
        levels=(
            *_ISO_CLAUSES,
            LevelSpec("annex_a_domain", "Annex A domains", heading=True),
            LevelSpec("annex_a_objective", "Annex A control objectives", heading=True),
            LevelSpec("annex_a_control", "Annex A controls", requirement=True),
        ),
        expected={
            "clause": 7,
            "subclause": 28,
            "annex_a_domain": 14,
            "annex_a_objective": 35,
            "annex_a_control": 114,
        },
        optional_prefixes=("A.",),
    ),
    CatalogSpec(
        source_file="catalogs/aicpa-tsc-2017-soc2.yaml",
        source_id="aicpa-tsc-2017",
        id="soc2-2017",
        name="SOC 2 - AICPA 2017 Trust Services Criteria",
        short_name="SOC 2 (TSC 2017)",
        version="2017 (revised points of focus 2022)",
        publisher="AICPA Assurance Services Executive Committee (TSP section 100)",
        license=(
            "The Trust Services Criteria text is (c) AICPA and is not included. This catalog"
            " holds only the criterion ids, AICPA's category and series headings, and short"
            " criterion titles that are paraphrases written for ciptool: they are not AICPA"
            " wording and must not be quoted as such. Obtain the criteria from AICPA"
            " (https://www.aicpa-cima.com/resources/download/"
            "2017-trust-services-criteria-with-revised-points-of-focus-2022)."
        ),
        source=(
            "Criterion ids from AICPA's workbook mapping the 2017 Trust Services Criteria"
            " (revised points of focus 2022) to NIST SP 800-53 Rev. 5, cross-checked against"
            " the CISO Assistant SOC 2 library; criterion titles are ciptool paraphrases, not"
            f" AICPA text. {_PROVENANCE}"
        ),
        levels=(
            LevelSpec("tsc_category", "categories", heading=True),
            LevelSpec("cc_series", "common criteria series", heading=True),
            LevelSpec("privacy_group", "privacy groups", heading=True),
            LevelSpec("criterion", "criteria", requirement=True),
        ),
        expected={"tsc_category": 5, "cc_series": 9, "privacy_group": 8, "criterion": 61},
    ),
)

CROSSWALKS: tuple[CrosswalkSpec, ...] = (
    CrosswalkSpec(
        source_file="crosswalks/nist-csf-1.1_to_nist-csf-2.0.yaml",
        source_id="nist-csf-1.1_to_nist-csf-2.0",
        id="nist-csf-1.1_to_nist-csf-2.0",
        source_framework="nist-csf-1.1",
        target_framework="nist-csf-2.0",
        name="NIST CSF 1.1 to NIST CSF 2.0 (NIST crosswalk and withdrawal dispositions)",
        license=_NIST_LICENSE,
        source=(
            "NIST's OLIR crosswalk Cybersecurity-Framework-v1.1-to-Cybersecurity-Framework-v2.0"
            " (2024-03-28) and NIST's withdrawal statements for CSF 1.1 elements, both as"
            " carried in the CSF 2.0 Reference Tool export; NIST gives no set-theory"
            f" relationship, so rows are 'related'. {_PROVENANCE}"
        ),
        expected_mappings=185,
        expected_withdrawals=91,
    ),
    CrosswalkSpec(
        source_file="crosswalks/nist-csf-2.0_to_iso-iec-27001-2022.yaml",
        source_id="nist-csf-2.0_to_iso-iec-27001-2022",
        id="nist-csf-2.0_to_iso27001-2022",
        source_framework="nist-csf-2.0",
        target_framework="iso27001-2022",
        name="NIST CSF 2.0 to ISO/IEC 27001:2022 (OLIR informative references)",
        license=(
            "Identifier pairs only. Published by NIST in the CSF 2.0 Reference Tool as an OLIR"
            " informative reference but authored by a third party (Razilio), so not a US"
            ' Government work; no licence terms come with it. Attribute "NIST OLIR /'
            ' Razilio".'
        ),
        source=(
            "OLIR dataset ISO/IEC-27001:2022-to-Cybersecurity-Framework-v2.0 (developer"
            " Razilio, released 2025-07-18 as reported by third-party metadata), read from the"
            " Informative References column of NIST's CSF 2.0 Reference Tool export; source"
            " lines that name no valid ISO id were left out. Rows are 'related': the export"
            f" gives no set-theory relationship. {_PROVENANCE}"
        ),
        expected_mappings=412,
    ),
)

_WITHDRAWAL_RELATIONSHIPS = frozenset({"incorporated_into", "moved_to"})


# --------------------------------------------------------------------------- reading


def load_source(root: Path, relative: str) -> Data:
    """Read one reference-data file as a mapping."""
    path = root / relative
    if not path.is_file():
        raise ConversionError(f"{relative}: not found under the source data directory")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ConversionError(f"{relative}: expected a mapping at the top level")
    return data


def text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    """The string at ``key``; "" when absent or null, unless ``required``."""
    value = raw.get(key)
    if value is None:
        if required:
            raise ConversionError(f"{where}: `{key}` is missing")
        return ""
    if not isinstance(value, str):
        raise ConversionError(f"{where}: `{key}` should be text, found {type(value).__name__}")
    if required and not value:
        raise ConversionError(f"{where}: `{key}` is empty")
    return value


def id_list(raw: Mapping[str, Any], key: str, where: str) -> list[str]:
    """The list of string ids at ``key`` ([] when absent)."""
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConversionError(f"{where}: `{key}` should be a list of ids")
    return list(value)


def rows(data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    """The list of mappings at ``key`` ([] when absent)."""
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConversionError(f"{where}: `{key}` should be a list of mappings")
    return value


def put(out: Data, key: str, value: str | list[Any]) -> None:
    """Set ``key`` unless the value is empty, keeping output files small."""
    if value:
        out[key] = value


# --------------------------------------------------------------------------- catalogs


def convert_catalog(spec: CatalogSpec, data: Mapping[str, Any]) -> Data:
    """One reference catalog as a ciptool ``Catalog`` mapping."""
    where = spec.source_file
    if data.get("id") != spec.source_id:
        raise ConversionError(f"{where}: expected id {spec.source_id}, found {data.get('id')}")
    titles = title_corrections(data, where)
    items = [
        convert_item(raw, titles, f"{where} items[{n}]")
        for n, raw in enumerate(rows(data, "items", where))
    ]
    catalog: Data = {
        "id": spec.id,
        "name": spec.name,
        "short_name": spec.short_name,
        "version": spec.version,
        "publisher": spec.publisher,
        "license": spec.license,
        "source": spec.source,
        "levels": [convert_level(level) for level in spec.levels],
    }
    put(catalog, "previous_version", spec.previous_version)
    put(catalog, "optional_prefixes", list(spec.optional_prefixes))
    catalog["items"] = items
    withdrawn = rows(data, "withdrawn", where)
    put(
        catalog,
        "withdrawn",
        [convert_withdrawn(raw, f"{where} withdrawn[{n}]") for n, raw in enumerate(withdrawn)],
    )
    return {"catalog": catalog}


def convert_level(level: LevelSpec) -> Data:
    """A level as the model writes it; ``requirement`` only when true."""
    out: Data = {"type": level.type, "label": level.label}
    if level.requirement:
        out["requirement"] = True
    if level.heading:
        out["heading"] = True
    put(out, "prefix", level.prefix)
    return out


def title_corrections(data: Mapping[str, Any], where: str) -> dict[str, tuple[str, str]]:
    """id -> (title in the packaging source, published title) from ``title_corrections``."""
    corrections: dict[str, tuple[str, str]] = {}
    for n, raw in enumerate(rows(data, "title_corrections", where)):
        at = f"{where} title_corrections[{n}]"
        corrections[text(raw, "id", at, required=True)] = (
            text(raw, "source_title", at, required=True),
            text(raw, "published_title", at, required=True),
        )
    return corrections


def convert_item(raw: Mapping[str, Any], titles: Mapping[str, tuple[str, str]], where: str) -> Data:
    """One item; a corrected title is used in its published form."""
    item_id = text(raw, "id", where, required=True)
    title = text(raw, "title", where)
    if item_id in titles:
        source_title, published = titles[item_id]
        if title not in (source_title, published):
            raise ConversionError(f"{where}: title of {item_id} is neither form of its correction")
        title = published
    out: Data = {"id": item_id, "type": text(raw, "type", where, required=True)}
    put(out, "title", title)
    put(out, "text", text(raw, "text", where))
    put(out, "parent", text(raw, "parent", where))
    examples = rows(raw, "implementation_examples", where)
    put(out, "examples", [convert_example(ex, f"{where} ({item_id})") for ex in examples])
    return out


def convert_example(raw: Mapping[str, Any], where: str) -> Data:
    """An implementation example: id, label, text."""
    out: Data = {"id": text(raw, "id", where, required=True)}
    put(out, "label", text(raw, "label", where))
    out["text"] = text(raw, "text", where, required=True)
    return out


def convert_withdrawn(raw: Mapping[str, Any], where: str) -> Data:
    """A withdrawn element with its former id, NIST's reason and its targets."""
    out: Data = {
        "id": text(raw, "id", where, required=True),
        "type": text(raw, "type", where, required=True),
    }
    put(out, "title", text(raw, "title", where))
    put(out, "former_id", text(raw, "csf11_id", where))
    put(out, "reason", text(raw, "withdrawal_reason", where))
    put(out, "incorporated_into", id_list(raw, "incorporated_into", where))
    put(out, "moved_to", id_list(raw, "moved_to", where))
    return out


# --------------------------------------------------------------------------- crosswalks


def convert_crosswalk(spec: CrosswalkSpec, data: Mapping[str, Any]) -> Data:
    """One reference crosswalk as a ciptool ``Crosswalk`` mapping."""
    where = spec.source_file
    if data.get("id") != spec.source_id:
        raise ConversionError(f"{where}: expected id {spec.source_id}, found {data.get('id')}")
    crosswalk: Data = {
        "id": spec.id,
        "source_framework": spec.source_framework,
        "target_framework": spec.target_framework,
        "name": spec.name,
        "license": spec.license,
        "source": spec.source,
        "mappings": [
            convert_mapping(raw, f"{where} mappings[{n}]")
            for n, raw in enumerate(rows(data, "mappings", where))
        ],
    }
    withdrawals = [
        convert_withdrawal(raw, f"{where} withdrawals[{n}]")
        for n, raw in enumerate(rows(data, "withdrawals", where))
    ]
    put(crosswalk, "withdrawals", withdrawals)
    return {"crosswalk": crosswalk}


def convert_mapping(raw: Mapping[str, Any], where: str) -> Data:
    """A mapping row; the source's ``to_detail`` becomes ``detail``."""
    out: Data = {
        "from": text(raw, "from", where, required=True),
        "to": text(raw, "to", where, required=True),
        "relationship": text(raw, "relationship", where) or "related",
    }
    put(out, "detail", text(raw, "to_detail", where))
    return out


def convert_withdrawal(raw: Mapping[str, Any], where: str) -> Data:
    """A withdrawal disposition; NIST's wording becomes ``note``."""
    out: Data = {
        "from": text(raw, "from", where, required=True),
        "relationship": text(raw, "relationship", where, required=True),
    }
    put(out, "to", id_list(raw, "to", where))
    put(out, "note", text(raw, "nist_disposition", where))
    return out


# --------------------------------------------------------------------------- verification


def verify_catalog(spec: CatalogSpec, catalog: Mapping[str, Any]) -> list[str]:
    """Problems with one converted catalog: ids, parents, types, counts, withdrawn targets."""
    problems: list[str] = []
    items: list[Data] = catalog["items"]
    problems += duplicates(spec.id, "item id", (item["id"] for item in items))
    seen: set[str] = set()
    level_types = {level.type for level in spec.levels}
    for item in items:
        if item["type"] not in level_types:
            problems.append(f"{spec.id}: {item['id']} has unknown type {item['type']}")
        parent = item.get("parent")
        if parent is not None and parent not in seen:
            problems.append(f"{spec.id}: parent {parent} of {item['id']} is not listed before it")
        seen.add(item["id"])
    examples = [ex["id"] for item in items for ex in item.get("examples", [])]
    problems += duplicates(spec.id, "example id", examples)
    withdrawn: list[Data] = catalog.get("withdrawn", [])
    problems += duplicates(spec.id, "withdrawn id", (w["id"] for w in withdrawn))
    for entry in withdrawn:
        if entry["id"] in seen:
            problems.append(f"{spec.id}: withdrawn {entry['id']} is also an active item")
        targets = entry.get("incorporated_into", []) + entry.get("moved_to", [])
        problems += missing(spec.id, f"target of withdrawn {entry['id']}", targets, seen)
    tally = Counter(item["type"] for item in items)
    tally["examples"] = len(examples)
    tally.update(f"withdrawn {entry['type']}" for entry in withdrawn)
    actual = {key: count for key, count in tally.items() if count}
    if actual != dict(spec.expected):
        problems.append(f"{spec.id}: counts {actual} differ from expected {dict(spec.expected)}")
    return problems


def verify_crosswalk(
    spec: CrosswalkSpec, crosswalk: Mapping[str, Any], catalogs: Mapping[str, Data]
) -> list[str]:
    """Problems with one converted crosswalk: unknown ids, relationships, duplicates, counts."""
    problems: list[str] = []
    source_ids = {item["id"] for item in catalogs[spec.source_framework]["items"]}
    target_ids = {item["id"] for item in catalogs[spec.target_framework]["items"]}
    mappings: list[Data] = crosswalk["mappings"]
    withdrawals: list[Data] = crosswalk.get("withdrawals", [])
    problems += missing(spec.id, "from id", (m["from"] for m in mappings), source_ids)
    problems += missing(spec.id, "to id", (m["to"] for m in mappings), target_ids)
    problems += missing(spec.id, "withdrawn id", (w["from"] for w in withdrawals), source_ids)
    targets = (t for w in withdrawals for t in w.get("to", []))
    problems += missing(spec.id, "withdrawal target", targets, target_ids)
    for m in mappings:
        if m["relationship"] not in spec.relationships:
            problems.append(f"{spec.id}: unexpected relationship {m['relationship']}")
        if "detail" in m and not m["detail"].startswith(m["to"]):
            problems.append(f"{spec.id}: detail {m['detail']} does not refine {m['to']}")
    for w in withdrawals:
        if w["relationship"] not in _WITHDRAWAL_RELATIONSHIPS:
            problems.append(f"{spec.id}: unexpected disposition {w['relationship']}")
    rows_seen = (f"{m['from']} -> {m['to']} {m.get('detail', '')}" for m in mappings)
    problems += duplicates(spec.id, "mapping", rows_seen)
    problems += duplicates(spec.id, "withdrawal", (w["from"] for w in withdrawals))
    if len(mappings) != spec.expected_mappings:
        problems.append(f"{spec.id}: {len(mappings)} mappings, expected {spec.expected_mappings}")
    if len(withdrawals) != spec.expected_withdrawals:
        problems.append(
            f"{spec.id}: {len(withdrawals)} withdrawals, expected {spec.expected_withdrawals}"
        )
    return problems


def verify_withdrawals_agree(catalog: Mapping[str, Any], crosswalk: Mapping[str, Any]) -> list[str]:
    """The CSF 2.0 catalog's withdrawn list and the 1.1 -> 2.0 dispositions must agree."""
    problems: list[str] = []
    by_former = {w.get("former_id", w["id"]): w for w in catalog.get("withdrawn", [])}
    dispositions = {w["from"]: w for w in crosswalk.get("withdrawals", [])}
    if set(by_former) != set(dispositions):
        problems.append("withdrawn ids of the CSF 2.0 catalog and the 1.1 -> 2.0 crosswalk differ")
    for former, entry in sorted(by_former.items()):
        disposition = dispositions.get(former)
        if disposition is None:
            continue
        relationship = disposition["relationship"]
        if entry.get(relationship, []) != disposition.get("to", []):
            problems.append(f"withdrawn {former}: catalog and crosswalk targets differ")
        if entry.get("reason", "") != disposition.get("note", ""):
            problems.append(f"withdrawn {former}: catalog reason and crosswalk note differ")
    return problems


def duplicates(owner: str, what: str, values: Iterable[str]) -> list[str]:
    """One problem per value that occurs more than once."""
    counts = Counter(values)
    return [f"{owner}: duplicate {what} {value}" for value, n in sorted(counts.items()) if n > 1]


def missing(owner: str, what: str, values: Iterable[str], known: set[str]) -> list[str]:
    """One problem per distinct value not in ``known``."""
    return [
        f"{owner}: {what} {value} is not in the catalog" for value in sorted(set(values) - known)
    ]


def verify_round_trip(name: str, document: Data, rendered: str) -> list[str]:
    """Reading the rendered text back must give the data exactly, ids staying text."""
    if yaml.safe_load(rendered) != document:
        return [f"{name}: the YAML written does not read back as the data converted"]
    return []


# --------------------------------------------------------------------------- output


def render(document: Data, header: str) -> str:
    """A document as readable, deterministic YAML with a one-line header comment."""
    body = yaml.safe_dump(
        document,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        indent=2,
        default_flow_style=False,
    )
    return f"# {header}\n{body}"


def header_for(kind: str, file_id: str) -> str:
    """The comment that opens each generated file."""
    return f"ciptool {kind} {file_id}: generated by tools/convert_catalogs.py; see README.md."


def build(source_root: Path) -> tuple[dict[str, str], list[str]]:
    """Convert everything: file name -> rendered text, and the problems found."""
    problems: list[str] = []
    documents: dict[str, tuple[Data, str]] = {}
    catalogs: dict[str, Data] = {}
    for spec in CATALOGS:
        document = convert_catalog(spec, load_source(source_root, spec.source_file))
        catalogs[spec.id] = document["catalog"]
        problems += verify_catalog(spec, document["catalog"])
        documents[f"{spec.id}.yaml"] = (document, header_for("catalog", spec.id))
    for cw_spec in CROSSWALKS:
        document = convert_crosswalk(cw_spec, load_source(source_root, cw_spec.source_file))
        problems += verify_crosswalk(cw_spec, document["crosswalk"], catalogs)
        documents[f"{cw_spec.id}.yaml"] = (document, header_for("crosswalk", cw_spec.id))
    problems += verify_withdrawals_agree(
        catalogs["nist-csf-2.0"], documents["nist-csf-1.1_to_nist-csf-2.0.yaml"][0]["crosswalk"]
    )
    rendered: dict[str, str] = {}
    for name, (document, header) in documents.items():
        rendered[name] = render(document, header)
        problems += verify_round_trip(name, document, rendered[name])
    return rendered, problems


def summary(name: str, content: str) -> str:
    """One line per file: name, size and counts."""
    document = yaml.safe_load(content)
    if "catalog" in document:
        body = document["catalog"]
        tally = Counter(item["type"] for item in body["items"])
        parts = [f"{label['label']} {tally[label['type']]}" for label in body["levels"]]
        examples = sum(len(item.get("examples", [])) for item in body["items"])
        if examples:
            parts.append(f"examples {examples}")
        if body.get("withdrawn"):
            parts.append(f"withdrawn {len(body['withdrawn'])}")
    else:
        body = document["crosswalk"]
        parts = [f"mappings {len(body['mappings'])}"]
        if body.get("withdrawals"):
            parts.append(f"withdrawals {len(body['withdrawals'])}")
    size = len(content.encode("utf-8"))
    return f"{name:<40} {size:>8} bytes  {', '.join(parts)}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument(
        "source", type=Path, help="reference data directory (catalogs/, crosswalks/)"
    )
    parser.add_argument("output", type=Path, help="where the framework files go, e.g. frameworks/")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; fail when the files in OUTPUT differ from a fresh conversion",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Convert, verify, then write (or compare with ``--check``)."""
    args = parse_args(argv)
    try:
        rendered, problems = build(args.source)
    except ConversionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if problems:
        for problem in problems:
            print(f"verification failed: {problem}", file=sys.stderr)
        return 1
    output: Path = args.output
    if args.check:
        stale = [
            name
            for name, content in rendered.items()
            if not (output / name).is_file() or (output / name).read_bytes() != content.encode()
        ]
        for name in stale:
            print(f"out of date: {output / name}", file=sys.stderr)
        return 1 if stale else 0
    output.mkdir(parents=True, exist_ok=True)
    for name, content in rendered.items():
        (output / name).write_bytes(content.encode("utf-8"))
        print(summary(name, content))
    return 0


if __name__ == "__main__":
    sys.exit(main())
