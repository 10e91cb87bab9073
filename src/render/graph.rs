//! The computational graph as Graphviz DOT, or as SVG laid out by the layout-rs library (chosen
//! so that `nabla graph --format svg` needs no Graphviz installed).

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::style::StyleAttr;
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::math::text;
use crate::eval::exact::Value;
use crate::explain::explanation::tensor_formula;
use crate::explain::graph_view::{GraphNode, GraphView};

/// Digits of the values written in the boxes: enough to follow a computation by eye.
const DIGITS: usize = 4;
/// Tensors with more elements than this are shown by shape only.
const SHOWN_ELEMENTS: usize = 6;

/// The lines of a node's box.
fn label(node: &GraphNode, loss: &str) -> Vec<String> {
    let mut lines = Vec::new();
    match (&node.name, node.operation) {
        (Some(name), Some(op)) => lines.push(format!("{} = {op}", text::render(name))),
        (Some(name), None) => lines.push(text::render(name)),
        (None, Some(op)) => lines.push(op.to_string()),
        (None, None) => {}
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
        return format!("{} values", value.shape());
    }
    let rel = if value.is_exact() { "=" } else { "≈" };
    format!("{rel} {}", text::render(&tensor_formula(value, DIGITS)))
}

pub fn dot(view: &GraphView) -> String {
    let loss = text::render(&view.loss);
    let mut out = String::from(
        "digraph nabla {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    for (i, node) in view.nodes.iter().enumerate() {
        let lines: Vec<String> = label(node, &loss).iter().map(|l| escape_dot(l)).collect();
        out.push_str(&format!("  n{i} [label=\"{}\"];\n", lines.join("\\n")));
    }
    for (from, to) in &view.edges {
        out.push_str(&format!("  n{from} -> n{to};\n"));
    }
    out.push_str("}\n");
    out
}

fn escape_dot(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

pub fn svg(view: &GraphView) -> String {
    let loss = text::render(&view.loss);
    let mut graph = VisualGraph::new(Orientation::LeftToRight);
    let handles: Vec<_> = view
        .nodes
        .iter()
        .map(|node| {
            let shape = ShapeKind::new_box(&label(node, &loss).join("\n"));
            let size = get_shape_size(Orientation::LeftToRight, &shape, 14, false);
            graph.add_node(Element::create(
                shape,
                StyleAttr::simple(),
                Orientation::LeftToRight,
                size,
            ))
        })
        .collect();
    for (from, to) in &view.edges {
        graph.add_edge(Arrow::simple(""), handles[*from], handles[*to]);
    }
    if view.nodes.is_empty() {
        return String::from(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"></svg>\n",
        );
    }
    let mut writer = SVGWriter::new();
    graph.do_it(false, false, false, &mut writer);
    writer.finalize()
}
