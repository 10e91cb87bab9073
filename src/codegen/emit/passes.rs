//! The three passes of the generated model as statements — `predict` (the output), `forward`
//! (the rest of the loss) and `backward` (the gradients) — one per buffer of the plan, each
//! under a comment holding the formula it computes; the buffers they keep; and, in a large
//! network, what the step computes of them itself (the products with inputs computed ahead, the
//! gradients summed by rows).
//!
//! Invariant: everything written here is formatted as rustfmt formats it (see `layout`), and
//! reads every value the plan stores from where the plan stores it.

use std::collections::BTreeSet;

use super::super::Dtype;
use super::super::expr::{Writer, axes_of, float_literal, index_of_axes};
use super::super::families::{Family, element_of};
use super::super::layout;
use super::super::plan::{Plan, Route, Step, Storage, is_zero};
use super::text::{
    boxed_type, comment_text, element_loops, flat, flattened_statement, nested, render, row_of,
    rows_type, zero_of, zero_value,
};
use crate::ir::{Along, Binary, Conv, ConvDims, Model, NodeId, Op, Pool, TensorOp, Unary, Window};
use crate::notation::Formula;
use crate::notation::from_graph::{definition, formula, name_formula};
use crate::shape::Shape;

/// A field of a generated struct: its doc comment, name, type and the value it starts with.
pub struct Field {
    pub doc: String,
    pub name: String,
    pub ty: String,
    pub zero: String,
}

/// One pass: the parameters it takes, in order, and its body.
pub struct Pass {
    /// Names (`p`, `e`, `f`, `b`, `g`, `products`, `exchange`) and types.
    pub params: Vec<(&'static str, &'static str)>,
    pub body: String,
}

impl Pass {
    /// The parameters' names.
    pub fn names(&self) -> Vec<&'static str> {
        self.params.iter().map(|(name, _)| *name).collect()
    }
}

/// The passes of a model and what they keep.
pub struct Passes {
    pub predict: Pass,
    pub forward: Pass,
    pub backward: Pass,
    /// The functions a long pass calls, each a part of its statements (see [`MAX_STATEMENTS`]).
    pub helpers: Vec<String>,
    /// The fields of `Forward`: the values the forward pass keeps, and the transposed copies of
    /// parameters it makes.
    pub forward_fields: Vec<Field>,
    /// The fields of `Backward`: the gradients on the way to the parameters.
    pub backward_fields: Vec<Field>,
    /// The products of parameters with inputs a large network's step computes ahead, and the
    /// buffer each fills (`add_input_product`, `input_product_mut`).
    pub input_products: Vec<(Arm, String)>,
    /// The gradients a large network's step sums by rows (`add_gradient_rows`).
    pub row_products: Vec<Arm>,
}

/// The most statements a pass holds itself. A longer pass (a deep or wide network of scalars:
/// 500 layers of one unit make 3,000 statements) calls functions of this many statements each
/// instead, which the compiler optimizes one at a time: optimizing one function of thousands of
/// statements took it minutes. Such a pass is compiled once, not for each processor.
pub const MAX_STATEMENTS: usize = 48;

/// One statement of a pass, and the parameters of the pass it reads.
struct Statement {
    text: String,
    roots: BTreeSet<&'static str>,
}

/// The statements written since the last call, as one statement.
fn taken(writer: &Writer, text: String) -> Statement {
    let mut roots = writer.take_roots();
    if text.contains("exchange.") {
        roots.insert("exchange");
    }
    if text.contains("products ==") {
        roots.insert("products");
    }
    if text.contains("..n]") || text.contains("0..n") || text.contains(" n as ") {
        roots.insert("e");
    }
    if text.contains("mode == Mode::") {
        roots.insert("mode");
    }
    Statement { text, roots }
}

/// The passes of `plan`'s model.
pub fn passes(model: &Model, plan: &Plan) -> Passes {
    let writer = Writer::new(plan);
    let large = plan.is_large();
    let _ = writer.take_roots();

    // `predict`: the transposed copies first, then the output's statements.
    let mut predict = Vec::new();
    for t in &plan.transposed {
        let d = &plan.params[t.param].declared;
        let mut text = layout::comment(
            4,
            &format!(
                "{}ᵀ, copied for the products {} v to read row by row",
                d.name, d.name
            ),
        );
        text.push_str(&kernel_call(
            "transpose",
            &[format!("&mut f.{}", t.ident), format!("&p.{}", d.ident)],
            4,
        ));
        writer.note("f.");
        writer.note("p.");
        predict.push(taken(&writer, text));
    }
    let mut input_products = Vec::new();
    for &id in &plan.predict {
        let arm = input_product_param(plan, id)
            .filter(|_| large)
            .and_then(|param| input_product_arm(plan, id, param));
        let call = arm
            .as_ref()
            .and_then(|_| batch_kernel(plan, &writer, id, 8));
        let mut text = match (arm, call) {
            (Some(arm), Some(call)) => {
                let comment = format!(
                    "{} (unless the step has computed it)",
                    comment_text(plan, id)
                );
                input_products.push(arm);
                format!(
                    "{}    if products == Products::Compute {{\n{call}    }}\n",
                    layout::comment(4, &comment)
                )
            }
            _ => statement(plan, &writer, id),
        };
        text.push_str(&exchange_call(plan, id));
        predict.push(taken(&writer, text));
    }
    let (predict, predict_helpers) = assemble(
        "predict",
        predict,
        (FORWARD_PARAMETERS, &plan.families),
        "",
        "",
    );

    // `forward`: `predict`, then the rest of the loss.
    let mut forward = Vec::new();
    for &id in &plan.forward {
        let mut text = statement(plan, &writer, id);
        text.push_str(&exchange_call(plan, id));
        forward.push(taken(&writer, text));
    }
    let loss_path = plan.path(plan.loss).unwrap_or("f.missing");
    writer.note(loss_path);
    // The batch's loss: the sum of its rows' losses, in order.
    let sum = if plan.is_varying(plan.loss) {
        format!("    {loss_path}[..n].iter().sum()\n")
    } else {
        format!("    {loss_path} * n as Real\n")
    };
    let sum = taken(&writer, sum);
    let call = Statement {
        text: format!("    predict({});\n", predict.names().join(", ")),
        roots: predict.names().into_iter().collect(),
    };
    let (forward, forward_helpers) = assemble(
        "forward",
        forward,
        (FORWARD_PARAMETERS, &plan.families),
        &call.text,
        &sum.text,
    );
    let forward = Pass {
        params: parameters(
            &forward
                .names()
                .into_iter()
                .chain(call.roots)
                .chain(sum.roots)
                .chain(plan.exchange.map(|_| "exchange"))
                .chain(["f"])
                .collect(),
            FORWARD_PARAMETERS,
        ),
        body: forward.body,
    };

    // `backward`: the gradients, each parameter's added to the sum where backpropagation has it.
    let mut backward = Vec::new();
    let mut row_products = Vec::new();
    for step in &plan.backward {
        let text = match *step {
            Step::Compute(id) => statement(plan, &writer, id),
            Step::Accumulate(index) => {
                let accumulation = accumulate(model, plan, &writer, (index, large));
                row_products.extend(accumulation.row_product);
                accumulation.statement
            }
        };
        backward.push(taken(&writer, text));
    }
    let (backward, backward_helpers) = assemble(
        "backward",
        backward,
        (BACKWARD_PARAMETERS, &plan.families),
        "",
        "",
    );

    let forward_nodes: Vec<NodeId> = plan.predict.iter().chain(&plan.forward).copied().collect();
    let backward_nodes: Vec<NodeId> = plan
        .backward
        .iter()
        .filter_map(|s| match s {
            Step::Compute(id) => Some(*id),
            Step::Accumulate(_) => None,
        })
        .collect();
    let mut forward_fields = fields(plan, &forward_nodes);
    for t in &plan.transposed {
        let d = &plan.params[t.param].declared;
        let Shape::Matrix(m, k) = d.shape else {
            continue;
        };
        forward_fields.push(Field {
            doc: format!(
                "`{}ᵀ`, a matrix [{k}, {m}]: the products `{} v` read it row by row",
                d.name, d.name
            ),
            name: t.ident.clone(),
            ty: boxed_type(Shape::Matrix(k, m)),
            zero: zero_value(Shape::Matrix(k, m)),
        });
    }
    for positions in &plan.positions {
        let shape = plan.graph()[positions.pool].shape;
        let whole = nested(shape, "u32");
        let (ty, zero) = if plan.is_varying(positions.pool) {
            (
                format!("Box<[{whole}]>"),
                format!("rows(capacity, {})", nested(shape, "0")),
            )
        } else {
            (
                format!("Box<{whole}>"),
                format!("Box::new({})", nested(shape, "0")),
            )
        };
        let pooled = comment_text(plan, positions.pool);
        let k = match plan.graph()[positions.pool].op {
            Op::Tensor(TensorOp::Pool(_, _, k)) => k,
            _ => 1,
        };
        forward_fields.push(Field {
            doc: format!(
                "where the first maximum of each window of {pooled} is, in reading order:\n\
                 row · {k} + column in the window"
            ),
            name: positions
                .path
                .split_once('.')
                .map_or("", |(_, n)| n)
                .to_string(),
            ty,
            zero,
        });
    }
    Passes {
        predict,
        forward,
        backward,
        helpers: [predict_helpers, forward_helpers, backward_helpers].concat(),
        forward_fields,
        backward_fields: fields(plan, &backward_nodes),
        input_products,
        row_products,
    }
}

