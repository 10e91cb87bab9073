//! Feature maps laid out as a textbook prints small images: each map's rows and columns inside
//! brackets, the maps side by side while they fit the width of a line (then on the next row of
//! maps), each under its label ("channel 2", "filter 1, channel 3") in the page's language.
//!
//! The explanation decides which values are grids and what each map holds
//! ([`crate::notation::Grid`]); this module only arranges them for a format.

use unicode_width::UnicodeWidthStr;

use super::math::{latex, mathml, text};
use crate::notation::{Grid, GridMap};
use crate::words::Words;

/// Space between two maps side by side in the text form.
const GAP: usize = 4;

/// The label of a map in the page's words: none for the one map of a matrix.
pub fn label(map: &GridMap, words: &Words) -> Option<String> {
    match (map.filter, map.channel) {
        (Some(filter), Some(channel)) => Some(words.explain_grid_filter(filter, channel)),
        (None, Some(channel)) => Some(words.explain_grid_channel(channel)),
        _ => None,
    }
}

/// One map in the text form: its rows inside ⎡ ⎤ brackets, each column right-aligned.
fn text_map(map: &GridMap) -> Vec<String> {
    let cells: Vec<Vec<String>> = map
        .rows
        .iter()
        .map(|row| row.iter().map(text::render).collect())
        .collect();
    let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|j| {
            cells
                .iter()
                .filter_map(|row| row.get(j))
                .map(|c| c.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let last = cells.len().saturating_sub(1);
    cells
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let (open, close) = match (i, cells.len()) {
                (_, 1) => ("[", "]"),
                (0, _) => ("⎡", "⎤"),
                (i, _) if i == last => ("⎣", "⎦"),
                _ => ("⎢", "⎥"),
            };
            let body = row
                .iter()
                .zip(&widths)
                .map(|(cell, &width)| {
                    format!("{}{cell}", " ".repeat(width.saturating_sub(cell.width())))
                })
                .collect::<Vec<_>>()
                .join("  ");
            format!("{open}{body}{close}")
        })
        .collect()
}

/// A row of maps of the text form: the label line (empty when no map has a label) and the
/// lines of the maps side by side.
pub struct TextBand {
    pub labels: Option<String>,
    pub lines: Vec<String>,
}

/// The grid in the text form, its maps placed side by side in bands no wider than `width`.
pub fn text_bands(grid: &Grid, words: &Words, width: usize) -> Vec<TextBand> {
    let maps: Vec<(Option<String>, Vec<String>)> = grid
        .maps
        .iter()
        .map(|map| (label(map, words), text_map(map)))
        .collect();
    let block_width = |(label, lines): &(Option<String>, Vec<String>)| {
        lines
            .iter()
            .map(|l| l.width())
            .chain(label.iter().map(|l| l.width()))
            .max()
            .unwrap_or(0)
    };
    let mut bands: Vec<Vec<usize>> = Vec::new();
    let mut used = 0;
    for (index, map) in maps.iter().enumerate() {
        let w = block_width(map);
        match bands.last_mut() {
            Some(band) if used + GAP + w <= width => {
                band.push(index);
                used += GAP + w;
            }
            _ => {
                bands.push(vec![index]);
                used = w;
            }
        }
    }
    bands
        .into_iter()
        .map(|band| {
            let height = band.iter().map(|&m| maps[m].1.len()).max().unwrap_or(0);
            let pad = |text: &str, to: usize| {
                format!("{text}{}", " ".repeat(to.saturating_sub(text.width())))
            };
            let join = |cell: &dyn Fn(usize) -> String| {
                band.iter()
                    .enumerate()
                    .map(|(k, &m)| {
                        let text = cell(m);
                        if k + 1 == band.len() {
                            text
                        } else {
                            pad(&text, block_width(&maps[m]) + GAP)
                        }
                    })
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            };
            let labels = band
                .iter()
                .any(|&m| maps[m].0.is_some())
                .then(|| join(&|m| maps[m].0.clone().unwrap_or_default()));
            let lines = (0..height)
                .map(|row| join(&|m| maps[m].1.get(row).cloned().unwrap_or_default()))
                .collect();
            TextBand { labels, lines }
        })
        .collect()
}

/// How many maps go side by side on a printed page: as many as fit `width` characters of their
/// text form.
fn per_row(grid: &Grid, width: usize) -> usize {
    let widest = grid
        .maps
        .iter()
        .flat_map(text_map)
        .map(|line| line.width())
        .max()
        .unwrap_or(1);
    ((width + GAP) / (widest + GAP)).clamp(1, grid.maps.len().max(1))
}

/// The grid as LaTeX math: an array of labelled matrices, as many to a row as fit `width`.
pub fn latex(grid: &Grid, words: &Words, width: usize) -> String {
    let matrix = |map: &GridMap| latex::render(&crate::notation::Formula::Matrix(map.rows.clone()));
    if grid.maps.len() == 1 && label(&grid.maps[0], words).is_none() {
        return matrix(&grid.maps[0]);
    }
    let per_row = per_row(grid, width);
    let mut rows = Vec::new();
    for chunk in grid.maps.chunks(per_row) {
        let labels: Vec<String> = chunk
            .iter()
            .map(|m| format!("\\text{{{}}}", label(m, words).unwrap_or_default()))
            .collect();
        rows.push(labels.join(" & "));
        rows.push(chunk.iter().map(matrix).collect::<Vec<_>>().join(" & "));
    }
    format!(
        "\\begin{{array}}{{{}}}{}\\end{{array}}",
        "c".repeat(per_row),
        rows.join(" \\\\ ")
    )
}

/// The grid as MathML: a table of labelled matrices, as many to a row as fit `width`.
pub fn mathml(grid: &Grid, words: &Words, width: usize) -> String {
    let matrix =
        |map: &GridMap| mathml::render(&crate::notation::Formula::Matrix(map.rows.clone()));
    if grid.maps.len() == 1 && label(&grid.maps[0], words).is_none() {
        return matrix(&grid.maps[0]);
    }
    let per_row = per_row(grid, width);
    let mut out = String::from("<mtable columnspacing=\"1.5em\">");
    for chunk in grid.maps.chunks(per_row) {
        out.push_str("<mtr>");
        for map in chunk {
            out.push_str(&format!(
                "<mtd><mtext>{}</mtext></mtd>",
                label(map, words).unwrap_or_default()
            ));
        }
        out.push_str("</mtr><mtr>");
        for map in chunk {
            out.push_str(&format!("<mtd>{}</mtd>", matrix(map)));
        }
        out.push_str("</mtr>");
    }
    out.push_str("</mtable>");
    out
}
