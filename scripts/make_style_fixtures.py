#!/usr/bin/env python3
"""Write variant returns of the CPOMS QA form into fixtures/styles/, one marking habit, layout or
piece of Word noise each, with a truth file kept in step with every change.

    python3 scripts/make_style_fixtures.py            # writes fixtures/styles/*.docx + .truth.json

Needs lxml (pip package `lxml`; `python-docx` pulls it in). The outputs are committed; tests only
read them, so CI does not run this script.

How it works: a base fixture from fixtures/forms/ (a plain Word-like return whose truth is known)
is opened as a zip, word/document.xml is parsed with lxml, the YES/NO cells, the rating lines, the
overall standard, the Y/N fields and the header are rewritten FROM THE TRUTH in the style's way
(so the truth is right by construction), and any field the style changes is changed in the truth
too. `_style` names the style, `_base` the fixture it came from, `_expected_warnings` the warnings
a careful reader gives (kind + row).
"""

import copy
import json
import os
import re
import sys
import zipfile

from lxml import etree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMS = os.path.join(ROOT, "fixtures", "forms")
OUT = os.path.join(ROOT, "fixtures", "styles")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
V_NS = "urn:schemas-microsoft-com:vml"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

BASE = "021 CPOMS QA - Forest Gate Primary School - Sep 2023.docx"


def w(tag):
    return "{%s}%s" % (W_NS, tag)


def el(tag, attrs=None, ns=W_NS, children=()):
    e = etree.Element("{%s}%s" % (ns, tag))
    for k, v in (attrs or {}).items():
        if ":" in k:
            pre, local = k.split(":", 1)
            uri = {"w": W_NS, "r": R_NS, "w14": W14_NS}[pre]
            e.set("{%s}%s" % (uri, local), v)
        else:
            e.set(k, v)
    for c in children:
        e.append(c)
    return e


def wel(tag, **attrs):
    """A w: element with w: attributes."""
    return el(tag, {"w:" + k: v for k, v in attrs.items()})


# ------------------------------------------------------------------------------------- package