/// A pass from its statements, between `head` and `tail` (a call of `predict`, the loss's
/// sum): the statements themselves, or, when there are more than [`MAX_STATEMENTS`], calls of
/// functions of that many statements each (returned as items).
fn assemble(
    name: &str,
    statements: Vec<Statement>,
    (all, families): (&[(&'static str, &'static str)], &[Family]),
    head: &str,
    tail: &str,
) -> (Pass, Vec<String>) {
    // Statements of one form for a family's members, one after another, as one loop.
    let statements: Vec<Statement> = if families.is_empty() {
        statements
    } else {
        let texts: Vec<&str> = statements.iter().map(|s| s.text.as_str()).collect();
        super::rolled::roll(&texts, families, 4)
            .into_iter()
            .map(|(range, text)| Statement {
                text,
                roots: statements[range]
                    .iter()
                    .flat_map(|s| s.roots.iter().copied())
                    .collect(),
            })
            .collect()
    };
    let mut roots: BTreeSet<&'static str> = statements
        .iter()
        .flat_map(|s| s.roots.iter().copied())
        .collect();
    roots.insert("f");
    let with_rows = |body: String| {
        let uses_n = body.contains("0..n") || body.contains("..n]") || body.contains(" n as ");
        if uses_n {
            format!("    let n = e.rows;\n{body}")
        } else {
            body
        }
    };
    if statements.len() <= MAX_STATEMENTS {
        let body: String = statements.iter().map(|s| s.text.as_str()).collect();
        let body = with_rows(format!("{head}{body}{tail}"));
        if body.contains("let n = e.rows") {
            roots.insert("e");
        }
        return (
            Pass {
                params: parameters(&roots, all),
                body,
            },
            Vec::new(),
        );
    }
    let mut helpers = Vec::new();
    let mut calls = String::new();
    let count = statements.len();
    for (k, chunk) in statements.chunks(MAX_STATEMENTS).enumerate() {
        let mut used: BTreeSet<&'static str> =
            chunk.iter().flat_map(|s| s.roots.iter().copied()).collect();
        let body = with_rows(chunk.iter().map(|s| s.text.as_str()).collect());
        if body.contains("let n = e.rows") {
            used.insert("e");
        }
        let params = parameters(&used, all);
        let first = k * MAX_STATEMENTS + 1;
        let last = (first + MAX_STATEMENTS - 1).min(count);
        let helper = format!("{name}_{}", k + 1);
        let signature: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        helpers.push(format!(
            "/// Statements {first} to {last} of `{name}` (of {count}).\n#[inline(never)]\n{}\n{body}}}\n",
            layout::signature("fn ", &helper, &signature, " {")
        ));
        let args: Vec<String> = params.iter().map(|(n, _)| n.to_string()).collect();
        calls.push_str(&layout::call(4, "", &helper, &args, ";\n"));
    }
    let body = with_rows(format!("{head}{calls}{tail}"));
    if body.contains("let n = e.rows") {
        roots.insert("e");
    }
    (
        Pass {
            params: parameters(&roots, all),
            body,
        },
        helpers,
    )
}

/// The parameters a pass of `forward` or `predict` may take, in order, with their types.
const FORWARD_PARAMETERS: &[(&str, &str)] = &[
    ("p", "&Params"),
    ("e", "&Batch"),
    ("f", "&mut Forward"),
    ("products", "Products"),
    ("exchange", "&Exchange"),
    ("mode", "Mode"),
];

/// The parameters `backward` may take.
const BACKWARD_PARAMETERS: &[(&str, &str)] = &[
    ("p", "&Params"),
    ("e", "&Batch"),
    ("f", "&Forward"),
    ("b", "&mut Backward"),
    ("g", "&mut Params"),
];

/// Of `all`, the parameters whose names are in `used`.
fn parameters(
    used: &BTreeSet<&'static str>,
    all: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    all.iter()
        .filter(|(name, _)| used.contains(name))
        .copied()
        .collect()
}

