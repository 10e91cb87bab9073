//! The code of `model.py`: the network as an `nn.Module`, each line under its formula.
//!
//! The lines come from [`super::expr`] over the model's graph; the formulas, the names of the
//! batch statistics and their running averages come from the Rust trainer's [`Plan`], so both
//! trainers write the same formulas and keep the same running averages under the same names.

use std::collections::HashMap;

use super::expr::{self, Context, Statement};
use super::names::Namer;
use crate::codegen::GenError;
use crate::codegen::plan::{Plan, StatisticKind};
use crate::codegen::task::{Classifier, Task};
use crate::init::Draw;
use crate::ir::{DeclKind, Init, Model, NodeId, Op, TensorOp};
use crate::notation::from_graph::definition;
use crate::render::math::text::render;
use crate::words::phrase;

/// A declared tensor as `model.py` and `train.py` know it.
#[derive(Clone, Debug)]
pub struct Declared {
    /// The name in the file, and in weights files.
    pub name: String,
    /// The Python identifier.
    pub ident: String,
    /// `(2, 3)`, `(4,)`, `()`.
    pub dims: String,
    /// How many dimensions it has: 3 for a map with channels (an image).
    pub rank: usize,
    /// For an index: how many values it takes.
    pub index: Option<usize>,
    /// Its shape in words: `a matrix [2, 3]`.
    pub described: String,
    /// How many columns of a data row it takes (or numbers it holds).
    pub size: usize,
}

/// A running average of a batch statistic.
#[derive(Clone, Debug)]
pub struct Running {
    /// In weights files: `running mu`.
    pub name: String,
    /// The buffer: `running_mu`.
    pub ident: String,
    pub dims: String,
    /// Where it starts: 0 for a mean, 1 for a variance.
    pub start: &'static str,
    /// What a training batch adds: `value` of a mean or of `batch_var(v, 1)`, and for
    /// `batch_var(v)` that times m/(m − 1).
    pub corrected: bool,
    /// The statistic as the file names or calls it: `mu`, `batch_var(z2, 1)`.
    pub call: String,
}

/// Everything the templates show of the network.
#[derive(Clone, Debug)]
pub struct Network {
    pub params: Vec<Declared>,
    /// How each parameter starts, as Python: `("uniform", -0.5, 0.5)`.
    pub starts: Vec<String>,
    pub inputs: Vec<Declared>,
    pub targets: Vec<Declared>,
    pub constants: Vec<(String, String)>,
    pub running: Vec<Running>,
    /// The arguments of `forward` and of `predict`: `x, y`.
    pub forward_arguments: String,
    pub predict_arguments: String,
    /// Whether `predict` needs the targets (its output reads one).
    pub predict_needs_targets: bool,
    /// The bodies of `forward` and `predict`, indented.
    pub forward: String,
    pub predict: String,
    /// Whether the network has batch statistics (they read the batch size `m`).
    pub statistics: bool,
    /// Whether `forward` reads the batch size `m`.
    pub uses_batch_size: bool,
    /// Whether the code calls `torch.nn.functional` (as `F`): convolution and pooling.
    pub functional: bool,
    /// Parameters the loss does not read (DistributedDataParallel must be told).
    pub unused: Vec<String>,
    /// The prediction: its name (or how it is computed) and its shape's elements.
    pub output: String,
    pub output_size: usize,
    pub classifier: Option<Classifier>,
    pub classes: Option<usize>,
    pub index_target: bool,
    pub columns: Vec<String>,
    pub input_columns: usize,
    /// The columns holding indices, each with how many values its index takes.
    pub index_columns: Vec<(usize, usize)>,
    pub loss: String,
}

