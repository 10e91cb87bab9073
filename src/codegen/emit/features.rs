//! The features of a model's code, each an emitter: whether the network needs it, and its items.

use std::collections::BTreeSet;

use super::super::families::element_of;
use super::super::layout;
use super::super::plan::StatisticKind;
use super::super::task::Classifier;
use super::passes::{Arm, Field, dispatch, multiply_adds, pass_signature};
use super::text::{
    boxed_type, comment_text, doc, element_loops, flat, render, row_of, rows_type, zero_of,
    zero_value,
};
use super::{Feature, Network, Role};
use crate::notation::from_graph::{definition, formula, name_formula};
use crate::shape::Shape;

/// The file's opening: what it is, the network's formulas (the forward pass, the loss, and the
/// gradients as `nabla derive` writes them), and what it uses.
pub fn header(n: &Network, body: &str, kernels: &BTreeSet<&'static str>) -> String {
    let plan = n.plan;
    let mut out = match n.role {
        Role::Whole => format!(
            "//! The network of `{}`, specialised: its parameters, a batch of examples, and the\n\
             //! forward and backward passes, with every size a constant. The comment over each\n\
             //! statement is the formula it computes, in the notation of `nabla derive`:\n",
            n.source
        ),
        Role::Half => "//! The network as one thread of a step cut by units computes it (see `units.rs`): the\n\
             //! statements of `model.rs` for this thread's half of the units cut, with one swap of\n\
             //! partial sums with the other thread in the forward pass. The network's formulas:\n"
            .to_string(),
    };
    // The forward pass and the loss, then the gradients, each block aligned at its `=`.
    let graph = plan.graph();
    let forward: Vec<(String, String)> = n
        .model
        .intermediates
        .iter()
        .map(|i| i.node)
        .chain([n.model.loss.node])
        .map(|id| {
            let name = graph[id]
                .name
                .clone()
                .unwrap_or_else(|| n.model.loss.name.clone());
            (
                render(&name_formula(&name)),
                render(&definition(graph, &plan.names, id)),
            )
        })
        .collect();
    let gradients: Vec<(String, String)> = n
        .derivation
        .lines
        .iter()
        .map(|line| (render(&line.lhs), render(&line.rhs)))
        .collect();
    out.push_str("//!\n//! ```text\n");
    for (i, block) in [forward, gradients].iter().enumerate() {
        if i > 0 {
            out.push_str("//!\n");
        }
        let width = block
            .iter()
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0);
        for (lhs, rhs) in block {
            let pad = " ".repeat(width - lhs.chars().count());
            out.push_str(&format!("//! {lhs}{pad} = {rhs}\n"));
        }
    }
    out.push_str("//! ```\n");
    if n.role == Role::Whole {
        out.push_str(
            "//!\n\
             //! The passes work on a whole batch at once. A value that varies from example to \
             example has a\n\
             //! row per example (`f.h[r]` is row `r`'s `h`), and a statement for one example runs \
             for every\n\
             //! row, `for r in 0..n`; the products of a parameter with every row's vector are one \
             call of a\n\
             //! kernel each. `backward` writes the sum of every row's gradient, and the optimizer \
             divides that\n\
             //! sum by the number of rows (the gradient of the batch's mean loss).\n",
        );
    }
    if kernels
        .iter()
        .any(|k| k.starts_with("conv2d") || k.contains("pool"))
    {
        out.push_str(
            "//!\n\
             //! A statement for each element of maps runs along their elements in reading order \
             where it\n\
             //! can (`h[r].as_flattened()[k]`): one loop the compiler turns into vector \
             instructions.\n",
        );
    }
    out.push_str(
        "\n// The loops index several arrays with the same `i`, as the formulas do.\n\
         #![allow(clippy::needless_range_loop)]\n\
         // Numbers and expressions are the file's as written: 3.14159 stays 3.14159, x - x stays \
         x - x.\n\
         #![allow(clippy::approx_constant, clippy::eq_op)]\n\nuse crate::Real;\n",
    );
    let functions: Vec<&str> = kernels
        .iter()
        .copied()
        .filter(|k| super::passes::SCALAR_FUNCTIONS.contains(k))
        .collect();
    let mut names: Vec<&str> = Vec::new();
    if kernels
        .iter()
        .any(|k| !functions.contains(k) && *k != "multiversion")
    {
        names.push("self");
    }
    let mut imported = functions;
    // The passes are compiled for each processor by the kernels' `multiversion!`.
    if body.contains("multiversion! {") {
        imported.push("multiversion");
    }
    imported.sort_unstable();
    names.extend(imported);
    match names.as_slice() {
        [] => {}
        [name] if *name != "self" => out.push_str(&format!("use crate::kernels::{name};\n")),
        names => out.push_str(&format!("use crate::kernels::{{{}}};\n", names.join(", "))),
    }
    if n.role == Role::Whole && super::values::drawn(n) {
        out.push_str("use crate::rng::Rng;\n");
    }
    if n.role == Role::Half {
        out.push_str("use crate::model::COLUMNS;\nuse crate::units::Exchange;\n");
    }
    out
}

