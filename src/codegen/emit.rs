//! The Rust text of the generated `model.rs`, piece by piece: types sized to the network,
//! constants, starting values, and one statement per buffer of the plan, each under a comment
//! holding the formula it computes.
//!
//! Invariant: everything written here is formatted as rustfmt formats it (see `layout`), uses
//! only the kernels it declares in [`ModelCode::kernels`], and reads every value the plan
//! stores from where the plan stores it.

use std::collections::BTreeSet;

use num_rational::BigRational;

use super::Dtype;
use super::expr::{Writer, float_literal};
use super::layout;
use super::plan::{Declared, Plan, Step, Storage, is_zero};
use super::task::{Classifier, Task};
use crate::init::{Draw, draw_of};
use crate::ir::{Binary, Init, Initializer, Model, NodeId, Op, Unary};
use crate::notation::Formula;
use crate::notation::from_graph::{definition, formula, name_formula};
use crate::render::math::text;
use crate::shape::Shape;

/// A field of a generated struct, with its doc comment.
pub struct Field {
    pub doc: String,
    pub name: String,
    pub ty: String,
    /// Written by the program but read by nothing the loss needs: marked so for the compiler.
    pub unread: bool,
}

/// Everything `model.rs` is made of; the template puts it in order with its prose.
pub struct ModelCode {
    /// `use crate::kernels::{…};`, empty when no kernel is used.
    pub kernels_use: String,
    pub uses_rng: bool,
    pub columns: String,
    pub input_columns: usize,
    pub classes: Option<usize>,
    /// Multiply–adds of one example's forward and backward pass.
    pub work: usize,
    pub constants: Vec<String>,
    pub params: Vec<Field>,
    pub params_zeros: String,
    pub params_table: String,
    /// `pub const STORED_TRANSPOSED: [bool; n] = […];`
    pub stored_transposed: String,
    pub params_len: usize,
    pub values: String,
    pub values_mut: String,
    pub initial_seed: String,
    pub initial: String,
    pub batch: Vec<Field>,
    pub batch_new: String,
    pub gather: String,
    pub forward_fields: Vec<Field>,
    pub forward_zeros: String,
    /// `capacity`, or `_capacity` when nothing has a row per example.
    pub forward_capacity: String,
    pub backward_fields: Vec<Field>,
    pub backward_zeros: String,
    pub backward_capacity: String,
    pub transposed_fields: Vec<Field>,
    pub transposed_zeros: String,
    pub transposed_update: String,
    /// The array `Transposed::copies_mut` returns.
    pub transposed_copies: String,
    /// `pub const INPUT_PRODUCTS: [bool; n] = […];`
    pub input_products: String,
    /// The functions `add_input_product` and `input_product_mut`, whole.
    pub add_input_product: String,
    pub input_product_mut: String,
    /// `pub fn predict[](…) => predict_rows`, inside `multiversion!`.
    pub predict_wrapper: String,
    pub predict_signature: String,
    pub predict: String,
    pub forward_wrapper: String,
    pub forward_signature: String,
    pub forward: String,
    pub backward_wrapper: String,
    pub backward_signature: String,
    pub backward: String,
    /// `pub const ROW_PRODUCTS: [bool; n] = […];`
    pub row_products: String,
    /// The function `add_gradient_rows`, whole.
    pub gradient_rows: String,
    pub output: String,
    /// `r`, or `_r` when the output is the same for every row.
    pub output_r: String,
    pub output_doc: String,
    pub predicted_class: String,
    pub true_class: String,
    /// Slice kernels (`matvec` …) and scalar functions (`sigmoid` …) the code calls.
    pub kernels: BTreeSet<&'static str>,
    /// Whether any buffer is an array (allocated by `zeroed`).
    pub uses_zeroed: bool,
}

/// The Rust type of a value of `shape`: `Real`, `[Real; n]`, `[[Real; n]; m]`.
pub fn rust_type(shape: Shape) -> String {
    match shape {
        Shape::Scalar => "Real".to_string(),
        Shape::Vector(n) => format!("[Real; {n}]"),
        Shape::Matrix(m, n) => format!("[[Real; {n}]; {m}]"),
    }
}

/// A buffer with a row per example: `Box<[Real]>`, `Box<[[Real; n]]>` ….
fn rows_type(shape: Shape) -> String {
    format!("Box<[{}]>", rust_type(shape))
}

/// A heap-allocated buffer's type: scalars stay plain.
fn boxed_type(shape: Shape) -> String {
    match shape {
        Shape::Scalar => "Real".to_string(),
        _ => format!("Box<{}>", rust_type(shape)),
    }
}

