//! Rust text of values, types and comments, shared by the emitters.

use num_rational::BigRational;

use super::super::Dtype;
use super::super::expr::{axes_of, float_literal};
use super::super::layout;
use super::super::plan::Plan;
use crate::ir::{Initializer, NodeId};
use crate::notation::Formula;
use crate::notation::from_graph::definition;
use crate::render::math::text;
use crate::shape::Shape;

/// The Rust type of a value of `shape`: `Real`, `[Real; n]`, `[[Real; n]; m]`.
pub fn rust_type(shape: Shape) -> String {
    match shape {
        Shape::Scalar => "Real".to_string(),
        Shape::Vector(n) => format!("[Real; {n}]"),
        Shape::Matrix(m, n) => format!("[[Real; {n}]; {m}]"),
        Shape::Tensor3(..) | Shape::Tensor4(..) => nested(shape, "Real"),
    }
}

/// `[[[inner; w]; h]; c]`: a value of `shape` as nested arrays of `inner`.
pub fn nested(shape: Shape, inner: &str) -> String {
    let dims = shape.dims();
    dims.iter()
        .rev()
        .fold(inner.to_string(), |inner, n| format!("[{inner}; {n}]"))
}

/// A buffer with a row per example: `Box<[Real]>`, `Box<[[Real; n]]>` ….
pub fn rows_type(shape: Shape) -> String {
    format!("Box<[{}]>", rust_type(shape))
}

/// A heap-allocated buffer's type: scalars stay plain.
pub fn boxed_type(shape: Shape) -> String {
    match shape {
        Shape::Scalar => "Real".to_string(),
        _ => format!("Box<{}>", rust_type(shape)),
    }
}

/// A zero of a buffer's type.
pub fn zero_value(shape: Shape) -> String {
    match shape {
        Shape::Scalar => "0.0".to_string(),
        Shape::Vector(_) => "zeroed(0.0)".to_string(),
        Shape::Matrix(_, n) => format!("zeroed([0.0; {n}])"),
        Shape::Tensor3(..) | Shape::Tensor4(..) => {
            let dims = shape.dims();
            format!(
                "zeroed({})",
                nested(Shape::from_dims(&dims[1..]).unwrap_or(shape), "0.0")
            )
        }
    }
}

/// An elementwise statement `lhs = value` over a map or matrix with its trailing axes run as one
/// loop over `k`, the elements in reading order: its loops and assignment. Taken for
/// the most trailing axes whose indices the value uses only as the whole trailing suffix of an
/// element (not `p.c1[c]` when `c` is among them, nor `[i / 2]`), and at least two of them. Row
/// by row, the compiler unrolled the short loop along a row and vectorized the loop over the rows
/// instead, a gather and a scatter of single elements a vector: 2 cycles an element. Fewer axes
/// when the statement would not fit its lines as `layout::loops` writes them.
pub fn flattened_statement(shape: Shape, lhs: &str, value: &str, indent: usize) -> Option<String> {
    let (ranges, suffix) = element_loops(shape);
    let axes = axes_of(&suffix);
    let axes: Vec<&str> = axes.iter().map(String::as_str).collect();
    let dims = shape.dims();
    if axes.len() != dims.len() || words(value).any(|word| word == "k") {
        return None;
    }
    (2..=axes.len()).rev().find_map(|count| {
        let trailing = &axes[axes.len() - count..];
        let pattern: String = trailing.iter().map(|axis| format!("[{axis}]")).collect();
        let flat_value = value.replace(
            &pattern,
            &format!("{}[k]", ".as_flattened()".repeat(count - 1)),
        );
        if words(&flat_value).any(|word| trailing.contains(&word)) {
            return None;
        }
        let leading: String = axes[..axes.len() - count]
            .iter()
            .map(|axis| format!("[{axis}]"))
            .collect();
        let place = format!(
            "{lhs}{leading}{}[k]",
            ".as_flattened_mut()".repeat(count - 1)
        );
        let mut loops: Vec<_> = ranges
            .iter()
            .filter(|(variable, _)| !trailing.contains(variable))
            .copied()
            .collect();
        loops.push(("k", dims[dims.len() - count..].iter().product()));
        let inner = indent + 4 * loops.len();
        let fits = |text: &str, indent: usize| layout::width(text) + indent <= layout::MAX_WIDTH;
        let statement = format!("{place} = {flat_value};");
        let broken =
            fits(&format!("{place} ="), inner) && fits(&format!("{flat_value};"), inner + 4);
        (fits(&statement, inner) || broken).then(|| layout::loops(indent, &loops, &statement))
    })
}

