//! Reading marks: which of YES / NO a person chose, which of "1 2 3 4 5", which of "Y/N". People
//! type X or ✓, tick a box, highlight, shade, bold, underline, colour or bracket their choice, strike
//! or delete the others. A mark is read against its unmarked twin, never in isolation, so a form
//! printed in bold or in colour is not read as marked everywhere.

use crate::model::{Run, RunFormat, RunKind};

/// What one YES or NO cell shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellMark {
    /// A positive mark: X, ✓, ☒, a checked box, "Y", "Yes", any typed text that is not its label.
    pub tick: bool,
    /// The cell holds only its own column's word ("YES" in the YES column), as printed or typed.
    pub label_only: bool,
    /// Formatting a person uses as a mark (cell shading, highlight, bold, underline, colour, box).
    pub formatted: Option<String>,
    /// The cell's text is struck through (the filler crossed it out).
    pub struck: bool,
    /// An empty box (☐ or an unchecked checkbox): explicitly not chosen.
    pub empty_box: bool,
    /// The mark is a tick (✓ ✔ √ ☑, a Wingdings tick): unmistakably "this one".
    pub check: bool,
    /// The mark is a cross alone (✗ ✘ ✖ ❌ x X): "this one" to some, "not this" to others.
    pub cross: bool,
    /// The YES cell holds "No" (or "N"): the filler answered in words in the first column, and
    /// the word is the answer. ("Y" or "yes" under NO is the form's own way of marking NO.)
    pub opposite: bool,
}

/// Glyphs and words that mean "this one".
pub fn is_tick_token(token: &str) -> bool {
    let t = token.trim().trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | '.' | '*' | '|' | '"' | '\''));
    matches!(
        t,
        "X" | "x" | "✓" | "✔" | "√" | "☒" | "☑" | "✗" | "✘" | "⊠" | "■" | "●" | "✅" | "❌" | "✖" | "⨯" | "×"
    ) || matches!(t.to_lowercase().as_str(), "y" | "yes" | "ticked" | "tick" | "checked" | "true" | "1")
}

fn is_empty_box(token: &str) -> bool {
    matches!(token.trim(), "☐" | "□" | "○" | "◯" | "[ ]" | "( )" | "❏")
}

/// Is this run's formatting a mark? Every mark it carries, in a fixed order, joined by "+" (so a
/// word printed bold and then highlighted reads differently from the printed bold alone).
fn format_mark(f: &RunFormat) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(h) = &f.highlight {
        parts.push(format!("highlight {h}"));
    }
    if let Some(s) = &f.shading {
        parts.push(format!("shading {s}"));
    }
    if f.boxed {
        parts.push("circled".into());
    }
    if f.bold {
        parts.push("bold".into());
    }
    if f.underline {
        parts.push("underline".into());
    }
    if let Some(c) = &f.colour {
        parts.push(format!("colour {c}"));
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("+"))
    }
}

/// The set of marks in a `formatted` description.
fn mark_set(f: &Option<String>) -> Vec<&str> {
    let mut v: Vec<&str> = f.as_deref().map(|s| s.split('+').collect()).unwrap_or_default();
    v.sort_unstable();
    v.dedup();
    v
}

/// Which of two formattings carries more marks: `Some(true)` when `a` has every mark of `b` and
/// more, `Some(false)` the other way, `None` when equal or neither contains the other.
pub fn more_marked(a: &Option<String>, b: &Option<String>) -> Option<bool> {
    let (sa, sb) = (mark_set(a), mark_set(b));
    if sa == sb {
        return None;
    }
    if sb.iter().all(|m| sa.contains(m)) {
        return Some(true);
    }
    if sa.iter().all(|m| sb.contains(m)) {
        return Some(false);
    }
    None
}

