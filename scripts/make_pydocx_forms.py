#!/usr/bin/env python3
"""Forms written from scratch with python-docx (pip package `python-docx`): a producer unlike Word
(its default template, its own table and run XML), each filled in a different way, with the truth
built from the same data that fills the form.

    python3 scripts/make_pydocx_forms.py        # writes fixtures/producers/pydocx__*.docx

Called by make_producer_fixtures.py as well. The wording comes from
../shared/form/cpoms-qa-tool-july-2019.txt (the form as text), never typed here.
"""

import datetime
import json
import os
import sys

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt, RGBColor
from docx.oxml.ns import qn
from docx.oxml import OxmlElement

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORM_TEXT_CANDIDATES = [
    os.path.join(ROOT, "..", "shared", "form", "cpoms-qa-tool-july-2019.txt"),
    "/work/shared/form/cpoms-qa-tool-july-2019.txt",
]

HEADER_LABELS = [
    ("reviewer", "Name of Person conducting the Quality Assurance:"),
    ("reviewer_role", "Position/Role of Person conducting the Quality Assurance:"),
    ("subject", "Name of Person whose CPOMS recording is being Quality Assured:"),
    ("subject_role", "Position/Role of Person in School/Setting:"),
    ("external_auditor", "Name of External Auditor:"),
    ("school", "Name of school:"),
    ("date", "Date:"),
]


def read_form():
    """(overview questions, sections [(title, [(id, wording)])]) from the form as text."""
    path = next(p for p in FORM_TEXT_CANDIDATES if os.path.exists(p))
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    i = next(k for k, l in enumerate(lines) if l.strip().startswith("OVERVIEW"))
    overview = []
    k = i + 1
    while not lines[k].startswith("\t"):
        if lines[k].strip():
            overview.append(lines[k].strip())
        k += 1
    sections = []
    cells = []
    while k < len(lines) and not lines[k].startswith("STANDARDS AND ACTIONS"):
        if lines[k].startswith("\t") or (cells and lines[k].strip() and not lines[k].startswith("\t")):
            if lines[k].startswith("\t"):
                cells.append(lines[k][1:])
            else:
                cells[-1] += "\n" + lines[k]
        k += 1
    # Cells come as: title, YES, NO, Comments/Actions, then per row: number, question, "", "", "".
    j = 0
    while j < len(cells):
        c = cells[j].strip()
        if j + 1 < len(cells) and cells[j + 1].strip() == "YES":
            sections.append((c, []))
            j += 4
            continue
        import re
        if re.fullmatch(r"\d{1,2}(\.\d{1,2})?", c):
            wording = cells[j + 1].split("\n")[0].strip()
            sections[-1][1].append((c, wording))
            j += 5
            continue
        j += 1
    return overview, sections


OVERVIEW_IDS = ["O%d" % n for n in range(1, 14)]


def iso(d):
    return d.strftime("%Y-%m-%d") if d else None


def set_cell_shading(cell, fill):
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def add_run(par, text, bold=False, highlight=None, colour=None, underline=False, strike=False):
    r = par.add_run(text)
    if bold:
        r.bold = True
    if underline:
        r.underline = True
    if strike:
        r.font.strike = True
    if highlight:
        r.font.highlight_color = highlight
    if colour:
        r.font.color.rgb = RGBColor.from_string(colour)
    return r


def write_cell(cell, text, **fmt):
    p = cell.paragraphs[0]
    lines = text.split("\n") if text else []
    for n, line in enumerate(lines):
        if n:
            p = cell.add_paragraph()
        add_run(p, line, **fmt)


class Spec:
    """One return: the answers and how they are marked."""

    def __init__(self, name, **kw):
        self.name = name
        self.__dict__.update(kw)


def answers_pattern(ids, seed):
    """A fixed, varied set of answers: yes mostly, some no, some blank, one both."""
    out = {}
    for n, qid in enumerate(ids):
        k = (n * 7 + seed) % 11
        out[qid] = "no" if k in (2, 5) else None if k == 8 else "yes"
    return out


COMMENTS = [
    "Evidence seen on three files", "Not consistently recorded", "Discussed with DSL",
    "Good practice – share with staff", None, None, "Stored under documents\nChecked two files",
]