/// The identifiers and numbers of a Rust expression's text.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
}

/// The loops over a value of `shape`, and the index suffix of its elements inside them.
pub fn element_loops(shape: Shape) -> (Vec<(&'static str, usize)>, String) {
    let axis = |variable: &'static str, n: usize, ranges: &mut Vec<(&'static str, usize)>| {
        if n == 1 {
            "[0]".to_string()
        } else {
            ranges.push((variable, n));
            format!("[{variable}]")
        }
    };
    let mut ranges = Vec::new();
    let suffix = match shape {
        Shape::Scalar => String::new(),
        Shape::Vector(n) => axis("i", n, &mut ranges),
        Shape::Matrix(m, n) => {
            let rows = axis("i", m, &mut ranges);
            rows + &axis("j", n, &mut ranges)
        }
        Shape::Tensor3(..) | Shape::Tensor4(..) => {
            // Not `b` or `f`: the passes' arguments `b` and `f` are in scope.
            let variables = ["m", "c", "i", "j"];
            let dims = shape.dims();
            let first = variables.len() - dims.len();
            dims.iter()
                .zip(&variables[first..])
                .map(|(&n, variable)| axis(variable, n, &mut ranges))
                .collect()
        }
    };
    (ranges, suffix)
}

/// `path` as a flat slice of its elements.
pub fn flat(path: &str, shape: Shape, mutable: bool) -> String {
    match (shape, mutable) {
        (Shape::Scalar, false) => format!("std::slice::from_ref(&{path})"),
        (Shape::Scalar, true) => format!("std::slice::from_mut(&mut {path})"),
        (Shape::Vector(_), false) => format!("&{path}[..]"),
        (Shape::Vector(_), true) => format!("&mut {path}[..]"),
        (Shape::Matrix(..), false) => format!("{path}.as_flattened()"),
        (Shape::Matrix(..), true) => format!("{path}.as_flattened_mut()"),
        (Shape::Tensor3(..), false) => format!("{path}.as_flattened().as_flattened()"),
        (Shape::Tensor3(..), true) => {
            format!("{path}.as_flattened_mut().as_flattened_mut()")
        }
        (Shape::Tensor4(..), false) => {
            format!("{path}.as_flattened().as_flattened().as_flattened()")
        }
        (Shape::Tensor4(..), true) => {
            format!("{path}.as_flattened_mut().as_flattened_mut().as_flattened_mut()")
        }
    }
}

pub fn exact_literal(value: &BigRational, dtype: Dtype) -> String {
    float_literal(crate::exact::to_f64(value), dtype)
}

/// A constant tensor laid out as rows of literals.
pub fn literal_rows(data: &[BigRational], shape: Shape, dtype: Dtype) -> Vec<Vec<String>> {
    let numbers: Vec<String> = data.iter().map(|x| exact_literal(x, dtype)).collect();
    match shape {
        Shape::Matrix(_, n) => numbers
            .chunks(n)
            .map(|row| vec![format!("[{}]", row.join(", "))])
            .collect(),
        _ => vec![numbers],
    }
}

/// `/// text` doc lines at `indent`, one per line of `text`.
pub fn doc(indent: usize, text: &str) -> String {
    text.lines()
        .map(|line| format!("{}/// {}\n", " ".repeat(indent), layout::comment_text(line)))
        .collect()
}

pub fn render(formula: &Formula) -> String {
    text::render(formula)
}

/// `path[r]` for a value with a row per example, else `path`.
pub fn row_of(path: &str, varying: bool) -> String {
    if varying {
        format!("{path}[r]")
    } else {
        path.to_string()
    }
}