/// The fields of the buffers of `nodes`: a row per example for what varies, one value for what
/// does not.
fn fields(plan: &Plan, nodes: &[NodeId]) -> Vec<Field> {
    let mut gathered = BTreeSet::new();
    nodes
        .iter()
        .filter_map(|&id| {
            // A family's array once, where its first member is: its first and last formulas.
            if let Some((family, _)) = element_of(&plan.families, plan.path(id).unwrap_or_default())
            {
                if !gathered.insert(family.field.clone()) {
                    return None;
                }
                let member = |index: usize| {
                    let path = family.element(index);
                    let node = nodes.iter().find(|&&n| plan.path(n) == Some(path.as_str()));
                    node.map(|&n| comment_text(plan, n)).unwrap_or_default()
                };
                let len = family.len;
                let (ty, zero) = if family.varying {
                    (
                        format!("[Box<[Real]>; {len}]"),
                        "std::array::from_fn(|_| rows(capacity, 0.0))".to_string(),
                    )
                } else {
                    (format!("[Real; {len}]"), format!("[0.0; {len}]"))
                };
                return Some(Field {
                    doc: format!(
                        "{} … {}: `{field}[0]` … `{field}[{}]`",
                        member(0),
                        member(len - 1),
                        len - 1,
                        field = family.field
                    ),
                    name: family.field.clone(),
                    ty,
                    zero,
                });
            }

            let path = plan.path(id).unwrap_or_default();
            let name = path.split_once('.').map_or(path, |(_, n)| n).to_string();
            let shape = plan.graph()[id].shape;
            let (ty, zero) = if plan.is_varying(id) {
                (
                    rows_type(shape),
                    format!("rows(capacity, {})", zero_of(shape)),
                )
            } else {
                (boxed_type(shape), zero_value(shape))
            };
            Some(Field {
                doc: comment_text(plan, id),
                name,
                ty,
                zero,
            })
        })
        .collect()
}

/// The signature of a pass, `pub fn forward[](…) -> Real` with the body's name, inside
/// `multiversion!`; and of the body it calls, `fn forward_rows<const FMA: bool>(…) -> Real {`.
pub fn pass_signature(name: &str, pass: &Pass, returns: &str) -> (String, String) {
    let params: Vec<String> = pass
        .params
        .iter()
        .map(|(name, ty)| format!("{name}: {ty}"))
        .collect();
    let body = layout::signature(
        "fn ",
        &format!("{name}_rows<const FMA: bool>"),
        &params,
        &format!("{returns} {{"),
    );
    let mut wrapper = format!("    pub fn {name}[]({}){returns}", params.join(", "));
    if wrapper.chars().count() > layout::MAX_WIDTH {
        wrapper = format!("    pub fn {name}[](\n");
        for param in &params {
            wrapper.push_str(&format!("        {param},\n"));
        }
        wrapper.push_str(&format!("    ){returns}"));
    }
    (format!("{wrapper}\n        => {name}_rows"), body)
}

/// One parameter's case of a function that dispatches on the parameter's index: a kernel call,
/// under a comment.
#[derive(Clone)]
pub struct Arm {
    pub index: usize,
    pub comment: Option<String>,
    pub callee: &'static str,
    pub args: Vec<String>,
}

impl Arm {
    /// Whether the call reads the root `e`, `f` or `b` (the function's parameter of that name).
    pub fn reads(&self, root: &str) -> bool {
        let prefix = format!("&{root}.");
        self.args.iter().any(|arg| arg.starts_with(&prefix))
    }
}

/// The body of a function that dispatches on `index`: `match index { N => …, _ => {} }`, or
/// `if index == N { … }` for a single arm (as clippy prefers).
pub fn dispatch(arms: &[Arm]) -> String {
    let comment = |arm: &Arm, indent: usize| {
        arm.comment
            .as_deref()
            .map(|c| layout::comment(indent, c))
            .unwrap_or_default()
    };
    if let [arm] = arms {
        let call = layout::call(8, "", arm.callee, &arm.args, ";\n");
        return format!(
            "{}    if index == {} {{\n{call}    }}\n",
            comment(arm, 4),
            arm.index
        );
    }
    let mut out = "    match index {\n".to_string();
    for arm in arms {
        let call = layout::call(12, "", arm.callee, &arm.args, ";\n");
        out.push_str(&comment(arm, 8));
        out.push_str(&format!("        {} => {{\n{call}        }}\n", arm.index));
    }
    out.push_str("        _ => {}\n    }\n");
    out
}

/// The factors `u`, `v` of a product `u vᵀ` written into the expression that uses it, both with a
/// row per example: one example's share of a gradient that a batch kernel can sum.
fn row_outer(plan: &Plan, node: NodeId) -> Option<(NodeId, NodeId)> {
    match (&plan.graph()[node].op, &plan.storage[node.index()]) {
        (Op::Binary(Binary::Outer, u, v), Storage::Inline)
            if plan.is_varying(*u)
                && plan.is_varying(*v)
                && plan.path(*u).is_some()
                && plan.path(*v).is_some() =>
        {
            Some((*u, *v))
        }
        _ => None,
    }
}

/// After the statement of the product a cut step swaps (see [`super::units`]): the call that
/// swaps this thread's partial sums for the whole sums; else nothing.
fn exchange_call(plan: &Plan, id: NodeId) -> String {
    if plan.exchange != Some(id) {
        return String::new();
    }
    // A vector a row: `units::find` swaps no other shape.
    let rows = format!(
        "{}[..n].as_flattened_mut()",
        plan.path(id).unwrap_or("f.missing")
    );
    let comment = format!(
        "{}: so far the sums over this thread's units,",
        comment_text(plan, id)
    );
    format!(
        "{}    // swapped for the sums over all of them (both threads' added)\n    exchange.sum({rows});\n",
        layout::comment(4, &comment)
    )
}

/// The multiply–adds of one example's forward and backward pass: the matrix products', which
/// are nearly all of the work (for `--bench`).
pub fn multiply_adds(plan: &Plan) -> usize {
    let graph = plan.graph();
    let nodes =
        plan.predict
            .iter()
            .chain(&plan.forward)
            .copied()
            .chain(plan.backward.iter().filter_map(|s| match *s {
                Step::Compute(id) => Some(id),
                Step::Accumulate(index) => {
                    let g = plan.params[index].gradient;
                    (plan.storage[g.index()] == Storage::Inline).then_some(g)
                }
            }));
    nodes
        .map(|id| super::super::plan::multiply_adds(graph, id))
        .sum()
}

/// The kernels' functions of one number, imported by name.
pub const SCALAR_FUNCTIONS: &[&str] = &["relu", "sigmoid", "sigmoid_cross_entropy", "sign", "step"];

/// A kernel's argument for a stored node: row `r` of a value that varies, else the value.
fn argument(plan: &Plan, writer: &Writer, node: NodeId, mutable: bool) -> String {
    let path = plan.path(node).unwrap_or("missing");
    writer.note(path);
    let path = row_of(path, plan.is_varying(node));
    if mutable {
        format!("&mut {path}")
    } else {
        format!("&{path}")
    }
}

/// A batched kernel's argument: the first `n` rows of a value that varies, else the value.
fn rows_argument(plan: &Plan, writer: &Writer, node: NodeId, mutable: bool) -> String {
    let path = plan.path(node).unwrap_or("missing");
    writer.note(path);
    let rows = if plan.is_varying(node) { "[..n]" } else { "" };
    if mutable {
        format!("&mut {path}{rows}")
    } else {
        format!("&{path}{rows}")
    }
}

