//! A sparse, bounded collection of one sheet's cells, turned into a model [`Table`] at the end.
//!
//! Readers add cells as they stream them; anything past [`MAX_ROWS`] × [`MAX_COLS`] is dropped
//! (with a note), and the number of kept cells is held under `Limits::max_cells`, so a hostile
//! file with a cell at XFD1048576 costs nothing but the time to stream it.

use std::collections::HashMap;

use crate::model::{Block, Cell, Paragraph, Row, Run, RunFormat, Table};
use crate::read::ReadError;

/// Rows read from one sheet; the form uses about 150.
pub const MAX_ROWS: u32 = 2_000;
/// Columns read from one sheet; the form uses about 7.
pub const MAX_COLS: u32 = 200;
/// Merged regions applied per sheet (the form has about 150).
const MAX_MERGES: usize = 20_000;

/// What a reader knows about one cell.
#[derive(Debug, Clone, Default)]
pub struct CellData {
    /// The cell's runs (one for an ordinary cell, several for rich text). Text of all runs
    /// together is the cell's text.
    pub runs: Vec<Run>,
    /// Cell fill, hex "RRGGBB", never white.
    pub shading: Option<String>,
}

impl CellData {
    /// A cell of one run with the cell's own formatting.
    pub fn text(text: String, format: RunFormat, shading: Option<String>) -> Self {
        let runs = if text.is_empty() { Vec::new() } else { vec![Run { text, format, kind: Default::default() }] };
        CellData { runs, shading }
    }

    fn is_blank(&self) -> bool {
        self.shading.is_none() && self.runs.iter().all(|r| r.text.is_empty())
    }
}

/// A merged region, inclusive, zero-based (row, column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first: (u32, u32),
    pub last: (u32, u32),
}

/// One sheet's cells while it is being read.
#[derive(Debug)]
pub struct Grid {
    name: String,
    cells: HashMap<(u32, u32), CellData>,
    merges: Vec<Merge>,
    /// Cells were dropped because they lay beyond the bounds.
    pub truncated: bool,
}

/// Cells kept across all sheets of one file, against `Limits::max_cells`.
#[derive(Debug)]
pub struct Budget {
    pub max_cells: usize,
    pub used: usize,
}

impl Budget {
    pub fn new(max_cells: usize) -> Self {
        Budget { max_cells, used: 0 }
    }

    fn take(&mut self, n: usize) -> Result<(), ReadError> {
        self.used = self.used.saturating_add(n);
        if self.used > self.max_cells {
            Err(too_many(self.max_cells))
        } else {
            Ok(())
        }
    }
}

fn too_many(max: usize) -> ReadError {
    ReadError::TooLarge(format!("the workbook has more than {max} cells; a returned form has a few hundred"))
}

impl Grid {
    pub fn new(name: impl Into<String>) -> Self {
        Grid { name: name.into(), cells: HashMap::new(), merges: Vec::new(), truncated: false }
    }

    /// Add a cell at zero-based (row, col). Blank cells are not stored; cells past the bounds are
    /// dropped and flagged. The first value given for a position wins.
    pub fn add(&mut self, row: u32, col: u32, data: CellData, budget: &mut Budget) -> Result<(), ReadError> {
        if data.is_blank() {
            return Ok(());
        }
        if row >= MAX_ROWS || col >= MAX_COLS {
            self.truncated = true;
            return Ok(());
        }
        if self.cells.contains_key(&(row, col)) {
            return Ok(());
        }
        budget.take(1)?;
        self.cells.insert((row, col), data);
        Ok(())
    }

    /// Record a merged region (clipped to the bounds later).
    pub fn merge(&mut self, m: Merge) {
        if m.first.0 > m.last.0 || m.first.1 > m.last.1 || m.first.0 >= MAX_ROWS || m.first.1 >= MAX_COLS {
            return;
        }
        if self.merges.len() < MAX_MERGES {
            self.merges.push(m);
        } else {
            self.truncated = true;
        }
    }