/// The network of `model`, with the Rust trainer's `plan` of it.
pub fn network(model: &Model, plan: &Plan, task: &Task) -> Result<Network, GenError> {
    let graph = &model.graph;
    let mut namer = Namer::new();
    let declared = |d: &crate::ir::Declaration, namer: &mut Namer| Declared {
        name: d.name.clone(),
        ident: namer.name(&d.name),
        dims: python_dims(&d.shape.dims()),
        rank: d.shape.rank(),
        index: d.index,
        described: crate::words::Language::English.say(&d.shape.noun()),
        size: d.shape.size(),
    };
    let mut params = Vec::new();
    let mut starts = Vec::new();
    let mut inputs = Vec::new();
    let mut targets = Vec::new();
    let mut constants = Vec::new();
    let mut available: HashMap<NodeId, String> = HashMap::new();
    for d in &model.declarations {
        let entry = declared(d, &mut namer);
        match d.kind {
            DeclKind::Param => {
                available.insert(d.node, format!("self.{}", entry.ident));
                starts.push(start(d));
                params.push(entry);
            }
            DeclKind::Const => {
                available.insert(d.node, format!("self.{}", entry.ident));
                let value = match &d.init {
                    Some(Init::Value(value)) => tensor_literal(value),
                    _ => "torch.tensor(0.0)".to_string(),
                };
                constants.push((entry.ident.clone(), value));
            }
            DeclKind::Input => {
                available.insert(d.node, entry.ident.clone());
                inputs.push(entry);
            }
            DeclKind::Target => {
                available.insert(d.node, entry.ident.clone());
                targets.push(entry);
            }
        }
    }
    // Tensors the file writes out (`[1, -1]`) are buffers, so that they move with the module.
    let forward_len = plan.gradient.forward_len;
    let mut literals = 0;
    for id in graph.ids().take(forward_len) {
        if let Op::Literal(value) = &graph[id].op
            && value.as_scalar().is_none()
        {
            literals += 1;
            let ident = namer.name(&format!("literal_{literals}"));
            available.insert(id, format!("self.{ident}"));
            constants.push((ident, tensor_literal(value)));
        }
    }
    // Named values, the statistics, the loss and an unnamed output get lines of their own.
    let mut variables: HashMap<NodeId, String> = HashMap::new();
    for id in graph.ids().take(forward_len) {
        if let Some(name) = &graph[id].name
            && !matches!(graph[id].op, Op::Var(_))
        {
            variables.insert(id, namer.name(name));
        }
    }
    let mut running = Vec::new();
    for statistic in &plan.statistics {
        let base = statistic.ident.trim_start_matches("running_");
        variables
            .entry(statistic.node)
            .or_insert_with(|| namer.name(base));
        running.push(Running {
            name: statistic.name.clone(),
            ident: namer.name(&statistic.ident),
            dims: python_dims(&graph[statistic.node].shape.dims()),
            start: if statistic.kind.start() == 0.0 {
                "zeros"
            } else {
                "ones"
            },
            corrected: statistic.kind == StatisticKind::Variance,
            call: statistic.call.clone(),
        });
    }
    let loss = model.loss.node;
    variables
        .entry(loss)
        .or_insert_with(|| namer.name(&model.loss.name));
    variables
        .entry(task.output)
        .or_insert_with(|| "output".to_string());

    let available_of = |id: NodeId| available.get(&id).cloned();
    let variable_of = |id: NodeId| variables.get(&id).cloned();
    let mut cx = Context::new(graph, &available_of, &variable_of);
    cx.batch_size = "m".to_string();
    cx.batch_mean = Some("batch_mean({}, m)".to_string());
    cx.functional = "F".to_string();
    let untranslatable = |e: expr::Untranslatable| GenError::Unsupported {
        what: phrase::gen_pytorch_operation(e.operation),
    };
    let forward_lines = expr::statements(&cx, &[loss, task.output]).map_err(untranslatable)?;
    let predict_lines = expr::statements(&cx, &[task.output]).map_err(untranslatable)?;
    let uses_batch_size = model.uses_batch_statistics();

    let per_example = |id: NodeId| graph[id].per_example;
    let each_row = |id: NodeId, name: &str| {
        if per_example(id) {
            name.to_string()
        } else {
            // A value the whole batch shares, once for each row.
            format!("{name}.expand(rows, *{name}.shape)")
        }
    };
    let output_name = variables[&task.output].clone();
    let loss_name = variables[&loss].clone();
    let first_argument = inputs
        .iter()
        .chain(&targets)
        .find(|d| {
            model
                .declarations
                .iter()
                .any(|decl| decl.name == d.name && graph.reachable_from(&[loss])[decl.node.index()])
        })
        .or(inputs.first())
        .or(targets.first())
        .map(|d| d.ident.clone())
        .unwrap_or_default();
    // The number of rows, and of the batch's rows, where the lines read them.
    let opening = |lines: &str| {
        let mut out = String::new();
        if uses_batch_size || lines.contains("rows") {
            out.push_str(&format!("        rows = {first_argument}.shape[0]\n"));
        }
        if uses_batch_size {
            out.push_str("        m = rows if batch is None else batch\n");
        }
        out + lines
    };
    let forward = opening(&format!(
        "{}        return {}, {}\n",
        body(plan, &forward_lines, &running_of(plan, &running)),
        each_row(loss, &loss_name),
        each_row(task.output, &output_name)
    ));
    let predict = opening(&format!(
        "{}        return {}\n",
        body(plan, &predict_lines, &running_of(plan, &running)),
        each_row(task.output, &output_name)
    ));

    let reads_target = {
        let reached = graph.reachable_from(&[task.output]);
        model
            .declarations
            .iter()
            .any(|d| d.kind == DeclKind::Target && reached[d.node.index()])
    };
    let arguments = |with_targets: bool| {
        let mut names: Vec<String> = inputs.iter().map(|d| d.ident.clone()).collect();
        if with_targets {
            names.extend(targets.iter().map(|d| d.ident.clone()));
        }
        if uses_batch_size {
            names.push("batch=None".to_string());
        }
        names.join(", ")
    };
    let reached = graph.reachable_from(&[loss]);
    let unused = params
        .iter()
        .zip(model.declarations_of(DeclKind::Param))
        .filter(|(_, d)| !reached[d.node.index()])
        .map(|(p, _)| p.name.clone())
        .collect();
    Ok(Network {
        forward_arguments: arguments(true),
        predict_arguments: arguments(reads_target),
        predict_needs_targets: reads_target,
        params,
        starts,
        inputs,
        targets,
        constants,
        running,
        forward,
        predict,
        statistics: !plan.statistics.is_empty(),
        uses_batch_size,
        functional: graph.ids().take(forward_len).any(|id| {
            matches!(
                graph[id].op,
                Op::Tensor(TensorOp::Conv(..) | TensorOp::Pool(..))
            )
        }),
        unused,
        output: output_name,
        output_size: graph[task.output].shape.size(),
        classifier: task.classifier,
        classes: task.classes,
        index_target: task.index_target,
        columns: task.columns.clone(),
        input_columns: task.input_columns,
        index_columns: task.index_columns.clone(),
        loss: loss_name,
    })
}