/// The statement that fills a node's buffer, under its comment: one call of a kernel that works
/// on the whole batch, or the statement of one row in a loop over the rows when the value varies
/// from example to example.
fn statement(plan: &Plan, writer: &Writer, id: NodeId) -> String {
    let mut out = layout::comment(4, &comment_text(plan, id));
    if let Op::Unary(Unary::LogSoftmax, a) = plan.graph()[id].op
        && softmax_partner(plan, a).is_some_and(|(softmax, _)| softmax < id)
    {
        let p = plan.path(softmax_partner(plan, a).map_or(id, |(s, _)| s));
        out.push_str(&layout::comment(
            4,
            &format!(
                "(computed with {}, from the same exponentials)",
                p.unwrap_or("it")
            ),
        ));
        return out;
    }
    if let Some(statistic) = plan.statistics.iter().find(|s| s.node == id) {
        // Training computes it over the batch; evaluation reads its running average.
        out.push_str("    if mode == Mode::Train {\n");
        out.push_str(&row_statement(plan, writer, id, 8));
        out.push_str("    } else {\n");
        let path = plan.path(id).unwrap_or("missing");
        let running = format!("p.{}", statistic.ident);
        writer.note(path);
        writer.note(&running);
        out.push_str(&match plan.graph()[id].shape {
            Shape::Scalar => format!("        {path} = {running};\n"),
            _ => format!("        *{path} = *{running};\n"),
        });
        out.push_str("    }\n");
    } else if let Some(call) = batch_kernel(plan, writer, id, 4) {
        out.push_str(&call);
    } else if plan.is_varying(id) {
        out.push_str("    for r in 0..n {\n");
        out.push_str(&row_statement(plan, writer, id, 8));
        out.push_str("    }\n");
    } else {
        out.push_str(&row_statement(plan, writer, id, 4));
    }
    out
}

/// The softmax of `z` the trainer stores, and its log-softmax if it stores that too: then one
/// kernel computes both from the same exponentials (the same numbers each alone gives).
fn softmax_partner(plan: &Plan, z: NodeId) -> Option<(NodeId, Option<NodeId>)> {
    let graph = plan.graph();
    let stored = |unary: Unary| {
        graph.ids().find(|&id| {
            graph[id].op == Op::Unary(unary, z)
                && matches!(plan.storage[id.index()], Storage::Buffer(_))
        })
    };
    let softmax = stored(Unary::Softmax)?;
    let log = stored(Unary::LogSoftmax).filter(|&log| {
        // Both in the forward pass, the log-softmax after the softmax.
        plan.in_forward(log) && plan.in_forward(softmax) && softmax < log
    });
    Some((softmax, log))
}

/// A kernel that computes a product for every row of the batch at once, when `id` is one:
/// `W x` and `Wᵀ δ` for a parameter `W` and each row's vector.
fn batch_kernel(plan: &Plan, writer: &Writer, id: NodeId, indent: usize) -> Option<String> {
    let graph = plan.graph();
    if let Op::Unary(Unary::Softmax, z) = graph[id].op {
        return softmax_rows(plan, writer, id, z, indent);
    }
    let Op::Binary(Binary::MatMul, a, b) = graph[id].op else {
        return None;
    };
    if graph[b].shape.rank() != 1 || !plan.is_varying(b) {
        return None;
    }
    let (kernel, matrix) = match (&graph[a].op, &plan.storage[a.index()]) {
        (Op::Unary(Unary::Transpose, w), Storage::TransposedView) if !plan.is_varying(*w) => (
            "matvec_transposed_rows",
            rows_argument(plan, writer, *w, false),
        ),
        _ if plan.is_varying(a) || graph[a].shape.rank() != 2 => return None,
        // W x from the field holding Wᵀ: (Wᵀ)ᵀ x.
        _ if plan.is_stored_transposed(a) => (
            "matvec_transposed_rows",
            rows_argument(plan, writer, a, false),
        ),
        _ => match plan.transposed_path(a) {
            // W x from Wᵀ, kept transposed once per step: (Wᵀ)ᵀ x.
            Some(path) => {
                writer.note(&path);
                ("matvec_transposed_rows", format!("&{path}"))
            }
            // Dot products summed in parts: f32 only; an f64 trainer keeps the evaluator's order.
            None if plan.dtype == Dtype::F32 => {
                ("matvec_rows", rows_argument(plan, writer, a, false))
            }
            None => return None,
        },
    };
    let args = vec![
        rows_argument(plan, writer, id, true),
        matrix,
        rows_argument(plan, writer, b, false),
    ];
    Some(kernel_call(kernel, &args, indent))
}

/// A statement calling `kernel` of the trainer's `kernels.rs` (which holds the kernels its
/// code calls).
/// The kernel that computes a convolution (or one of its gradients), and whether it takes the
/// stride: the kernels of stride 1 keep a row of outputs in registers and read the input through
/// a padded row; the others (any stride, or a padding as wide as the kernel or the map) add a tap
/// at a time.
struct ConvKernel {
    name: &'static str,
    strided: bool,
}

impl ConvKernel {
    /// The stride (for the kernels that take it) and the padding, as the call's last arguments.
    fn window_arguments(&self, window: Window) -> Vec<String> {
        let padding = window.padding.to_string();
        if self.strided {
            vec![window.stride.to_string(), padding]
        } else {
            vec![padding]
        }
    }
}

/// The kernel of `conv`, whose operands have shapes `a` and `b`, in a trainer of `dtype`. A
/// kernel's gradient of stride 1 has either its taps or its filters in the lanes of vectors:
/// whichever takes fewer vectors of sums (the filters when equal, which copies less).
fn conv_kernel(conv: Conv, window: Window, (a, b): (Shape, Shape), dtype: Dtype) -> ConvKernel {
    // A padded row of the input is three rows wide: the kernels of stride 1 need the padding
    // (and the full convolution's, the kernel's width less one, less the padding) to fit in a
    // row's width on either side.
    let dims = ConvDims::of(conv, window, a, b).ok();
    let fits = dims.is_some_and(|d| {
        window.stride == 1
            && window.padding < d.kh.min(d.kw)
            && window.padding <= d.w
            && d.kw <= 2 * d.w + 1
    });
    let lanes = super::super::plan::lanes(dtype);
    let filters_in_lanes = dims.is_some_and(|d| {
        let taps = d.kh * d.kw;
        d.f.div_ceil(lanes) * taps <= taps.div_ceil(lanes) * d.f
    });
    // In an f32 trainer the output columns can be the lanes, each sum summed in parts: for a
    // few filters (fewer than a vector) of kernel rows of at most 8 taps, over rows of outputs
    // of a vector or more. (lenet's first layer, 6 filters of 5 × 5 over rows of 28: 2.5× as
    // fast as its taps in lanes; cnn-digits's, 8 of 3 × 3 over rows of 8: 6× slower, computed
    // a number at a time.)
    let columns_in_lanes = dtype == Dtype::F32
        && !filters_in_lanes
        && dims.is_some_and(|d| d.kw <= 8 && d.f < lanes && d.ow >= lanes);
    let (name, strided) = match (conv, fits) {
        (Conv::Forward, true) => ("conv2d", false),
        (Conv::Input { .. }, true) => ("conv2d_input", false),
        (Conv::Kernel { .. }, true) if filters_in_lanes => ("conv2d_kernel_add_filters", false),
        (Conv::Kernel { .. }, true) if columns_in_lanes => ("conv2d_kernel_add_columns", false),
        (Conv::Kernel { .. }, true) => ("conv2d_kernel_add", false),
        (Conv::Forward, false) => ("conv2d_strided", true),
        (Conv::Input { .. }, false) => ("conv2d_input_strided", true),
        (Conv::Kernel { .. }, false) => ("conv2d_kernel_add_strided", true),
    };
    ConvKernel { name, strided }
}