pub fn zero_of(shape: Shape) -> String {
    match shape {
        Shape::Scalar => "0.0".to_string(),
        Shape::Vector(n) => format!("[0.0; {n}]"),
        Shape::Matrix(m, n) => format!("[[0.0; {n}]; {m}]"),
        Shape::Tensor3(..) | Shape::Tensor4(..) => nested(shape, "0.0"),
    }
}

/// `const NAME: TYPE = VALUE;`, a matrix a row per line when it does not fit on one.
pub fn const_item(name: &str, data: &[BigRational], shape: Shape, dtype: Dtype) -> String {
    let head = format!("const {name}: {} = ", rust_type(shape));
    if shape.is_scalar() {
        return format!("{head}{};\n", exact_literal(&data[0], dtype));
    }
    if shape.rank() > 2 {
        return format!(
            "#[rustfmt::skip]\n{head}{};\n",
            nested_literal(data, shape, dtype)
        );
    }
    layout::array_item(0, &head, &literal_rows(data, shape, dtype), ";") + "\n"
}

/// A value of three or four dimensions as nested array literals, a row of its last axis a line
/// (opened and closed with the brackets of the axes that begin or end there).
fn nested_literal(data: &[BigRational], shape: Shape, dtype: Dtype) -> String {
    let dims = shape.dims();
    let width = dims[dims.len() - 1];
    let rows: Vec<&[BigRational]> = data.chunks(width.max(1)).collect();
    // How many axes (besides the first, the literal itself, and the last) begin, and end, at
    // row `r`.
    let bounds = |r: usize, first: bool| {
        let mut count = 0;
        let mut span = 1;
        for &n in dims[1..dims.len() - 1].iter().rev() {
            span *= n;
            let at = if first {
                r.is_multiple_of(span)
            } else {
                (r + 1).is_multiple_of(span)
            };
            if at {
                count += 1;
            }
        }
        count
    };
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        let numbers: Vec<String> = row.iter().map(|x| exact_literal(x, dtype)).collect();
        let separator = if r + 1 < rows.len() { "," } else { "" };
        let opened = bounds(r, true);
        out.push_str(&format!(
            "\n    {}{}[{}]{}{separator}",
            " ".repeat(dims.len() - 2 - opened),
            "[".repeat(opened),
            numbers.join(", "),
            "]".repeat(bounds(r, false)),
        ));
    }
    format!("[{}\n]", out)
}

/// An exact value as a formula would show it: `0.35`, `[1, 2]`, `[[1, 2], [3, 4]]`.
pub fn value_text(value: &crate::tensor::Tensor<BigRational>) -> String {
    let numbers: Vec<String> = value.data().iter().map(crate::exact::display).collect();
    match value.shape() {
        Shape::Scalar => numbers.join(""),
        Shape::Vector(_) => format!("[{}]", numbers.join(", ")),
        Shape::Matrix(_, n) => {
            let rows: Vec<String> = numbers
                .chunks(n)
                .map(|r| format!("[{}]", r.join(", ")))
                .collect();
            format!("[{}]", rows.join(", "))
        }
        Shape::Tensor3(..) | Shape::Tensor4(..) => format!("[{}]", numbers.join(", ")),
    }
}

/// An initializer and the distribution it draws from, for a comment.
pub fn initializer_text(initializer: &Initializer, shape: Shape) -> String {
    let written = crate::render::summary::initializer_text(initializer);
    let (fan_out, fan_in) = match shape {
        Shape::Matrix(m, n) => (m, n),
        _ => (1, 1),
    };
    match initializer {
        Initializer::Xavier => format!(
            "{written}: uniform on ±√(6 / (fan_in + fan_out)) = ±√(6 / ({fan_in} + {fan_out}))"
        ),
        Initializer::He => format!("{written}: normal with std √(2 / fan_in) = √(2 / {fan_in})"),
        _ => written,
    }
}

/// The comment over a node's statement: `h = σ(W1 x + b1)`, `δo = …`, or the formula alone.
pub fn comment_text(plan: &Plan, id: NodeId) -> String {
    let graph = plan.graph();
    let rhs = render(&definition(graph, &plan.names, id));
    let text = match plan.names.get(id) {
        Some(name) => format!("{} = {rhs}", render(name)),
        None => rhs,
    };
    layout::comment_text(&text)
}