/// Each statistic's node, with its running average.
fn running_of<'r>(plan: &Plan, running: &'r [Running]) -> HashMap<NodeId, &'r Running> {
    plan.statistics
        .iter()
        .zip(running)
        .map(|(s, r)| (s.node, r))
        .collect()
}

/// The lines of a pass: each statement under its formula; a statistic computed over the batch
/// in training (moving its running average) and read from its running average otherwise.
fn body(plan: &Plan, lines: &[Statement], running: &HashMap<NodeId, &Running>) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(&format!("        # {}\n", formula(plan, line)));
        match running.get(&line.node) {
            Some(average) => {
                let value = if average.corrected {
                    format!("{} * (m / (m - 1))", line.variable)
                } else {
                    line.variable.clone()
                };
                out.push_str(&format!(
                    "        if self.training:\n            {} = {}\n            \
                     self.keep_average(self.{}, {value})\n        else:\n            {} = self.{}\n",
                    line.variable, line.expression, average.ident, line.variable, average.ident
                ));
            }
            None => out.push_str(&format!(
                "        {} = {}\n",
                line.variable, line.expression
            )),
        }
    }
    out
}

/// A line's formula in the notation of `nabla derive`: `h = σ(W1 x + b1)`.
fn formula(plan: &Plan, line: &Statement) -> String {
    let graph = plan.graph();
    let rhs = render(&definition(graph, &plan.names, line.node));
    let text = match plan.names.get(line.node) {
        Some(name) if !line.temporary => format!("{} = {rhs}", render(name)),
        _ => format!("{} = {rhs}", line.variable),
    };
    crate::codegen::layout::comment_text(&text)
}

/// How a parameter starts: the file's values, or the draw of its initializer (src/init.rs),
/// its numbers as f64 computes them.
fn start(d: &crate::ir::Declaration) -> String {
    match &d.init {
        Some(Init::Value(value)) => format!("(\"values\", {})", nested(value)),
        Some(Init::Random(initializer)) => match crate::init::draw_of(initializer, d.shape) {
            Draw::Constant(x) => format!("(\"constant\", {})", expr::python_float(x)),
            Draw::Uniform { low, high } => format!(
                "(\"uniform\", {}, {})",
                expr::python_float(low),
                expr::python_float(high)
            ),
            Draw::Normal { mean, std } => format!(
                "(\"normal\", {}, {})",
                expr::python_float(mean),
                expr::python_float(std)
            ),
        },
        _ => "(\"constant\", 0.0)".to_string(),
    }
}

/// An exact tensor as nested Python lists of floats: `[[0.5, -0.4], [0.3, 0.6]]`, `0.5`.
fn nested(value: &crate::tensor::Tensor<num_rational::BigRational>) -> String {
    value
        .nest(
            |x| expr::python_float(crate::exact::to_f64(x)),
            |items| format!("[{}]", items.join(", ")),
        )
        .unwrap_or_else(|| "[]".to_string())
}

fn tensor_literal(value: &crate::tensor::Tensor<num_rational::BigRational>) -> String {
    format!("torch.tensor({})", nested(value))
}

/// A shape as a Python tuple: `(2, 3)`, `(4,)`, `()`.
pub fn python_dims(dims: &[usize]) -> String {
    match dims {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        many => format!(
            "({})",
            many.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