fn kernel_call(kernel: &'static str, args: &[String], indent: usize) -> String {
    layout::call(indent, "", &format!("kernels::{kernel}"), args, ";\n")
}

/// The softmax of every row of `z` and its log-softmax, when the trainer stores both: one call
/// for the batch, whose exponentials of all the rows are one loop of vector instructions (a
/// row's ten, alone, were not). The numbers are the row-by-row kernel's.
fn softmax_rows(
    plan: &Plan,
    writer: &Writer,
    id: NodeId,
    z: NodeId,
    indent: usize,
) -> Option<String> {
    let (_, log) = softmax_partner(plan, z)?;
    let log = log?;
    if ![id, log, z].iter().all(|&node| plan.is_varying(node)) {
        return None;
    }
    let args = vec![
        rows_argument(plan, writer, id, true),
        rows_argument(plan, writer, log, true),
        rows_argument(plan, writer, z, false),
    ];
    Some(kernel_call("softmax_and_log_softmax_rows", &args, indent))
}

/// The parameter (index into [`Plan::params`]) of a product `W x` of a parameter stored
/// transposed with an input, when `id` is one and the only such product of its parameter: the
/// step computes it for the next batch as it updates the rows of `Wᵀ`.
fn input_product_param(plan: &Plan, id: NodeId) -> Option<usize> {
    let graph = plan.graph();
    let product_of = |id: NodeId| {
        let Op::Binary(Binary::MatMul, a, b) = graph[id].op else {
            return None;
        };
        let input = plan
            .inputs
            .iter()
            .any(|d| plan.path(b) == Some(&format!("e.{}", d.ident)));
        let stored = matches!(plan.storage[id.index()], Storage::Buffer(_));
        if !input || !stored || !plan.is_stored_transposed(a) || !plan.is_varying(id) {
            return None;
        }
        plan.params
            .iter()
            .position(|p| plan.path(a) == Some(&format!("p.{}", p.declared.ident)))
    };
    let param = product_of(id)?;
    let products = plan
        .predict
        .iter()
        .filter(|&&other| product_of(other) == Some(param));
    (products.count() == 1).then_some(param)
}

/// The arm of `add_input_product` for an input product (see [`input_product_param`]) of
/// parameter `param`, and the buffer it fills.
fn input_product_arm(plan: &Plan, id: NodeId, param: usize) -> Option<(Arm, String)> {
    let Op::Binary(Binary::MatMul, _, b) = plan.graph()[id].op else {
        return None;
    };
    let Shape::Vector(columns) = plan.graph()[id].shape else {
        return None;
    };
    let (out, x) = (plan.path(id)?, plan.path(b)?);
    let arm = Arm {
        index: param,
        comment: None,
        callee: "kernels::matvec_transposed_rows_add",
        args: vec![
            format!("out.as_chunks_mut::<{columns}>().0"),
            format!("w.as_chunks::<{columns}>().0"),
            "first".to_string(),
            format!("&{x}[..n]"),
        ],
    };
    Some((arm, out.to_string()))
}

/// The statement for one row (or for the value, if it does not vary) at `indent`.
fn row_statement(plan: &Plan, writer: &Writer, id: NodeId, indent: usize) -> String {
    let graph = plan.graph();
    let node = &graph[id];
    let path = plan.path(id).unwrap_or("missing").to_string();
    writer.note(&path);
    let lhs = row_of(&path, plan.is_varying(id));
    let pad = " ".repeat(indent);
    let call = |kernel: &'static str, args: Vec<String>| kernel_call(kernel, &args, indent);
    let out_arg = || argument(plan, writer, id, true);
    let arg = |n: NodeId| argument(plan, writer, n, false);
    if let Some(route) = plan.routes.iter().find(|route| route.product == id) {
        return routed_statement(plan, writer, route, indent);
    }
    match &node.op {
        Op::Unary(Unary::Sum | Unary::Mean, a) => {
            let shape = graph[*a].shape;
            let (ranges, suffix) = element_loops(shape);
            let element = writer.element(*a, &suffix).text;
            if ranges.is_empty() {
                format!("{pad}{lhs} = {element};\n")
            } else {
                let mut text = format!("{pad}{lhs} = 0.0;\n");
                text.push_str(&layout::loops(
                    indent,
                    &ranges,
                    &format!("{lhs} += {element};"),
                ));
                if let Op::Unary(Unary::Mean, _) = node.op {
                    let n = float_literal(shape.size() as f64, plan.dtype);
                    text.push_str(&format!("{pad}{lhs} /= {n};\n"));
                }
                text
            }
        }
        // The mean over the rows of the batch: their sum, in order, divided by their number.
        Op::Unary(Unary::BatchMean, a) if !plan.is_varying(id) && plan.is_varying(*a) => {
            let (ranges, suffix) = element_loops(node.shape);
            let element = writer.element(*a, &suffix).text;
            let mut text = match node.shape {
                Shape::Scalar => format!("{pad}{lhs} = 0.0;\n"),
                Shape::Vector(_) => format!("{pad}{lhs}.fill(0.0);\n"),
                Shape::Matrix(..) => format!("{pad}{lhs}.as_flattened_mut().fill(0.0);\n"),
                shape => layout::chain(
                    indent,
                    &format!("{}.fill(0.0)", flat(&lhs, shape, true)),
                    ";\n",
                ),
            };
            text.push_str(&format!("{pad}for r in 0..n {{\n"));
            let add = format!("{lhs}{suffix} += {element};");
            text.push_str(&layout::loops(indent + 4, &ranges, &add));
            text.push_str(&format!("{pad}}}\n"));
            let divide = format!("{lhs}{suffix} /= n as Real;");
            if ranges.is_empty() {
                text.push_str(&format!("{pad}{divide}\n"));
            } else {
                text.push_str(&layout::loops(indent, &ranges, &divide));
            }
            text
        }
        Op::Unary(Unary::Softmax, a) => match softmax_partner(plan, *a) {
            Some((_, Some(log))) => {
                let log_arg = argument(plan, writer, log, true);
                call("softmax_and_log_softmax", vec![out_arg(), log_arg, arg(*a)])
            }
            _ => call("softmax", vec![out_arg(), arg(*a)]),
        },
        Op::Unary(Unary::LogSoftmax, a) => call("log_softmax", vec![out_arg(), arg(*a)]),
        Op::Unary(Unary::Transpose, a) => call("transpose", vec![out_arg(), arg(*a)]),
        Op::Binary(Binary::MatMul, a, b) => match (&graph[*a].op, &plan.storage[a.index()]) {
            (Op::Unary(Unary::Transpose, w), Storage::TransposedView) => {
                call("matvec_transposed", vec![out_arg(), arg(*w), arg(*b)])
            }
            _ if graph[*b].shape.rank() == 1 => call("matvec", vec![out_arg(), arg(*a), arg(*b)]),
            _ => call("matmul", vec![out_arg(), arg(*a), arg(*b)]),
        },
        Op::Binary(Binary::Outer, a, b) => call("outer", vec![out_arg(), arg(*a), arg(*b)]),
        Op::Binary(Binary::Concat, ..) => {
            // Each part's elements after the parts before it.
            let mut text = String::new();
            let mut at = 0;
            for part in concat_parts(graph, id) {
                let width = graph[part].shape.size();
                if graph[part].shape.is_scalar() {
                    let value = writer.element(part, "").text;
                    text.push_str(&format!("{pad}{lhs}[{at}] = {value};\n"));
                } else {
                    let value = writer.element(part, "[k]").text;
                    let place = if at == 0 {
                        "k".to_string()
                    } else {
                        format!("{at} + k")
                    };
                    text.push_str(&layout::loops(
                        indent,
                        &[("k", width)],
                        &format!("{lhs}[{place}] = {value};"),
                    ));
                }
                at += width;
            }
            text
        }
        Op::Broadcast(a, shape) => {
            let value = writer.element(*a, "").text;
            match shape {
                Shape::Scalar => format!("{pad}{lhs} = {value};\n"),
                Shape::Vector(_) => format!("{pad}{lhs}.fill({value});\n"),
                Shape::Matrix(..) => format!("{pad}{lhs}.as_flattened_mut().fill({value});\n"),
                shape => layout::chain(
                    indent,
                    &format!("{}.fill({value})", flat(&lhs, *shape, true)),
                    ";\n",
                ),
            }
        }
        Op::Tensor(t) if !super::super::plan::is_elementwise(&node.op) => {
            tensor_statement(plan, writer, (id, *t), indent)
        }
        _ => {
            let (ranges, suffix) = element_loops(node.shape);
            let value = writer.definition(id, &suffix).text;
            if node.shape.rank() >= 2
                && let Some(statement) = flattened_statement(node.shape, &lhs, &value, indent)
            {
                return statement;
            }
            let line = format!("{lhs}{suffix} = {value};");
            if ranges.is_empty() {
                format!("{pad}{line}\n")
            } else {
                layout::loops(indent, &ranges, &line)
            }
        }
    }
}