/// Analyse one YES or NO cell. `label` is the column's own word ("yes" or "no").
pub fn cell_mark(text: &str, runs: &[&Run], shading: Option<&str>, label: &str) -> CellMark {
    let mut mark = CellMark::default();
    // Form controls decide on their own, whatever glyph they show.
    let boxes: Vec<bool> = runs
        .iter()
        .filter_map(|r| match r.kind {
            RunKind::Checkbox { checked } => Some(checked),
            _ => None,
        })
        .collect();
    if !boxes.is_empty() {
        if boxes.iter().any(|c| *c) {
            mark.tick = true;
        } else {
            mark.empty_box = true;
        }
        return mark;
    }
    let visible: Vec<&&Run> = runs.iter().filter(|r| !r.text.trim().is_empty()).collect();
    let trimmed = text.trim();
    if !trimmed.is_empty() {
        let all_struck = !visible.is_empty() && visible.iter().all(|r| r.format.strike);
        let unstruck: String = visible.iter().filter(|r| !r.format.strike).map(|r| r.text.as_str()).collect();
        let considered = if all_struck || visible.is_empty() { trimmed.to_string() } else { unstruck.trim().to_string() };
        mark.struck = all_struck;
        let lower = considered.to_lowercase();
        let word = lower.trim_matches(|c: char| !c.is_alphanumeric());
        if is_empty_box(&considered) {
            mark.empty_box = true;
        } else if word == label && considered.chars().any(|c| "✓✔√☒☑✗✘".contains(c)) || tick_beside_label(&considered, label) {
            // "YES ✓", "X NO": a mark typed beside the printed word.
            mark.tick = true;
            mark.check = considered.chars().any(|c| "✓✔√☑".contains(c));
        } else if word == label || (label == "yes" && word == "y") || (label == "no" && word == "n") {
            // "Y" or "N" alone in their own column are ticks too, but the printed/prefilled word is a label.
            if word.len() == 1 {
                mark.tick = true;
            } else {
                mark.label_only = true;
            }
        } else if label == "yes" && answer_word(&considered) == Some(false) {
            // "No" under YES: a word answer, not a mark for this column.
            mark.opposite = true;
        } else if is_tick_token(&considered) || considered.chars().any(|c| "✓✔√☒☑✗✘".contains(c)) {
            mark.tick = true;
            mark.check = considered.chars().any(|c| "✓✔√☑".contains(c));
            mark.cross = !mark.check && considered.chars().all(|c| "✗✘✖❌xX".contains(c) || c.is_whitespace());
        } else if word == "n/a" || word == "na" || lower.chars().all(|c| matches!(c, '-' | '–' | '—' | '/' | ' ')) {
            // "N/A" or a dash: nothing chosen.
        } else {
            // Typed text in a YES/NO cell ("Yes - see chronology", "partly"): a mark.
            mark.tick = true;
        }
        if let Some(f) = visible.iter().filter(|r| !r.format.strike).find_map(|r| format_mark(&r.format)) {
            mark.formatted = Some(f);
        }
    }
    if let Some(s) = shading {
        mark.formatted = Some(match mark.formatted.take() {
            Some(f) => format!("{f}+cell shading {s}"),
            None => format!("cell shading {s}"),
        });
    }
    mark
}

/// The cell's own word and, beside it, nothing but tick tokens ("YES X", "✓ NO", "Yes - ✔").
fn tick_beside_label(text: &str, label: &str) -> bool {
    let bare = |t: &str| t.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    let toks: Vec<&str> = text.split_whitespace().collect();
    let labels = toks.iter().filter(|t| bare(t) == label).count();
    let ticks = toks.iter().filter(|t| bare(t) != label && (is_tick_token(t) || t.chars().any(|c| "✓✔√☒☑✗✘".contains(c)))).count();
    let others = toks.iter().filter(|t| bare(t) != label && !is_tick_token(t) && t.chars().any(char::is_alphanumeric)).count();
    labels == 1 && ticks >= 1 && others == 0
}

/// The answer from a YES cell and a NO cell, and a warning when the marks are ambiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Yes,
    No,
    Both,
    None,
}

/// Decide between the YES and NO cells of one row.
pub fn choose_yes_no(yes: &CellMark, no: &CellMark) -> Choice {
    // Prefilled words in both cells: the chosen one is the one formatted differently or not struck.
    if yes.label_only && no.label_only {
        return match (yes.struck, no.struck) {
            (false, true) => Choice::Yes,
            (true, false) => Choice::No,
            _ => match more_marked(&yes.formatted, &no.formatted) {
                Some(true) => Choice::Yes,
                Some(false) => Choice::No,
                None => Choice::None,
            },
        };
    }
    // "No" typed under YES counts for NO.
    let yes_on = (yes.tick || yes.label_only) && !yes.struck;
    let no_on = (no.tick || no.label_only) && !no.struck || yes.opposite && !yes.struck;
    match (yes_on, no_on) {
        (true, true) => Choice::Both,
        (true, false) => Choice::Yes,
        (false, true) => Choice::No,
        (false, false) => {
            // Nothing typed: a shaded or highlighted empty cell against a plain one.
            if yes.empty_box || no.empty_box {
                return Choice::None;
            }
            match more_marked(&yes.formatted, &no.formatted) {
                Some(true) => Choice::Yes,
                Some(false) => Choice::No,
                None => Choice::None,
            }
        }
    }
}