def build(spec, out_dir):
    overview_q, sections = read_form()
    ids = [qid for _, rows in sections for qid, _ in rows]
    answers = answers_pattern(ids, spec.seed)
    for qid in ("3.3", "4.2"):
        answers[qid] = None
    if spec.both_row:
        answers[spec.both_row] = "both"
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = spec.font
    style.font.size = Pt(10)
    truth_questions = {}
    warnings = []

    doc.add_paragraph().add_run("CPOMS Quality Assurance Tool").bold = True
    doc.add_paragraph("This Quality Assurance Tool is for you as a school to hold your Designated Safeguarding "
                      "Leads/Nominated Deputies to account for the quality of their recording and management of CPOMS.")
    header = spec.header
    if spec.header_layout == "table":
        t = doc.add_table(rows=0, cols=2)
        t.style = "Table Grid"
        for key, label in HEADER_LABELS:
            row = t.add_row().cells
            write_cell(row[0], label, bold=True)
            write_cell(row[1], header.get(key) or "")
    else:
        for key, label in HEADER_LABELS:
            p = doc.add_paragraph()
            add_run(p, label + " ")
            v = header.get(key)
            if v:
                add_run(p, v, colour=spec.answer_colour)
            else:
                add_run(p, "_" * 30)
    doc.add_paragraph().add_run("OVERVIEW:").bold = True
    overview_truth = {}
    for oid, q in zip(OVERVIEW_IDS, overview_q):
        doc.add_paragraph().add_run(q).bold = True
        v = spec.overview.get(oid)
        if v:
            for line in v.split("\n"):
                add_run(doc.add_paragraph(), line, colour=spec.answer_colour)
        overview_truth[oid] = v

    n_comment = 0
    for title, rows in sections:
        t = doc.add_table(rows=1, cols=5)
        t.style = "Table Grid"
        hdr = t.rows[0].cells
        if spec.merge_title:
            merged = hdr[0].merge(hdr[1])
            write_cell(merged, title, bold=True)
        else:
            write_cell(hdr[0], "")
            write_cell(hdr[1], title, bold=True)
        write_cell(hdr[2], "YES", bold=True)
        write_cell(hdr[3], "NO", bold=True)
        write_cell(hdr[4], "Comments/Actions", bold=True)
        for qid, wording in rows:
            cells = t.add_row().cells
            write_cell(cells[0], qid)
            rating = None
            if qid in ("3.3", "4.2"):
                rating = spec.ratings[qid]
                p = cells[1].paragraphs[0]
                add_run(p, wording)
                p2 = cells[1].add_paragraph()
                for d in range(1, 6):
                    if d > 1:
                        add_run(p2, "     ")
                    mark = {}
                    text = str(d)
                    if d == rating:
                        if spec.rating_mark == "paren":
                            text = "(%d)" % d
                        else:
                            mark = spec.rating_mark
                    add_run(p2, text, **mark)
                cells[1].add_paragraph("1 = good")
                cells[1].add_paragraph("5 = poor")
            else:
                write_cell(cells[1], wording)
            ans = answers[qid]
            for side, cell, word in (("yes", cells[2], "YES"), ("no", cells[3], "NO")):
                on = ans == side or ans == "both"
                if spec.marks == "typed":
                    write_cell(cell, spec.token if on else "")
                elif spec.marks == "prefilled_highlight":
                    if qid in ("3.3", "4.2"):
                        continue
                    write_cell(cell, word, highlight=WD_COLOR_INDEX.YELLOW if on else None)
                elif spec.marks == "shade":
                    if on:
                        set_cell_shading(cell, "92D050")
            comment = COMMENTS[n_comment % len(COMMENTS)]
            n_comment += 1
            write_cell(cells[4], comment or "")
            tq = {"answer": ans}
            if qid in ("3.3", "4.2"):
                tq["rating"] = rating
            tq["comment"] = comment
            truth_questions[qid] = tq
            if ans == "both":
                warnings.append({"kind": "both_marked", "row": qid})
        doc.add_paragraph()

    doc.add_paragraph().add_run("STANDARDS AND ACTIONS").bold = True
    doc.add_paragraph().add_run("Overall Standard of recording").bold = True
    p = doc.add_paragraph()
    for d in range(1, 6):
        if d > 1:
            add_run(p, "     ")
        add_run(p, str(d), **(spec.rating_mark if d == spec.overall and spec.rating_mark != "paren" else {}))
        if d == spec.overall and spec.rating_mark == "paren":
            p.runs[-1].text = "(%d)" % d
    doc.add_paragraph("1 = good")
    doc.add_paragraph("5 = poor")
    p = doc.add_paragraph()
    add_run(p, "Actions required?", bold=True)
    add_run(p, "\t\t")
    yn_mark(p, spec.actions_required, spec.yn_mark)
    t = doc.add_table(rows=1, cols=3)
    t.style = "Table Grid"
    for c, h in zip(t.rows[0].cells, ("ACTION REQUIRED", "BY WHOM", "TIMESCALE")):
        write_cell(c, h, bold=True)
    form_date = datetime.date.fromisoformat(spec.header_date)
    actions = []
    for a, who, when, due in spec.actions:
        cells = t.add_row().cells
        write_cell(cells[0], a)
        write_cell(cells[1], who or "")
        write_cell(cells[2], when or "")
        actions.append({"action": a, "by_whom": who, "timescale": when, "due": due(form_date) if callable(due) else due})
    for _ in range(5 - len(spec.actions)):
        t.add_row()
    doc.add_paragraph()
    p = doc.add_paragraph()
    add_run(p, "Quality Assurance to be reviewed?", bold=True)
    add_run(p, "\t\t")
    yn_mark(p, spec.review_required, spec.yn_mark)
    p = doc.add_paragraph("Date of review (if applicable)………………….")
    if spec.review_date_text:
        p.runs[0].text = "Date of review (if applicable): "
        add_run(p, spec.review_date_text, colour=spec.answer_colour)
    if spec.review_date_text and not spec.review_date:
        warnings.append({"kind": "unreadable_date", "text": spec.review_date_text})
    doc.add_paragraph()
    doc.add_paragraph("On completion of this audit it should be scanned and saved on CPOMS.")
    for who, role in ((spec.signed_head, "Headteacher/Principal/CEO/Chair of Governors"), (spec.signed_dsl, "Designated Person"), (None, "External Auditor")):
        p = doc.add_paragraph("Signed ……")
        if who:
            add_run(p, who, colour=spec.answer_colour)
        add_run(p, "…… (%s)" % role)
        doc.add_paragraph()
    doc.add_paragraph("Date…………………………………….")
    doc.sections[0].footer.paragraphs[0].text = "July 2019"

    name = "pydocx__%s.docx" % spec.name
    doc.core_properties.author = "python-docx"
    doc.core_properties.created = datetime.datetime(2024, 1, 1)
    doc.core_properties.modified = datetime.datetime(2024, 1, 1)
    doc.core_properties.last_modified_by = "python-docx"
    path = os.path.join(out_dir, name)
    doc.save(path)

    def count(v):
        import re
        if (v or "").lower() in ("nil", "none", "0"):
            return 0
        m = re.match(r"\d+", v or "")
        return int(m.group(0)) if m else None

    truth = {
        "schema": "cpoms-qa/1",
        "source": name,
        "format": "docx",
        "status": "ok",
        "errors": [],
        "warnings": [],
        "form_version": "July 2019",
        "header": {k: (header.get(k) if k != "date" else spec.header_date) for k, _ in HEADER_LABELS},
        "overview": overview_truth,
        "case_counts": {"cp": count(overview_truth.get("O6")), "cin": count(overview_truth.get("O7")),
                        "lac": count(overview_truth.get("O8")), "eh": count(overview_truth.get("O9"))},
        "questions": truth_questions,
        "overall_standard": spec.overall,
        "actions_required": spec.actions_required,
        "actions": actions,
        "review_required": spec.review_required,
        "review_date": spec.review_date,
        "signatures": {"head": spec.signed_head, "designated_person": spec.signed_dsl, "external_auditor": None, "date": None},
        "_producer": "python-docx %s (from scratch)" % __import__("docx").__version__,
        "_style": spec.describe,
        "_expected_warnings": warnings,
        "_truth_derivation": "built from the same data that filled the form (scripts/make_pydocx_forms.py)",
    }
    with open(path + ".truth.json", "w", encoding="utf-8") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return name