/// The columns of a data row, and how many are inputs; the classes of a class column. Only in
/// `model.rs`: `data.rs` reads them.
pub struct Columns;

impl Feature for Columns {
    fn needed(&self, n: &Network) -> bool {
        n.role == Role::Whole
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let task = n.task;
        let columns = layout::array_item(
            0,
            &format!("pub const COLUMNS: [&str; {}] = ", task.columns.len()),
            &[task.columns.iter().map(|c| format!("{c:?}")).collect()],
            ";",
        );
        let mut items = vec![
            format!(
                "/// The columns of a data row, in order: each input's elements, then each \
                 target's.\n{columns}\n"
            ),
            format!(
                "/// How many of the columns are inputs.\npub const INPUT_COLUMNS: usize = {};\n",
                task.input_columns
            ),
        ];
        if let Some(k) = task.classes {
            items.push(if task.index_target {
                format!(
                    "/// The target is a class, 0 to {}: its column holds the number or a text \
                     label.\npub const CLASSES: usize = {k};\n",
                    k - 1
                )
            } else {
                format!(
                    "/// The target may instead be a single column holding a class, 0 to {}; it \
                     becomes one-hot.\npub const CLASSES: usize = {k};\n",
                    k - 1
                )
            });
        }
        if !task.index_columns.is_empty() {
            let pairs: Vec<String> = task
                .index_columns
                .iter()
                .map(|(column, count)| format!("({column}, {count})"))
                .collect();
            items.push(format!(
                "/// The columns holding indices, each with how many values it takes (0 to N − \
                 1).\n{}\n",
                layout::array_item(
                    0,
                    &format!(
                        "pub const INDEX_COLUMNS: [(usize, usize); {}] = ",
                        pairs.len()
                    ),
                    &[pairs],
                    ";",
                )
            ));
        }
        items
    }
}

/// `WORK`, the multiply–adds of one example, for `--bench` and for how many threads a batch
/// pays for.
pub struct Work;

impl Feature for Work {
    fn needed(&self, n: &Network) -> bool {
        n.role == Role::Whole
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let convolutions = n.plan.graph().nodes().iter().any(|node| {
            matches!(
                node.op,
                crate::ir::Op::Tensor(crate::ir::TensorOp::Conv(..))
            )
        });
        let counted = if convolutions {
            "matrix products and\n/// convolutions"
        } else {
            "matrix products"
        };
        vec![format!(
            "/// The multiply–adds of one example's forward and backward pass (its {counted}).\n\
             pub const WORK: usize = {};\n",
            multiply_adds(n.plan)
        )]
    }
}

/// The parameters' names and shapes, and `Params`, which holds them (and their gradients, and
/// the optimizer's state), followed by the running averages of the batch statistics.
pub struct Parameters;

/// One tensor `Params` holds: its name in weights files, its field, its shape as the file
/// declares it and as the field holds it, and the field's documentation.
struct Entry {
    name: String,
    ident: String,
    shape: Shape,
    stored: Shape,
    doc: String,
}

fn entries(n: &Network) -> Vec<Entry> {
    let plan = n.plan;
    let mut entries: Vec<Entry> = plan
        .params
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let d = &p.declared;
            let doc = if plan.stored_transposed[index] {
                format!(
                    "`{}`, {}, stored transposed: `{}[k][i]` is {}[i, k]",
                    d.name,
                    d.shape.describe(),
                    d.ident,
                    d.name
                )
            } else {
                format!("`{}`, {}", d.name, d.shape.describe())
            };
            Entry {
                name: d.name.clone(),
                ident: d.ident.clone(),
                shape: d.shape,
                stored: stored_shape(n, index),
                doc,
            }
        })
        .collect();
    for statistic in &plan.statistics {
        let shape = plan.graph()[statistic.node].shape;
        entries.push(Entry {
            name: statistic.name.clone(),
            ident: statistic.ident.clone(),
            shape,
            stored: shape,
            doc: format!(
                "The running average of `{}`, {}:\nevaluation reads it in its place. \
                 Not trained: its gradient stays zero.",
                comment_text(plan, statistic.node),
                shape.describe()
            ),
        });
    }
    entries
}

