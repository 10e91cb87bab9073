//! The computational graph as Graphviz DOT, or as an SVG picture laid out top to bottom
//! (`graph_layout`), to be read on a page: the values the file gives at the top, the loss at the
//! bottom, every operand drawn, an operation's operands entering it left to right.

use unicode_width::UnicodeWidthStr;

use super::graph_layout::{Arrow, Size, layout};
use super::math::text;
use crate::eval::exact::Value;
use crate::explain::chain::rounded_number;
use crate::explain::explanation::tensor_formula_within;
use crate::explain::graph_view::{GraphNode, GraphView, NodeKind};
use crate::words::Language;

/// Digits of the values written in the boxes: enough to follow a computation by eye.
const DIGITS: usize = 4;
/// Exact values whose decimals would be rounded are written as fractions this short (of at
/// most 10 bits above and below the line: `−1/3`, `92/15`), others rounded, after "≈".
const FRACTION_BITS: u64 = 10;
/// Tensors with more elements than this are shown by shape only.
const SHOWN_ELEMENTS: usize = 6;

/// The lines of a node's box.
fn label(node: &GraphNode, loss: &str, language: Language) -> Vec<String> {
    let mut lines = Vec::new();
    let operation = node.operation.as_ref().map(|op| language.say(op));
    match (&node.name, operation) {
        (Some(name), Some(op)) => lines.push(format!("{} = {op}", text::render(name))),
        (Some(name), None) => lines.push(text::render(name)),
        (None, Some(op)) => lines.push(op),
        // A number written in the file: the number is the box.
        (None, None) => {
            match &node.value {
                // As the file writes it: `1/2`, not `0.5`.
                Some(Value::Exact(t)) if t.as_scalar().is_some() => {
                    let number = t.as_scalar().cloned().unwrap_or_default();
                    lines.push(text::render(&crate::notation::Formula::Number(number)));
                }
                Some(value) => lines.push(text::render(&tensor_formula_within(
                    value,
                    DIGITS,
                    FRACTION_BITS,
                ))),
                None => {}
            }
            return lines;
        }
    }
    if let Some(value) = &node.value {
        lines.push(value_text(value));
    }
    if let Some(gradient) = &node.gradient {
        let of = match &node.name {
            Some(name) => format!("∂{loss}/∂{}", text::render(name)),
            None => format!("∂{loss}/∂(·)"),
        };
        lines.push(format!("{of} {}", value_text(gradient)));
    }
    lines
}

fn value_text(value: &Value) -> String {
    if value.shape().size() > SHOWN_ELEMENTS {
        // Too many numbers for a box: where they live, in symbols any language reads.
        let power = |n: usize| -> String {
            n.to_string()
                .chars()
                .map(|d| {
                    "⁰¹²³⁴⁵⁶⁷⁸⁹"
                        .chars()
                        .nth(d as usize - '0' as usize)
                        .unwrap_or(d)
                })
                .collect()
        };
        let dims: Vec<String> = value.shape().dims().into_iter().map(power).collect();
        return format!("∈ ℝ{}", dims.join("ˣ"));
    }
    // "=" only before an exact value written exactly (a fraction where its decimals would be
    // rounded), as in the explanation.
    let formula = tensor_formula_within(value, DIGITS, FRACTION_BITS);
    let rel = if value.is_exact() && !rounded_number(&formula) {
        "="
    } else {
        "≈"
    };
    format!("{rel} {}", text::render(&formula))
}

pub fn dot(view: &GraphView, language: Language) -> String {
    let loss = text::render(&view.loss);
    let mut out = String::from(
        "digraph nabla {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    for (i, node) in view.nodes.iter().enumerate() {
        let lines: Vec<String> = label(node, &loss, language)
            .iter()
            .map(|l| escape_dot(l))
            .collect();
        let style = match node.kind {
            NodeKind::Constant => ", style=rounded",
            NodeKind::Param => ", style=bold",
            NodeKind::Loss => ", peripheries=2",
            NodeKind::Data | NodeKind::Operation => "",
        };
        out.push_str(&format!(
            "  n{i} [label=\"{}\"{style}];\n",
            lines.join("\\n")
        ));
    }
    for edge in &view.edges {
        out.push_str(&format!("  n{} -> n{};\n", edge.from, edge.to));
    }
    out.push_str("}\n");
    out
}