/// A product routed through a max pooling's first maxima (see [`Route`]) for one row: zeros,
/// then at each window's kept position the window's gradient times the further factors there.
fn routed_statement(plan: &Plan, writer: &Writer, route: &Route, indent: usize) -> String {
    let graph = plan.graph();
    let path = plan.path(route.product).unwrap_or("missing");
    writer.note(path);
    let lhs = row_of(path, plan.is_varying(route.product));
    let positions = &plan.positions[route.positions];
    writer.note(&positions.path);
    let at = row_of(&positions.path, plan.is_varying(positions.pool));
    let (ranges, suffix) = element_loops(graph[positions.pool].shape);
    let mut axes = axes_of(&suffix);
    let k = route.window;
    // Row u and column v of the window's first maximum, from its place in the window.
    let mut spot = Vec::new();
    for (axis, (variable, place)) in axes.iter_mut().rev().zip([("v", "%"), ("u", "/")]) {
        let first = if axis == "0" {
            String::new()
        } else {
            format!("{axis} * {k} + ")
        };
        spot.push(format!("{first}at {place} {k}"));
        *axis = variable.to_string();
    }
    let spot_suffix = index_of_axes(&axes);
    let mut factors = vec![(route.gradient, suffix.as_str())];
    factors.extend(route.factors.iter().map(|&f| (f, spot_suffix.as_str())));
    let value = writer.product(&factors).text;
    let inner = " ".repeat(indent + 4 * ranges.len());
    let assignment = format!("{lhs}{spot_suffix} = {value};");
    let assignment = match assignment.split_once(" = ") {
        Some((place, value))
            if layout::width(&format!("{inner}{assignment}")) > layout::MAX_WIDTH =>
        {
            format!("{place} =\n{inner}    {value}")
        }
        _ => assignment,
    };
    let body = format!(
        "let at = {at}{suffix} as usize;\n{inner}let (u, v) = ({}, {});\n{inner}{assignment}",
        spot[1], spot[0]
    );
    let mut text = layout::comment(
        indent,
        "each window's gradient at its first maximum, where the forward pass found it, else 0",
    );
    text.push_str(&layout::chain(
        indent,
        &format!(
            "{}.fill(0.0)",
            elements_mut(&lhs, graph[route.product].shape)
        ),
        ";\n",
    ));
    text.push_str(&layout::loops(indent, &ranges, &body));
    text
}