impl Feature for Parameters {
    fn needed(&self, _: &Network) -> bool {
        true
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let entries = entries(n);
        let table = layout::array_item(
            0,
            &format!("pub const PARAMS: [(&str, &[usize]); {}] = ", entries.len()),
            &[entries
                .iter()
                .map(|e| {
                    let dims: Vec<String> = e.shape.dims().iter().map(|n| n.to_string()).collect();
                    format!("({:?}, &[{}])", e.name, dims.join(", "))
                })
                .collect()],
            ";",
        );
        let mut fields = String::new();
        let mut zeros = Vec::new();
        for e in &entries {
            match element_of(&n.plan.families, &format!("p.{}", e.ident)) {
                // A family's array, where its first element is.
                Some((family, 0)) => {
                    let stem = &family.field;
                    fields.push_str(&doc(
                        4,
                        &format!(
                            "`{stem}{}` … `{stem}{}`, {} scalars: {}",
                            family.first,
                            family.last(),
                            family.len,
                            family.layout()
                        ),
                    ));
                    fields.push_str(&format!("    pub {stem}: [Real; {}],\n", family.len));
                    zeros.push(format!("{stem}: [0.0; {}]", family.len));
                }
                Some(_) => {}
                None => {
                    fields.push_str(&doc(4, &e.doc));
                    fields.push_str(&format!("    pub {}: {},\n", e.ident, boxed_type(e.stored)));
                    zeros.push(format!("{}: {}", e.ident, zero_value(e.stored)));
                }
            }
        }
        let zeros = layout::struct_literal(8, "", "Params", &zeros, "");
        let slices = |mutable: bool| {
            if n.plan.families.iter().any(|f| f.root == "p") {
                return family_slices(n, &entries, mutable);
            }
            let items: Vec<String> = entries
                .iter()
                .map(|e| flat(&format!("self.{}", e.ident), e.shape, mutable))
                .collect();
            if items
                .iter()
                .all(|item| !layout::chain(12, item, ",").contains('\n'))
            {
                return layout::array_item(8, "", &[items], "");
            }
            // A tensor's slice is a chain rustfmt breaks: an item a line, as it writes them.
            let mut out = "        [\n".to_string();
            for item in &items {
                out.push_str(&layout::chain(12, item, ",\n"));
            }
            out.push_str("        ]");
            out
        };
        let count = entries.len();
        let (table_doc, struct_doc) = if n.plan.statistics.is_empty() {
            (
                "/// The names and shapes of the parameters, in the order the file declares them.",
                "/// The trainable parameters. The same type holds their gradients and the optimizer's \
                 state.",
            )
        } else {
            (
                "/// The names and shapes of the parameters, in the order the file declares them, \
                 then of\n/// the running averages of the batch statistics (`STATISTICS`).",
                "/// The trainable parameters, and the running averages of the batch statistics. The \
                 same\n/// type holds their gradients and the optimizer's state.",
            )
        };
        vec![
            format!("{table_doc}\n{table}\n"),
            format!("{struct_doc}\n#[derive(Clone)]\npub struct Params {{\n{fields}}}\n"),
            format!(
                "impl Params {{\n    /// Every value zero.\n    pub fn zeros() -> Params {{\n{zeros}\n    \
                 }}\n\n    /// Each parameter's values as a flat slice (row-major), in the order \
                 of `PARAMS`.\n    pub fn values(&self) -> [&[Real]; {count}] {{\n{}\n    }}\n\n    \
                 /// The same, to change them.\n    pub fn values_mut(&mut self) -> [&mut [Real]; \
                 {count}] {{\n{}\n    }}\n}}\n",
                slices(false),
                slices(true)
            ),
        ]
    }
}

/// The body of `values` (or `values_mut`) where parameters are kept in families' arrays: each
/// slice put at its place in `PARAMS`'s order, a family's by a loop over its array.
fn family_slices(n: &Network, entries: &[Entry], mutable: bool) -> String {
    let count = entries.len();
    let mut out = if mutable {
        format!(
            "        let mut slices: [&mut [Real]; {count}] = std::array::from_fn(|_| Default::default());\n"
        )
    } else {
        format!("        let mut slices: [&[Real]; {count}] = [&[]; {count}];\n")
    };
    let (iter, one) = if mutable {
        ("iter_mut", "std::slice::from_mut")
    } else {
        ("iter", "std::slice::from_ref")
    };
    for (index, e) in entries.iter().enumerate() {
        match element_of(&n.plan.families, &format!("self.{}", e.ident)) {
            Some((family, 0)) => {
                // Member i is at `first + i·stride` (the file declares them in order).
                let next = entries
                    .iter()
                    .position(|other| other.ident == family.element(1)["p.".len()..]);
                let stride = next.map_or(1, |next| next - index);
                let place = match stride {
                    1 => format!("{index} + i"),
                    stride => format!("{index} + {stride} * i"),
                };
                let place = if index == 0 {
                    place.trim_start_matches("0 + ").to_string()
                } else {
                    place
                };
                out.push_str(&format!(
                    "        for (i, value) in self.{}.{iter}().enumerate() {{\n            \
                     slices[{place}] = {one}(value);\n        }}\n",
                    family.field
                ));
            }
            Some(_) => {}
            None => out.push_str(&format!(
                "        slices[{index}] = {};\n",
                flat(&format!("self.{}", e.ident), e.shape, mutable)
            )),
        }
    }
    out.push_str("        slices");
    out
}