/// A word typed in one "Answer" column ("Yes", "N", "✓" under a YES/NO drop-down).
pub fn answer_word(text: &str) -> Option<bool> {
    let t = text.trim().to_lowercase();
    let w = t.trim_matches(|c: char| !c.is_alphanumeric());
    match w {
        "yes" | "y" | "true" => Some(true),
        "no" | "n" | "false" => Some(false),
        _ if t.starts_with("yes") => Some(true),
        _ if t.starts_with("no ") || t.starts_with("no,") || t.starts_with("no -") || t.starts_with("no –") => Some(false),
        _ => None,
    }
}

/// A typed answer at the start of a comment ("Yes – see chronology", "No, not seen", "Yes"),
/// used only when both YES and NO cells are empty. "No evidence of…" is a comment, not an answer.
pub fn answer_in_comment(comment: &str) -> Option<bool> {
    let t = comment.trim();
    let lower = t.to_lowercase();
    for (word, value) in [("yes", true), ("no", false)] {
        if let Some(rest) = lower.strip_prefix(word) {
            let rest_trim = rest.trim_start();
            if rest.is_empty() {
                return Some(value);
            }
            if rest_trim.starts_with(['-', '–', '—', ',', ':', ';', '.', '(', '/']) {
                return Some(value);
            }
        }
    }
    None
}

/// One digit 1..5 as found in a rating area, with its formatting.
#[derive(Debug, Clone)]
struct DigitSeen {
    digit: u8,
    format: RunFormat,
    bracketed: bool,
    ticked: bool,
}

const CIRCLED: [char; 5] = ['①', '②', '③', '④', '⑤'];

/// The characters of some runs, each with its run's format and, for boxes and ticks, its state
/// (`Some(true)` ticked, `Some(false)` empty box). A checkbox control counts as one box whatever
/// glyph it shows.
fn marked_chars<'r>(runs: impl Iterator<Item = &'r Run>) -> (Vec<char>, Vec<&'r RunFormat>, Vec<Option<bool>>) {
    let mut chars: Vec<char> = Vec::new();
    let mut formats: Vec<&RunFormat> = Vec::new();
    let mut boxes: Vec<Option<bool>> = Vec::new();
    for r in runs {
        if let RunKind::Checkbox { checked } = r.kind {
            chars.push(if checked { '☒' } else { '☐' });
            formats.push(&r.format);
            boxes.push(Some(checked));
            continue;
        }
        for c in r.text.chars() {
            chars.push(c);
            formats.push(&r.format);
            boxes.push(if "✓✔√☒☑".contains(c) {
                Some(true)
            } else if is_empty_box(&c.to_string()) {
                Some(false)
            } else {
                None
            });
        }
    }
    (chars, formats, boxes)
}