    /// The finished table: one row per sheet row from the first to the last used row, cells from
    /// the first to the last used column. A merged region appears once, as its top-left cell with
    /// `span` set; the first cell of each further row it covers has `merged_above` (same span);
    /// the other covered cells are left out, as in Word tables, so grid columns are the running
    /// sum of `span`.
    pub fn into_table(self, budget: &mut Budget) -> Result<Table, ReadError> {
        let Grid { name, mut cells, merges, .. } = self;
        let mut table = Table { rows: Vec::new(), name: Some(name) };
        // Extent of the used cells, widened by merged regions that start at a used cell.
        let mut extent: Option<(u32, u32, u32, u32)> = None;
        let mut widen = |r0: u32, c0: u32, r1: u32, c1: u32| {
            extent = Some(match extent {
                None => (r0, c0, r1, c1),
                Some((a, b, c, d)) => (a.min(r0), b.min(c0), c.max(r1), d.max(c1)),
            });
        };
        for &(r, c) in cells.keys() {
            widen(r, c, r, c);
        }
        let merges: Vec<Merge> = merges
            .into_iter()
            .filter(|m| cells.contains_key(&m.first))
            .map(|m| Merge {
                first: m.first,
                last: (m.last.0.min(MAX_ROWS - 1), m.last.1.min(MAX_COLS - 1)),
            })
            .collect();
        for m in &merges {
            widen(m.first.0, m.first.1, m.last.0, m.last.1);
        }
        let Some((r0, c0, r1, c1)) = extent else {
            return Ok(table);
        };
        let height = (r1 - r0 + 1) as usize;
        let width = (c1 - c0 + 1) as usize;
        let area = height.saturating_mul(width);
        // The dense table is what the rest of the pipeline holds: count it instead of the used
        // cells counted while streaming.
        budget.used = budget.used.saturating_sub(cells.len());
        budget.take(area)?;

        // Which merge (index) covers each grid position; the first region wins on overlap.
        let mut owner: Vec<u32> = vec![u32::MAX; area];
        for (i, m) in merges.iter().enumerate() {
            for r in m.first.0..=m.last.0 {
                for c in m.first.1..=m.last.1 {
                    let idx = (r - r0) as usize * width + (c - c0) as usize;
                    if let Some(slot) = owner.get_mut(idx) {
                        if *slot == u32::MAX {
                            *slot = i as u32;
                        }
                    }
                }
            }
        }

        table.rows.reserve(height);
        for r in r0..=r1 {
            let mut row = Row { cells: Vec::new() };
            let mut c = c0;
            while c <= c1 {
                let idx = (r - r0) as usize * width + (c - c0) as usize;
                let merge = owner.get(idx).and_then(|&i| merges.get(i as usize));
                match merge {
                    Some(m) if m.first.1 == c && m.first.0 <= r => {
                        // The region's left edge on this row. Its span is the run of columns it
                        // owns from here (an overlapping earlier region may have taken some).
                        let mut span = 1u32;
                        while c + span <= m.last.1 {
                            let next = idx + span as usize;
                            let same = owner.get(next).and_then(|&i| merges.get(i as usize)) == Some(m);
                            if !same {
                                break;
                            }
                            span += 1;
                        }
                        if m.first.0 == r {
                            let data = cells.remove(&(r, c)).unwrap_or_default();
                            row.cells.push(Cell { span, ..make_cell(data) });
                        } else {
                            row.cells.push(Cell { span, merged_above: true, ..Cell::default() });
                        }
                        c += span;
                    }
                    Some(_) => {
                        // Inside a region whose left edge is elsewhere (an overlap): keep the
                        // grid aligned with an empty cell.
                        row.cells.push(Cell::default());
                        c += 1;
                    }
                    None => {
                        let cell = cells.remove(&(r, c)).map(make_cell).unwrap_or_default();
                        row.cells.push(cell);
                        c += 1;
                    }
                }
            }
            table.rows.push(row);
        }
        Ok(table)
    }
}

fn make_cell(data: CellData) -> Cell {
    let blocks = if data.runs.is_empty() {
        Vec::new()
    } else {
        vec![Block::Paragraph(Paragraph { runs: data.runs })]
    };
    Cell { blocks, shading: data.shading, ..Cell::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> CellData {
        CellData::text(s.into(), RunFormat::default(), None)
    }

    #[test]
    fn rows_and_columns_line_up_and_merges_appear_once() {
        let mut budget = Budget::new(1000);
        let mut g = Grid::new("S");
        g.add(0, 0, text("title"), &mut budget).unwrap();
        g.add(1, 0, text("Date:"), &mut budget).unwrap();
        g.add(1, 2, text("2020-01-02"), &mut budget).unwrap();
        g.add(3, 3, text("x"), &mut budget).unwrap();
        g.merge(Merge { first: (0, 0), last: (0, 3) });
        g.merge(Merge { first: (1, 2), last: (2, 3) });
        let t = g.into_table(&mut budget).unwrap();
        assert_eq!(t.rows.len(), 4);
        assert_eq!(t.rows[0].cells.len(), 1);
        assert_eq!(t.rows[0].cells[0].span, 4);
        assert_eq!(t.rows[0].cells[0].text(), "title");
        let r1: Vec<_> = t.rows[1].cells.iter().map(|c| (c.text(), c.span)).collect();
        assert_eq!(r1, [("Date:".to_string(), 1), (String::new(), 1), ("2020-01-02".to_string(), 2)]);
        assert!(t.rows[2].cells[2].merged_above);
        assert_eq!(t.rows[2].cells[2].span, 2);
        assert_eq!(t.rows[3].cells.len(), 4);
        assert_eq!(t.rows[3].cells[3].text(), "x");
    }

    #[test]
    fn cells_beyond_the_bounds_are_dropped() {
        let mut budget = Budget::new(1000);
        let mut g = Grid::new("S");
        g.add(0, 0, text("a"), &mut budget).unwrap();
        g.add(1_048_575, 16_383, text("far"), &mut budget).unwrap();
        assert!(g.truncated);
        let t = g.into_table(&mut budget).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].cells.len(), 1);
    }

    #[test]
    fn too_many_cells_is_refused() {
        let mut budget = Budget::new(10);
        let mut g = Grid::new("S");
        g.add(0, 0, text("a"), &mut budget).unwrap();
        g.add(10, 10, text("b"), &mut budget).unwrap();
        assert!(matches!(g.into_table(&mut budget), Err(ReadError::TooLarge(_))));
    }
}