/// The shape of parameter `index` as its field holds it: `[k, m]` for a matrix stored
/// transposed.
fn stored_shape(n: &Network, index: usize) -> Shape {
    match (
        n.plan.stored_transposed[index],
        n.plan.params[index].declared.shape,
    ) {
        (true, Shape::Matrix(m, k)) => Shape::Matrix(k, m),
        (_, shape) => shape,
    }
}

/// Which parameters are stored transposed, and where an element of the file's layout is in
/// such a field: only where some parameter is.
pub struct StoredTransposed;

impl Feature for StoredTransposed {
    fn needed(&self, n: &Network) -> bool {
        n.plan.stored_transposed.contains(&true)
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let flags = &n.plan.stored_transposed;
        let table = layout::array_item(
            0,
            &format!("pub const STORED_TRANSPOSED: [bool; {}] = ", flags.len()),
            &[flags.iter().map(|t| t.to_string()).collect()],
            ";",
        );
        vec![
            format!(
                "/// Which parameters are stored transposed: a matrix used only in products `W \
                 x` is kept as\n/// `Wᵀ`, which the products read row by row. Weights files keep \
                 the file's layout.\n{table}\n"
            ),
            "/// Where element `position` of parameter `index` in the file's layout (row-major in \
             its\n/// declared shape) is in its field: the same place, or the transposed one.\n\
             pub fn stored_at(index: usize, position: usize) -> usize {\n    \
             match (STORED_TRANSPOSED[index], PARAMS[index].1) {\n        \
             (true, [rows, columns]) => position % columns * rows + position / columns,\n        \
             _ => position,\n    }\n}\n"
                .to_string(),
        ]
    }
}

/// The inputs and targets the network reads (a row per example), and `Batch::gather`.
pub struct BatchRows;

impl Feature for BatchRows {
    fn needed(&self, _: &Network) -> bool {
        true
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let plan = n.plan;
        let classifier = n.task.classifier.is_some();
        let mut fields = String::new();
        let mut new = Vec::new();
        let mut gather = String::new();
        let mut column = 0;
        for d in plan.inputs.iter().chain(&plan.targets) {
            let input = plan.inputs.iter().any(|i| i.decl == d.decl);
            let size = d.shape.size();
            // A value nothing reads is a column of the file, but no field (`nabla check` warns).
            let read = d.used || (!input && classifier);
            let family = element_of(&plan.families, &format!("e.{}", d.ident));
            if let Some((family, 0)) = family {
                // Inputs numbered in a row: an array of them, their columns one after another.
                let (stem, len) = (&family.field, family.len);
                fields.push_str(&format!(
                    "    /// inputs `{stem}{}` … `{stem}{}`, {len} scalars, a row per example: {}\n    \
                     pub {stem}: [Box<[Real]>; {len}],\n",
                    family.first,
                    family.last(),
                    family.layout()
                ));
                new.push(format!(
                    "{stem}: std::array::from_fn(|_| rows(capacity, 0.0))"
                ));
                let place = match column {
                    0 => "i".to_string(),
                    column => format!("{column} + i"),
                };
                gather.push_str(&format!(
                    "            for (i, column) in self.{stem}.iter_mut().enumerate() {{\n                \
                     column[r] = row[{place}];\n            }}\n"
                ));
            } else if read && family.is_none() {
                let kind = if input { "input" } else { "target" };
                fields.push_str(&format!(
                    "    /// {kind} `{}`, {}, a row per example\n    pub {}: {},\n",
                    d.name,
                    d.shape.describe(),
                    d.ident,
                    rows_type(d.shape)
                ));
                new.push(format!("{}: rows(capacity, {})", d.ident, zero_of(d.shape)));
                let range = format!("&row[{column}..{}]", column + size);
                gather.push_str(&match d.shape {
                    Shape::Scalar => format!("            self.{}[r] = row[{column}];\n", d.ident),
                    Shape::Vector(_) => layout::call(
                        12,
                        "",
                        &format!("self.{}[r].copy_from_slice", d.ident),
                        &[range],
                        ";\n",
                    ),
                    Shape::Matrix(..) => layout::call(
                        12,
                        "",
                        &format!("self.{}[r].as_flattened_mut().copy_from_slice", d.ident),
                        &[range],
                        ";\n",
                    ),
                    shape => layout::chain(
                        12,
                        &format!(
                            "{}.copy_from_slice({range})",
                            flat(&format!("self.{}[r]", d.ident), shape, true)
                        ),
                        ";\n",
                    ),
                });
            }
            column += size;
        }
        new.push("rows: 0".to_string());
        let new = layout::struct_literal(8, "", "Batch", &new, "");
        vec![
            format!(
                "/// A batch of examples: a row per example for each input and target.\n\
                 pub struct Batch {{\n{fields}    /// How many rows hold examples.\n    pub rows: \
                 usize,\n}}\n"
            ),
            format!(
                "impl Batch {{\n    /// Room for `capacity` examples.\n    pub fn new(capacity: \
                 usize) -> Batch {{\n{new}\n    }}\n\n    /// The examples `indices` of the data \
                 rows `data` (each `COLUMNS.len()` values): the inputs'\n    /// columns, then the \
                 targets'.\n    pub fn gather(&mut self, data: &[Real], indices: &[usize]) {{\n        \
                 self.rows = indices.len();\n        for (r, &index) in \
                 indices.iter().enumerate() {{\n            let row = &data[index * \
                 COLUMNS.len()..(index + 1) * COLUMNS.len()];\n{gather}        }}\n    }}\n}}\n"
            ),
        ]
    }
}

