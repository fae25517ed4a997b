#!/usr/bin/env python3
"""The roll-up a user would write today with python-docx and openpyxl: the baseline that
bench/run.sh times against `cpoms-qa summarise` on the same pile.

    python3 bench/python_rollup.py FOLDER OUT.xlsx

Reads every .docx (table cells, paragraphs) and .xlsx (cells) under FOLDER the obvious way:
rows whose first cell is a question number give YES/NO (any text in the cell) and the comment;
"Label: value" lines give the header; the action table gives the actions. Writes one summary
row per return and one row per action. Plain, single process, as such scripts are.
"""

import os
import re
import sys

import docx
import openpyxl

ROW_ID = re.compile(r"^\d{1,2}(\.\d{1,2})?$")
HEADER_LABELS = {
    "Name of school": "school",
    "Name of Person conducting the Quality Assurance": "reviewer",
    "Date": "date",
}


def read_docx(path):
    doc = docx.Document(path)
    rec = {"answers": {}, "comments": {}, "actions": []}
    for p in doc.paragraphs:
        text = p.text.strip()
        for label, key in HEADER_LABELS.items():
            if text.startswith(label + ":") and key not in rec:
                rec[key] = text[len(label) + 1:].strip(" _")
        if text.startswith("Overall Standard"):
            rec["overall_label"] = text
    for table in doc.tables:
        action_table = False
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            if not cells:
                continue
            if cells[0] == "ACTION REQUIRED":
                action_table = True
                continue
            if action_table:
                if cells[0]:
                    rec["actions"].append(cells[:3])
                continue
            if len(cells) >= 5 and ROW_ID.match(cells[0]):
                yes, no = bool(cells[2]), bool(cells[3])
                rec["answers"][cells[0]] = "both" if yes and no else "yes" if yes else "no" if no else ""
                rec["comments"][cells[0]] = cells[4]
    return rec


def read_xlsx(path):
    wb = openpyxl.load_workbook(path, data_only=True)
    rec = {"answers": {}, "comments": {}, "actions": []}
    for ws in wb.worksheets:
        action_table = False
        for row in ws.iter_rows(values_only=True):
            cells = ["" if v is None else str(v).strip() for v in row]
            if not any(cells):
                action_table = False
                continue
            first = cells[0]
            for label, key in HEADER_LABELS.items():
                if first.rstrip(":") == label and len(cells) > 2 and key not in rec:
                    rec[key] = cells[2]
            if first == "ACTION REQUIRED":
                action_table = True
                continue
            if action_table:
                rec["actions"].append([first, cells[2] if len(cells) > 2 else "", cells[4] if len(cells) > 4 else ""])
                continue
            if len(cells) >= 5 and ROW_ID.match(first):
                yes, no = bool(cells[2]), bool(cells[3])
                rec["answers"][first] = "both" if yes and no else "yes" if yes else "no" if no else ""
                rec["comments"][first] = cells[4]
    return rec


def main():
    folder, out = sys.argv[1], sys.argv[2]
    files = []
    for root, _, names in os.walk(folder):
        for name in names:
            if name.lower().endswith((".docx", ".xlsx")) and not name.startswith("~$"):
                files.append(os.path.join(root, name))
    files.sort()
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "Returns"
    summary.append(["File", "School", "Reviewer", "Date", "YES", "NO", "Unanswered", "Actions"])
    actions = wb.create_sheet("Actions")
    actions.append(["File", "School", "Action", "By whom", "Timescale"])
    failed = 0
    for path in files:
        try:
            rec = read_docx(path) if path.lower().endswith(".docx") else read_xlsx(path)
        except Exception:  # noqa: BLE001 - a roll-up script skips what it cannot open
            failed += 1
            continue
        values = list(rec["answers"].values())
        summary.append([
            os.path.basename(path), rec.get("school", ""), rec.get("reviewer", ""), rec.get("date", ""),
            values.count("yes"), values.count("no"), values.count(""), len(rec["actions"]),
        ])
        for a in rec["actions"]:
            actions.append([os.path.basename(path), rec.get("school", "")] + a)
    wb.save(out)
    print(f"files={len(files)} failed={failed}", file=sys.stderr)


if __name__ == "__main__":
    main()