fn escape_dot(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The text's size: a monospaced font, so a box fits its longest line.
const FONT_SIZE: f64 = 13.0;
const CHAR_WIDTH: f64 = 7.9;
const LINE_HEIGHT: f64 = 17.0;
const PAD_X: f64 = 10.0;
const PAD_Y: f64 = 7.0;

pub fn svg(view: &GraphView, language: Language) -> String {
    let loss = text::render(&view.loss);
    let labels: Vec<Vec<String>> = view
        .nodes
        .iter()
        .map(|n| label(n, &loss, language))
        .collect();
    let sizes: Vec<Size> = labels
        .iter()
        .map(|lines| Size {
            width: lines.iter().map(|l| l.width()).max().unwrap_or(1) as f64 * CHAR_WIDTH
                + 2.0 * PAD_X,
            height: lines.len().max(1) as f64 * LINE_HEIGHT + 2.0 * PAD_Y,
        })
        .collect();
    let arrows: Vec<Arrow> = view
        .edges
        .iter()
        .map(|e| Arrow {
            from: e.from,
            to: e.to,
            position: e.position,
            operands: e.operands,
        })
        .collect();
    let placed = layout(&sizes, &arrows);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\">\n\
         <style>\n\
         svg.graph text {{ font: {FONT_SIZE}px ui-monospace, \"DejaVu Sans Mono\", Menlo, Consolas, monospace; fill: #1b1f24; }}\n\
         svg.graph .title {{ font-weight: bold; }}\n\
         svg.graph rect {{ stroke-width: 1.2; }}\n\
         svg.graph .data rect {{ fill: #e7f0fa; stroke: #3d6fa8; }}\n\
         svg.graph .param rect {{ fill: #fff3d1; stroke: #a77a06; stroke-width: 1.8; }}\n\
         svg.graph .constant rect {{ fill: #f2f2f2; stroke: #8c8c8c; }}\n\
         svg.graph .operation rect {{ fill: #ffffff; stroke: #57606a; }}\n\
         svg.graph .loss rect {{ fill: #fbe4e2; stroke: #a93226; stroke-width: 2.2; }}\n\
         svg.graph path {{ fill: none; stroke: #57606a; stroke-width: 1.3; }}\n\
         </style>\n\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M 0 0 L 10 5 L 0 10 z\" style=\"fill: #57606a; stroke: none\"/></marker></defs>\n",
        w = placed.width,
        h = placed.height,
    );
    let rect_background =
        "<rect width=\"100%\" height=\"100%\" style=\"fill: #ffffff; stroke: none\"/>\n";
    out.push_str(rect_background);
    for points in &placed.arrows {
        out.push_str(&format!(
            "<path d=\"{}\" marker-end=\"url(#arrow)\"/>\n",
            curve(points)
        ));
    }
    for (i, node) in view.nodes.iter().enumerate() {
        let (cx, top) = placed.boxes[i];
        let size = sizes[i];
        let class = match node.kind {
            NodeKind::Data => "data",
            NodeKind::Param => "param",
            NodeKind::Constant => "constant",
            NodeKind::Operation => "operation",
            NodeKind::Loss => "loss",
        };
        let radius = if node.kind == NodeKind::Constant {
            10
        } else {
            3
        };
        out.push_str(&format!(
            "<g class=\"{class}\"><rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"{radius}\"/>",
            cx - size.width / 2.0,
            size.width,
            size.height
        ));
        for (k, line) in labels[i].iter().enumerate() {
            let y = top + PAD_Y + LINE_HEIGHT * (k as f64 + 0.75);
            out.push_str(&format!(
                "<text x=\"{cx:.1}\" y=\"{y:.1}\" text-anchor=\"middle\"{}>{}</text>",
                if k == 0 { " class=\"title\"" } else { "" },
                escape_xml(line)
            ));
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

/// A smooth path through `points`, leaving and entering each vertically.
fn curve(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (k, &(x, y)) in points.iter().enumerate() {
        if k == 0 {
            d.push_str(&format!("M {x:.1} {y:.1}"));
            continue;
        }
        let (px, py) = points[k - 1];
        let middle = (py + y) / 2.0;
        d.push_str(&format!(
            " C {px:.1} {middle:.1}, {x:.1} {middle:.1}, {x:.1} {y:.1}"
        ));
    }
    d
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