/// A struct of buffers and its `new`: `Forward` or `Backward`.
fn buffers(name: &str, doc: &str, fields: &[Field]) -> Vec<String> {
    let mut body = String::new();
    for f in fields {
        body.push_str(&super::text::doc(4, &f.doc));
        body.push_str(&format!("    pub {}: {},\n", f.name, f.ty));
    }
    let zeros: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", f.name, f.zero))
        .collect();
    // Without a value that varies, nothing needs the room for rows: none is asked for.
    let capacity = if fields.iter().any(|f| f.zero.contains("rows(")) {
        "capacity: usize"
    } else {
        ""
    };
    vec![
        format!("/// {doc}\npub struct {name} {{\n{body}}}\n"),
        format!(
            "impl {name} {{\n    pub fn new({capacity}) -> {name} {{\n{}\n    }}\n}}\n",
            layout::struct_literal(8, "", name, &zeros, "")
        ),
    ]
}

/// Whether a struct of buffers takes the room for rows.
pub fn takes_capacity(fields: &[Field]) -> bool {
    fields.iter().any(|f| f.zero.contains("rows("))
}

/// `Forward`: what the forward pass keeps for the output, the loss and the backward pass.
pub struct ForwardValues;

impl Feature for ForwardValues {
    fn needed(&self, _: &Network) -> bool {
        true
    }

    fn items(&self, n: &Network) -> Vec<String> {
        buffers(
            "Forward",
            "The values the forward pass keeps: what the output, the loss and the backward pass \
             read.",
            &n.passes.forward_fields,
        )
    }
}

/// `Backward`: the gradients the backward pass keeps on its way to the parameters, where it
/// keeps any.
pub struct BackwardValues;

impl Feature for BackwardValues {
    fn needed(&self, n: &Network) -> bool {
        !n.passes.backward_fields.is_empty()
    }

    fn items(&self, n: &Network) -> Vec<String> {
        buffers(
            "Backward",
            "The gradients the backward pass computes on its way to the parameters.",
            &n.passes.backward_fields,
        )
    }
}

/// In a large network, the products `W x` of parameters with inputs that the step computes for
/// the next batch as it updates the rows of `Wᵀ`.
pub struct InputProducts;