/// "1 = good" already removed). `None` when nothing, or nothing unambiguous, is marked.
pub fn choose_digit(lines: &[Vec<&Run>]) -> Option<u8> {
    let mut seen: Vec<DigitSeen> = Vec::new();
    for line in lines {
        let (chars, formats, boxes) = marked_chars(line.iter().copied());
        if let Some(d) = digit_by_boxes(&chars, &boxes) {
            return Some(d);
        }
        for (i, ch) in chars.iter().enumerate() {
            if let Some(pos) = CIRCLED.iter().position(|c| c == ch) {
                return Some(pos as u8 + 1);
            }
            let Some(d) = ch.to_digit(10) else { continue };
            // Only standalone digits: not part of "10", "2024".
            let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let next = chars.get(i + 1).copied();
            if prev.is_some_and(|c| c.is_ascii_digit()) || next.is_some_and(|c| c.is_ascii_digit()) {
                continue;
            }
            if !(1..=5).contains(&d) {
                continue;
            }
            let before = chars[..i].iter().rev().find(|c| !c.is_whitespace()).copied();
            let after = chars[i + 1..].iter().find(|c| !c.is_whitespace()).copied();
            let bracketed = matches!(before, Some('(' | '[' | '{' | '<' | '*')) && matches!(after, Some(')' | ']' | '}' | '>' | '*'));
            let format = formats.get(i).map(|f| (*f).clone()).unwrap_or_default();
            // A tick typed beside the chosen number ("4 ✓", "X 3").
            // A tick between two numbers belongs to the nearer one ("3 ✓     4" ticks 3).
            let is_tick = |c: Option<&char>| c.is_some_and(|c| "✓✔√☒☑✗✘Xx".contains(*c));
            let is_digit = |j: usize| chars.get(j).is_some_and(|c| ('1'..='5').contains(c));
            let after_at = (i + 1..chars.len()).find(|&j| !chars.get(j).is_some_and(|c| c.is_whitespace()));
            let before_at = (0..i).rev().find(|&j| !chars.get(j).is_some_and(|c| c.is_whitespace()));
            let ticked_after = after_at.is_some_and(|t| {
                is_tick(chars.get(t))
                    && (t + 1..chars.len())
                        .find(|&j| !chars.get(j).is_some_and(|c| c.is_whitespace()))
                        .is_none_or(|n| !is_digit(n) || n - t > t - i)
            });
            let ticked_before = before_at.is_some_and(|t| {
                is_tick(chars.get(t))
                    && (0..t)
                        .rev()
                        .find(|&j| !chars.get(j).is_some_and(|c| c.is_whitespace()))
                        .is_none_or(|p| !is_digit(p) || t - p > i - t)
            });
            let ticked = ticked_after || ticked_before;
            seen.push(DigitSeen { digit: d as u8, format, bracketed, ticked });
        }
    }
    if seen.is_empty() {
        return None;
    }
    let ticked: Vec<u8> = seen.iter().filter(|s| s.ticked).map(|s| s.digit).collect();
    if ticked.len() == 1 {
        return ticked.first().copied();
    }
    let bracketed: Vec<u8> = seen.iter().filter(|s| s.bracketed).map(|s| s.digit).collect();
    if bracketed.len() == 1 {
        return bracketed.first().copied();
    }
    let mut distinct: Vec<u8> = seen.iter().map(|s| s.digit).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() == 1 {
        // The others were deleted, or one number was typed.
        return distinct.first().copied();
    }
    // Several digits: the one formatted unlike the rest (struck-out others count too).
    let unstruck: Vec<&DigitSeen> = seen.iter().filter(|s| !s.format.strike).collect();
    if unstruck.len() == 1 && seen.len() > 1 {
        return unstruck.first().map(|s| s.digit);
    }
    let marked: Vec<&DigitSeen> = seen.iter().filter(|s| format_mark(&s.format).is_some()).collect();
    if marked.len() == 1 {
        return marked.first().map(|s| s.digit);
    }
    // Everything bold (a bold line) but one highlighted/coloured: compare against the majority.
    if marked.len() > 1 && marked.len() < seen.len() {
        return None;
    }
    if marked.len() == seen.len() && seen.len() > 1 {
        let odd: Vec<&DigitSeen> = seen
            .iter()
            .filter(|s| seen.iter().filter(|o| o.format == s.format).count() == 1)
            .collect();
        if odd.len() == 1 {
            return odd.first().map(|s| s.digit);
        }
    }
    None
}