/// The statement of an operation on the axes of tensors for one row (or for the value, if it
/// does not vary): a kernel call, or the loops of a sum along an axis.
fn tensor_statement(
    plan: &Plan,
    writer: &Writer,
    (id, op): (NodeId, TensorOp),
    indent: usize,
) -> String {
    let graph = plan.graph();
    let pad = " ".repeat(indent);
    let path = plan.path(id).unwrap_or("missing").to_string();
    let lhs = row_of(&path, plan.is_varying(id));
    let call = |kernel: &'static str, args: Vec<String>| kernel_call(kernel, &args, indent);
    let stored = |node: NodeId| {
        let path = plan.path(node).unwrap_or("missing");
        writer.note(path);
        row_of(path, plan.is_varying(node))
    };
    match op {
        TensorOp::Conv(conv, window, a, b) => {
            let kernel = conv_kernel(conv, window, (graph[a].shape, graph[b].shape), plan.dtype);
            let zero = matches!(conv, Conv::Kernel { .. });
            let (out, first, second) = (
                Operand::of(conv, 0),
                Operand::of(conv, 1),
                Operand::of(conv, 2),
            );
            let mut text = if zero {
                layout::chain(
                    indent,
                    &format!("{}.fill(0.0)", elements_mut(&lhs, graph[id].shape)),
                    ";\n",
                )
            } else {
                String::new()
            };
            text.push_str(&call(
                kernel.name,
                vec![
                    out.view(&lhs, graph[id].shape, true),
                    first.view(&stored(a), graph[a].shape, false),
                    second.view(&stored(b), graph[b].shape, false),
                ]
                .into_iter()
                .chain(kernel.window_arguments(window))
                .collect(),
            ));
            text
        }
        TensorOp::Pool(pool, a, k) => {
            let x = maps(&stored(a), graph[a].shape, false);
            match pool {
                Pool::Max => match plan.positions.iter().find(|p| p.pool == id) {
                    Some(positions) => {
                        let at = row_of(&positions.path, plan.is_varying(id));
                        writer.note(&positions.path);
                        call(
                            "max_pool_at",
                            vec![
                                maps(&lhs, graph[id].shape, true),
                                maps(&at, graph[id].shape, true),
                                x,
                                k.to_string(),
                            ],
                        )
                    }
                    None => call(
                        "max_pool",
                        vec![maps(&lhs, graph[id].shape, true), x, k.to_string()],
                    ),
                },
                Pool::Mean => call(
                    "avg_pool",
                    vec![maps(&lhs, graph[id].shape, true), x, k.to_string()],
                ),
                Pool::ArgMax => {
                    let positions = plan.positions.iter().find(|p| p.mask == id);
                    let at = positions.map_or("missing".to_string(), |p| {
                        writer.note(&p.path);
                        row_of(&p.path, plan.is_varying(p.pool))
                    });
                    let pooled = positions.map_or(graph[id].shape, |p| graph[p.pool].shape);
                    call(
                        "max_pool_mask",
                        vec![
                            maps(&lhs, graph[id].shape, true),
                            maps(&at, pooled, false),
                            k.to_string(),
                        ],
                    )
                }
            }
        }
        TensorOp::Along(Along::Sum, a, axis) => {
            // Each sum from 0, along the axis in order; the loops over the other axes around it.
            let shape = graph[a].shape;
            let (ranges, suffix) = element_loops(shape);
            let mut axes = axes_of(&suffix);
            if axis < axes.len() {
                axes.remove(axis);
            }
            let out_suffix = index_of_axes(&axes);
            let element = writer.element(a, &suffix).text;
            let mut text = match graph[id].shape {
                Shape::Scalar => format!("{pad}{lhs} = 0.0;\n"),
                shape => layout::chain(
                    indent,
                    &format!("{}.fill(0.0)", elements_mut(&lhs, shape)),
                    ";\n",
                ),
            };
            text.push_str(&layout::loops(
                indent,
                &ranges,
                &format!("{lhs}{out_suffix} += {element};"),
            ));
            text
        }
        TensorOp::Along(along, a, axis) => {
            let shape = graph[a].shape;
            let (_, n, inner) = crate::ir::tensor_op::lines(shape, axis).unwrap_or((1, 1, 1));
            let kernel = match along {
                Along::LogSoftmax => "log_softmax_along",
                _ => "softmax_along",
            };
            // The line's length is a constant of the kernel: `softmax_along::<N>`.
            let args = [
                flat(&lhs, shape, true),
                flat(&stored(a), shape, false),
                format!("{inner}"),
            ];
            layout::call(
                indent,
                "",
                &format!("kernels::{kernel}::<{n}>"),
                &args,
                ";\n",
            )
        }
        TensorOp::Reshape(a, _) => layout::chain(
            indent,
            &format!(
                "{}.copy_from_slice({})",
                elements_mut(&lhs, graph[id].shape),
                flat(&stored(a), graph[a].shape, false)
            ),
            ";\n",
        ),
        // Written elementwise (see `expr`).
        TensorOp::Expand(..) | TensorOp::Upsample(..) => String::new(),
    }
}

/// The part an operand plays in a convolution's kernel, which takes maps with channels
/// `[C, H, W]` and kernels `[F, C, kh, kw]`: a map without channels or a kernel of one map is
/// passed as one of them.
#[derive(Clone, Copy)]
enum Operand {
    Map,
    Kernel,
}

impl Operand {
    /// Of the convolution `conv`'s result (0) and operands (1, 2).
    fn of(conv: Conv, position: usize) -> Operand {
        match (conv, position) {
            (Conv::Forward, 2) | (Conv::Input { .. }, 2) | (Conv::Kernel { .. }, 0) => {
                Operand::Kernel
            }
            _ => Operand::Map,
        }
    }

    /// The kernel's argument for the value at `path` (a row of it, already).
    fn view(self, path: &str, shape: Shape, mutable: bool) -> String {
        let (reference, wrap) = if mutable {
            ("&mut ", "std::array::from_mut")
        } else {
            ("&", "std::array::from_ref")
        };
        match (self, shape) {
            (Operand::Map, Shape::Matrix(..)) => format!("{wrap}({reference}{path})"),
            (Operand::Kernel, Shape::Matrix(..)) => format!("{wrap}({wrap}({reference}{path}))"),
            _ => format!("{reference}{path}"),
        }
    }
}

/// The elements of the value at `path`, row-major, as a place to call a slice's `fill` or
/// `copy_from_slice` on: `x`, `x.as_flattened_mut()` ….
fn elements_mut(path: &str, shape: Shape) -> String {
    let flattenings = shape.rank().saturating_sub(1);
    format!("{path}{}", ".as_flattened_mut()".repeat(flattenings))
}

/// The maps of a value of two or more dimensions, as a slice of `[H, W]` maps.
fn maps(path: &str, shape: Shape, mutable: bool) -> String {
    match (shape, mutable) {
        (Shape::Matrix(..), false) => format!("std::slice::from_ref(&{path})"),
        (Shape::Matrix(..), true) => format!("std::slice::from_mut(&mut {path})"),
        (Shape::Tensor4(..), false) => format!("{path}.as_flattened()"),
        (Shape::Tensor4(..), true) => format!("{path}.as_flattened_mut()"),
        (_, false) => format!("&{path}[..]"),
        (_, true) => format!("&mut {path}[..]"),
    }
}

/// The parts `concat(a, b, …)` joins, in order: nested joins the file wrote as one call are
/// opened up, unless a part has a buffer of its own.
fn concat_parts(graph: &crate::ir::Graph, id: NodeId) -> Vec<NodeId> {
    let mut parts = Vec::new();
    let mut pending = vec![id];
    while let Some(node) = pending.pop() {
        match graph[node].op {
            Op::Binary(Binary::Concat, a, b) if node == id || graph[node].name.is_none() => {
                pending.push(b);
                pending.push(a);
            }
            _ => parts.push(node),
        }
    }
    parts
}

/// What `backward` writes for a parameter's gradient, and what `add_gradient_rows` does for it.
struct Accumulation {
    /// The statement in `backward`: each row's gradient added to the sum, in order (or a comment).
    statement: String,
    /// For a gradient that is one product `u vᵀ` of two values with a row per example: the arm
    /// of `add_gradient_rows` that sums it over a batch, a few rows of the matrix at a time.
    row_product: Option<Arm>,
}