impl Feature for InputProducts {
    fn needed(&self, n: &Network) -> bool {
        !n.passes.input_products.is_empty()
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let arms: Vec<&Arm> = n.passes.input_products.iter().map(|(arm, _)| arm).collect();
        let table = parameter_table(n, "INPUT_PRODUCTS", &arms);
        let params: Vec<String> = [
            "index: usize",
            "out: &mut [Real]",
            "w: &[Real]",
            "first: usize",
            "e: &Batch",
        ]
        .map(String::from)
        .to_vec();
        let owned: Vec<Arm> = arms.iter().map(|a| (*a).clone()).collect();
        let mut add = layout::signature("pub fn ", "add_input_product", &params, " {") + "\n";
        add.push_str(&format!("    let n = e.rows;\n{}}}\n", dispatch(&owned)));
        let mut buffer = String::from(
            "pub fn input_product_mut(index: usize, f: &mut Forward, n: usize) -> &mut [Real] {\n    \
             match index {\n",
        );
        for (arm, path) in &n.passes.input_products {
            buffer.push_str(&format!(
                "        {} => {path}[..n].as_flattened_mut(),\n",
                arm.index
            ));
        }
        buffer.push_str("        _ => &mut [],\n    }\n}\n");
        vec![
            "/// Whether a pass computes the products of parameters with inputs (see \
             `INPUT_PRODUCTS`)\n/// itself, or finds them computed: by the previous step, as it \
             updated the parameters.\n#[derive(Clone, Copy, PartialEq, Eq)]\npub enum Products \
             {\n    Compute,\n    Given,\n}\n"
                .to_string(),
            format!(
                "/// For each parameter, in the order of `PARAMS`, whether it is the matrix of a \
                 product `W x`\n/// with an input, stored as `Wᵀ`. Training computes such a \
                 product for the next batch as the\n/// step updates the rows of `Wᵀ` \
                 (`add_input_product`), while they are in the cache, rather than\n/// reading the \
                 whole matrix again in the next forward pass.\n{table}\n"
            ),
            format!(
                "/// Adds rows `first …` of parameter `index`'s field (`w`, as many rows as it \
                 holds, flattened)\n/// times the matching elements of each row's input to `out` \
                 (a row per example of the batch\n/// `e`, flattened): their part of the product \
                 `W x` of a parameter of `INPUT_PRODUCTS`.\n{add}"
            ),
            format!(
                "/// The buffer of the first `n` rows of the product `W x` of parameter `index`, \
                 for a parameter\n/// of `INPUT_PRODUCTS`, flattened.\n{buffer}"
            ),
        ]
    }
}

/// `pub const NAME: [bool; n] = […];`: for each parameter, in the order of `PARAMS`, whether one
/// of `arms` is its.
fn parameter_table(n: &Network, name: &str, arms: &[&Arm]) -> String {
    let count = n.plan.params.len();
    let flags: Vec<String> = (0..count)
        .map(|index| arms.iter().any(|a| a.index == index).to_string())
        .collect();
    layout::array_item(
        0,
        &format!("pub const {name}: [bool; {count}] = "),
        &[flags],
        ";",
    )
}

/// `predict`, `forward` and `backward`, each compiled for every processor by `multiversion!`.
pub struct PassFunctions;

impl Feature for PassFunctions {
    fn needed(&self, _: &Network) -> bool {
        true
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let passes = &n.passes;
        let rows_summed = if RowProducts.needed(n) {
            ", but for the gradients the step sums itself (`ROW_PRODUCTS`)"
        } else {
            ""
        };
        [
            (
                "predict",
                &passes.predict,
                "",
                "The output for every row of the batch `e`: what `predict` prints.".to_string(),
            ),
            (
                "forward",
                &passes.forward,
                " -> Real",
                "The whole forward pass for the batch `e`; returns the sum of its rows' losses."
                    .to_string(),
            ),
            (
                "backward",
                &passes.backward,
                "",
                format!(
                    "The backward pass for the batch `e`, after `forward`: writes the sum of every \
                     row's\n∂loss/∂parameter into `g`{rows_summed}."
                ),
            ),
        ]
        .into_iter()
        .map(|(name, pass, returns, doc)| {
            // Long passes (see `MAX_STATEMENTS`) are compiled once; others once for each kind
            // of processor, so that their loops use its widest vectors.
            if !passes.helpers.is_empty() {
                let params: Vec<String> = pass
                    .params
                    .iter()
                    .map(|(name, ty)| format!("{name}: {ty}"))
                    .collect();
                let signature =
                    layout::signature("pub fn ", name, &params, &format!("{returns} {{"));
                let doc: String = doc.lines().map(|line| format!("/// {line}\n")).collect();
                return format!("{doc}{signature}\n{}}}\n", pass.body);
            }
            let (wrapper, signature) = pass_signature(name, pass, returns);
            let doc: String = doc
                .lines()
                .map(|line| format!("    /// {line}\n"))
                .collect();
            format!(
                "multiversion! {{\n{doc}{wrapper}\n}}\n\n#[inline(always)]\n{signature}\n{}}}\n",
                pass.body
            )
        })
        .chain(passes.helpers.iter().cloned())
        .collect()
    }
}