/// The numbers 1..5 of a rating area marked unlike the rest (bracketed, or formatted unlike the
/// most common formatting), for a warning when more than one is: "2 and 4 both bold".
pub fn marked_digits(lines: &[Vec<&Run>]) -> Vec<u8> {
    let mut seen: Vec<(u8, Option<String>, bool)> = Vec::new();
    for line in lines {
        let mut chars: Vec<(char, &RunFormat)> = Vec::new();
        for r in line {
            for c in r.text.chars() {
                chars.push((c, &r.format));
            }
        }
        for (i, (ch, f)) in chars.iter().enumerate() {
            let Some(d) = ch.to_digit(10).filter(|d| (1..=5).contains(d)) else { continue };
            let prev = i.checked_sub(1).and_then(|j| chars.get(j)).map(|x| x.0);
            let next = chars.get(i + 1).map(|x| x.0);
            if prev.is_some_and(|c| c.is_ascii_digit()) || next.is_some_and(|c| c.is_ascii_digit()) {
                continue;
            }
            let bracketed = matches!(prev, Some('(' | '[')) && matches!(next, Some(')' | ']'));
            let mark = if f.strike { Some("strike".to_string()) } else { format_mark(f) };
            seen.push((d as u8, mark, bracketed));
        }
    }
    let mut counts: Vec<(&Option<String>, usize)> = Vec::new();
    for (_, m, _) in &seen {
        match counts.iter_mut().find(|(x, _)| *x == m) {
            Some((_, n)) => *n += 1,
            None => counts.push((m, 1)),
        }
    }
    let common = counts.iter().max_by_key(|(_, n)| *n).map(|(m, _)| (*m).clone()).unwrap_or(None);
    let mut out: Vec<u8> = seen
        .iter()
        .filter(|(_, m, b)| *b || (*m != common && m.as_deref() != Some("strike")))
        .map(|(d, _, _)| *d)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// "☐1 ☐2 ☒3 ☐4 ☐5" or "1 ☐ 2 ☐ 3 ☒": when every digit 1..5 has a box on the same side, the
/// digit whose box is ticked.
fn digit_by_boxes(chars: &[char], boxes: &[Option<bool>]) -> Option<u8> {
    let mut before: Vec<(u8, Option<bool>)> = Vec::new();
    let mut after: Vec<(u8, Option<bool>)> = Vec::new();
    for (i, ch) in chars.iter().enumerate() {
        let Some(d) = ch.to_digit(10).filter(|d| (1..=5).contains(d)) else { continue };
        let near = |it: &mut dyn Iterator<Item = usize>| -> Option<bool> {
            it.map(|j| (chars.get(j).copied(), boxes.get(j).copied().flatten()))
                .find(|(c, _)| !c.is_some_and(char::is_whitespace))
                .and_then(|(_, b)| b)
        };
        before.push((d as u8, near(&mut (0..i).rev())));
        after.push((d as u8, near(&mut (i + 1..chars.len()))));
    }
    for side in [&before, &after] {
        if side.len() >= 2 && side.iter().all(|(_, b)| b.is_some()) {
            let ticked: Vec<u8> = side.iter().filter(|(_, b)| *b == Some(true)).map(|(d, _)| *d).collect();
            if let [d] = ticked.as_slice() {
                return Some(*d);
            }
        }
    }
    None
}

/// A rating typed in a comment: "Rated 2", "Grade 5", "3", "4. Too brief", "5 - Inconsistent",
/// "2 – Inconsistent quality", "(2)", "3/5", "3 out of 5", "Two out of five", "Four".
pub fn rating_in_comment(comment: &str) -> Option<u8> {
    let t = comment.trim();
    let lower = t.to_lowercase();
    let rest = ["rated", "rating", "grade", "graded", "score", "standard"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .map(|r| r.trim_start_matches([' ', ':', '-', '=']))
        .unwrap_or(lower.as_str());
    let rest = rest.strip_prefix(['(', '[']).unwrap_or(rest);
    // The number, as a digit or a word, and what follows it.
    let (d, after) = match rest.chars().next()?.to_digit(10) {
        Some(d) => (d, rest.get(1..)?),
        None => {
            let word: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
            let d = ["one", "two", "three", "four", "five"].iter().position(|w| *w == word)? as u32 + 1;
            let after = rest.get(word.len()..)?;
            // A number word starts many a sentence ("One report had no outcome"): only alone,
            // or followed by "out of", "/5" or punctuation.
            let tail = after.trim_start();
            let plain = tail.is_empty() || tail.starts_with("out of") || tail.starts_with(['/', '-', '–', '—', '(', ',', '.', ':', ';']);
            if !plain {
                return None;
            }
            (d, after)
        }
    };
    let ok_next = match after.chars().next() {
        None => true,
        // "3/5" is three out of five; "3/5/24" is a date and "3%" a share.
        Some('/') => {
            let out_of = after.get(1..).unwrap_or("");
            out_of.trim_start().starts_with('5') && !out_of.trim_start().get(1..).unwrap_or("").starts_with(|c: char| c.is_ascii_digit() || c == '/')
        }
        Some(c) => !c.is_ascii_digit() && !c.is_alphabetic() && c != '%',
    };
    if (1..=5).contains(&d) && ok_next {
        // "3 out of 5" reads 3.
        Some(d as u8)
    } else {
        None
    }
}

/// Which of "Y/N" was chosen in the text after a Y/N label: a typed "Yes"/"No", "(Y)/N", one
/// letter deleted, or one letter highlighted, bold, underlined, coloured or circled.
pub fn choose_y_n(runs: &[&Run]) -> Option<bool> {
    let text: String = runs.iter().map(|r| r.text.as_str()).collect();
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let lower = t.to_lowercase();
    let words = super::text::words(&lower);
    if words.iter().any(|w| w == "yes") && !words.iter().any(|w| w == "no") {
        return Some(true);
    }
    if words.iter().any(|w| w == "no") && !words.iter().any(|w| w == "yes") {
        return Some(false);
    }
    // Y, N, Yes and No standing alone (not inside words), with their formatting, brackets and
    // any box beside them.
    let (chars, formats, boxes) = marked_chars(runs.iter().copied());
    struct Tok<'f> {
        yes: bool,
        /// Where the word starts, in characters.
        at: usize,
        format: &'f RunFormat,
        bracketed: bool,
        box_before: Option<bool>,
        box_after: Option<bool>,
    }
    let near = |it: &mut dyn Iterator<Item = usize>| -> Option<bool> {
        it.map(|j| (chars.get(j).copied(), boxes.get(j).copied().flatten()))
            .find(|(c, _)| !c.is_some_and(char::is_whitespace))
            .and_then(|(_, b)| b)
    };
    let mut toks: Vec<Tok> = Vec::new();
    // Where an X or a tick stands alone ("Y X / N", "Y / N ✓").
    let mut ticks: Vec<usize> = Vec::new();
    let mut i = 0usize;
    while i < chars.len() {
        if !chars.get(i).is_some_and(|c| c.is_alphanumeric()) {
            if chars.get(i).is_some_and(|c| "✓✔√".contains(*c)) {
                ticks.push(i);
            }
            i += 1;
            continue;
        }
        let start = i;
        while chars.get(i).is_some_and(|c| c.is_alphanumeric()) {
            i += 1;
        }
        let word: String = chars.get(start..i).map(|w| w.iter().collect::<String>()).unwrap_or_default().to_lowercase();
        let yes = match word.as_str() {
            "y" | "yes" => true,
            "n" | "no" => false,
            "x" => {
                ticks.push(start);
                continue;
            }
            _ => continue,
        };
        let prev = start.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i).copied();
        let Some(format) = formats.get(start).copied() else { continue };
        toks.push(Tok {
            yes,
            at: start,
            format,
            bracketed: matches!(prev, Some('(' | '[' | '{')) && matches!(next, Some(')' | ']' | '}')),
            box_before: near(&mut (0..start).rev()),
            box_after: near(&mut (i..chars.len())),
        });
    }
    let ys: Vec<&Tok> = toks.iter().filter(|l| l.yes).collect();
    let ns: Vec<&Tok> = toks.iter().filter(|l| !l.yes).collect();
    match (ys.len(), ns.len()) {
        (0, 0) => None,
        (_, 0) => Some(true),
        (0, _) => Some(false),
        _ => {
            // "☒ Yes ☐ No", "Y ☐ N ☒": boxes on the same side of every word.
            for side in [0, 1] {
                let state = |t: &Tok| if side == 0 { t.box_before } else { t.box_after };
                if toks.len() >= 2 && toks.iter().all(|t| state(t).is_some()) {
                    let y = ys.iter().any(|t| state(t) == Some(true));
                    let n = ns.iter().any(|t| state(t) == Some(true));
                    if y != n {
                        return Some(y);
                    }
                }
            }
            // An X or tick typed after one letter ("Y X / N", "Y / N X"), or before the first.
            let owner = |p: usize| toks.iter().rev().find(|t| t.at < p).or_else(|| toks.iter().find(|t| t.at > p)).map(|t| t.yes);
            if let Some(first) = ticks.first().and_then(|&p| owner(p)) {
                if ticks.iter().all(|&p| owner(p) == Some(first)) {
                    return Some(first);
                }
            }
            // The printed "Y/N" left and the answer typed after it: "Y/N   N".
            if let [first, second, third] = toks.as_slice() {
                if first.yes && !second.yes && !first.bracketed && !second.bracketed {
                    return Some(third.yes);
                }
            }
            let yb = ys.iter().any(|l| l.bracketed);
            let nb = ns.iter().any(|l| l.bracketed);
            if yb != nb {
                return Some(yb);
            }
            let ystruck = ys.iter().all(|l| l.format.strike);
            let nstruck = ns.iter().all(|l| l.format.strike);
            if ystruck != nstruck {
                return Some(nstruck);
            }
            let yf = ys.iter().find_map(|l| format_mark(l.format));
            let nf = ns.iter().find_map(|l| format_mark(l.format));
            // The one marked more than the other (a printed-bold "Y/N" with one letter highlighted).
            more_marked(&yf, &nf)
        }
    }
}

