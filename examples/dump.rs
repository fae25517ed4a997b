//! Print the neutral document model of a file, one line per paragraph or table row, with run
//! formatting in braces: a developer's view of what a reader produced.
//!
//! `cargo run --example dump -- FILE`

use cpoms_qa::model::{Block, RunKind};

fn runs_text(runs: &[cpoms_qa::model::Run]) -> String {
    let mut s = String::new();
    for r in runs {
        let f = &r.format;
        let mut tags = Vec::new();
        if f.bold { tags.push("b".to_string()); }
        if f.underline { tags.push("u".to_string()); }
        if f.strike { tags.push("s".to_string()); }
        if f.boxed { tags.push("box".to_string()); }
        if let Some(h) = &f.highlight { tags.push(format!("hl={h}")); }
        if let Some(h) = &f.shading { tags.push(format!("shd={h}")); }
        if let Some(h) = &f.colour { tags.push(format!("col={h}")); }
        match r.kind {
            RunKind::Checkbox { checked } => tags.push(format!("checkbox={checked}")),
            RunKind::Symbol => tags.push("sym".into()),
            RunKind::Text => {}
        }
        if tags.is_empty() {
            s.push_str(&r.text.replace('\n', "⏎"));
        } else {
            s.push_str(&format!("{{{}}}{}", tags.join(","), r.text.replace('\n', "⏎")));
        }
    }
    s
}

fn dump(blocks: &[Block], indent: usize) {
    for b in blocks {
        match b {
            Block::Paragraph(p) => println!("{:indent$}P: {}", "", runs_text(&p.runs), indent = indent),
            Block::Table(t) => {
                println!("{:indent$}TABLE {}", "", t.name.clone().unwrap_or_default(), indent = indent);
                for row in &t.rows {
                    let cells: Vec<String> = row
                        .cells
                        .iter()
                        .map(|c| {
                            let mut pre = String::new();
                            if c.span > 1 { pre.push_str(&format!("[span{}]", c.span)); }
                            if c.merged_above { pre.push_str("[merged]"); }
                            if let Some(s) = &c.shading { pre.push_str(&format!("[shd={s}]")); }
                            let inner: Vec<String> = c
                                .blocks
                                .iter()
                                .map(|b| match b {
                                    Block::Paragraph(p) => runs_text(&p.runs),
                                    Block::Table(_) => "<table>".into(),
                                })
                                .collect();
                            format!("{pre}{}", inner.join(" ¶ "))
                        })
                        .collect();
                    println!("{:indent$}  | {}", "", cells.join(" | "), indent = indent);
                }
            }
        }
    }
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump FILE");
        std::process::exit(2);
    };
    match cpoms_qa::read::read_path(std::path::Path::new(&path), &cpoms_qa::read::Limits::default()) {
        Ok((format, doc)) => {
            println!("format: {format}");
            dump(&doc.blocks, 0);
            if !doc.furniture.is_empty() {
                println!("FURNITURE");
                dump(&doc.furniture, 2);
            }
        }
        Err(e) => println!("error: {e}"),
    }
}