/// Adds the batch's gradient of a parameter to the sum: each row's, in order.
fn accumulate(
    model: &Model,
    plan: &Plan,
    writer: &Writer,
    (index, large): (usize, bool),
) -> Accumulation {
    let param = &plan.params[index];
    let graph = plan.graph();
    let gradient = param.gradient;
    let lhs = Formula::partial(
        name_formula(&model.loss.name),
        name_formula(&param.declared.name),
    );
    if is_zero(graph, gradient) {
        let statement = layout::comment(
            4,
            &format!(
                "{} = 0: the loss does not depend on {}",
                render(&lhs),
                param.declared.name
            ),
        );
        return Accumulation {
            statement,
            row_product: None,
        };
    }
    let rhs = match plan.names.get(gradient) {
        Some(name) if *name == lhs => definition(graph, &plan.names, gradient),
        _ => formula(graph, &plan.names, gradient),
    };
    let formula_text = format!("{} = {}", render(&lhs), render(&rhs));
    let mut statement = layout::comment(4, &formula_text);
    let target = format!("g.{}", param.declared.ident);
    // `backward` writes each sum whole: the statements that add row after row start from zero.
    let zeroed = match param.declared.shape {
        Shape::Scalar => format!("    {target} = 0.0;\n"),
        Shape::Vector(_) => format!("    {target}.fill(0.0);\n"),
        Shape::Matrix(..) => format!("    {target}.as_flattened_mut().fill(0.0);\n"),
        shape => layout::chain(
            4,
            &format!("{}.fill(0.0)", flat(&target, shape, true)),
            ";\n",
        ),
    };
    // Every row adds its gradient; a gradient that does not vary is added once per row.
    let row = if plan.is_varying(gradient) { "r" } else { "_" };
    // The two factors of a product `u vᵀ`, in the order the parameter's field holds it: a
    // parameter stored transposed sums (u vᵀ)ᵀ = v uᵀ.
    let stored = |(u, v): (NodeId, NodeId)| {
        if plan.stored_transposed[index] {
            (v, u)
        } else {
            (u, v)
        }
    };
    let pair = match graph[gradient].op {
        Op::Binary(Binary::Add, x, y) if plan.storage[gradient.index()] == Storage::Inline => {
            row_outer(plan, x).zip(row_outer(plan, y))
        }
        _ => None,
    };
    let text = match (&graph[gradient].op, &plan.storage[gradient.index()]) {
        _ if let Some(terms) = super::super::plan::scatter_terms(graph, gradient) => {
            // Each example adds its values into the rows its indices pick (the values of one
            // row added together first, in the order of the formula, as the evaluator does).
            writer.note(&target);
            let indices: Vec<String> = terms.iter().map(|(i, _)| writer.index_of(*i)).collect();
            let (kernel, values): (&str, Vec<String>) = match param.declared.shape {
                Shape::Matrix(..) => (
                    "kernels::scatter_add",
                    terms
                        .iter()
                        .map(|(_, v)| {
                            format!(
                                "std::array::from_fn(|k| {})",
                                writer.element(*v, "[k]").text
                            )
                        })
                        .collect(),
                ),
                _ => (
                    "kernels::scatter_add_elements",
                    terms
                        .iter()
                        .map(|(_, v)| writer.element(*v, "").text)
                        .collect(),
                ),
            };
            let args = vec![
                format!("&mut {target}[..]"),
                layout::array_argument(12, &indices),
                layout::array_argument(12, &values),
            ];
            format!(
                "{zeroed}    for r in 0..n {{\n{}    }}\n",
                layout::call(8, "", kernel, &args, ";\n")
            )
        }
        _ if let Some(product) = row_outer(plan, gradient).filter(|_| large) => {
            // Read by `add_gradient_rows`, not by `backward`: not noted as the pass's.
            let (u, v) = stored(product);
            let rows = |node: NodeId| format!("&{}[..n]", plan.path(node).unwrap_or("missing"));
            let row_length = match (plan.stored_transposed[index], param.declared.shape) {
                (true, Shape::Matrix(m, _)) => m,
                (_, Shape::Matrix(_, k)) => k,
                _ => 1,
            };
            let arm = Arm {
                index,
                comment: Some(formula_text),
                callee: "kernels::outer_add_rows",
                args: vec![
                    format!("out.as_chunks_mut::<{row_length}>().0"),
                    "first".to_string(),
                    rows(u),
                    rows(v),
                    "add".to_string(),
                ],
            };
            statement.push_str(&layout::comment(
                4,
                "(the step sums it over the batch, by `add_gradient_rows`)",
            ));
            return Accumulation {
                statement,
                row_product: Some(arm),
            };
        }
        _ if let Some(product) = row_outer(plan, gradient) => {
            writer.note(&target);
            let (u, v) = stored(product);
            let args = [
                format!("&mut {target}[..]"),
                "0".to_string(),
                rows_argument(plan, writer, u, false),
                rows_argument(plan, writer, v, false),
                "false".to_string(),
            ];
            layout::call(4, "", "kernels::outer_add_rows", &args, ";\n")
        }
        _ if let Some((first, second)) = pair => {
            writer.note(&target);
            let mut args = vec![format!("&mut {target}[..]")];
            for product in [first, second] {
                let (u, v) = stored(product);
                args.push(rows_argument(plan, writer, u, false));
                args.push(rows_argument(plan, writer, v, false));
            }
            zeroed + &layout::call(4, "", "kernels::outer_pair_add_rows", &args, ";\n")
        }
        (Op::Tensor(TensorOp::Conv(conv @ Conv::Kernel { .. }, window, x, d)), Storage::Inline) => {
            // Each example's correlation, every element summed from 0, added to the sum.
            let view = |operand: Operand, node: NodeId| {
                let path = plan.path(node).unwrap_or("missing");
                writer.note(path);
                operand.view(
                    &row_of(path, plan.is_varying(node)),
                    graph[node].shape,
                    false,
                )
            };
            writer.note(&target);
            let kernel = conv_kernel(
                *conv,
                *window,
                (graph[*x].shape, graph[*d].shape),
                plan.dtype,
            );
            let mut args = vec![
                Operand::of(*conv, 0).view(&target, param.declared.shape, true),
                view(Operand::of(*conv, 1), *x),
                view(Operand::of(*conv, 2), *d),
            ];
            args.extend(kernel.window_arguments(*window));
            format!(
                "{zeroed}    for {row} in 0..n {{\n{}    }}\n",
                layout::call(8, "", &format!("kernels::{}", kernel.name), &args, ";\n")
            )
        }
        (Op::Binary(Binary::Outer, u, v), Storage::Inline) => {
            writer.note(&target);
            let args = vec![
                format!("&mut {target}"),
                argument(plan, writer, *u, false),
                argument(plan, writer, *v, false),
            ];
            format!(
                "{zeroed}    for {row} in 0..n {{\n{}    }}\n",
                layout::call(8, "", "kernels::outer_add", &args, ";\n")
            )
        }
        _ => {
            writer.note(&target);
            let (ranges, suffix) = element_loops(param.declared.shape);
            let value = writer.element(gradient, &suffix).text;
            let line = format!("{target}{suffix} += {value};");
            let body = if ranges.is_empty() {
                format!("        {line}\n")
            } else {
                layout::loops(8, &ranges, &line)
            };
            format!("{zeroed}    for {row} in 0..n {{\n{body}    }}\n")
        }
    };
    statement.push_str(&text);
    Accumulation {
        statement,
        row_product: None,
    }
}