/// In a large network, the gradients `Σ u vᵀ` the step sums over the batch itself, a few rows
/// of the matrix at a time, just before updating them.
pub struct RowProducts;

impl Feature for RowProducts {
    fn needed(&self, n: &Network) -> bool {
        !n.passes.row_products.is_empty()
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let arms = &n.passes.row_products;
        let table = parameter_table(n, "ROW_PRODUCTS", &arms.iter().collect::<Vec<_>>());
        let types = [
            ("index", "usize"),
            ("out", "&mut [Real]"),
            ("first", "usize"),
            ("e", "&Batch"),
            ("f", "&Forward"),
            ("b", "&Backward"),
            ("add", "bool"),
        ];
        let used = gradient_rows_parameters(n);
        let params: Vec<String> = types
            .iter()
            .filter(|(name, _)| used.contains(name))
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect();
        let mut function = layout::signature("pub fn ", "add_gradient_rows", &params, " {") + "\n";
        function.push_str(&format!("    let n = e.rows;\n{}}}\n", dispatch(arms)));
        vec![
            format!(
                "/// For each parameter, in the order of `PARAMS`, whether its gradient is one \
                 product `u vᵀ` of\n/// two values with a row per example. `backward` leaves \
                 such a gradient out: the optimizer's\n/// step sums it over the whole batch a few \
                 rows of the matrix at a time (`add_gradient_rows`), just\n/// before updating \
                 those rows, so that no sum of the whole matrix is stored.\n{table}\n"
            ),
            format!(
                "/// Adds the gradient of rows `first …` of parameter `index` (rows of its field, \
                 as many as `out`\n/// holds, flattened) for the rows of the batch `e` to `out`, \
                 for a parameter of `ROW_PRODUCTS`;\n/// unless `add`, writes it over what `out` \
                 holds.\n{function}"
            ),
        ]
    }
}

/// The parameters `add_gradient_rows` takes: `f` and `b` where an arm reads them.
pub fn gradient_rows_parameters(n: &Network) -> Vec<&'static str> {
    let arms = &n.passes.row_products;
    ["index", "out", "first", "e", "f", "b", "add"]
        .into_iter()
        .filter(|name| !matches!(*name, "f" | "b") || arms.iter().any(|a| a.reads(name)))
        .collect()
}

/// The parameters of `output` and `predicted_class`: `f`, and `r` when the output varies from
/// example to example.
pub fn prediction_parameters(n: &Network) -> Vec<&'static str> {
    if n.plan.is_varying(n.plan.output) {
        vec!["f", "r"]
    } else {
        vec!["f"]
    }
}

/// `output`: the prediction of a network that is not a classifier, which `predict` prints.
pub struct Prediction;

impl Feature for Prediction {
    fn needed(&self, n: &Network) -> bool {
        n.role == Role::Whole && n.task.classifier.is_none()
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let plan = n.plan;
        let (row, shape, params) = output_row(n);
        let doc = layout::comment_text(
            &plan
                .names
                .get(plan.output)
                .map(render)
                .unwrap_or_else(|| render(&formula(plan.graph(), &plan.names, plan.output))),
        );
        vec![format!(
            "/// The network's output for row `r`, {doc}, after `predict`.\n\
             pub fn output({params}) -> &[Real] {{\n    {}\n}}\n",
            flat(&row, shape, false)
        )]
    }
}

/// The output's path for row `r`, its shape, and the parameters of a function reading it.
fn output_row(n: &Network) -> (String, Shape, String) {
    let plan = n.plan;
    let path = plan.path(plan.output).unwrap_or("f.missing");
    let varying = plan.is_varying(plan.output);
    let params = if varying {
        "f: &Forward, r: usize"
    } else {
        "f: &Forward"
    };
    (
        row_of(path, varying),
        plan.graph()[plan.output].shape,
        params.to_string(),
    )
}

/// `predicted_class` and `true_class`, for a classifier.
pub struct Classes;