def yn_mark(p, value, how):
    if how == "paren":
        add_run(p, "(Y)/N" if value else "Y/(N)")
    elif how == "highlight":
        add_run(p, "Y", highlight=WD_COLOR_INDEX.YELLOW if value else None)
        add_run(p, "/")
        add_run(p, "N", highlight=None if value else WD_COLOR_INDEX.YELLOW)
    elif how == "typed":
        add_run(p, "Yes" if value else "No")


def days(n):
    return lambda d: iso(d + datetime.timedelta(days=n))


SPECS = [
    Spec("typed_x", seed=1, font="Calibri", token="X", marks="typed", both_row=None, merge_title=False,
         header_layout="lines", answer_colour=None, rating_mark={"bold": True}, yn_mark="paren",
         describe="python-docx defaults; X typed; ratings bold; Y/N bracketed",
         header={"reviewer": "Ms J. Okafor", "reviewer_role": "Headteacher", "subject": "Mr P. Lund",
                 "subject_role": "DSL", "external_auditor": None, "school": "Ashgrove Primary School",
                 "date": "14/03/2024"}, header_date="2024-03-14",
         overview={"O1": "September 2018", "O2": "Archived in the locked cabinet", "O6": "3", "O7": "5", "O8": "1",
                   "O9": "12", "O12": "Termly audit by the head"},
         ratings={"3.3": 2, "4.2": 3}, overall=2, actions_required=True, review_required=True,
         review_date_text="14/06/2024", review_date="2024-06-14", signed_head="Ms J. Okafor", signed_dsl="Mr P. Lund",
         actions=[("Upload conference reports", "DSL", "2 weeks", days(14)), ("Staff refresher on chronologies", "Head", "31/05/2024", "2024-05-31")]),
    Spec("prefilled_highlight", seed=4, font="Arial", token=None, marks="prefilled_highlight", both_row="6.4", merge_title=True,
         header_layout="table", answer_colour="1F497D", rating_mark={"highlight": WD_COLOR_INDEX.YELLOW}, yn_mark="highlight",
         describe="python-docx; YES/NO printed in every row, chosen word highlighted; header in a table; title cells merged; both marked in 6.4",
         header={"reviewer": "Mrs A. Begum", "reviewer_role": "Deputy Head", "subject": "Miss R. Hart",
                 "subject_role": "Designated Safeguarding Lead", "external_auditor": "Safeguarding First",
                 "school": "Moorside Infant School", "date": "02/10/2025"}, header_date="2025-10-02",
         overview={"O1": "2019", "O3": "CPOMS transfer", "O6": "Nil", "O9": "4", "O13": "By secure email\nand phone call"},
         ratings={"3.3": 1, "4.2": 4}, overall=3, actions_required=False, review_required=False,
         review_date_text=None, review_date=None, signed_head="Mrs A. Begum", signed_dsl=None,
         actions=[]),
    Spec("shaded_cells", seed=7, font="Tahoma", token=None, marks="shade", both_row=None, merge_title=False,
         header_layout="lines", answer_colour="7030A0", rating_mark="paren", yn_mark="typed",
         describe="python-docx; chosen YES/NO cell shaded green (no text); ratings bracketed; Yes/No typed for Y/N",
         header={"reviewer": "Dr S. Patel", "reviewer_role": "Trust safeguarding lead", "subject": "Mr T. Quinn",
                 "subject_role": "Deputy DSL", "external_auditor": None, "school": "Holme Valley Academy",
                 "date": "21/01/2026"}, header_date="2026-01-21",
         overview={"O2": "Scanned and shredded", "O5": "Added Prevent", "O6": "2 active", "O7": "None", "O8": "0"},
         ratings={"3.3": 5, "4.2": None}, overall=4, actions_required=True, review_required=True,
         review_date_text="next term", review_date=None, signed_head=None, signed_dsl="Mr T. Quinn",
         actions=[("Chase missing minutes", "Mr T. Quinn", "ASAP", lambda d: iso(d)), ("Review RAG ratings", "SLT", "ongoing", None)]),
]


def main(out_dir=None):
    out_dir = out_dir or os.path.join(ROOT, "fixtures", "producers")
    os.makedirs(out_dir, exist_ok=True)
    for spec in SPECS:
        print("wrote", build(spec, out_dir))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