/// A zero of a buffer's type.
fn zero_value(shape: Shape) -> String {
    match shape {
        Shape::Scalar => "0.0".to_string(),
        Shape::Vector(_) => "zeroed(0.0)".to_string(),
        Shape::Matrix(_, n) => format!("zeroed([0.0; {n}])"),
    }
}

/// The loops over a value of `shape`, and the index suffix of its elements inside them.
fn element_loops(shape: Shape) -> (Vec<(&'static str, usize)>, String) {
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
    };
    (ranges, suffix)
}

/// `path` as a flat slice of its elements.
fn flat(path: &str, shape: Shape, mutable: bool) -> String {
    match (shape, mutable) {
        (Shape::Scalar, false) => format!("std::slice::from_ref(&{path})"),
        (Shape::Scalar, true) => format!("std::slice::from_mut(&mut {path})"),
        (Shape::Vector(_), false) => format!("&{path}[..]"),
        (Shape::Vector(_), true) => format!("&mut {path}[..]"),
        (Shape::Matrix(..), false) => format!("{path}.as_flattened()"),
        (Shape::Matrix(..), true) => format!("{path}.as_flattened_mut()"),
    }
}

fn exact_literal(value: &BigRational, dtype: Dtype) -> String {
    float_literal(crate::exact::to_f64(value), dtype)
}