impl Feature for Classes {
    fn needed(&self, n: &Network) -> bool {
        n.task.classifier.is_some() && n.plan.targets.len() == 1
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let (row, shape, params) = output_row(n);
        let Some(target) = n.plan.targets.first() else {
            return Vec::new();
        };
        let target_row = format!("e.{}[r]", target.ident);
        let (predicted, truth) = match n.task.classifier {
            Some(Classifier::Threshold) => {
                let (_, suffix) = element_loops(shape);
                let (_, target_suffix) = element_loops(target.shape);
                (
                    format!("usize::from({row}{suffix} >= 0.5)"),
                    format!("usize::from({target_row}{target_suffix} >= 0.5)"),
                )
            }
            _ if n.task.index_target => (
                format!("kernels::argmax({})", flat(&row, shape, false)),
                format!("{target_row} as usize"),
            ),
            _ => (
                format!("kernels::argmax({})", flat(&row, shape, false)),
                format!(
                    "kernels::argmax({})",
                    flat(&target_row, target.shape, false)
                ),
            ),
        };
        vec![
            format!(
                "/// The class the network predicts for row `r`, after `predict`.\n\
                 pub fn predicted_class({params}) -> usize {{\n    {predicted}\n}}\n"
            ),
            format!(
                "/// The class row `r` of a batch belongs to, by its target.\n\
                 pub fn true_class(e: &Batch, r: usize) -> usize {{\n    {truth}\n}}\n"
            ),
        ]
    }
}

/// The batch statistics' modes and running averages: whether the passes compute a statistic
/// over the batch or read its running average, and the update of the running averages after a
/// training step. Only where the network computes batch statistics.
pub struct Statistics;

impl Feature for Statistics {
    fn needed(&self, n: &Network) -> bool {
        !n.plan.statistics.is_empty()
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let plan = n.plan;
        let mut body = String::new();
        if plan
            .statistics
            .iter()
            .any(|s| s.kind == StatisticKind::Variance)
        {
            body.push_str("    let unbiased = n as Real / (n - 1) as Real;\n");
        }
        for statistic in &plan.statistics {
            let shape = plan.graph()[statistic.node].shape;
            let (formula, scale) = match statistic.kind {
                StatisticKind::Variance => (format!("{}·n/(n − 1)", statistic.call), "unbiased"),
                _ => (statistic.call.clone(), "1.0"),
            };
            body.push_str(&layout::comment(
                4,
                &format!(
                    "{} ← 0.9·{} + 0.1·{formula}",
                    statistic.name, statistic.name
                ),
            ));
            let path = plan.path(statistic.node).unwrap_or("missing");
            let args = [
                flat(&format!("p.{}", statistic.ident), shape, true),
                flat(path, shape, false),
                "MOMENTUM".to_string(),
                scale.to_string(),
            ];
            body.push_str(&layout::call(
                4,
                "",
                "kernels::running_average",
                &args,
                ";\n",
            ));
        }
        vec![
            "/// Whether the passes compute each batch statistic over the batch (training), or \
             read its\n/// running average instead (evaluation and prediction).\n\
             #[derive(Clone, Copy, PartialEq, Eq)]\npub enum Mode {\n    Train,\n    \
             Evaluate,\n}\n"
                .to_string(),
            format!(
                "/// How many entries at the end of `PARAMS` are running averages of batch \
                 statistics.\npub const STATISTICS: usize = {};\n",
                plan.statistics.len()
            ),
            "/// How far a training batch moves each running average toward its statistic.\n\
             const MOMENTUM: Real = 0.1;\n"
                .to_string(),
            format!(
                "/// After the forward pass of a training step on `n` rows (at least two), each \
                 running\n/// average moves a tenth of the way to the batch's statistic, a \
                 variance with n − 1 in\n/// place of n (PyTorch's `BatchNorm1d` rule).\n\
                 pub fn update_statistics(p: &mut Params, f: &Forward, n: usize) {{\n{body}}}\n"
            ),
        ]
    }
}

/// `rows` (a buffer of a row per example) and `zeroed` (an array on the heap), where used.
pub struct Allocation;

impl Feature for Allocation {
    fn needed(&self, _: &Network) -> bool {
        true
    }

    fn items(&self, n: &Network) -> Vec<String> {
        let mut items = vec![
            "/// A zero-filled row for each of `capacity` examples.\n\
             fn rows<T: Copy>(capacity: usize, zero: T) -> Box<[T]> {\n    \
             vec![zero; capacity].into_boxed_slice()\n}\n"
                .to_string(),
        ];
        let passes = &n.passes;
        let uses_zeroed = n.plan.params.iter().any(|p| !p.declared.shape.is_scalar())
            || passes
                .forward_fields
                .iter()
                .chain(&passes.backward_fields)
                .any(|f| f.zero.starts_with("zeroed("));
        if uses_zeroed {
            items.push(
                "/// A zero-filled array on the heap, where large layers fit.\n\
                 fn zeroed<T: Copy, const N: usize>(value: T) -> Box<[T; N]> {\n    \
                 match vec![value; N].into_boxed_slice().try_into() {\n        \
                 Ok(array) => array,\n        \
                 Err(_) => unreachable!(\"a vector of N elements is an array of N\"),\n    \
                 }\n}\n"
                    .to_string(),
            );
        }
        items
    }
}