class Docx:
    def __init__(self, path):
        with zipfile.ZipFile(path) as z:
            self.parts = {n: z.read(n) for n in z.namelist()}
        self.doc = etree.fromstring(self.parts["word/document.xml"])
        self.body = self.doc.find(w("body"))
        self.extra_parts = {}

    def save(self, path):
        self.parts["word/document.xml"] = etree.tostring(self.doc, xml_declaration=True, encoding="UTF-8", standalone=True)
        self.parts.update(self.extra_parts)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            # [Content_Types].xml first, as Word writes it.
            names = sorted(self.parts, key=lambda n: (n != "[Content_Types].xml", n))
            for n in names:
                zi = zipfile.ZipInfo(n, date_time=(2024, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(zi, self.parts[n])

    def add_rel(self, rtype, target, external=False):
        rels = etree.fromstring(self.parts["word/_rels/document.xml.rels"])
        ids = {r.get("Id") for r in rels}
        n = 100
        while "rId%d" % n in ids:
            n += 1
        rid = "rId%d" % n
        r = etree.SubElement(rels, "{%s}Relationship" % PKG_REL_NS)
        r.set("Id", rid)
        r.set("Type", rtype)
        r.set("Target", target)
        if external:
            r.set("TargetMode", "External")
        self.parts["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        return rid

    def add_override(self, part, ctype):
        ct = etree.fromstring(self.parts["[Content_Types].xml"])
        o = etree.SubElement(ct, "{%s}Override" % CT_NS)
        o.set("PartName", part)
        o.set("ContentType", ctype)
        self.parts["[Content_Types].xml"] = etree.tostring(ct, xml_declaration=True, encoding="UTF-8", standalone=True)


# ------------------------------------------------------------------------------------- text


def text_of(node):
    out = []
    for e in node.iter(w("t"), w("tab"), w("br"), w("p")):
        if e.tag == w("t"):
            out.append(e.text or "")
        elif e.tag == w("tab"):
            out.append("\t")
        elif e.tag == w("br"):
            out.append("\n")
        elif e.tag == w("p") and out:
            out.append("\n")
    return "".join(out).strip("\n")


def cells(tr):
    return [c for c in tr if c.tag == w("tc")]


def span_of(tc):
    gs = tc.find("%s/%s" % (w("tcPr"), w("gridSpan")))
    return int(gs.get(w("val"))) if gs is not None else 1


def rpr(b=False, i=False, u=False, strike=False, color=None, hl=None, shd=None, bdr=False, font=None, sz=None):
    p = wel("rPr")
    if font:
        p.append(wel("rFonts", ascii=font, hAnsi=font, cs=font))
    if b:
        p.append(wel("b"))
    if i:
        p.append(wel("i"))
    if strike:
        p.append(wel("strike"))
    if color:
        p.append(wel("color", val=color))
    if sz:
        p.append(wel("sz", val=str(sz)))
    if hl:
        p.append(wel("highlight", val=hl))
    if u:
        p.append(wel("u", val="single"))
    if bdr:
        p.append(wel("bdr", val="single", sz="4", space="0", color="auto"))
    if shd:
        p.append(wel("shd", val="clear", color="auto", fill=shd))
    return p


def run(text, **fmt):
    r = wel("r")
    p = rpr(**fmt)
    if len(p):
        r.append(p)
    parts = text.split("\n")
    for k, part in enumerate(parts):
        if k:
            r.append(wel("br"))
        t = wel("t")
        t.text = part
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.append(t)
    return r


def para(runs, center=False):
    p = wel("p")
    if center:
        ppr = wel("pPr")
        ppr.append(wel("jc", val="center"))
        p.append(ppr)
    for r in runs:
        p.append(r)
    return p


def clear_cell(tc):
    """Remove the cell's paragraphs, keeping its tcPr; returns the first paragraph's pPr."""
    ppr = None
    for c in list(tc):
        if c.tag == w("tcPr"):
            continue
        if ppr is None and c.tag == w("p"):
            ppr = c.find(w("pPr"))
        tc.remove(c)
    return ppr


def set_cell(tc, runs, center=True):
    """Replace the cell's content by one paragraph of `runs` (a list of w:r or other inline nodes)."""
    ppr = clear_cell(tc)
    p = wel("p")
    if ppr is not None:
        p.append(copy.deepcopy(ppr))
    elif center:
        pp = wel("pPr")
        pp.append(wel("jc", val="center"))
        p.append(pp)
    for r in runs:
        p.append(r)
    tc.append(p)


def set_cell_paras(tc, paras):
    clear_cell(tc)
    for p in paras:
        tc.append(p)
    if not paras:
        tc.append(wel("p"))


def shade_cell(tc, fill, val="clear", color="auto"):
    tcpr = tc.find(w("tcPr"))
    if tcpr is None:
        tcpr = wel("tcPr")
        tc.insert(0, tcpr)
    old = tcpr.find(w("shd"))
    if old is not None:
        tcpr.remove(old)
    tcpr.append(wel("shd", val=val, color=color, fill=fill))


def comment_paras(text, **fmt):
    if text is None:
        return []
    return [para([run(line, **fmt)]) for line in text.split("\n")]


# ------------------------------------------------------------------------------------- the form


class Form:
    """Where the parts of a form stand in a parsed document."""

    def __init__(self, docx, truth):
        self.docx = docx
        self.truth = truth
        self.ids = list(truth["questions"].keys())
        self.rows = {}  # id -> tr
        self.tables = []  # section tables in order
        self.cols = {}  # id -> dict(yes=tc, no=tc, comment=tc, number=tc, question=tc)
        for tbl in docx.body.iter(w("tbl")):
            header = None
            found = False
            for tr in tbl.findall(w("tr")):
                cs = cells(tr)
                texts = [text_of(c).strip() for c in cs]
                if "YES" in [t.upper() for t in texts] and "NO" in [t.upper() for t in texts]:
                    header = self._header_cols(cs)
                    continue
                if not cs:
                    continue
                num = texts[0].strip()
                if num in self.ids and header is not None and num not in self.rows:
                    found = True
                    self.rows[num] = tr
                    self.cols[num] = self._row_cells(cs, header)
            if found:
                self.tables.append(tbl)
        missing = [i for i in self.ids if i not in self.rows]
        if missing:
            raise SystemExit("base form: rows not found: %s" % missing)

    @staticmethod
    def _header_cols(cs):
        col = 0
        out = {}
        for c in cs:
            t = text_of(c).strip().upper()
            if t == "YES":
                out["yes"] = col
            elif t == "NO":
                out["no"] = col
            elif t.startswith("COMMENT"):
                out["comment"] = col
            col += span_of(c)
        return out

    @staticmethod
    def _row_cells(cs, header):
        by_col = {}
        col = 0
        for c in cs:
            by_col[col] = c
            col += span_of(c)
        return {
            "number": cs[0],
            "question": cs[1],
            "yes": by_col.get(header["yes"]),
            "no": by_col.get(header["no"]),
            "comment": by_col.get(header.get("comment", -1)),
        }

    def q(self, qid):
        return self.truth["questions"][qid]

    def yes_no_ids(self):
        return [i for i in self.ids if "rating" not in self.truth["questions"][i]]

    def rating_para(self, qid):
        """The "1 2 3 4 5" paragraph in a rating row's question cell."""
        for p in self.cols[qid]["question"].iter(w("p")):
            if re.fullmatch(r"\s*1\s+2\s+3\s+4\s+5\s*", text_of(p)):
                return p
        raise SystemExit("no rating line in row %s" % qid)

    def body_paras(self):
        return [p for p in self.docx.body if p.tag == w("p")]

    def para_starting(self, prefix):
        for p in self.docx.body:
            if p.tag == w("p") and text_of(p).strip().lower().startswith(prefix.lower()):
                return p
        raise SystemExit("no paragraph starting %r" % prefix)


# ------------------------------------------------------------------------------------- marks


def mark_runs(token, **fmt):
    return [run(token, **fmt)]


def wingdings(char_hex, font="Wingdings"):
    r = wel("r")
    r.append(wel("sym", font=font, char=char_hex))
    return r


_SDT_IDS = []


def checkbox_sdt(checked):
    """A Word 2010 checkbox content control."""
    sdt = wel("sdt")
    pr = wel("sdtPr")
    _SDT_IDS.append(None)
    pr.append(wel("id", val=str(700000 + len(_SDT_IDS))))
    cb = etree.SubElement(pr, "{%s}checkbox" % W14_NS)
    c = etree.SubElement(cb, "{%s}checked" % W14_NS)
    c.set("{%s}val" % W14_NS, "1" if checked else "0")
    for name, val in (("checkedState", "2612"), ("uncheckedState", "2610")):
        s = etree.SubElement(cb, "{%s}%s" % (W14_NS, name))
        s.set("{%s}val" % W14_NS, val)
        s.set("{%s}font" % W14_NS, "MS Gothic")
    sdt.append(pr)
    content = wel("sdtContent")
    content.append(run("☒" if checked else "☐", font="MS Gothic"))
    sdt.append(content)
    return sdt


def formcheckbox(checked):
    """A legacy FORMCHECKBOX field: begin (with ffData) / instr / separate / end."""
    begin = wel("r")
    fc = wel("fldChar", fldCharType="begin")
    ff = wel("ffData")
    ff.append(wel("name", val="Check1"))
    ff.append(wel("enabled"))
    ff.append(wel("calcOnExit", val="0"))
    cb = wel("checkBox")
    cb.append(wel("sizeAuto"))
    cb.append(wel("default", val="0"))
    if checked:
        cb.append(wel("checked"))
    ff.append(cb)
    fc.append(ff)
    begin.append(fc)
    instr = wel("r")
    it = wel("instrText")
    it.text = " FORMCHECKBOX "
    it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.append(it)
    sep = wel("r")
    sep.append(wel("fldChar", fldCharType="separate"))
    end = wel("r")
    end.append(wel("fldChar", fldCharType="end"))
    return [begin, instr, sep, end]


def answer_of(form, qid):
    return form.q(qid).get("answer")


def mark_cells(form, chooser, ids=None):
    """For each YES/NO row, fill the YES and NO cells with chooser(answer, 'yes'|'no', qid) runs."""
    for qid in ids or form.ids:
        cols = form.cols[qid]
        ans = answer_of(form, qid)
        for side in ("yes", "no"):
            tc = cols[side]
            content = chooser(ans, side, qid)
            if content is None:
                set_cell(tc, [])
            else:
                set_cell(tc, content)


def chosen(ans, side):
    return ans == side or ans == "both"


def prefilled(form, chosen_fmt=None, other_fmt=None, cell_fill=None, delete_other=False, word_fmt=None):
    """YES and NO printed in every row; the chosen word formatted, the other word optionally
    formatted (struck) or deleted; untouched rows keep both words plain."""
    word_fmt = word_fmt or {}
    for qid in form.ids:
        cols = form.cols[qid]
        ans = answer_of(form, qid)
        for side, word in (("yes", "YES"), ("no", "NO")):
            tc = cols[side]
            fmt = dict(word_fmt)
            if ans is not None and chosen(ans, side):
                if chosen_fmt:
                    fmt.update(chosen_fmt)
                if cell_fill:
                    shade_cell(tc, cell_fill)
            elif ans is not None and ans != "both":
                if delete_other:
                    set_cell(tc, [])
                    continue
                if other_fmt:
                    fmt.update(other_fmt)
            set_cell(tc, [run(word, **fmt)])


def both_rows(form, rows):
    for qid in rows:
        form.q(qid)["answer"] = "both"
        form.truth["_expected_warnings"].append({"kind": "both_marked", "row": qid})


# ------------------------------------------------------------------------------------- ratings


RATING_IDS = ("3.3", "4.2")


def digits_line_runs(chosen_digit, how):
    """Runs for "1     2     3     4     5" with `chosen_digit` marked `how`."""
    runs = []
    gap = "     "
    if how == "only":
        return [run(str(chosen_digit))] if chosen_digit else []
    for d in range(1, 6):
        if d > 1:
            runs.append(run(gap))
        s = str(d)
        fmt = {}
        if chosen_digit == d:
            if how == "bold":
                fmt = {"b": True}
            elif how == "highlight":
                fmt = {"hl": "yellow"}
            elif how == "underline":
                fmt = {"u": True}
            elif how == "colour":
                fmt = {"color": "FF0000"}
            elif how == "paren":
                s = "(%d)" % d
            elif how == "circled":
                s = "①②③④⑤"[d - 1]
            elif how == "boxed":
                fmt = {"bdr": True}
            elif how == "shading":
                fmt = {"shd": "FFFF00"}
        elif how == "strike_others" and chosen_digit:
            fmt = {"strike": True}
        runs.append(run(s, **fmt))
    return runs


def set_para_runs(p, runs):
    for c in list(p):
        if c.tag != w("pPr"):
            p.remove(c)
    for r in runs:
        p.append(r)


def rate_rows(form, how, in_comment=False):
    for qid in RATING_IDS:
        q = form.q(qid)
        d = q.get("rating")
        p = form.rating_para(qid)
        if in_comment:
            set_para_runs(p, digits_line_runs(None, "plain"))
            if d is not None:
                text = "%d – %s" % (d, q["comment"]) if q.get("comment") else str(d)
                q["comment"] = text
                set_cell_paras(form.cols[qid]["comment"], comment_paras(text))
        else:
            set_para_runs(p, digits_line_runs(d, how))


def overall_paras(form):
    """The paragraphs between "Overall Standard of recording" and "Actions required?" that hold
    the digits (not the legend)."""
    start = form.para_starting("Overall Standard of recording")
    out = []
    e = start.getnext()
    while e is not None and not text_of(e).strip().lower().startswith("actions required"):
        t = text_of(e).strip()
        if re.fullmatch(r"[\d\s()]*", t) and t:
            out.append(e)
        e = e.getnext()
    return start, out


def rate_overall(form, how, layout="line"):
    start, old = overall_paras(form)
    d = form.truth["overall_standard"]
    anchor = old[0] if old else start.getnext()
    parent = anchor.getparent()
    idx = parent.index(anchor)
    for p in old:
        parent.remove(p)
    if layout == "line" or how == "only":
        new = [para(digits_line_runs(d, how))]
    else:
        new = []
        for k in range(1, 6):
            runs = digits_line_runs(d, how)
            # runs alternate digit, gap: digit k sits at index 2*(k-1)
            new.append(para([runs[2 * (k - 1)]]))
    for k, p in enumerate(new):
        parent.insert(idx + k, p)


# ------------------------------------------------------------------------------------- Y/N fields


def yn_runs(value, how):
    if value is None:
        return [run("Y/N")]
    y, n = value is True, value is False
    if how == "delete":
        return [run("Y" if y else "N")]
    if how == "paren":
        return [run("(Y)/N" if y else "Y/(N)")]
    if how == "typed":
        return [run("Yes" if y else "No")]
    if how == "strike":
        return [run("Y", strike=n), run("/"), run("N", strike=y)]
    fmt = {"bold": {"b": True}, "highlight": {"hl": "yellow"}, "underline": {"u": True},
           "colour": {"color": "C00000"}, "boxed": {"bdr": True}}[how]
    return [run("Y", **(fmt if y else {})), run("/"), run("N", **(fmt if n else {}))]


def set_yn(form, how):
    for label, key in (("Actions required", "actions_required"), ("Quality Assurance to be reviewed", "review_required")):
        p = form.para_starting(label)
        keep = [c for c in p if c.tag == w("pPr")]
        label_text = "Actions required?" if key == "actions_required" else "Quality Assurance to be reviewed?"
        for c in list(p):
            p.remove(c)
        for c in keep:
            p.append(c)
        p.append(run(label_text, b=True))
        tab = wel("r")
        tab.append(wel("tab"))
        tab.append(wel("tab"))
        p.append(tab)
        for r in yn_runs(form.truth[key], how):
            p.append(r)


# ------------------------------------------------------------------------------------- header layouts


HEADER_FIELDS = [
    ("reviewer", "Name of Person conducting the Quality Assurance"),
    ("reviewer_role", "Position/Role of Person conducting the Quality Assurance"),
    ("subject", "Name of Person whose CPOMS recording is being Quality Assured"),
    ("subject_role", "Position/Role of Person in School/Setting"),
    ("external_auditor", "Name of External Auditor"),
    ("school", "Name of school"),
    ("date", "Date"),
]


def header_display(truth, key):
    v = truth["header"][key]
    if key == "date" and v:
        y, m, d = v.split("-")
        return "%s/%s/%s" % (d, m, y)
    return v


def replace_header(form, mode):
    """Rebuild the header block (from the first header label to the paragraph before OVERVIEW)."""
    body = form.docx.body
    first = form.para_starting("Name of Person conducting")
    overview = form.para_starting("OVERVIEW")
    idx = body.index(first)
    for e in list(body)[idx:body.index(overview)]:
        body.remove(e)
    new = []
    t = form.truth
    if mode == "table":
        tbl = wel("tbl")
        tp = wel("tblPr")
        tp.append(wel("tblStyle", val="TableGrid"))
        tp.append(wel("tblW", type="dxa", w="10000"))
        tbl.append(tp)
        grid = wel("tblGrid")
        grid.append(wel("gridCol", w="5000"))
        grid.append(wel("gridCol", w="5000"))
        tbl.append(grid)
        for key, label in HEADER_FIELDS:
            tr = wel("tr")
            for text, fmt in ((label + ":", {"b": True}), (header_display(t, key), {"color": "1F497D"})):
                tc = wel("tc")
                pr = wel("tcPr")
                pr.append(wel("tcW", type="dxa", w="5000"))
                tc.append(pr)
                tc.append(para([run(text, **fmt)] if text else []))
                tr.append(tc)
            tbl.append(tr)
        new = [tbl, para([])]
    elif mode == "next_line":
        for key, label in HEADER_FIELDS:
            new.append(para([run(label + ":", b=True)]))
            v = header_display(t, key)
            new.append(para([run(v, color="1F497D")] if v else [run("_" * 30)]))
    elif mode == "over_underscores":
        # The value typed over the middle of the underscores: "Name of school:____Old Mill____".
        for key, label in HEADER_FIELDS:
            v = header_display(t, key)
            runs = [run(label + ":"), run("____")]
            if v:
                runs.append(run(v, u=True))
            runs.append(run("_" * 12))
            new.append(para(runs))
            new.append(para([]))
    elif mode == "same_cell":
        # A one-column table, label and value in the same cell.
        tbl = wel("tbl")
        tp = wel("tblPr")
        tp.append(wel("tblStyle", val="TableGrid"))
        tbl.append(tp)
        grid = wel("tblGrid")
        grid.append(wel("gridCol", w="10000"))
        tbl.append(grid)
        for key, label in HEADER_FIELDS:
            tr = wel("tr")
            tc = wel("tc")
            v = header_display(t, key)
            tc.append(para([run(label + ": ", b=True)] + ([run(v)] if v else [])))
            tr.append(tc)
            tbl.append(tr)
        new = [tbl, para([])]
    elif mode == "space":
        # No colon, no underscores: "Name of school Old Mill Primary".
        for key, label in HEADER_FIELDS:
            v = header_display(t, key)
            new.append(para([run(label + " " + v if v else label)]))
    else:
        raise ValueError(mode)
    for k, e in enumerate(new):
        body.insert(idx + k, e)


# ------------------------------------------------------------------------------------- table layouts


def split_table(form, after_qid):
    """Split the section table after row `after_qid` into two tables (a page break between)."""
    tr = form.rows[after_qid]
    tbl = tr.getparent()
    rest = []
    e = tr.getnext()
    while e is not None:
        if e.tag == w("tr"):
            rest.append(e)
        e = e.getnext()
    new = wel("tbl")
    for c in tbl:
        if c.tag in (w("tblPr"), w("tblGrid")):
            new.append(copy.deepcopy(c))
    for r in rest:
        new.append(r)
    parent = tbl.getparent()
    i = parent.index(tbl)
    brk = wel("r")
    brk.append(wel("br", type="page"))
    parent.insert(i + 1, para([brk]))
    parent.insert(i + 2, new)


def merged_titles(form):
    """Section title row merged across the whole width, YES / NO / Comments on a row of their own."""
    for tbl in form.tables:
        for tr in tbl.findall(w("tr")):
            cs = cells(tr)
            texts = [text_of(c).strip().upper() for c in cs]
            if "YES" in texts and "NO" in texts:
                title = text_of(cs[0])
                total = sum(span_of(c) for c in cs)
                title_tr = wel("tr")
                tc = wel("tc")
                pr = wel("tcPr")
                pr.append(wel("gridSpan", val=str(total)))
                pr.append(wel("shd", val="clear", color="auto", fill="D9D9D9"))
                tc.append(pr)
                tc.append(para([run(title, b=True)], center=True))
                title_tr.append(tc)
                tr.addprevious(title_tr)
                set_cell(cs[0], [])
                break


def blank_rows(form):
    """An empty row after every question row (people press Tab at the end of a table)."""
    for qid in form.ids:
        tr = form.rows[qid]
        blank = copy.deepcopy(tr)
        for tc in cells(blank):
            set_cell(tc, [], center=False)
        tr.addnext(blank)


def swap_yes_no(form):
    """The YES and NO columns in the other order, header included."""
    for tbl in form.tables:
        for tr in tbl.findall(w("tr")):
            cs = cells(tr)
            if len(cs) >= 4:
                a, b = cs[-3], cs[-2]
                ta, tb = text_of(a).strip().upper(), text_of(b).strip().upper()
                del ta, tb
                tr.insert(tr.index(a), b)


def drop_comments_column(form):
    for tbl in form.tables:
        grid = tbl.find(w("tblGrid"))
        if grid is not None:
            cols = grid.findall(w("gridCol"))
            if cols:
                grid.remove(cols[-1])
        for tr in tbl.findall(w("tr")):
            cs = cells(tr)
            if len(cs) >= 3:
                tr.remove(cs[-1])
    for qid in form.ids:
        form.q(qid)["comment"] = None
        if qid in RATING_IDS:
            pass


def set_question_text(form, qid, text):
    set_cell(form.cols[qid]["question"], [run(text)], center=False)


def set_number(form, qid, number):
    set_cell(form.cols[qid]["number"], [run(number)], center=False)


# ------------------------------------------------------------------------------------- Word noise


def split_all_runs(docx, rsid_seed=0x00A1B2C3):
    """Split every text run into pieces (Word does this when a word is typed in several edits):
    "Yes" becomes "Y" + "es", each with its own rsidR, with proofErr marks between."""
    n = 0
    for r in list(docx.body.iter(w("r"))):
        ts = r.findall(w("t"))
        if len(ts) != 1 or len(r) > 2:
            continue
        text = ts[0].text or ""
        if len(text) < 2:
            continue
        pieces = [text[:1], text[1:]] if len(text) < 6 else [text[:1], text[1:len(text) // 2], text[len(text) // 2:]]
        parent = r.getparent()
        idx = parent.index(r)
        props = r.find(w("rPr"))
        parent.remove(r)
        k = 0
        for j, piece in enumerate(pieces):
            if j == 1:
                parent.insert(idx + k, wel("proofErr", type="spellStart"))
                k += 1
            nr = wel("r", rsidR="%08X" % (rsid_seed + n), rsidRPr="%08X" % (rsid_seed + n + 7))
            n += 1
            if props is not None:
                nr.append(copy.deepcopy(props))
            t = wel("t")
            t.text = piece
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            nr.append(t)
            parent.insert(idx + k, nr)
            k += 1
        parent.insert(idx + k, wel("proofErr", type="spellEnd"))


def bookmarks_and_page_breaks(form):
    n = 0
    for qid in form.ids:
        for side in ("yes", "no", "comment"):
            tc = form.cols[qid][side]
            if tc is None:
                continue
            for p in tc.findall(w("p")):
                n += 1
                p.insert(1 if p.find(w("pPr")) is not None else 0, wel("bookmarkStart", id=str(n), name="_GoBack%d" % n))
                p.append(wel("bookmarkEnd", id=str(n)))
                r = p.find(w("r"))
                if r is not None:
                    rp = r.find(w("rPr"))
                    r.insert(1 if rp is not None else 0, wel("lastRenderedPageBreak"))


def add_comments(form, targets):
    """Review comments anchored on answers; `targets` maps row id -> comment text. The comment's
    text says "No" or "Yes" on purpose: it must not be read as an answer."""
    docx = form.docx
    root = wel("comments")
    for n, (qid, text) in enumerate(targets.items()):
        cid = str(900 + n)
        c = el("comment", {"w:id": cid, "w:author": "Reviewer", "w:date": "2024-01-02T10:00:00Z", "w:initials": "R"})
        c.append(para([run(text)]))
        root.append(c)
        ans = answer_of(form, qid)
        tc = form.cols[qid]["yes" if ans != "no" else "no"]
        p = tc.find(w("p"))
        rs = p.findall(w("r"))
        if rs:
            rs[0].addprevious(wel("commentRangeStart", id=cid))
            rs[-1].addnext(wel("commentRangeEnd", id=cid))
        ref = wel("r")
        ref.append(wel("rPr"))
        ref[0].append(wel("rStyle", val="CommentReference"))
        ref.append(wel("commentReference", id=cid))
        p.append(ref)
    docx.extra_parts["word/comments.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    docx.add_rel("http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments", "comments.xml")
    docx.add_override("/word/comments.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml")


def smart_tags_custom_xml(form):
    """Mark runs wrapped in w:smartTag, comment runs in w:customXml, and one whole row and one
    cell wrapped in w:customXml (as templates built with XML mapping do)."""
    for k, qid in enumerate(form.ids):
        cols = form.cols[qid]
        for side in ("yes", "no"):
            for r in list(cols[side].iter(w("r"))):
                parent = r.getparent()
                if parent.tag != w("p"):
                    continue
                tag = el("smartTag", {"w:uri": "urn:schemas-microsoft-com:office:smarttags", "w:element": "place"})
                parent.replace(r, tag)
                tag.append(r)
        if cols["comment"] is not None:
            for r in list(cols["comment"].iter(w("r"))):
                parent = r.getparent()
                if parent.tag != w("p"):
                    continue
                cx = el("customXml", {"w:uri": "http://example.org/qa", "w:element": "comment"})
                parent.replace(r, cx)
                cx.append(r)
    # One row and one cell wrapped whole.
    for qid, level in (("1.2", "row"), ("2.1", "cell")):
        target = form.rows[qid] if level == "row" else form.cols[qid]["comment"]
        parent = target.getparent()
        cx = el("customXml", {"w:uri": "http://example.org/qa", "w:element": level})
        parent.replace(target, cx)
        cx.append(target)


def hyperlink_comments(form, rows):
    docx = form.docx
    for qid in rows:
        q = form.q(qid)
        rid = docx.add_rel("http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
                           "https://example.org/policy/%s" % qid.replace(".", "-"), external=True)
        link = el("hyperlink", {"r:id": rid, "w:history": "1"})
        link.append(run("safeguarding policy", color="0563C1", u=True))
        lead = (q["comment"] + " – see ") if q.get("comment") else "See "
        p = para([run(lead), link])
        set_cell_paras(form.cols[qid]["comment"], [p])
        q["comment"] = lead + "safeguarding policy"


def field_hyperlink_comments(form, rows):
    """A link inserted as a HYPERLINK field (begin / instruction / separate / result / end): the
    instruction text is not part of the comment, the result is."""
    for qid in rows:
        q = form.q(qid)
        lead = (q["comment"] + " – see ") if q.get("comment") else "See "
        b = wel("r")
        b.append(wel("fldChar", fldCharType="begin"))
        it = wel("r")
        t = wel("instrText")
        t.text = ' HYPERLINK "https://example.org/policy" '
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        it.append(t)
        sep = wel("r")
        sep.append(wel("fldChar", fldCharType="separate"))
        res = run("trust policy", color="0563C1", u=True)
        e = wel("r")
        e.append(wel("fldChar", fldCharType="end"))
        set_cell_paras(form.cols[qid]["comment"], [para([run(lead), b, it, sep, res, e])])
        q["comment"] = lead + "trust policy"


def text_box_answer(form, overview_id, text):
    """An overview answer typed into a text box: Word writes it twice, as the DrawingML choice and
    as the VML fallback, inside mc:AlternateContent. It must be read once."""
    wording = {
        "O11": "How can you show from data an overview of the current situation in school?",
    }[overview_id]
    q = form.para_starting(wording)
    nsmap = {"mc": MC_NS, "wps": WPS_NS, "wp": WP_NS, "a": A_NS, "v": V_NS}

    def txbx_content():
        c = wel("txbxContent")
        c.append(para([run(text)]))
        return c

    r = wel("r")
    ac = etree.SubElement(r, "{%s}AlternateContent" % MC_NS, nsmap=nsmap)
    choice = etree.SubElement(ac, "{%s}Choice" % MC_NS)
    choice.set("Requires", "wps")
    drawing = etree.SubElement(choice, w("drawing"))
    anchor = etree.SubElement(drawing, "{%s}inline" % WP_NS)
    etree.SubElement(anchor, "{%s}extent" % WP_NS, cx="4000000", cy="400000")
    dp = etree.SubElement(anchor, "{%s}docPr" % WP_NS, id="501", name="Text Box 1")
    graphic = etree.SubElement(anchor, "{%s}graphic" % A_NS)
    gd = etree.SubElement(graphic, "{%s}graphicData" % A_NS, uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape")
    wsp = etree.SubElement(gd, "{%s}wsp" % WPS_NS)
    etree.SubElement(wsp, "{%s}cNvSpPr" % WPS_NS, txBox="1")
    tx = etree.SubElement(wsp, "{%s}txbx" % WPS_NS)
    tx.append(txbx_content())
    etree.SubElement(wsp, "{%s}bodyPr" % WPS_NS)
    fallback = etree.SubElement(ac, "{%s}Fallback" % MC_NS)
    pict = etree.SubElement(fallback, w("pict"))
    shape = etree.SubElement(pict, "{%s}shape" % V_NS, id="Text Box 1", style="width:315pt;height:31.5pt")
    vt = etree.SubElement(shape, "{%s}textbox" % V_NS)
    vt.append(txbx_content())
    del dp
    q.addnext(para([r]))
    form.truth["overview"][overview_id] = text


def shading_auto_clear(form):
    """Every YES/NO cell shaded "clear" with fill auto or white, runs shaded auto: not marks."""
    for k, qid in enumerate(form.ids):
        for side in ("yes", "no"):
            tc = form.cols[qid][side]
            shade_cell(tc, "auto" if k % 2 == 0 else "FFFFFF", val="clear", color="auto")
            for r in tc.iter(w("r")):
                rp = r.find(w("rPr"))
                if rp is None:
                    rp = wel("rPr")
                    r.insert(0, rp)
                rp.append(wel("shd", val="clear", color="auto", fill="auto"))


def explicit_black(form):
    """Every run given w:color 000000 unless it already has a colour."""
    for r in form.docx.body.iter(w("r")):
        rp = r.find(w("rPr"))
        if rp is None:
            rp = wel("rPr")
            r.insert(0, rp)
        if rp.find(w("color")) is None:
            rp.append(wel("color", val="000000"))


# ------------------------------------------------------------------------------------- styles


def typed_token(tokens):
    def chooser(ans, side, qid):
        if ans is None or not chosen(ans, side):
            return None
        tok = tokens[hash_index(qid) % len(tokens)]
        return [run(tok)]
    return chooser


def hash_index(qid):
    return sum(ord(c) for c in qid)


def style_comment_answer(form):
    """Both mark cells empty; the answer typed at the start of the comment."""
    for qid in form.yes_no_ids():
        q = form.q(qid)
        ans = q["answer"]
        set_cell(form.cols[qid]["yes"], [])
        set_cell(form.cols[qid]["no"], [])
        if ans == "yes":
            text = "Yes – " + q["comment"] if q.get("comment") else "Yes – see chronology"
        elif ans == "no":
            text = "No, " + q["comment"][0].lower() + q["comment"][1:] if q.get("comment") else "No, not seen"
        else:
            continue
        q["comment"] = text
        set_cell_paras(form.cols[qid]["comment"], comment_paras(text))


def style_glyph_boxes(form):
    def chooser(ans, side, qid):
        return [run("☒" if ans is not None and chosen(ans, side) else "☐", font="MS Gothic")]
    mark_cells(form, chooser, form.yes_no_ids())


def style_wingdings(form, font="Wingdings", char="F0FC"):
    def chooser(ans, side, qid):
        if ans is None or not chosen(ans, side):
            return None
        return [wingdings(char, font)]
    mark_cells(form, chooser, form.yes_no_ids())


def style_wingdings_font_text(form):
    """The tick typed as 'ü' in a run whose font is Wingdings (Insert Symbol in older Word)."""
    def chooser(ans, side, qid):
        if ans is None or not chosen(ans, side):
            return None
        return [run("ü", font="Wingdings")]
    mark_cells(form, chooser, form.yes_no_ids())


def style_sdt(form):
    def chooser(ans, side, qid):
        return [checkbox_sdt(ans is not None and chosen(ans, side))]
    mark_cells(form, chooser, form.yes_no_ids())


def style_formfield(form):
    def chooser(ans, side, qid):
        return formcheckbox(ans is not None and chosen(ans, side))
    mark_cells(form, chooser, form.yes_no_ids())


def style_typed_yn_letters(form):
    def chooser(ans, side, qid):
        if ans is None or not chosen(ans, side):
            return None
        return [run("Y" if side == "yes" else "N")]
    mark_cells(form, chooser, form.yes_no_ids())


def style_typed_words(form):
    """'yes' typed in the YES column, 'no' in the NO column (lower case), on an empty form."""
    def chooser(ans, side, qid):
        if ans is None or not chosen(ans, side):
            return None
        return [run("yes" if side == "yes" else "no")]
    mark_cells(form, chooser, form.yes_no_ids())


def style_prefilled_tick_beside(form):
    """YES/NO printed in every row; a tick typed after the chosen word ("YES ✓")."""
    for qid in form.yes_no_ids():
        ans = answer_of(form, qid)
        for side, word in (("yes", "YES"), ("no", "NO")):
            runs = [run(word)]
            if ans is not None and chosen(ans, side):
                runs.append(run(" ✓" if hash_index(qid) % 2 else " X", color="0070C0"))
            set_cell(form.cols[qid][side], runs)


def para_shading(p, fill):
    ppr = p.find(w("pPr"))
    if ppr is None:
        ppr = wel("pPr")
        p.insert(0, ppr)
    ppr.append(wel("shd", val="clear", color="auto", fill=fill))


def style_paragraph_shading(form):
    """Empty YES/NO cells; the chosen cell's paragraph shaded (Borders and Shading, apply to
    paragraph) rather than the cell."""
    for qid in form.yes_no_ids():
        ans = answer_of(form, qid)
        for side in ("yes", "no"):
            tc = form.cols[qid][side]
            set_cell(tc, [])
            if ans is not None and chosen(ans, side):
                para_shading(tc.find(w("p")), "FFFF00")


def style_tracked_highlight(form):
    """YES/NO printed; the chosen word highlighted with Track Changes on (w:rPrChange holds the
    old, plain formatting), and in some rows a highlight removed from the other word (the old
    formatting, in rPrChange, was highlighted: the filler changed their mind)."""
    prefilled(form, chosen_fmt={"hl": "yellow"})
    n = 0
    for qid in form.yes_no_ids():
        ans = answer_of(form, qid)
        if ans not in ("yes", "no"):
            continue
        for side in ("yes", "no"):
            r = form.cols[qid][side].find(".//" + w("r"))
            rp = r.find(w("rPr"))
            if rp is None:
                rp = wel("rPr")
                r.insert(0, rp)
            n += 1
            change = el("rPrChange", {"w:id": str(3000 + n), "w:author": "DSL", "w:date": "2024-02-01T09:00:00Z"})
            old = wel("rPr")
            if side != ans and n % 3 == 0:
                old.append(wel("highlight", val="yellow"))
            change.append(old)
            rp.append(change)


def style_hidden_text(form):
    """x typed in the chosen cell; in the other cell an 'x' formatted hidden (w:vanish): not shown,
    not a mark."""
    for qid in form.yes_no_ids():
        ans = answer_of(form, qid)
        for side in ("yes", "no"):
            tc = form.cols[qid][side]
            if ans is not None and chosen(ans, side):
                set_cell(tc, [run("x")])
            elif ans is not None:
                r = run("x")
                r.find(w("rPr")) if r.find(w("rPr")) is not None else r.insert(0, wel("rPr"))
                r.find(w("rPr")).append(wel("vanish"))
                set_cell(tc, [r])


def style_placeholder_comments(form):
    """Comment cells built from content controls: an empty one shows the placeholder 'Click or tap
    here to enter text.' (w:showingPlcHdr), which is not a comment."""
    mark_cells(form, typed_token(["x"]), form.yes_no_ids())
    for n, qid in enumerate(form.ids):
        q = form.q(qid)
        tc = form.cols[qid]["comment"]
        sdt = wel("sdt")
        pr = wel("sdtPr")
        pr.append(wel("id", val=str(800000 + n)))
        if not q.get("comment"):
            pr.append(wel("showingPlcHdr"))
            content = wel("sdtContent")
            content.append(run("Click or tap here to enter text.", color="808080"))
        else:
            content = wel("sdtContent")
            for k, line in enumerate(q["comment"].split("\n")):
                content.append(run(line) if k == 0 else run("\n" + line))
        sdt.append(pr)
        sdt.append(content)
        set_cell(tc, [sdt], center=False)
        if q.get("comment"):
            pass


def style_na_rows(form):
    """x marks; the unanswered rows say "N/A" in the YES cell and "-" in the NO cell."""
    mark_cells(form, typed_token(["x"]), form.yes_no_ids())
    for qid in form.yes_no_ids():
        if answer_of(form, qid) is None:
            set_cell(form.cols[qid]["yes"], [run("N/A")])
            set_cell(form.cols[qid]["no"], [run("-")])


def style_tracked_changed_mind(form):
    """Track Changes on: in some rows the filler first marked the other cell, then deleted that
    mark (w:del) and typed the chosen one (w:ins)."""
    n = 0
    for qid in form.yes_no_ids():
        ans = answer_of(form, qid)
        for side in ("yes", "no"):
            tc = form.cols[qid][side]
            if ans is None:
                set_cell(tc, [])
                continue
            n += 1
            attrs = {"w:id": str(5000 + n), "w:author": "DSL", "w:date": "2024-02-01T09:00:00Z"}
            if chosen(ans, side):
                ins = el("ins", attrs)
                ins.append(run("X"))
                set_cell(tc, [ins])
            elif hash_index(qid) % 2:
                d = el("del", attrs)
                r = wel("r")
                dt = wel("delText")
                dt.text = "X"
                r.append(dt)
                d.append(r)
                set_cell(tc, [d])
            else:
                set_cell(tc, [])


def colour_columns(form):
    """The form's designer coloured the columns: every YES cell shaded green, every NO cell red
    (header included). Not marks."""
    for tbl in form.tables:
        for tr in tbl.findall(w("tr")):
            cs = cells(tr)
            texts = [text_of(c).strip().upper() for c in cs]
            if "YES" in texts and "NO" in texts:
                shade_cell(cs[texts.index("YES")], "C6EFCE")
                shade_cell(cs[texts.index("NO")], "FFC7CE")
    for qid in form.ids:
        shade_cell(form.cols[qid]["yes"], "C6EFCE")
        shade_cell(form.cols[qid]["no"], "FFC7CE")


def style_comment_answer_varied(form):
    """Both mark cells empty; the answer at the start of the comment in varied habits ("Yes.",
    "YES -", "yes:", "No.", "NO –"); rows left unanswered have comments that start "No evidence…"
    or "Not seen…", which are not answers."""
    yes_forms = ["Yes. ", "YES - ", "yes: ", "Yes – "]
    no_forms = ["No. ", "NO – ", "No, ", "no - "]
    for k, qid in enumerate(form.yes_no_ids()):
        q = form.q(qid)
        ans = q["answer"]
        set_cell(form.cols[qid]["yes"], [])
        set_cell(form.cols[qid]["no"], [])
        rest = q.get("comment") or "see file"
        if ans == "yes":
            text = yes_forms[k % 4] + rest
        elif ans == "no":
            text = no_forms[k % 4] + rest
        elif ans is None:
            text = ["No evidence of this on the files seen", "Not seen on this visit", q.get("comment")][k % 3]
        else:
            continue
        q["comment"] = text
        set_cell_paras(form.cols[qid]["comment"], comment_paras(text))
        if ans == "both":
            q["answer"] = None


YES_NO_STYLES = {
    # name: (function, description)
    "prefilled_highlight": (lambda f: prefilled(f, chosen_fmt={"hl": "yellow"}), "YES/NO printed in every row; the chosen word highlighted"),
    "prefilled_cell_shading": (lambda f: prefilled(f, cell_fill="FFFF00"), "YES/NO printed; the chosen cell shaded yellow"),
    "prefilled_bold": (lambda f: prefilled(f, chosen_fmt={"b": True}), "YES/NO printed; the chosen word made bold"),
    "prefilled_colour": (lambda f: prefilled(f, chosen_fmt={"color": "FF0000"}), "YES/NO printed; the chosen word coloured red"),
    "prefilled_underline": (lambda f: prefilled(f, chosen_fmt={"u": True}), "YES/NO printed; the chosen word underlined"),
    "prefilled_strike_other": (lambda f: prefilled(f, other_fmt={"strike": True}), "YES/NO printed; the other word struck through"),
    "prefilled_delete_other": (lambda f: prefilled(f, delete_other=True), "YES/NO printed; the other word deleted"),
    "prefilled_highlight_black_text": (lambda f: (prefilled(f, chosen_fmt={"hl": "green"}), explicit_black(f)), "YES/NO printed in explicit black (w:color 000000); the chosen word highlighted"),
    "comment_answer": (style_comment_answer, "both mark cells empty; 'Yes – …' / 'No, …' typed in the comments cell"),
    "glyph_boxes": (style_glyph_boxes, "☒ typed in the chosen cell, ☐ in the other"),
    "wingdings_tick": (style_wingdings, "Wingdings tick (w:sym F0FC) in the chosen cell"),
    "wingdings2_tick": (lambda f: style_wingdings(f, "Wingdings 2", "F050"), "Wingdings 2 tick (w:sym F050) in the chosen cell"),
    "wingdings_font_text": (style_wingdings_font_text, "'ü' typed in a Wingdings-font run (shows a tick)"),
    "checkbox_sdt": (style_sdt, "checkbox content controls in both cells, the chosen one checked"),
    "formcheckbox": (style_formfield, "legacy FORMCHECKBOX fields in both cells, the chosen one checked"),
    "typed_y_n": (style_typed_yn_letters, "'Y' typed in YES, 'N' in NO"),
    "typed_words": (style_typed_words, "'yes' typed in YES, 'no' in NO (lower case)"),
    "tokens_mixed": (lambda f: mark_cells(f, typed_token(["✔", "√", "✓", "x", "X"]), f.yes_no_ids()), "✔ √ ✓ x X typed, varying by row"),
    "prefilled_tick_beside": (style_prefilled_tick_beside, "YES/NO printed; ✓ or X typed after the chosen word"),
    "paragraph_shading": (style_paragraph_shading, "empty cells; the chosen cell's paragraph shaded (not the cell)"),
    "tracked_highlight": (style_tracked_highlight, "YES/NO printed; highlight added with Track Changes on (rPrChange keeps the old formatting)"),
    "hidden_text": (style_hidden_text, "x in the chosen cell; a hidden (vanish) x in the other"),
    "placeholder_comments": (style_placeholder_comments, "comment cells are content controls; empty ones show their placeholder text"),
    "column_colours_highlight": (lambda f: (prefilled(f, chosen_fmt={"hl": "yellow"}), colour_columns(f)), "YES column shaded green, NO red by the designer; printed words, the chosen one highlighted"),
    "column_colours_typed": (lambda f: (mark_cells(f, typed_token(["X"]), f.yes_no_ids()), colour_columns(f)), "YES column shaded green, NO red by the designer; X typed"),
    "printed_colour_words_bold": (lambda f: prefilled(f, chosen_fmt={"b": True}, word_fmt={"color": "00B050"}), "printed words in green; the chosen one made bold"),
    "printed_bold_words_highlight": (lambda f: prefilled(f, chosen_fmt={"hl": "cyan"}, word_fmt={"b": True}), "printed words in bold; the chosen one highlighted"),
    "comment_answer_varied": (style_comment_answer_varied, "cells empty; 'Yes.', 'YES -', 'No.', 'NO –'… at the start of the comment; 'No evidence…'/'Not seen…' are not answers"),
    "na_rows": (style_na_rows, "x marks; unanswered rows say N/A in YES and '-' in NO"),
    "tracked_changed_mind": (style_tracked_changed_mind, "Track Changes: the other cell's X deleted (w:del), the chosen X inserted (w:ins)"),
}


def rating_in_yes_cell(form):
    """The chosen rating typed in the YES cell of rows 3.3 and 4.2 (the rating line left plain)."""
    for qid in RATING_IDS:
        d = form.q(qid).get("rating")
        set_para_runs(form.rating_para(qid), digits_line_runs(None, "plain"))
        if d is not None:
            set_cell(form.cols[qid]["yes"], [run(str(d))])


def rating_checkboxes(form):
    """Each digit with a box before it: "☐1  ☐2  ☒3  ☐4  ☐5"."""
    def line(d):
        runs = []
        for k in range(1, 6):
            if k > 1:
                runs.append(run("   "))
            runs.append(run("☒" if k == d else "☐", font="MS Gothic"))
            runs.append(run(str(k)))
        return runs
    for qid in RATING_IDS:
        set_para_runs(form.rating_para(qid), line(form.q(qid).get("rating")))
    start, old = overall_paras(form)
    anchor = old[0]
    for p in old[1:]:
        p.getparent().remove(p)
    set_para_runs(anchor, line(form.truth["overall_standard"]))


def rating_sdt_checkboxes(form):
    """Each digit with a checkbox content control after it: "1 ☐  2 ☐  3 ☒ …"."""
    def line(d):
        runs = []
        for k in range(1, 6):
            if k > 1:
                runs.append(run("    "))
            runs.append(run("%d " % k))
            runs.append(checkbox_sdt(k == d))
        return runs
    for qid in RATING_IDS:
        set_para_runs(form.rating_para(qid), line(form.q(qid).get("rating")))
    start, old = overall_paras(form)
    anchor = old[0]
    for p in old[1:]:
        p.getparent().remove(p)
    set_para_runs(anchor, line(form.truth["overall_standard"]))


def set_yn_runs(form, maker):
    for label, key in (("Actions required", "actions_required"), ("Quality Assurance to be reviewed", "review_required")):
        p = form.para_starting(label)
        keep = [c for c in p if c.tag == w("pPr")]
        label_text = "Actions required?" if key == "actions_required" else "Quality Assurance to be reviewed?"
        for c in list(p):
            p.remove(c)
        for c in keep:
            p.append(c)
        p.append(run(label_text, b=True))
        tab = wel("r")
        tab.append(wel("tab"))
        p.append(tab)
        for r in maker(form.truth[key]):
            p.append(r)


def yn_typed_after(v):
    """The printed "Y/N" left, the answer typed after it."""
    if v is None:
        return [run("Y/N")]
    return [run("Y/N"), run("   "), run("Y" if v else "N")]


def yn_word_checkboxes(v):
    """"☒ Yes  ☐ No" typed as glyphs."""
    return [run("☒" if v is True else "☐", font="MS Gothic"), run(" Yes   "), run("☒" if v is False else "☐", font="MS Gothic"), run(" No")]


def yn_sdt_checkboxes(v):
    """"Yes ☐  No ☒" with checkbox content controls."""
    return [run("Yes "), checkbox_sdt(v is True), run("   No "), checkbox_sdt(v is False)]


def yn_yes_no_words(v, how="highlight"):
    """"Yes/No" printed instead of "Y/N", the chosen word highlighted."""
    if v is None:
        return [run("Yes/No")]
    return [run("Yes", hl="yellow" if v else None), run("/"), run("No", hl=None if v else "yellow")]


def rating_tick_beside(form):
    """A tick typed after the chosen digit: "1     2     3 ✓     4     5"."""
    for qid in RATING_IDS:
        d = form.q(qid).get("rating")
        runs = digits_line_runs(None, "plain")
        if d:
            runs.insert(2 * (d - 1) + 1, run(" ✓"))
        set_para_runs(form.rating_para(qid), runs)
    start, old = overall_paras(form)
    d = form.truth["overall_standard"]
    for k, p in enumerate(old):
        if k + 1 == d:
            set_para_runs(p, [run(str(k + 1)), run("  ✓", color="0070C0")])


def overall_typed_on_label(form):
    """The overall standard typed on the label's line ("Overall Standard of recording:  3"), the
    printed digits left below."""
    start, old = overall_paras(form)
    for k, p in enumerate(old):
        set_para_runs(p, [run(str(k + 1))])
    d = form.truth["overall_standard"]
    if d:
        start.append(run(":  "))
        start.append(run(str(d), color="0070C0"))


RATING_STYLES = {
    "rating_bold": (lambda f: (rate_rows(f, "bold"), rate_overall(f, "bold")), "ratings and overall standard: chosen digit bold"),
    "rating_highlight": (lambda f: (rate_rows(f, "highlight"), rate_overall(f, "highlight", "paras")), "chosen digit highlighted (overall as one digit per paragraph)"),
    "rating_underline": (lambda f: (rate_rows(f, "underline"), rate_overall(f, "underline")), "chosen digit underlined"),
    "rating_colour": (lambda f: (rate_rows(f, "colour"), rate_overall(f, "colour", "paras")), "chosen digit coloured red"),
    "rating_paren": (lambda f: (rate_rows(f, "paren"), rate_overall(f, "paren")), "chosen digit in brackets '(3)'"),
    "rating_circled": (lambda f: (rate_rows(f, "circled"), rate_overall(f, "circled")), "chosen digit replaced by a circled digit '③'"),
    "rating_boxed": (lambda f: (rate_rows(f, "boxed"), rate_overall(f, "boxed")), "chosen digit given a border (drawn circle)"),
    "rating_strike_others": (lambda f: (rate_rows(f, "strike_others"), rate_overall(f, "strike_others")), "the other digits struck through"),
    "rating_only": (lambda f: (rate_rows(f, "only"), rate_overall(f, "only")), "the other digits deleted"),
    "rating_in_comment": (lambda f: (rate_rows(f, None, in_comment=True), rate_overall(f, "bold")), "rating typed at the start of the comment ('3 – …'), line left plain"),
    "yn_delete": (lambda f: set_yn(f, "delete"), "Y/N fields: the other letter deleted"),
    "yn_bold": (lambda f: set_yn(f, "bold"), "Y/N fields: the chosen letter bold"),
    "yn_highlight": (lambda f: set_yn(f, "highlight"), "Y/N fields: the chosen letter highlighted"),
    "yn_paren": (lambda f: set_yn(f, "paren"), "Y/N fields: the chosen letter circled by brackets '(Y)'"),
    "yn_typed": (lambda f: set_yn(f, "typed"), "Y/N fields: 'Yes'/'No' typed in place of Y/N"),
    "yn_strike": (lambda f: set_yn(f, "strike"), "Y/N fields: the other letter struck through"),
    "yn_colour": (lambda f: set_yn(f, "colour"), "Y/N fields: the chosen letter coloured"),
    "rating_tick_beside": (rating_tick_beside, "a tick typed after the chosen digit (ratings and overall)"),
    "overall_typed_on_label": (overall_typed_on_label, "overall standard typed after its label, printed digits left plain"),
    "yn_underline": (lambda f: set_yn(f, "underline"), "Y/N fields: the chosen letter underlined"),
    "rating_in_yes_cell": (rating_in_yes_cell, "ratings 3.3/4.2 typed as a digit in the YES cell"),
    "rating_checkboxes": (rating_checkboxes, "☐1 ☐2 ☒3 ☐4 ☐5 typed as glyphs (ratings and overall)"),
    "rating_sdt_checkboxes": (rating_sdt_checkboxes, "a checkbox content control after each digit (ratings and overall)"),
    "yn_typed_after": (lambda f: set_yn_runs(f, yn_typed_after), "Y/N fields: 'Y/N' left, the chosen letter typed after it"),
    "yn_word_checkboxes": (lambda f: set_yn_runs(f, yn_word_checkboxes), "Y/N fields: '☒ Yes ☐ No' glyphs"),
    "yn_sdt_checkboxes": (lambda f: set_yn_runs(f, yn_sdt_checkboxes), "Y/N fields: 'Yes ☐ No ☒' checkbox content controls"),
    "yn_yes_no_words": (lambda f: set_yn_runs(f, yn_yes_no_words), "Y/N fields printed as 'Yes/No', the chosen word highlighted"),
}


def layout_renumbered(f):
    set_number(f, "1.4", "1.8")
    f.truth["_expected_warnings"].append({"kind": "renumbered", "row": "1.4"})


def layout_row_missing(f):
    tr = f.rows["6.5"]
    tr.getparent().remove(tr)
    f.q("6.5")["answer"] = None
    f.q("6.5")["comment"] = None
    f.truth["_expected_warnings"].append({"kind": "row_missing", "row": "6.5"})


def layout_extra_row(f):
    tr = f.rows["1.7"]
    new = copy.deepcopy(tr)
    cs = cells(new)
    set_cell(cs[0], [run("1.8")], center=False)
    set_cell(cs[1], [run("Is there evidence that the chronology is shared with the social worker?")], center=False)
    set_cell(cs[2], [run("x")])
    set_cell(cs[3], [])
    set_cell_paras(cs[4], comment_paras("Shared termly"))
    tr.addnext(new)
    f.truth["_expected_warnings"].append({"kind": "extra_row", "row": "1.8"})


def layout_wording(f):
    set_question_text(f, "1.4", "Does the chronology show the child’s voice? Show examples")
    set_question_text(f, "2.1", "Is there evidence of clearly recorded disclosures made in school and the subsequent actions taken?")
    set_question_text(f, "6.3", "Is there evidence of the school's attendance at Core Group meetings?")
    set_question_text(f, "9.5", "Are there any recordings regarding staff and incidents regarding the LADO?")


def header_table_4col(form):
    """Header as a four-column table: two label | value pairs per row, labels without colons."""
    body = form.docx.body
    first = form.para_starting("Name of Person conducting")
    overview = form.para_starting("OVERVIEW")
    idx = body.index(first)
    for e in list(body)[idx:body.index(overview)]:
        body.remove(e)
    t = form.truth
    pairs = [("reviewer", "Name of Person conducting the Quality Assurance"),
             ("reviewer_role", "Position/Role of Person conducting the Quality Assurance"),
             ("subject", "Name of Person whose CPOMS recording is being Quality Assured"),
             ("subject_role", "Position/Role of Person in School/Setting"),
             ("school", "Name of school"), ("date", "Date"),
             ("external_auditor", "Name of External Auditor"), (None, "")]
    tbl = wel("tbl")
    tp = wel("tblPr")
    tp.append(wel("tblStyle", val="TableGrid"))
    tbl.append(tp)
    grid = wel("tblGrid")
    for width in ("2800", "2200", "2800", "2200"):
        grid.append(wel("gridCol", w=width))
    tbl.append(grid)
    for k in range(0, len(pairs), 2):
        tr = wel("tr")
        for key, label in pairs[k:k + 2]:
            for text, fmt in ((label, {"b": True}), (header_display(t, key) if key else "", {})):
                tc = wel("tc")
                tc.append(para([run(text, **fmt)] if text else []))
                tr.append(tc)
        tbl.append(tr)
    body.insert(idx, tbl)
    body.insert(idx + 1, para([]))


def numbers_autonumbered(form):
    """Row numbers not typed: the number cell holds an automatic list number (w:numPr), so the
    number is not in the text; rows are matched by their wording."""
    for qid in form.ids:
        tc = form.cols[qid]["number"]
        set_cell(tc, [], center=False)
        p = tc.find(w("p"))
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = wel("pPr")
            p.insert(0, ppr)
        for c in list(ppr):
            ppr.remove(c)
        ppr.append(wel("pStyle", val="ListParagraph"))
        num = wel("numPr")
        num.append(wel("ilvl", val="0"))
        num.append(wel("numId", val="1"))
        ppr.append(num)


def number_in_question_cell(form):
    """Number and question typed together in the question cell ("1.4 Does the chronology…");
    the number cell left empty."""
    for qid in form.ids:
        qc = form.cols[qid]["question"]
        first = qc.find(w("p"))
        t = first.find(".//" + w("t"))
        t.text = "%s  %s" % (qid, t.text)
        set_cell(form.cols[qid]["number"], [], center=False)


def extra_actions(form):
    """Three more rows added to the action table (people add rows)."""
    tbl = None
    for t in form.docx.body.iter(w("tbl")):
        first = t.find(w("tr"))
        if first is not None and "BY WHOM" in text_of(first).upper():
            tbl = t
    rows = tbl.findall(w("tr"))
    template = rows[-1]
    extra = [("Add the new LADO log to CPOMS", "Business Manager", "31/03/2024", "2024-03-31"),
             ("Train new staff on body maps", "Deputy DSL", "ongoing", None),
             ("Check archive log quarterly", None, "every term", None)]
    last = template
    for action, who, when, due in extra:
        tr = copy.deepcopy(template)
        cs = cells(tr)
        for tc, v in zip(cs, (action, who, when)):
            set_cell(tc, [run(v)] if v else [], center=False)
        last.addnext(tr)
        last = tr
        form.truth["actions"].append({"action": action, "by_whom": who, "timescale": when, "due": due})


def single_answer_column(form):
    """One YES/NO column instead of two: the header says "YES/NO" and the answer is typed there
    ("Yes", "No", "Y", "N")."""
    words = {"yes": ["Yes", "Y", "yes"], "no": ["No", "N", "no"]}
    for tbl in form.tables:
        grid = tbl.find(w("tblGrid"))
        if grid is not None:
            gc = grid.findall(w("gridCol"))
            if len(gc) >= 5:
                grid.remove(gc[3])
        for tr in tbl.findall(w("tr")):
            cs = cells(tr)
            texts = [text_of(c).strip().upper() for c in cs]
            if "YES" in texts and "NO" in texts:
                yes_c = cs[texts.index("YES")]
                no_c = cs[texts.index("NO")]
                set_cell(yes_c, [run("YES/NO", b=True)])
                tr.remove(no_c)
    for qid in form.ids:
        ans = answer_of(form, qid)
        cols = form.cols[qid]
        opts = words.get(ans)
        set_cell(cols["yes"], [run(opts[hash_index(qid) % 3])] if opts else [])
        cols["no"].getparent().remove(cols["no"])
        if ans == "both":
            form.q(qid)["answer"] = None


def header_date_words(form):
    """Header rebuilt with the date typed in words: "Tuesday 26th September 2023"."""
    replace_header(form, "over_underscores")
    d = form.truth["header"]["date"]
    import datetime as _dt
    day = _dt.date.fromisoformat(d)
    suffix = "th" if 11 <= day.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    text = "%s %d%s %s %d" % (day.strftime("%A"), day.day, suffix, day.strftime("%B"), day.year)
    p = form.para_starting("Date:")
    set_para_runs(p, [run("Date: "), run(text, u=True)])


def header_date_format(form, fmt):
    """The header date typed in another habit (day first)."""
    replace_header(form, "over_underscores")
    import datetime as _dt
    day = _dt.date.fromisoformat(form.truth["header"]["date"])
    text = {"dd-mmm-yy": day.strftime("%d-%b-%y"), "dd/mm/yy": day.strftime("%d/%m/%y"),
            "d mmmm yyyy": "%d %s" % (day.day, day.strftime("%B %Y")), "dd.mm.yyyy": day.strftime("%d.%m.%Y")}[fmt]
    p = form.para_starting("Date:")
    set_para_runs(p, [run("Date: "), run(text)])


def header_date_field(form):
    """The header date is a DATE field (instrText + cached result): the result is the date."""
    replace_header(form, "over_underscores")
    d = form.truth["header"]["date"]
    y, m, dd = d.split("-")
    p = form.para_starting("Date:")
    runs = [run("Date: ")]
    b = wel("r")
    b.append(wel("fldChar", fldCharType="begin"))
    it = wel("r")
    t = wel("instrText")
    t.text = ' DATE \\@ "dd/MM/yyyy" '
    it.append(t)
    sep = wel("r")
    sep.append(wel("fldChar", fldCharType="separate"))
    res = run("%s/%s/%s" % (dd, m, y))
    e = wel("r")
    e.append(wel("fldChar", fldCharType="end"))
    set_para_runs(p, runs + [b, it, sep, res, e])


def header_sdt_values(form):
    """Header values typed into content controls; an empty one shows its placeholder text."""
    replace_header(form, "over_underscores")
    for n, (key, label) in enumerate(HEADER_FIELDS):
        p = form.para_starting(label)
        v = header_display(form.truth, key)
        sdt = wel("sdt")
        pr = wel("sdtPr")
        pr.append(wel("id", val=str(810000 + n)))
        content = wel("sdtContent")
        if v:
            content.append(run(v))
        else:
            pr.append(wel("showingPlcHdr"))
            content.append(run("Click or tap here to enter text.", color="808080"))
        sdt.append(pr)
        sdt.append(content)
        set_para_runs(p, [run(label + ": "), sdt])


LAYOUT_STYLES = {
    "header_table": (lambda f: replace_header(f, "table"), "header fields in a two-column table (label | value)"),
    "header_next_line": (lambda f: replace_header(f, "next_line"), "header values typed on the line after each label"),
    "header_over_underscores": (lambda f: replace_header(f, "over_underscores"), "header values typed over the middle of the underscores"),
    "table_split": (lambda f: (split_table(f, "1.3"), split_table(f, "9.5")), "sections 1 and 9 split across two tables (page break, no repeated header)"),
    "title_rows_merged": (merged_titles, "section titles on their own row merged across the width"),
    "blank_rows": (blank_rows, "an empty table row after every question row"),
    "yes_no_swapped": (swap_yes_no, "NO column before YES (header and rows)"),
    "no_comments_column": (drop_comments_column, "the Comments/Actions column removed"),
    "wording_edited": (layout_wording, "question wording edited slightly in rows 1.4, 2.1, 6.3, 9.5"),
    "row_renumbered": (layout_renumbered, "row 1.4 numbered 1.8 (wording unchanged)"),
    "row_missing": (layout_row_missing, "row 6.5 deleted (a warning expected, not a silent drop)"),
    "extra_row": (layout_extra_row, "an extra local row 1.8 added to section 1"),
    "header_table_4col": (header_table_4col, "header as a 4-column table (label | value | label | value), no colons"),
    "numbers_autonumbered": (numbers_autonumbered, "row numbers are automatic list numbers (not in the text)"),
    "number_in_question_cell": (number_in_question_cell, "'1.4  Does the chronology…' in one cell, number cell empty"),
    "extra_actions": (extra_actions, "three rows added to the action table"),
    "single_answer_column": (single_answer_column, "one YES/NO column; 'Yes'/'No'/'Y'/'N' typed in it"),
    "header_date_words": (header_date_words, "header date typed 'Tuesday 26th September 2023'"),
    "header_same_cell": (lambda f: replace_header(f, "same_cell"), "header fields in a one-column table, label and value in one cell"),
    "header_space": (lambda f: replace_header(f, "space"), "header values after the label with only a space (no colon)"),
    "header_date_dd_mmm_yy": (lambda f: header_date_format(f, "dd-mmm-yy"), "header date typed 26-Sep-23"),
    "header_date_dd_mm_yy": (lambda f: header_date_format(f, "dd/mm/yy"), "header date typed 26/09/23"),
    "header_date_d_mmmm_yyyy": (lambda f: header_date_format(f, "d mmmm yyyy"), "header date typed 26 September 2023"),
    "header_date_dots": (lambda f: header_date_format(f, "dd.mm.yyyy"), "header date typed 26.09.2023"),
    "header_date_field": (header_date_field, "header date is a DATE field with its cached result"),
    "header_sdt_values": (header_sdt_values, "header values in content controls; empty ones show placeholder text"),
}


def sdt_rows_and_cells(form):
    """Section 9's rows wrapped in a repeating-section content control (w:sdt around w:tr), and
    the comment cells of section 1 each wrapped in a content control (w:sdt around w:tc)."""
    rows = [form.rows[q] for q in form.ids if q.split(".")[0] == "9"]
    parent = rows[0].getparent()
    sdt = wel("sdt")
    pr = wel("sdtPr")
    pr.append(wel("id", val="820001"))
    sdt.append(pr)
    content = wel("sdtContent")
    sdt.append(content)
    rows[0].addprevious(sdt)
    for r in rows:
        content.append(r)
    for n, qid in enumerate(q for q in form.ids if q.split(".")[0] == "1"):
        tc = form.cols[qid]["comment"]
        cs = wel("sdt")
        pr = wel("sdtPr")
        pr.append(wel("id", val=str(820100 + n)))
        cs.append(pr)
        cc = wel("sdtContent")
        cs.append(cc)
        tc.addprevious(cs)
        cc.append(tc)
    del parent


NOISE_STYLES = {
    "split_runs_rsid": (lambda f: (prefilled(f, chosen_fmt={"hl": "yellow"}), split_all_runs(f.docx)), "every run split in pieces ('Y'+'ES') with rsids and proofErr marks, on a YES/NO-printed form"),
    "bookmarks_page_breaks": (bookmarks_and_page_breaks, "bookmarks and lastRenderedPageBreak inside the answer cells"),
    "review_comments": (lambda f: add_comments(f, {"1": "No – please check this", "1.1": "Yes?", "2": "X", "9.3": "Yes, see file"}), "review comments anchored on answers (comment text is not an answer)"),
    "smart_tags_custom_xml": (smart_tags_custom_xml, "marks in smartTag, comments in customXml; one row and one cell wrapped in customXml"),
    "hyperlink_comments": (lambda f: hyperlink_comments(f, ["1.2", "3.4", "9.9", "6.1"]), "hyperlinks inside comment cells"),
    "field_hyperlink_comments": (lambda f: field_hyperlink_comments(f, ["1", "2.1", "7", "9.5"]), "links inserted as HYPERLINK fields in comment cells"),
    "text_box_alternate_content": (lambda f: text_box_answer(f, "O11", "Termly data report to governors"), "an overview answer in a text box (AlternateContent choice + VML fallback)"),
    "shading_auto_clear": (shading_auto_clear, "YES/NO cells shaded clear/auto/white (not marks)"),
    "explicit_black": (explicit_black, "all text given explicit w:color 000000 (not a mark)"),
    "sdt_rows_and_cells": (sdt_rows_and_cells, "section 9 rows inside a row-level content control; section 1 comment cells inside cell-level ones"),
}


def ambiguous_both(f):
    prefilled(f, chosen_fmt={"hl": "yellow"})
    both_rows(f, ["1.3", "9.4"])
    # prefilled() ran before the truth changed: mark those rows again.
    for qid in ("1.3", "9.4"):
        for side, word in (("yes", "YES"), ("no", "NO")):
            set_cell(f.cols[qid][side], [run(word, hl="yellow")])
    # One row marked twice over (highlighted and its cell shaded): the unmarked word is still plain.
    if answer_of(f, "2.1") in ("yes", "no"):
        shade_cell(f.cols["2.1"][answer_of(f, "2.1")], "FFFF00")


def ambiguous_typed_both(f):
    mark_cells(f, typed_token(["x"]), f.yes_no_ids())
    both_rows(f, ["2.2", "5.4"])
    for qid in ("2.2", "5.4"):
        set_cell(f.cols[qid]["yes"], [run("x")])
        set_cell(f.cols[qid]["no"], [run("x")])


def ambiguous_tick_and_cross(f):
    """✓ in one cell and ✗ in the other: a person reads the tick. Read as the ticked side, with
    a warning naming the row."""
    def chooser(ans, side, qid):
        if ans is None:
            return None
        return [run("✓" if chosen(ans, side) else "✗")]
    mark_cells(f, chooser, f.yes_no_ids())
    for qid in f.yes_no_ids():
        if answer_of(f, qid) is not None:
            f.truth["_expected_warnings"].append({"kind": "ambiguous", "row": qid})


def ambiguous_mark_vs_comment(f):
    """x in YES but the comment starts "No, …": the mark in the answer column wins, with a warning."""
    mark_cells(f, typed_token(["x"]), f.yes_no_ids())
    q = f.q("1.4")
    assert q["answer"] == "yes"
    q["comment"] = "No, only in some files"
    set_cell_paras(f.cols["1.4"]["comment"], comment_paras(q["comment"]))
    f.truth["_expected_warnings"].append({"kind": "ambiguous", "row": "1.4"})


def ambiguous_two_ratings(f):
    """Two numbers bold in row 3.3 and in the overall standard: no likelier one, so blank with a
    warning."""
    rate_rows(f, "bold")
    p = f.rating_para("3.3")
    runs = digits_line_runs(None, "plain")
    runs[2] = run("2", b=True)
    runs[6] = run("4", b=True)
    set_para_runs(p, runs)
    f.q("3.3")["rating"] = None
    rate_overall(f, "bold", "paras")
    start, old = overall_paras(f)
    for k, para_ in enumerate(old):
        set_para_runs(para_, [run(str(k + 1), b=(k + 1) in (1, 3))])
    f.truth["overall_standard"] = None
    f.truth["_expected_warnings"].append({"kind": "ambiguous", "row": "3.3"})
    f.truth["_expected_warnings"].append({"kind": "contains", "text": "overall standard"})


def ambiguous_both_differently(f):
    """Printed YES/NO, chosen words highlighted; in rows 1.3 and 7 YES is highlighted and NO made
    bold: both marked."""
    prefilled(f, chosen_fmt={"hl": "yellow"})
    both_rows(f, ["1.3", "7"])
    for qid in ("1.3", "7"):
        set_cell(f.cols[qid]["yes"], [run("YES", hl="yellow")])
        set_cell(f.cols[qid]["no"], [run("NO", b=True)])


def ambiguous_yn_both(f):
    """Both Y and N highlighted after "Actions required?", both bracketed after "Quality Assurance
    to be reviewed?": blank, with a warning each."""
    def both_hl(v):
        return [run("Y", hl="yellow"), run("/"), run("N", hl="yellow")]
    set_yn_runs(f, both_hl)
    p = f.para_starting("Quality Assurance to be reviewed")
    for r in p.findall(w("r"))[2:]:
        p.remove(r)
    p.append(run("(Y)/(N)"))
    f.truth["actions_required"] = None
    f.truth["review_required"] = None
    f.truth["_expected_warnings"].append({"kind": "contains", "text": "actions required: both"})
    f.truth["_expected_warnings"].append({"kind": "contains", "text": "review required: both"})


AMBIGUOUS_STYLES = {
    "both_marked_prefilled": (ambiguous_both, "both words highlighted in rows 1.3 and 9.4: 'both' + warning"),
    "both_marked_typed": (ambiguous_typed_both, "x in both cells of rows 2.2 and 5.4: 'both' + warning"),
    "tick_and_cross": (ambiguous_tick_and_cross, "✓ in the chosen cell and ✗ in the other: the tick, with a warning per row"),
    "two_ratings_marked": (ambiguous_two_ratings, "two numbers bold in row 3.3 and in the overall standard: blank, with a warning"),
    "both_marked_differently": (ambiguous_both_differently, "printed words; YES highlighted and NO bold in rows 1.3 and 7: 'both' + warning"),
    "y_n_both_marked": (ambiguous_yn_both, "Y and N both highlighted / both bracketed: blank, with a warning"),
    "mark_contradicts_comment": (ambiguous_mark_vs_comment, "x in YES, comment 'No, …' in row 1.4: YES, with a warning"),
}


FAMILIES = [
    ("yes_no", YES_NO_STYLES),
    ("rating", RATING_STYLES),
    ("layout", LAYOUT_STYLES),
    ("noise", NOISE_STYLES),
    ("ambiguous", AMBIGUOUS_STYLES),
]


def base_marks(form):
    """The base's own marks, rewritten plainly (x in the chosen cell) so every style starts from
    the same clean state."""
    mark_cells(form, typed_token(["x"]), form.yes_no_ids())
    for qid in form.ids:
        for side in ("yes", "no"):
            tcpr = form.cols[qid][side].find(w("tcPr"))
            if tcpr is not None:
                for shd in tcpr.findall(w("shd")):
                    tcpr.remove(shd)
    for qid in RATING_IDS:
        set_cell(form.cols[qid]["yes"], [])
        set_cell(form.cols[qid]["no"], [])


# A second base: merged cells, extra rows and tracked changes of its own (every YES/NO, rating
# and ambiguous style is made on it too, named "...__b025").
BASE2 = "025_Stonebridge_Community_Academy_cpoms_qa.docx"
BASE2_FAMILIES = ("yes_no", "rating", "ambiguous")


def make(family, name, fn, desc, base=BASE, suffix=""):
    src = os.path.join(FORMS, base)
    with open(src + ".truth.json", encoding="utf-8") as fh:
        truth = json.load(fh)
    truth["_expected_warnings"] = list(truth.get("_expected_warnings", []))
    docx = Docx(src)
    form = Form(docx, truth)
    base_marks(form)
    fn(form)
    out_name = "%s__%s%s.docx" % (family, name, suffix)
    truth["source"] = out_name
    truth["_style"] = name
    truth["_family"] = family
    truth["_description"] = desc
    truth["_base"] = base
    truth.pop("_variant", None)
    docx.save(os.path.join(OUT, out_name))
    with open(os.path.join(OUT, out_name + ".truth.json"), "w", encoding="utf-8") as fh:
        json.dump(truth, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return out_name


def main(argv):
    os.makedirs(OUT, exist_ok=True)
    only = set(argv[1:])
    made = []
    for family, styles in FAMILIES:
        for name, (fn, desc) in styles.items():
            if only and name not in only and family not in only:
                continue
            made.append((family, name, make(family, name, fn, desc), desc))
            if family in BASE2_FAMILIES:
                made.append((family, name + "__b025", make(family, name, fn, desc, BASE2, "__b025"), desc + " (on form 025)"))
    if not only:
        with open(os.path.join(OUT, "STYLES.tsv"), "w", encoding="utf-8") as fh:
            fh.write("family\tstyle\tfile\tdescription\n")
            for family, name, out, desc in made:
                fh.write("%s\t%s\t%s\t%s\n" % (family, name, out, desc))
    print("wrote %d fixtures to %s" % (len(made), OUT))


if __name__ == "__main__":
    main(sys.argv)