/// Both Y and N (or Yes and No) marked the same strong way: both bracketed, or both
/// highlighted or shaded (marks a form does not print).
pub fn y_n_both_marked(runs: &[&Run]) -> bool {
    let mut chars: Vec<(char, &RunFormat)> = Vec::new();
    for r in runs {
        for c in r.text.chars() {
            chars.push((c, &r.format));
        }
    }
    let (mut y, mut n) = ((false, false), (false, false)); // (bracketed, highlighted)
    let mut i = 0usize;
    while i < chars.len() {
        if !chars.get(i).is_some_and(|c| c.0.is_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        while chars.get(i).is_some_and(|c| c.0.is_alphanumeric()) {
            i += 1;
        }
        let word: String = chars.get(start..i).map(|w| w.iter().map(|c| c.0).collect()).unwrap_or_default();
        let side = match word.to_lowercase().as_str() {
            "y" | "yes" => &mut y,
            "n" | "no" => &mut n,
            _ => continue,
        };
        let prev = start.checked_sub(1).and_then(|j| chars.get(j)).map(|c| c.0);
        let next = chars.get(i).map(|c| c.0);
        side.0 |= matches!(prev, Some('(' | '[')) && matches!(next, Some(')' | ']'));
        side.1 |= chars.get(start).is_some_and(|c| c.1.highlight.is_some() || c.1.shading.is_some());
    }
    y.0 && n.0 || y.1 && n.1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Run {
        Run::plain(text)
    }

    fn bold(text: &str) -> Run {
        Run { format: RunFormat { bold: true, ..RunFormat::default() }, ..Run::plain(text) }
    }

    #[test]
    fn typed_ticks_and_prefilled_words() {
        let x = run("X");
        let empty: Vec<&Run> = vec![];
        let yes = cell_mark("X", &[&x], None, "yes");
        let no = cell_mark("", &empty, None, "no");
        assert_eq!(choose_yes_no(&yes, &no), Choice::Yes);
        let yes_word = run("Yes");
        let no_word = run("No");
        let y = cell_mark("Yes", &[&yes_word], None, "yes");
        let n = cell_mark("No", &[&no_word], None, "no");
        assert_eq!(choose_yes_no(&y, &n), Choice::None, "untouched prefilled words are unanswered");
        let no_hl = Run { format: RunFormat { highlight: Some("yellow".into()), ..RunFormat::default() }, ..run("No") };
        let n = cell_mark("No", &[&no_hl], None, "no");
        assert_eq!(choose_yes_no(&y, &n), Choice::No);
    }

    #[test]
    fn a_word_typed_in_the_other_column_is_the_answer() {
        let empty: Vec<&Run> = vec![];
        let blank_no = cell_mark("", &empty, None, "no");
        let blank_yes = cell_mark("", &empty, None, "yes");
        for typed in ["No", "no", "N", "No - not seen"] {
            let r = run(typed);
            let yes = cell_mark(typed, &[&r], None, "yes");
            assert!(yes.opposite && !yes.tick, "{typed}");
            assert_eq!(choose_yes_no(&yes, &blank_no), Choice::No, "{typed} under YES");
        }
        // "Y" or "yes" under NO is a mark for NO, as the form's guidance has it.
        for typed in ["Y", "yes"] {
            let r = run(typed);
            let no = cell_mark(typed, &[&r], None, "no");
            assert_eq!(choose_yes_no(&blank_yes, &no), Choice::No, "{typed} under NO");
        }
        // Its own column's word is still a label or a tick, never the opposite.
        let r = run("Y");
        let yes = cell_mark("Y", &[&r], None, "yes");
        assert!(yes.tick && !yes.opposite);
        // Crossed out, it says nothing.
        let struck = Run { format: RunFormat { strike: true, ..RunFormat::default() }, ..run("No") };
        let yes = cell_mark("No", &[&struck], None, "yes");
        assert_eq!(choose_yes_no(&yes, &blank_no), Choice::None);
    }

    #[test]
    fn checkbox_state_beats_glyph() {
        let unchecked = Run { kind: RunKind::Checkbox { checked: false }, ..run("☒") };
        let checked = Run { kind: RunKind::Checkbox { checked: true }, ..run("☐") };
        let y = cell_mark("☒", &[&unchecked], None, "yes");
        let n = cell_mark("☐", &[&checked], None, "no");
        assert_eq!(choose_yes_no(&y, &n), Choice::No);
    }

    #[test]
    fn digits_chosen_by_format_bracket_or_deletion() {
        let line = [run("1     2     "), bold("3"), run("     4     5")];
        assert_eq!(choose_digit(&[line.iter().collect()]), Some(3));
        let line = [run("1  2  (4)  5")];
        assert_eq!(choose_digit(&[line.iter().collect()]), Some(4));
        let line = [run("1     2     3     4     5")];
        assert_eq!(choose_digit(&[line.iter().collect()]), None);
        let line = [run("2")];
        assert_eq!(choose_digit(&[line.iter().collect()]), Some(2));
    }

    #[test]
    fn ratings_in_comments() {
        assert_eq!(rating_in_comment("Rated 2"), Some(2));
        assert_eq!(rating_in_comment("4. Too brief"), Some(4));
        assert_eq!(rating_in_comment("5 - Inconsistent quality"), Some(5));
        assert_eq!(rating_in_comment("Grade 1"), Some(1));
        assert_eq!(rating_in_comment("Reports generally good"), None);
        assert_eq!(rating_in_comment("10 reports seen"), None);
        assert_eq!(rating_in_comment("(2)"), Some(2));
        assert_eq!(rating_in_comment("3/5"), Some(3));
        assert_eq!(rating_in_comment("2 / 5 - mostly complete"), Some(2));
        assert_eq!(rating_in_comment("3/5/24 seen"), None);
        assert_eq!(rating_in_comment("4/10"), None);
        assert_eq!(rating_in_comment("3 out of 5"), Some(3));
        assert_eq!(rating_in_comment("Two out of five"), Some(2));
        assert_eq!(rating_in_comment("Four"), Some(4));
        assert_eq!(rating_in_comment("four - requires improvement"), Some(4));
        assert_eq!(rating_in_comment("One report had no outcome"), None);
        assert_eq!(rating_in_comment("1 = good"), Some(1));
        assert_eq!(rating_in_comment("50% complete"), None);
    }

    #[test]
    fn y_n_with_an_x_or_tick_beside_one_letter() {
        for (typed, want) in [("Y X / N", true), ("Y / N X", false), ("Y/N ✓", false), ("Y ✓ /N", true), ("X Y / N", true), ("Y/N   Y X", true)] {
            let r = run(typed);
            assert_eq!(choose_y_n(&[&r]), Some(want), "{typed}");
        }
        let r = run("Y X / N X");
        assert_eq!(choose_y_n(&[&r]), None, "both");
    }

    #[test]
    fn y_n_fields() {
        let r = run("(Y)/N");
        assert_eq!(choose_y_n(&[&r]), Some(true));
        let a = Run { format: RunFormat { highlight: Some("yellow".into()), ..RunFormat::default() }, ..run("Y") };
        let b = run("/N");
        assert_eq!(choose_y_n(&[&a, &b]), Some(true));
        let r = run("Y/N");
        assert_eq!(choose_y_n(&[&r]), None);
        let r = run("N");
        assert_eq!(choose_y_n(&[&r]), Some(false));
        let r = run("No");
        assert_eq!(choose_y_n(&[&r]), Some(false));
    }

    #[test]
    fn comments_that_answer() {
        assert_eq!(answer_in_comment("Yes – see chronology"), Some(true));
        assert_eq!(answer_in_comment("No, not seen"), Some(false));
        assert_eq!(answer_in_comment("No evidence of escalation"), None);
    }
}