/// A constant tensor laid out as rows of literals.
fn literal_rows(data: &[BigRational], shape: Shape, dtype: Dtype) -> Vec<Vec<String>> {
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
fn doc(indent: usize, text: &str) -> String {
    text.lines()
        .map(|line| format!("{}/// {}\n", " ".repeat(indent), layout::comment_text(line)))
        .collect()
}

fn render(formula: &Formula) -> String {
    text::render(formula)
}

pub fn emit(model: &Model, plan: &Plan, task: &Task) -> ModelCode {
    let dtype = plan.dtype;
    let writer = Writer::new(plan);
    let mut kernels: BTreeSet<&'static str> = BTreeSet::new();

    // Constants: the file's `const`s the loss reads, then literal arrays.
    let mut constants = Vec::new();
    for c in &plan.constants {
        let Some(Init::Value(value)) = &model.declaration(c.decl).init else {
            continue;
        };
        let mut item = doc(0, &format!("{} = {}", c.name, value_text(value)));
        item.push_str(&const_item(&c.ident, value.data(), c.shape, dtype, false));
        constants.push(item);
    }
    for (i, &node) in plan.arrays.iter().enumerate() {
        let Op::Literal(value) = &plan.graph()[node].op else {
            continue;
        };
        let Some(name) = plan.path(node) else {
            continue;
        };
        let mut item = doc(
            0,
            &format!("A constant of the network: {}", value_text(value)),
        );
        let _ = i;
        item.push_str(&const_item(name, value.data(), value.shape(), dtype, false));
        constants.push(item);
    }

    // Parameters.
    let params: Vec<&Declared> = plan.params.iter().map(|p| &p.declared).collect();
    // A parameter stored transposed has the shape [k, m] in its field.
    let stored_shape = |index: usize| match (plan.stored_transposed[index], params[index].shape) {
        (true, Shape::Matrix(m, k)) => Shape::Matrix(k, m),
        (_, shape) => shape,
    };
    let param_fields = params
        .iter()
        .enumerate()
        .map(|(index, d)| Field {
            doc: if plan.stored_transposed[index] {
                format!(
                    "`{}`, {}, stored transposed: `{}[k][i]` is {}[i, k]",
                    d.name,
                    d.shape.describe(),
                    d.ident,
                    d.name
                )
            } else {
                format!("`{}`, {}", d.name, d.shape.describe())
            },
            name: d.ident.clone(),
            ty: boxed_type(stored_shape(index)),
            unread: false,
        })
        .collect();
    let params_zeros = layout::struct_literal(
        8,
        "",
        "Params",
        &params
            .iter()
            .enumerate()
            .map(|(index, d)| format!("{}: {}", d.ident, zero_value(stored_shape(index))))
            .collect::<Vec<_>>(),
        "",
    );
    let stored_transposed = layout::array_item(
        0,
        &format!("pub const STORED_TRANSPOSED: [bool; {}] = ", params.len()),
        &[plan
            .stored_transposed
            .iter()
            .map(|t| t.to_string())
            .collect()],
        ";",
    );
    let params_table = layout::array_item(
        0,
        &format!("pub const PARAMS: [(&str, &[usize]); {}] = ", params.len()),
        &[params
            .iter()
            .map(|d| {
                let dims: Vec<String> = d.shape.dims().iter().map(|n| n.to_string()).collect();
                format!("({:?}, &[{}])", d.name, dims.join(", "))
            })
            .collect()],
        ";",
    );
    let slices = |mutable: bool| {
        layout::array_item(
            8,
            "",
            &[params
                .iter()
                .map(|d| flat(&format!("self.{}", d.ident), d.shape, mutable))
                .collect()],
            "",
        )
    };
    let values = slices(false);
    let values_mut = slices(true);

    // Starting values.
    let mut initial = String::new();
    let mut uses_rng = false;
    for (index, (d, param)) in params.iter().zip(&plan.params).enumerate() {
        let declaration = model.declaration(d.decl);
        // A parameter stored transposed is drawn (or given) in the file's layout, then
        // transposed into its field.
        let transposed = plan.stored_transposed[index];
        let field = format!("p.{}", d.ident);
        let drawn = match &declaration.init {
            Some(Init::Random(initializer)) => matches!(
                draw_of(initializer, d.shape),
                Draw::Uniform { .. } | Draw::Normal { .. }
            ),
            _ => false,
        };
        let path = if transposed {
            if let Shape::Matrix(_, k) = d.shape
                && drawn
            {
                initial.push_str(&format!(
                    "        let mut drawn: {} = zeroed([0.0; {k}]);\n",
                    boxed_type(d.shape)
                ));
            }
            "drawn".to_string()
        } else {
            field.clone()
        };
        let transpose = if transposed {
            kernels.insert("transpose");
            format!("        kernels::transpose(&mut {field}, &drawn);\n")
        } else {
            String::new()
        };
        match &declaration.init {
            // A parameter's value is never a list of examples' values.
            Some(Init::Each(_)) => {}
            Some(Init::Value(value)) => {
                if d.shape.is_scalar() {
                    initial.push_str(&format!(
                        "        {path} = {};\n",
                        exact_literal(&value.data()[0], dtype)
                    ));
                } else {
                    let name = param.start.clone().unwrap_or_default();
                    let mut item = doc(0, &format!("The starting value of `{}`.", d.name));
                    item.push_str(&const_item(&name, value.data(), d.shape, dtype, false));
                    constants.push(item);
                    if transposed {
                        initial.push_str(&format!(
                            "        kernels::transpose(&mut {field}, &{name});\n"
                        ));
                    } else {
                        initial.push_str(&format!("        *{path} = {name};\n"));
                    }
                }
            }
            Some(Init::Random(initializer)) => {
                initial.push_str(&layout::comment(
                    8,
                    &format!("{} ~ {}", d.name, initializer_text(initializer, d.shape)),
                ));
                let slice = flat(&path, d.shape, true);
                match draw_of(initializer, d.shape) {
                    Draw::Constant(0.0) => {}
                    Draw::Constant(value) => {
                        let value = float_literal(value, dtype);
                        initial.push_str(&if d.shape.is_scalar() {
                            format!("        {path} = {value};\n")
                        } else {
                            format!("        {}.fill({value});\n", flat(&field, d.shape, true))
                                .replace("&mut ", "")
                                .replace("[..].fill", ".fill")
                        });
                    }
                    Draw::Uniform { low, high } => {
                        uses_rng = true;
                        initial.push_str(&layout::call(
                            8,
                            "",
                            "rng.fill_uniform",
                            &[slice, format!("{low:?}"), format!("{high:?}")],
                            ";\n",
                        ));
                        initial.push_str(&transpose);
                    }
                    Draw::Normal { mean, std } => {
                        uses_rng = true;
                        initial.push_str(&layout::call(
                            8,
                            "",
                            "rng.fill_normal",
                            &[slice, format!("{mean:?}"), format!("{std:?}")],
                            ";\n",
                        ));
                        initial.push_str(&transpose);
                    }
                }
            }
            None => {}
        }
    }
    let initial = if uses_rng {
        format!(
            "        let mut rng = Rng::new(seed);\n        let mut p = Params::zeros();\n{initial}"
        )
    } else if initial
        .lines()
        .all(|line| line.trim_start().starts_with("//"))
    {
        // Every parameter starts at zero: nothing changes `p`.
        format!("        let p = Params::zeros();\n{initial}")
    } else {
        format!("        let mut p = Params::zeros();\n{initial}")
    };
    let initial_seed = if uses_rng { "seed" } else { "_seed" }.to_string();

    // The batch: inputs then targets, a row per example.
    let mut batch_fields = Vec::new();
    let mut batch_new = Vec::new();
    let mut gather = String::new();
    let mut column = 0;
    for d in plan.inputs.iter().chain(&plan.targets) {
        let kind = if plan.inputs.iter().any(|i| i.decl == d.decl) {
            "input"
        } else {
            "target"
        };
        batch_fields.push(Field {
            doc: format!(
                "{kind} `{}`, {}, a row per example",
                d.name,
                d.shape.describe()
            ),
            name: d.ident.clone(),
            ty: rows_type(d.shape),
            unread: !d.used,
        });
        batch_new.push(format!("{}: rows(capacity, {})", d.ident, zero_of(d.shape)));
        let size = d.shape.size();
        gather.push_str(&match d.shape {
            Shape::Scalar => format!("            self.{}[r] = row[{column}];\n", d.ident),
            Shape::Vector(_) => layout::call(
                12,
                "",
                &format!("self.{}[r].copy_from_slice", d.ident),
                &[format!("&row[{column}..{}]", column + size)],
                ";\n",
            ),
            Shape::Matrix(..) => layout::call(
                12,
                "",
                &format!("self.{}[r].as_flattened_mut().copy_from_slice", d.ident),
                &[format!("&row[{column}..{}]", column + size)],
                ";\n",
            ),
        });
        column += size;
    }
    batch_new.push("rows: 0".to_string());
    let batch_new = layout::struct_literal(8, "", "Batch", &batch_new, "");

    // Buffers: a row per example for what varies, one value for what does not.
    let fields_of = |nodes: &mut dyn Iterator<Item = NodeId>| -> Vec<Field> {
        nodes
            .map(|id| {
                let path = plan.path(id).unwrap_or_default();
                let name = path.split_once('.').map_or(path, |(_, n)| n).to_string();
                let shape = plan.graph()[id].shape;
                Field {
                    doc: comment_text(plan, id),
                    name,
                    ty: if plan.is_varying(id) {
                        rows_type(shape)
                    } else {
                        boxed_type(shape)
                    },
                    unread: false,
                }
            })
            .collect()
    };
    let forward_nodes: Vec<NodeId> = plan.predict.iter().chain(&plan.forward).copied().collect();
    let backward_nodes: Vec<NodeId> = plan
        .backward
        .iter()
        .filter_map(|s| match s {
            Step::Compute(id) => Some(*id),
            Step::Accumulate(_) => None,
        })
        .collect();
    let forward_fields = fields_of(&mut forward_nodes.iter().copied());
    let backward_fields = fields_of(&mut backward_nodes.iter().copied());
    let zeros = |name: &str, fields: &[Field], nodes: &[NodeId]| {
        let values: Vec<String> = fields
            .iter()
            .zip(nodes)
            .map(|(f, id)| {
                let shape = plan.graph()[*id].shape;
                if plan.is_varying(*id) {
                    format!("{}: rows(capacity, {})", f.name, zero_of(shape))
                } else {
                    format!("{}: {}", f.name, zero_value(shape))
                }
            })
            .collect();
        layout::struct_literal(8, "", name, &values, "")
    };
    let forward_zeros = zeros("Forward", &forward_fields, &forward_nodes);
    let backward_zeros = zeros("Backward", &backward_fields, &backward_nodes);
    let capacity_used = |nodes: &[NodeId]| nodes.iter().any(|id| plan.is_varying(*id));
    let forward_capacity = if capacity_used(&forward_nodes) {
        "capacity"
    } else {
        "_capacity"
    }
    .to_string();
    let backward_capacity = if capacity_used(&backward_nodes) {
        "capacity"
    } else {
        "_capacity"
    }
    .to_string();

    // The transposed copies of parameters.
    let mut transposed_fields = Vec::new();
    let mut transposed_zeros = Vec::new();
    let mut transposed_update = String::new();
    for t in &plan.transposed {
        let d = &plan.params[t.param].declared;
        let Shape::Matrix(m, k) = d.shape else {
            continue;
        };
        transposed_fields.push(Field {
            doc: format!("`{}ᵀ`, a matrix [{k}, {m}]", d.name),
            name: t.ident.clone(),
            ty: boxed_type(Shape::Matrix(k, m)),
            unread: false,
        });
        transposed_zeros.push(format!("{}: {}", t.ident, zero_value(Shape::Matrix(k, m))));
        kernels.insert("transpose");
        transposed_update.push_str(&layout::call(
            8,
            "",
            "kernels::transpose",
            &[format!("&mut self.{}", t.ident), format!("&p.{}", d.ident)],
            ";\n",
        ));
    }
    let transposed_zeros = layout::struct_literal(8, "", "Transposed", &transposed_zeros, "");
    let copies: Vec<String> = plan
        .transposed
        .iter()
        .map(|t| format!("({}, self.{}.as_flattened_mut())", t.param, t.ident))
        .collect();
    let transposed_copies = layout::array_item(8, "", &[copies], "\n");

    // The passes.
    let large = plan.is_large();
    let mut predict = String::new();
    let mut input_products = vec![false; plan.params.len()];
    let (mut product_arms, mut product_buffers) = (Vec::new(), Vec::new());
    for &id in &plan.predict {
        let arm = input_product_param(plan, id)
            .filter(|_| large)
            .and_then(|param| input_product_arm(plan, id, param));
        let call = arm
            .as_ref()
            .and_then(|_| batch_kernel(plan, &writer, id, &mut kernels, 8));
        match (arm, call) {
            (Some((arm, buffer)), Some(call)) => {
                let comment = format!(
                    "{} (unless the step has computed it)",
                    comment_text(plan, id)
                );
                predict.push_str(&layout::comment(4, &comment));
                predict.push_str("    if products == Products::Compute {\n");
                predict.push_str(&call);
                predict.push_str("    }\n");
                input_products[arm.index] = true;
                product_arms.push(arm);
                product_buffers.push(buffer);
                kernels.insert("matvec_transposed_rows_add");
            }
            _ => predict.push_str(&statement(plan, &writer, id, &mut kernels)),
        }
        predict.push_str(&exchange_call(plan, id));
    }
    let predict = with_rows(predict, &writer);
    let predict_roots = writer.take_roots();
    let exchanged = plan.exchange.is_some();
    let mut forward = if exchanged {
        "    predict(p, t, e, f, products, exchange);\n"
    } else {
        "    predict(p, t, e, f, products);\n"
    }
    .to_string();
    for &id in &plan.forward {
        forward.push_str(&statement(plan, &writer, id, &mut kernels));
        forward.push_str(&exchange_call(plan, id));
    }
    let loss_path = plan.path(plan.loss).unwrap_or("f.missing");
    // The batch's loss: the sum of its rows' losses, in order.
    forward.push_str(&if plan.is_varying(plan.loss) {
        format!("    {loss_path}[..n].iter().sum()\n")
    } else {
        format!("    {loss_path} * n as Real\n")
    });
    let forward = with_rows(forward, &writer);
    let _ = writer.take_roots();
    let mut backward = String::new();
    let mut row_product_arms = Vec::new();
    let mut row_products = vec![false; plan.params.len()];
    for step in &plan.backward {
        match *step {
            Step::Compute(id) => backward.push_str(&statement(plan, &writer, id, &mut kernels)),
            Step::Accumulate(index) => {
                let accumulation = accumulate(model, plan, &writer, (index, large), &mut kernels);
                backward.push_str(&accumulation.statement);
                if let Some(arm) = accumulation.row_product {
                    row_product_arms.push(arm);
                    row_products[index] = true;
                }
            }
        }
    }
    let backward = with_rows(backward, &writer);
    let backward_roots = writer.take_roots();
    let gradient_rows = gradient_rows(&row_product_arms);
    let row_products = layout::array_item(
        0,
        &format!("pub const ROW_PRODUCTS: [bool; {}] = ", plan.params.len()),
        &[row_products.iter().map(|t| t.to_string()).collect()],
        ";",
    );
    kernels.extend(writer.functions());

    let argument = |roots: &BTreeSet<char>, c: char, ty: &str| {
        let used = if roots.contains(&c) { "" } else { "_" };
        format!("{used}{c}: {ty}")
    };
    let products_used = if product_arms.is_empty() {
        "_products"
    } else {
        "products"
    };
    let mut predict_params = vec![
        argument(&predict_roots, 'p', "&Params"),
        argument(&predict_roots, 't', "&Transposed"),
        argument(&predict_roots, 'e', "&Batch"),
        "f: &mut Forward".to_string(),
        format!("{products_used}: Products"),
    ];
    let mut forward_params = vec![
        "p: &Params".to_string(),
        "t: &Transposed".to_string(),
        "e: &Batch".to_string(),
        "f: &mut Forward".to_string(),
        "products: Products".to_string(),
    ];
    if let Some(node) = plan.exchange {
        // `predict` swaps only when the output needs the swapped product.
        let used = if plan.predict.contains(&node) {
            ""
        } else {
            "_"
        };
        predict_params.push(format!("{used}exchange: &Exchange"));
        forward_params.push("exchange: &Exchange".to_string());
    }
    let input_products = layout::array_item(
        0,
        &format!("pub const INPUT_PRODUCTS: [bool; {}] = ", plan.params.len()),
        &[input_products.iter().map(|t| t.to_string()).collect()],
        ";",
    );
    let (add_input_product, input_product_mut) =
        input_product_functions(&product_arms, &product_buffers);
    let backward_params = [
        argument(&backward_roots, 'p', "&Params"),
        argument(&backward_roots, 't', "&Transposed"),
        argument(&backward_roots, 'e', "&Batch"),
        argument(&backward_roots, 'f', "&Forward"),
        argument(&backward_roots, 'b', "&mut Backward"),
        argument(&backward_roots, 'g', "&mut Params"),
    ];
    let (predict_wrapper, predict_signature) = pass_signature("predict", &predict_params, "");
    let (forward_wrapper, forward_signature) =
        pass_signature("forward", &forward_params, " -> Real");
    let (backward_wrapper, backward_signature) = pass_signature("backward", &backward_params, "");

    // The output and the classes, of row `r`.
    let output_path = plan.path(plan.output).unwrap_or("f.missing");
    let output_shape = plan.graph()[plan.output].shape;
    let output_varying = plan.is_varying(plan.output);
    let output_row = row_of(output_path, output_varying);
    let output_r = if output_varying { "r" } else { "_r" }.to_string();
    let output = format!("    {}\n", flat(&output_row, output_shape, false));
    let output_doc = layout::comment_text(
        &plan
            .names
            .get(plan.output)
            .map(render)
            .unwrap_or_else(|| render(&formula(plan.graph(), &plan.names, plan.output))),
    );
    let target = plan.targets.first();
    let (predicted_class, true_class) = match (task.classifier, target) {
        (Some(Classifier::Argmax), Some(t)) => {
            kernels.insert("argmax");
            (
                format!(
                    "    kernels::argmax({})\n",
                    flat(&output_row, output_shape, false)
                ),
                format!(
                    "    kernels::argmax({})\n",
                    flat(&format!("e.{}[r]", t.ident), t.shape, false)
                ),
            )
        }
        (Some(Classifier::Threshold), Some(t)) => {
            let (_, suffix) = element_loops(output_shape);
            let (_, target_suffix) = element_loops(t.shape);
            (
                format!("    usize::from({output_row}{suffix} >= 0.5)\n"),
                format!("    usize::from(e.{}[r]{target_suffix} >= 0.5)\n", t.ident),
            )
        }
        _ => (String::new(), String::new()),
    };

    let uses_zeroed = plan.params.iter().any(|p| !p.declared.shape.is_scalar())
        || forward_nodes
            .iter()
            .chain(&backward_nodes)
            .any(|id| !plan.graph()[*id].shape.is_scalar() && !plan.is_varying(*id));
    let functions: Vec<&str> = kernels
        .iter()
        .copied()
        .filter(|k| SCALAR_FUNCTIONS.contains(k))
        .collect();
    let slice_kernels = kernels.iter().any(|k| !SCALAR_FUNCTIONS.contains(k));
    // The passes are compiled for each processor by the kernels' `multiversion!`.
    let mut names: Vec<&str> = Vec::new();
    if slice_kernels {
        names.push("self");
    }
    let mut items = functions.clone();
    items.push("multiversion");
    items.sort_unstable();
    names.extend(items);
    let kernels_use = format!("use crate::kernels::{{{}}};\n", names.join(", "));

    let columns = layout::array_item(
        0,
        &format!("pub const COLUMNS: [&str; {}] = ", task.columns.len()),
        &[task.columns.iter().map(|c| format!("{c:?}")).collect()],
        ";",
    );

    ModelCode {
        kernels_use,
        uses_rng,
        columns,
        input_columns: task.input_columns,
        classes: task.classes,
        work: multiply_adds(plan),
        constants,
        params: param_fields,
        params_zeros,
        params_table,
        stored_transposed,
        params_len: params.len(),
        values,
        values_mut,
        initial_seed,
        initial,
        batch: batch_fields,
        batch_new,
        gather,
        forward_fields,
        forward_zeros,
        forward_capacity,
        backward_fields,
        backward_zeros,
        backward_capacity,
        transposed_fields,
        transposed_zeros,
        transposed_update,
        transposed_copies,
        input_products,
        add_input_product,
        input_product_mut,
        predict_wrapper,
        predict_signature,
        predict,
        forward_wrapper,
        forward_signature,
        forward,
        backward_wrapper,
        backward_signature,
        backward,
        row_products,
        gradient_rows,
        output,
        output_r,
        output_doc,
        predicted_class,
        true_class,
        kernels,
        uses_zeroed,
    }
}

/// One parameter's case of a function that dispatches on the parameter's index: a kernel call,
/// under a comment.
struct Arm {
    index: usize,
    comment: Option<String>,
    callee: &'static str,
    args: Vec<String>,
}

impl Arm {
    /// Whether the call reads the root `e`, `f` or `b` (the function's parameter of that name).
    fn reads(&self, root: char) -> bool {
        let prefix = format!("&{root}.");
        self.args.iter().any(|arg| arg.starts_with(&prefix))
    }
}

/// The body of a function that dispatches on `index`: `match index { N => …, _ => {} }`, or
/// `if index == N { … }` for a single arm (as clippy prefers).
fn dispatch(arms: &[Arm]) -> String {
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

/// `add_input_product` and `input_product_mut`: matches on the parameter, an arm for each input
/// product, and the buffer each fills.
fn input_product_functions(arms: &[Arm], buffers: &[String]) -> (String, String) {
    let used = if arms.is_empty() { "_" } else { "" };
    let params = [
        format!("{used}index: usize"),
        format!("{used}out: &mut [Real]"),
        format!("{used}w: &[Real]"),
        format!("{used}first: usize"),
        format!("{used}e: &Batch"),
    ];
    let mut add = layout::signature("pub fn ", "add_input_product", &params, " {") + "\n";
    let params = [
        format!("{used}index: usize"),
        format!("{used}f: &mut Forward"),
        format!("{used}n: usize"),
    ];
    let mut output = layout::signature(
        "pub fn ",
        "input_product_mut",
        &params,
        " -> &mut [Real] {\n",
    );
    if arms.is_empty() {
        add.push_str("    // No product of a parameter with an input is computed by the step.\n");
        output.push_str("    &mut []\n");
    } else {
        add.push_str(&format!("    let n = e.rows;\n{}", dispatch(arms)));
        output.push_str("    match index {\n");
        for (arm, buffer) in arms.iter().zip(buffers) {
            let index = arm.index;
            output.push_str(&format!(
                "        {index} => {buffer}[..n].as_flattened_mut(),\n"
            ));
        }
        output.push_str("        _ => &mut [],\n    }\n");
    }
    add.push('}');
    output.push('}');
    (add, output)
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

/// `add_gradient_rows`: a match on the parameter, an arm for each gradient that is a product of
/// rows.
fn gradient_rows(arms: &[Arm]) -> String {
    let used = |read: bool| if read { "" } else { "_" };
    let some = !arms.is_empty();
    let params = [
        format!("{}index: usize", used(some)),
        format!("{}out: &mut [Real]", used(some)),
        format!("{}first: usize", used(some)),
        format!("{}e: &Batch", used(some)),
        format!("{}f: &Forward", used(arms.iter().any(|a| a.reads('f')))),
        format!("{}b: &Backward", used(arms.iter().any(|a| a.reads('b')))),
        format!("{}add: bool", used(some)),
    ];
    let mut out = layout::signature("pub fn ", "add_gradient_rows", &params, " {") + "\n";
    if some {
        out.push_str("    let n = e.rows;\n");
        out.push_str(&dispatch(arms));
    } else {
        out.push_str("    // No parameter's gradient is a product of rows.\n");
    }
    out.push('}');
    out
}

/// The signature of the function compiled for each processor, `pub fn forward[](…) -> Real`
/// with the body's name, inside `multiversion!`; and of the pass's body it calls,
/// `fn forward_rows<const FMA: bool>(…) -> Real {`.
fn pass_signature(name: &str, params: &[String], returns: &str) -> (String, String) {
    let body = layout::signature(
        "fn ",
        &format!("{name}_rows<const FMA: bool>"),
        params,
        &format!("{returns} {{"),
    );
    let mut wrapper = format!("    pub fn {name}[]({}){returns}", params.join(", "));
    if wrapper.chars().count() > layout::MAX_WIDTH {
        wrapper = format!("    pub fn {name}[](\n");
        for param in params {
            wrapper.push_str(&format!("        {param},\n"));
        }
        wrapper.push_str(&format!("    ){returns}"));
    }
    (format!("{wrapper}\n        => {name}_rows"), body)
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

/// A function body, with `let n = e.rows;` first when it loops over the rows of the batch.
fn with_rows(body: String, writer: &Writer) -> String {
    let uses_n = body.contains("0..n") || body.contains("..n]") || body.contains(" n as ");
    if uses_n {
        writer.note("e.rows");
        format!("    let n = e.rows;\n{body}")
    } else {
        body
    }
}

/// `path[r]` for a value with a row per example, else `path`.
fn row_of(path: &str, varying: bool) -> String {
    if varying {
        format!("{path}[r]")
    } else {
        path.to_string()
    }
}

/// The multiply–adds of one example's forward and backward pass: the matrix products', which
/// are nearly all of the work (for `--bench`).
fn multiply_adds(plan: &Plan) -> usize {
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
    nodes.map(|id| super::plan::multiply_adds(graph, id)).sum()
}

/// The kernels' functions of one number, imported by name.
pub const SCALAR_FUNCTIONS: &[&str] = &["relu", "sigmoid", "sign", "step"];

fn zero_of(shape: Shape) -> String {
    match shape {
        Shape::Scalar => "0.0".to_string(),
        Shape::Vector(n) => format!("[0.0; {n}]"),
        Shape::Matrix(m, n) => format!("[[0.0; {n}]; {m}]"),
    }
}

/// `const NAME: TYPE = VALUE;`, a matrix a row per line when it does not fit on one.
fn const_item(
    name: &str,
    data: &[BigRational],
    shape: Shape,
    dtype: Dtype,
    public: bool,
) -> String {
    let visibility = if public { "pub " } else { "" };
    let head = format!("{visibility}const {name}: {} = ", rust_type(shape));
    if shape.is_scalar() {
        return format!("{head}{};\n", exact_literal(&data[0], dtype));
    }
    layout::array_item(0, &head, &literal_rows(data, shape, dtype), ";") + "\n"
}

/// An exact value as a formula would show it: `0.35`, `[1, 2]`, `[[1, 2], [3, 4]]`.
fn value_text(value: &crate::tensor::Tensor<BigRational>) -> String {
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
    }
}

/// An initializer and the distribution it draws from, for a comment.
fn initializer_text(initializer: &Initializer, shape: Shape) -> String {
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
fn comment_text(plan: &Plan, id: NodeId) -> String {
    let graph = plan.graph();
    let rhs = render(&definition(graph, &plan.names, id));
    let text = match plan.names.get(id) {
        Some(name) => format!("{} = {rhs}", render(name)),
        None => rhs,
    };
    layout::comment_text(&text)
}

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
fn statement(
    plan: &Plan,
    writer: &Writer,
    id: NodeId,
    kernels: &mut BTreeSet<&'static str>,
) -> String {
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
    if let Some(call) = batch_kernel(plan, writer, id, kernels, 4) {
        out.push_str(&call);
    } else if plan.is_varying(id) {
        out.push_str("    for r in 0..n {\n");
        out.push_str(&row_statement(plan, writer, id, kernels, 8));
        out.push_str("    }\n");
    } else {
        out.push_str(&row_statement(plan, writer, id, kernels, 4));
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
fn batch_kernel(
    plan: &Plan,
    writer: &Writer,
    id: NodeId,
    kernels: &mut BTreeSet<&'static str>,
    indent: usize,
) -> Option<String> {
    let graph = plan.graph();
    if let Op::Unary(Unary::Softmax, z) = graph[id].op {
        return softmax_rows(plan, writer, id, z, kernels, indent);
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
    Some(kernel_call(kernels, kernel, &args, indent))
}

/// A statement calling `kernel` of the trainer's `kernels.rs`, which the trainer then includes.
fn kernel_call(
    kernels: &mut BTreeSet<&'static str>,
    kernel: &'static str,
    args: &[String],
    indent: usize,
) -> String {
    kernels.insert(kernel);
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
    kernels: &mut BTreeSet<&'static str>,
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
    Some(kernel_call(
        kernels,
        "softmax_and_log_softmax_rows",
        &args,
        indent,
    ))
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
fn row_statement(
    plan: &Plan,
    writer: &Writer,
    id: NodeId,
    kernels: &mut BTreeSet<&'static str>,
    indent: usize,
) -> String {
    let graph = plan.graph();
    let node = &graph[id];
    let path = plan.path(id).unwrap_or("missing").to_string();
    writer.note(&path);
    let lhs = row_of(&path, plan.is_varying(id));
    let pad = " ".repeat(indent);
    let mut call =
        |kernel: &'static str, args: Vec<String>| kernel_call(kernels, kernel, &args, indent);
    let out_arg = || argument(plan, writer, id, true);
    let arg = |n: NodeId| argument(plan, writer, n, false);
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
        Op::Broadcast(a, shape) => {
            let value = writer.element(*a, "").text;
            match shape {
                Shape::Scalar => format!("{pad}{lhs} = {value};\n"),
                Shape::Vector(_) => format!("{pad}{lhs}.fill({value});\n"),
                Shape::Matrix(..) => format!("{pad}{lhs}.as_flattened_mut().fill({value});\n"),
            }
        }
        _ => {
            let (ranges, suffix) = element_loops(node.shape);
            let value = writer.definition(id, &suffix).text;
            let line = format!("{lhs}{suffix} = {value};");
            if ranges.is_empty() {
                format!("{pad}{line}\n")
            } else {
                layout::loops(indent, &ranges, &line)
            }
        }
    }
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
    kernels: &mut BTreeSet<&'static str>,
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
        _ if let Some(product) = row_outer(plan, gradient).filter(|_| large) => {
            kernels.insert("outer_add_rows");
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
            kernels.insert("outer_add_rows");
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
            kernels.insert("outer_pair_add_rows");
            let mut args = vec![format!("&mut {target}[..]")];
            for product in [first, second] {
                let (u, v) = stored(product);
                args.push(rows_argument(plan, writer, u, false));
                args.push(rows_argument(plan, writer, v, false));
            }
            zeroed + &layout::call(4, "", "kernels::outer_pair_add_rows", &args, ";\n")
        }
        (Op::Binary(Binary::Outer, u, v), Storage::Inline) => {
            writer.note(&target);
            kernels.insert("outer_add");
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
