//! Deciding the generated model code before writing any of it: which nodes of the gradient graph
//! the trainer computes, in which pass, which get a buffer of their own, which are written into
//! the one expression that uses them, and what everything is called.
//!
//! The graph is already in order (operands before the nodes that use them), so each pass is the
//! needed nodes in id order: `predict` (what the output needs), the rest of `forward` (what the
//! loss and the backward pass need), then `backward` (the gradient nodes, and one accumulation
//! into the gradient sum per parameter). A node gets a buffer when a person reading the code
//! would expect one — a value the file or the derivation names, the loss, the output — or when
//! the code needs one: a value used twice, an operand of a kernel (`@`, softmax …), a forward
//! value the backward pass reads. Any other node is elementwise with one user, and is written
//! inline, so `h = σ(W1 x + b1)` is one loop. Inlining never reorders arithmetic: the generated
//! code performs the evaluator's operations in the evaluator's order.
//!
//! Invariant: every node a buffer statement reads is computed by an earlier statement or is a
//! declaration; expressions stay within [`MAX_EXPRESSION`] characters, so generated lines fit
//! rustfmt's width.

use std::collections::HashMap;

use crate::autodiff::Gradient;
use crate::explain::gradients::{GradientDerivation, LineKind};
use crate::ir::{
    Along, Binary, Conv, DeclId, DeclKind, Graph, Model, NodeId, Op, Pool, TensorOp, Unary,
};
use crate::notation::Formula;
use crate::notation::from_graph::{Names, name_formula};
use crate::shape::Shape;

use super::Dtype;
use super::expr::Writer;
use super::families::Family;
use super::names::Namer;

/// The longest inline expression; longer ones get a buffer for one of their parts.
pub const MAX_EXPRESSION: usize = 56;

/// Where the trainer keeps a node's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Storage {
    /// Not needed by anything the trainer computes.
    Unused,
    /// A declaration's value: read from the example (`e.x`), the parameters (`p.w1`) or a
    /// constant (`B1`). The string is that path.
    Declared(String),
    /// A scalar literal, written in place.
    Number,
    /// A literal tensor: a constant array of this name.
    ConstArray(String),
    /// Written into the expression of the one node that uses it.
    Inline,
    /// `Wᵀ` used only as `Wᵀ v`: a kernel reads `W` transposed, nothing is stored.
    TransposedView,
    /// A value of its own: a field of `Forward` (`f.h`) or `Backward` (`b.delta_o`).
    Buffer(String),
}

/// One statement of the backward pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Compute a node into its buffer.
    Compute(NodeId),
    /// Add a parameter's gradient (index into [`Plan::params`]) to the batch's sum.
    Accumulate(usize),
}

/// A declaration the trainer stores: an input or target (a field of `Example`), a parameter (a
/// field of `Params`), a constant.
#[derive(Clone, Debug)]
pub struct Declared {
    pub decl: DeclId,
    /// The name in the file.
    pub name: String,
    /// The Rust identifier: a field, or an UPPER_CASE constant.
    pub ident: String,
    pub shape: Shape,
    /// Whether anything the trainer computes reads it.
    pub used: bool,
}

/// A parameter, with the node holding its gradient.
#[derive(Clone, Debug)]
pub struct Param {
    pub declared: Declared,
    pub gradient: NodeId,
    /// The constant holding its starting value, when the file gives one for a tensor.
    pub start: Option<String>,
}

pub struct Plan {
    pub gradient: Gradient,
    pub storage: Vec<Storage>,
    /// The notation's names of nodes, for the formulas in comments.
    pub names: Names,
    /// Nodes whose name in comments is a derivation's line (`δo`, `∂E/∂W2`), with that line.
    pub lines: HashMap<NodeId, Formula>,
    pub inputs: Vec<Declared>,
    pub targets: Vec<Declared>,
    pub params: Vec<Param>,
    pub constants: Vec<Declared>,
    /// Literal tensors, in the order of their constant arrays.
    pub arrays: Vec<NodeId>,
    pub loss: NodeId,
    pub output: NodeId,
    /// Buffers `predict` computes, in order.
    pub predict: Vec<NodeId>,
    /// Further buffers `forward` computes after calling `predict`.
    pub forward: Vec<NodeId>,
    pub backward: Vec<Step>,
    pub dtype: Dtype,
    /// Whether each node varies from example to example (it depends on an input or a target):
    /// such a value has a row per example of a batch. The others (parameters, constants and what
    /// depends on nothing else) are the same for every row and are stored once.
    pub varying: Vec<bool>,
    /// Parameter matrices kept transposed as well, once per step, because a product `W x` reads
    /// `Wᵀ` row by row faster than `W` (see [`transpose_for_product`]).
    pub transposed: Vec<Transposed>,
    /// For each parameter, whether it is stored transposed: a matrix used only in products
    /// `W x`, whose gradient is `δ xᵀ`, is kept as `Wᵀ` itself, so that no copy is made a step.
    pub stored_transposed: Vec<bool>,
    /// In the model of one thread of a step cut by units (see [`super::units`]): the product
    /// whose partial sums the threads swap, right after computing it.
    pub exchange: Option<NodeId>,
    /// The batch statistics the output reads, each with the running average that stands for it
    /// outside training (see [`statistics`]).
    pub statistics: Vec<Statistic>,
    /// Scalars numbered in a row kept in one array each, in a network with long passes (see
    /// [`super::families`]).
    pub families: Vec<Family>,
    /// Max pooling whose gradient the trainer computes: the pooling node, the mask of its first
    /// maxima the backward pass reads, and the field of `Forward` (`f.p_at`) where the forward
    /// pass keeps the position of each window's first maximum.
    pub positions: Vec<Positions>,
    /// Products of a max pooling's mask with the gradient spread over its windows, which the
    /// trainer routes to the kept positions instead (see [`Route`]).
    pub routes: Vec<Route>,
}

/// A product `argmax_mask(a, k) ⊙ upsample(g, k) ⊙ f₁ ⊙ … ⊙ fₙ` (multiplied from the left) with a
/// buffer of its own. The mask is 1 at each window's first maximum and 0 elsewhere, so the
/// product is 0 except at those positions, where it is `g`'s element of the window times the
/// factors there: the trainer writes zeros, then only those elements, at the positions the
/// forward pass kept, in the same order of multiplication (1·g is g). The mask is not computed
/// when nothing else reads it.
#[derive(Clone, Debug)]
pub struct Route {
    pub product: NodeId,
    /// Index into [`Plan::positions`]: the max pooling and the mask.
    pub positions: usize,
    /// The window size, k.
    pub window: usize,
    /// `g`, the gradient of the pooled value.
    pub gradient: NodeId,
    /// The further factors, `f₁ … fₙ`, in order.
    pub factors: Vec<NodeId>,
    /// The product of the mask and the spread gradient itself (the product, when no factor
    /// follows).
    pub spread: NodeId,
}

/// Where the forward pass keeps the first maximum of each window of a max pooling.
#[derive(Clone, Debug)]
pub struct Positions {
    pub pool: NodeId,
    pub mask: NodeId,
    pub path: String,
}

/// A batch statistic of the forward pass: computed over each training batch, and replaced by
/// its running average when the trainer evaluates or predicts (PyTorch's `BatchNorm1d` rule).
#[derive(Clone, Debug)]
pub struct Statistic {
    pub node: NodeId,
    pub kind: StatisticKind,
    /// The statistic as the file names it, or else calls it: `mu`, `batch_var(z2, 1)`.
    pub call: String,
    /// How the weights file names its running average: `running mu`, `running batch_var(z)`.
    /// (A parameter's name is one word, so it never clashes.)
    pub name: String,
    /// The field of `Params` holding the running average: `running_mu`.
    pub ident: String,
}

/// What a batch statistic is, which decides where its running average starts and what the
/// batch adds to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatisticKind {
    /// `batch_mean(v)`, or any other mean over the batch: starts at 0.
    Mean,
    /// `batch_var(v)`, which divides by m: starts at 1, and each batch adds its variance with
    /// m − 1 (as PyTorch's running variance).
    Variance,
    /// `batch_var(v, 1)`, which divides by m − 1 already: starts at 1.
    SampleVariance,
}

impl StatisticKind {
    /// The running average's starting value.
    pub fn start(self) -> f64 {
        match self {
            StatisticKind::Mean => 0.0,
            StatisticKind::Variance | StatisticKind::SampleVariance => 1.0,
        }
    }
}

/// A parameter matrix that the forward pass copies transposed.
#[derive(Clone, Debug)]
pub struct Transposed {
    /// Index into [`Plan::params`].
    pub param: usize,
    /// The field of the generated `Forward` struct: `w2t`.
    pub ident: String,
}

impl Plan {
    pub fn graph(&self) -> &Graph {
        &self.gradient.graph
    }

    /// The Rust path of a stored node (`f.h`, `p.w1`, `B1`), if it has one.
    pub fn path(&self, node: NodeId) -> Option<&str> {
        match &self.storage[node.index()] {
            Storage::Declared(path) | Storage::ConstArray(path) | Storage::Buffer(path) => {
                Some(path)
            }
            _ => None,
        }
    }

    /// Whether the network has [`super::LARGE_NETWORK`] parameters or more: then the trainer's
    /// step is shared by its threads, row by row of each parameter (see `ROW_PRODUCTS` and
    /// `INPUT_PRODUCTS` in the generated `model.rs`). Never for the model of one thread of a step
    /// cut by units, whose thread takes its whole step alone.
    pub fn is_large(&self) -> bool {
        let parameters: usize = self.params.iter().map(|p| p.declared.shape.size()).sum();
        parameters >= super::LARGE_NETWORK && self.exchange.is_none() && !self.one_thread()
    }

    /// Whether the step must see its whole batch on one thread: a batch statistic looks across
    /// every row, and rows picked by an index are added into by any example.
    pub fn one_thread(&self) -> bool {
        self.graph().nodes().iter().any(|n| {
            matches!(
                n.op,
                Op::Unary(Unary::BatchMean, _) | Op::BatchSize | Op::Binary(Binary::Pick, ..)
            )
        })
    }

    /// Whether a node has a row per example of a batch.
    pub fn is_varying(&self, node: NodeId) -> bool {
        self.varying[node.index()]
    }

    /// Whether a node is a parameter stored transposed (its field holds `Wᵀ`).
    pub fn is_stored_transposed(&self, node: NodeId) -> bool {
        self.params
            .iter()
            .zip(&self.stored_transposed)
            .any(|(p, &t)| {
                t && self.storage[node.index()]
                    == Storage::Declared(format!("p.{}", p.declared.ident))
            })
    }

    /// The transposed copy of a parameter's node (`f.w2t`, made at the start of the forward
    /// pass), if the trainer keeps one.
    pub fn transposed_path(&self, node: NodeId) -> Option<String> {
        self.transposed.iter().find_map(|t| {
            let declared = &self.params[t.param].declared;
            (self.storage[node.index()] == Storage::Declared(format!("p.{}", declared.ident)))
                .then(|| format!("f.{}", t.ident))
        })
    }

    /// Whether a node is computed by `forward`/`predict` (else by `backward`).
    pub fn in_forward(&self, node: NodeId) -> bool {
        node.index() < self.gradient.forward_len
    }

    /// Whether the output's value depends on a target, so that predicting needs target columns.
    pub fn output_needs_targets(&self) -> bool {
        let graph = self.graph();
        let reached = graph.reachable_from(&[self.output]);
        self.targets
            .iter()
            .any(|t| reached[self.declaration_node(t.decl).index()])
    }

    fn declaration_node(&self, decl: DeclId) -> NodeId {
        self.graph()
            .ids()
            .find(|&id| self.graph()[id].op == Op::Var(decl))
            .unwrap_or(self.loss)
    }
}

/// The terms of a gradient that adds values into the rows (or elements) indices picked — a sum
/// of `onehot(i) vᵀ` (or of `onehot(i)·s` for a vector) — each as (the index, the value, its
/// row of the sum); `None` for any other gradient.
pub fn scatter_terms(graph: &Graph, node: NodeId) -> Option<Vec<(NodeId, NodeId)>> {
    let mut terms = Vec::new();
    let mut pending = vec![node];
    while let Some(id) = pending.pop() {
        match graph[id].op {
            Op::Binary(Binary::Add, a, b) => {
                pending.push(b);
                pending.push(a);
            }
            Op::Binary(Binary::Outer, hot, v) | Op::Binary(Binary::Mul, hot, v)
                if matches!(graph[hot].op, Op::OneHot(..))
                    && (graph[v].shape.is_scalar()
                        || matches!(graph[id].op, Op::Binary(Binary::Outer, ..))) =>
            {
                let Op::OneHot(index, _) = graph[hot].op else {
                    return None;
                };
                terms.push((index, v));
            }
            _ => return None,
        }
    }
    Some(terms)
}

/// The nodes of a scattered gradient written by its accumulation: the sums, the products with
/// the one-hot vectors, and those vectors.
fn scatter_nodes(graph: &Graph, node: NodeId) -> Vec<NodeId> {
    let mut nodes = Vec::new();
    let mut pending = vec![node];
    while let Some(id) = pending.pop() {
        match graph[id].op {
            Op::Binary(Binary::Add, a, b) => {
                nodes.push(id);
                pending.push(a);
                pending.push(b);
            }
            Op::Binary(Binary::Outer | Binary::Mul, hot, _) => nodes.extend([id, hot]),
            _ => {}
        }
    }
    nodes
}

/// Whether an operation works element by element (a scalar operand standing for every element),
/// so that it can be written inline in a loop over its result.
pub fn is_elementwise(op: &Op) -> bool {
    match op {
        Op::Unary(f, _) => f.is_elementwise(),
        Op::Binary(b, ..) => !matches!(b, Binary::MatMul | Binary::Outer | Binary::Concat),
        Op::Pow(..) | Op::Broadcast(..) | Op::OneHot(..) | Op::Slice(..) | Op::BatchSize => true,
        // A value spread along an axis, or over pooling windows: each element one of its own.
        Op::Tensor(TensorOp::Expand(..) | TensorOp::Upsample(..)) => true,
        Op::Var(_) | Op::Literal(_) | Op::Tensor(_) => false,
    }
}

/// Whether `op` reads operand number `position` from memory (a kernel's slice argument).
fn needs_stored_operand(op: &Op) -> bool {
    matches!(
        op,
        Op::Binary(Binary::MatMul | Binary::Outer, ..)
            | Op::Unary(Unary::Softmax | Unary::LogSoftmax | Unary::Transpose, _)
    ) || matches!(op, Op::Tensor(t) if !is_elementwise(op) && !matches!(t, TensorOp::Along(Along::Sum, ..)))
}

/// The plan of `model`'s trainer; with `exchange`, of the model one thread of a step cut by
/// units computes, which swaps the partial sums of that product (see [`super::units`]).
pub fn plan(
    model: &Model,
    gradient: Gradient,
    derivation: &GradientDerivation,
    (output, exchange): (NodeId, Option<NodeId>),
    dtype: Dtype,
) -> Plan {
    let graph = &gradient.graph;
    let loss = model.loss.node;
    let mut namer = Namer::new();

    // What the trainer computes: the loss, the output, and every parameter's gradient.
    let mut roots = vec![loss, output];
    roots.extend(
        gradient
            .wrt
            .iter()
            .map(|(_, g)| *g)
            .filter(|&g| !is_zero(graph, g)),
    );
    let needed = graph.reachable_from(&roots);

    let declared = |kind: DeclKind, namer: &mut Namer| -> Vec<Declared> {
        model
            .declarations
            .iter()
            .enumerate()
            .filter(|(_, d)| d.kind == kind)
            .map(|(i, d)| Declared {
                decl: DeclId(i as u32),
                name: d.name.clone(),
                ident: if kind == DeclKind::Const {
                    namer.constant(&d.name)
                } else {
                    namer.field(&d.name)
                },
                shape: d.shape,
                used: needed[d.node.index()],
            })
            .collect()
    };
    let params = declared(DeclKind::Param, &mut namer);
    let inputs = declared(DeclKind::Input, &mut namer);
    let targets = declared(DeclKind::Target, &mut namer);
    let constants: Vec<Declared> = declared(DeclKind::Const, &mut namer)
        .into_iter()
        .filter(|c| c.used)
        .collect();

    let varying = varying(model, graph);
    let statistics = statistics(graph, gradient.forward_len, &[loss, output]);
    let mut storage = vec![Storage::Unused; graph.len()];
    for (prefix, list) in [("e.", &inputs), ("e.", &targets), ("p.", &params)] {
        for d in list.iter() {
            let node = model.declaration(d.decl).node;
            storage[node.index()] = Storage::Declared(format!("{prefix}{}", d.ident));
        }
    }
    for c in &constants {
        let node = model.declaration(c.decl).node;
        storage[node.index()] = Storage::Declared(c.ident.clone());
    }

    // Who uses each needed node: the nodes that take it as an operand, and the accumulation of
    // a parameter's gradient (`None`).
    let mut users: Vec<Vec<Option<NodeId>>> = vec![Vec::new(); graph.len()];
    for id in graph.ids() {
        if needed[id.index()] {
            for operand in graph[id].op.operands() {
                users[operand.index()].push(Some(id));
            }
        }
    }
    for (_, g) in &gradient.wrt {
        if needed[g.index()] {
            users[g.index()].push(None);
        }
    }

    // The notation's names: declarations, named values, and the derivation's lines.
    let mut names = Names::default();
    for d in &model.declarations {
        names.insert(d.node, name_formula(&d.name));
    }
    for id in graph.ids().take(gradient.forward_len) {
        if let Some(name) = &graph[id].name {
            names.insert(id, name_formula(name));
        }
    }
    let mut lines = HashMap::new();
    let mut gradient_lines = Vec::new();
    let mut line_idents: HashMap<NodeId, String> = HashMap::new();
    // Error signals and named values first: a parameter's gradient that equals δo is δo.
    let mut ordered: Vec<_> = derivation.lines.iter().collect();
    ordered.sort_by_key(|l| matches!(l.kind, LineKind::Gradient { .. }));
    for line in ordered {
        if line.node.index() < gradient.forward_len || lines.contains_key(&line.node) {
            continue;
        }
        names.insert(line.node, line.lhs.clone());
        lines.insert(line.node, line.lhs.clone());
        let base = match &line.kind {
            LineKind::ErrorSignal { layer } => format!("delta_{layer}"),
            LineKind::Value { name } | LineKind::Compact { name } => format!("d_{name}"),
            LineKind::Gradient { name } => {
                gradient_lines.push(line.node);
                format!("grad_{name}")
            }
        };
        line_idents.insert(line.node, base);
    }

    // An unnamed statistic is called in comments as the file calls it, `batch_var(z2, 1)`, and
    // so is its gradient, ∂L/∂batch_var(z2, 1): written out in every value computed from them,
    // their formulas would bury those values. Both get buffers, named as the running average
    // (`var_z2`, `d_var_z2`).
    let statistics: Vec<Statistic> = statistics
        .into_iter()
        .map(|(node, kind)| describe_statistic(graph, &names, node, kind, &mut namer))
        .collect();
    let mut statistic_values = Vec::new();
    for statistic in &statistics {
        statistic_values.push(statistic.node);
        if graph[statistic.node].name.is_some() {
            continue;
        }
        let base = statistic.ident.trim_start_matches("running_").to_string();
        let call = name_formula(&statistic.call);
        if let Some(Some(adjoint)) = gradient.adjoints.get(statistic.node.index())
            && names.get(*adjoint).is_none()
        {
            names.insert(
                *adjoint,
                Formula::partial(name_formula(&model.loss.name), call.clone()),
            );
            line_idents.insert(*adjoint, format!("d_{base}"));
            statistic_values.push(*adjoint);
        }
        names.insert(statistic.node, call);
        line_idents.insert(statistic.node, base);
    }

    let is_root = |id: NodeId| id == loss || id == output;
    // A gradient that adds into the rows indices picked is written by its accumulation alone.
    let scattered: Vec<NodeId> = gradient
        .wrt
        .iter()
        .filter_map(|(_, g)| scatter_terms(graph, *g).map(|_| *g))
        .flat_map(|g| scatter_nodes(graph, g))
        .collect();
    let mut arrays = Vec::new();
    for id in graph.ids() {
        let index = id.index();
        if !needed[index] || storage[index] != Storage::Unused {
            continue;
        }
        if scattered.contains(&id) {
            storage[index] = Storage::Inline;
            continue;
        }
        // A join inside a join is written by the outer one.
        if let Op::Binary(Binary::Concat, ..) = graph[id].op
            && graph[id].name.is_none()
            && let [Some(user)] = users[index].as_slice()
            && matches!(graph[*user].op, Op::Binary(Binary::Concat, ..))
            && (index < gradient.forward_len) == (user.index() < gradient.forward_len)
        {
            storage[index] = Storage::Inline;
            continue;
        }
        let node = &graph[id];
        storage[index] = match &node.op {
            // Every declaration the trainer reads has its place already.
            Op::Var(_) => Storage::Unused,
            Op::Literal(value) if value.as_scalar().is_some() => Storage::Number,
            Op::Literal(_) => {
                arrays.push(id);
                Storage::ConstArray(namer.constant(&format!("array_{}", arrays.len())))
            }
            op => {
                // A parameter's gradient line (`∂E/∂W2 = δo hᵀ`) needs no buffer of its own: the
                // accumulation into the sum is its statement.
                let named = (index < gradient.forward_len && node.name.is_some())
                    || (lines.contains_key(&id) && !gradient_lines.contains(&id))
                    || is_root(id)
                    || statistic_values.contains(&id);
                let single = match users[index].as_slice() {
                    [only] => Some(*only),
                    _ => None,
                };
                let inline = match single {
                    // Only the accumulation uses it: written into that statement.
                    Some(None) => true,
                    Some(Some(user)) => {
                        let same_pass =
                            (index < gradient.forward_len) == (user.index() < gradient.forward_len);
                        let user_op = &graph[user].op;
                        let transposed_view = matches!(op, Op::Unary(Unary::Transpose, _))
                            && matches!(user_op, Op::Binary(Binary::MatMul, a, b)
                                if *a == id && graph[*b].shape.rank() == 1 && *b != id);
                        if transposed_view && same_pass && !named {
                            storage[index] = Storage::TransposedView;
                            continue;
                        }
                        // A scattered gradient's terms read their values element by element.
                        same_pass && (!needs_stored_operand(user_op) || scattered.contains(&user))
                    }
                    None => false,
                };
                if inline && !named && is_elementwise(op) {
                    Storage::Inline
                } else if inline
                    && !named
                    && matches!(op, Op::Binary(Binary::Outer, ..))
                    && single == Some(None)
                {
                    // A parameter's gradient `δ xᵀ`: added to the sum by an outer-product kernel.
                    Storage::Inline
                } else if inline
                    && !named
                    && matches!(op, Op::Tensor(TensorOp::Conv(Conv::Kernel { .. }, ..)))
                    && single == Some(None)
                {
                    // A kernel's gradient: each example's correlation added to the sum at once.
                    Storage::Inline
                } else if inline
                    && !named
                    && single.flatten().is_some_and(|user| {
                        // A gradient `h δx̂ᵀ + δh xᵀ` (a matrix used twice): both products are
                        // summed by one kernel, not stored as a matrix for every example.
                        let outer = |n: NodeId| {
                            matches!(graph[n].op, Op::Binary(Binary::Outer, u, v)
                                if varying[u.index()] && varying[v.index()])
                        };
                        matches!(graph[user].op, Op::Binary(Binary::Add, x, y)
                            if outer(x) && outer(y) && users[user.index()].as_slice() == [None])
                    })
                {
                    Storage::Inline
                } else {
                    Storage::Buffer(String::new())
                }
            }
        };
    }

    let params = params
        .into_iter()
        .map(|declared| Param {
            gradient: gradient.of(declared.decl).unwrap_or(loss),
            start: match &model.declaration(declared.decl).init {
                Some(crate::ir::Init::Value(_)) if !declared.shape.is_scalar() => {
                    Some(namer.constant(&format!("{}_start", declared.name)))
                }
                _ => None,
            },
            declared,
        })
        .collect();
    let mut plan = Plan {
        gradient,
        storage,
        names,
        lines,
        inputs,
        targets,
        params,
        constants,
        arrays,
        loss,
        output,
        predict: Vec::new(),
        forward: Vec::new(),
        backward: Vec::new(),
        dtype,
        varying,
        transposed: Vec::new(),
        stored_transposed: Vec::new(),
        exchange,
        statistics,
        families: Vec::new(),
        positions: Vec::new(),
        routes: Vec::new(),
    };
    let mut net_inputs = HashMap::new();
    for id in plan.graph().ids().take(plan.gradient.forward_len) {
        let node = &plan.graph()[id];
        if let (Some(name), Op::Unary(f, net)) = (&node.name, &node.op)
            && crate::explain::gradients::is_activation(*f)
            && plan.graph()[*net].name.is_none()
        {
            net_inputs
                .entry(*net)
                .or_insert_with(|| format!("z_{name}"));
        }
    }
    let mut naming = Naming {
        namer,
        line_idents,
        net_inputs,
        temporaries: 0,
    };
    name_buffers(&mut plan, model, &mut naming);
    fit_expressions(&mut plan, model, &mut naming);
    order(&mut plan);
    choose_transposed(&mut plan, &mut naming.namer);
    super::families::gather(&mut plan, &mut naming.namer);
    plan.positions = positions(&plan, &mut naming.namer);
    route(&mut plan);
    plan
}

/// Finds the products routed through a max pooling's first maxima (see [`Route`]), and drops
/// each mask nothing else reads: its buffer and its statement.
fn route(plan: &mut Plan) {
    let graph = plan.graph();
    let routes: Vec<Route> = graph
        .ids()
        .filter(|&id| matches!(plan.storage[id.index()], Storage::Buffer(_)))
        .filter_map(|id| routed_product(plan, id))
        .collect();
    let mut dropped = Vec::new();
    for positions in &plan.positions {
        let mask = positions.mask;
        let read_elsewhere = graph.ids().any(|user| {
            plan.storage[user.index()] != Storage::Unused
                && graph[user].op.operands().any(|operand| operand == mask)
                && !routes.iter().any(|route| route.spread == user)
        });
        if !read_elsewhere
            && routes
                .iter()
                .any(|route| plan.positions[route.positions].mask == mask)
        {
            dropped.push(mask);
        }
    }
    for mask in dropped {
        plan.storage[mask.index()] = Storage::Unused;
        plan.backward.retain(|step| *step != Step::Compute(mask));
        plan.forward.retain(|&id| id != mask);
    }
    plan.routes = routes;
}

/// The route of the stored product `id`, if it is one: its left operands, through inline
/// products, down to the mask times the spread gradient (in either order).
fn routed_product(plan: &Plan, id: NodeId) -> Option<Route> {
    let graph = plan.graph();
    if graph[id].shape.rank() < 2 {
        return None;
    }
    let mut factors = Vec::new();
    let mut node = id;
    loop {
        let Op::Binary(Binary::Mul, a, b) = graph[node].op else {
            return None;
        };
        for (mask, spread) in [(a, b), (b, a)] {
            let positions = plan.positions.iter().position(|p| p.mask == mask);
            if let (Some(positions), Op::Tensor(TensorOp::Upsample(gradient, window))) =
                (positions, &graph[spread].op)
                && plan.storage[spread.index()] == Storage::Inline
                && *window > 1
                && matches!(graph[mask].op,
                    Op::Tensor(TensorOp::Pool(Pool::ArgMax, _, k)) if k == *window)
            {
                factors.reverse();
                return Some(Route {
                    product: id,
                    positions,
                    window: *window,
                    gradient: *gradient,
                    factors,
                    spread: node,
                });
            }
        }
        if plan.storage[a.index()] != Storage::Inline || graph[a].shape != graph[id].shape {
            return None;
        }
        factors.push(b);
        node = a;
    }
}

/// The max poolings whose masks of first maxima the backward pass reads: the forward pass keeps
/// each window's position beside the pooled value (`p_at` beside `p`).
fn positions(plan: &Plan, namer: &mut Namer) -> Vec<Positions> {
    let graph = plan.graph();
    let mut found = Vec::new();
    for mask in graph.ids() {
        let Op::Tensor(TensorOp::Pool(Pool::ArgMax, a, k)) = graph[mask].op else {
            continue;
        };
        if plan.storage[mask.index()] == Storage::Unused {
            continue;
        }
        let pool = graph
            .ids()
            .find(|&id| graph[id].op == Op::Tensor(TensorOp::Pool(Pool::Max, a, k)));
        if let Some(pool) = pool
            && let Storage::Buffer(path) = &plan.storage[pool.index()]
        {
            let (owner, ident) = path.split_once('.').unwrap_or(("f", path));
            found.push(Positions {
                pool,
                mask,
                path: format!("{owner}.{}", namer.field(&format!("{ident}_at"))),
            });
        }
    }
    found
}

/// Elements of one 512-bit vector register of the trainer's number type.
pub fn lanes(dtype: Dtype) -> usize {
    match dtype {
        Dtype::F32 => 16,
        Dtype::F64 => 8,
    }
}

/// Whether the product `W x` of an `[m, k]` parameter and each row's `x` should read a copy of
/// `Wᵀ` made at the start of the forward pass. From `Wᵀ`, the kernel computes a vector of
/// outputs at once, each sum in the evaluator's order; from `W` itself, an f32 trainer computes
/// each output as a dot product cut into vector-wide partial sums, added up at the end, and an
/// f64 trainer each sum in order, one output at a time (so that its sums are the evaluator's).
/// The copy pays when there are at least two vectors of outputs and it is small (at most 64k
/// elements): copying `W` costs `m·k` moves a step, and a large matrix's copy costs more than
/// the faster product saves. With fewer outputs (XOR's 2 and 1) the product is a few dot
/// products, and the code a learner reads says `W x`. Not in an f32 network of
/// [`super::LARGE_NETWORK`] parameters or more (`large`): there every thread's passes would read
/// what the others' update wrote (mnist-size without `W2ᵀ`: 161.6 → 168.5 and 157.3 → 161.6
/// GFLOP/s in the loop, eight runs each, side by side).
pub fn transpose_for_product(m: usize, k: usize, dtype: Dtype, large: bool) -> bool {
    let wide = m >= 2 * lanes(dtype) && m * k <= 65_536;
    match dtype {
        Dtype::F64 => wide,
        Dtype::F32 => wide && !large,
    }
}

/// Whether a parameter used only in products `W x` (with gradient `δ xᵀ`) is better stored as
/// `Wᵀ`: when there are at least two vectors of outputs (it then costs nothing a step, so the
/// size limit of a copy does not apply).
pub fn store_transposed(m: usize, dtype: Dtype) -> bool {
    m >= 2 * lanes(dtype)
}

/// Picks the parameters stored transposed, and those whose products `W x` read a transposed
/// copy.
fn choose_transposed(plan: &mut Plan, namer: &mut Namer) {
    let graph = plan.graph();
    // Who reads each node the trainer computes.
    let mut users: Vec<Vec<NodeId>> = vec![Vec::new(); graph.len()];
    for id in graph.ids() {
        if plan.storage[id.index()] != Storage::Unused {
            for operand in graph[id].op.operands() {
                users[operand.index()].push(id);
            }
        }
    }
    let node_of = |param: &Param| {
        graph.ids().find(|&id| {
            plan.storage[id.index()] == Storage::Declared(format!("p.{}", param.declared.ident))
        })
    };
    let stored_transposed: Vec<bool> = plan
        .params
        .iter()
        .map(|param| {
            let Shape::Matrix(m, _) = param.declared.shape else {
                return false;
            };
            let Some(node) = node_of(param) else {
                return false;
            };
            let only_products = !users[node.index()].is_empty()
                && users[node.index()].iter().all(|&user| {
                    matches!(plan.storage[user.index()], Storage::Buffer(_))
                        && matches!(graph[user].op, Op::Binary(Binary::MatMul, a, b)
                            if a == node && graph[b].shape.rank() == 1 && plan.varying[b.index()])
                });
            let outer_gradient = plan.storage[param.gradient.index()] == Storage::Inline
                && matches!(graph[param.gradient].op, Op::Binary(Binary::Outer, u, v)
                    if plan.varying[u.index()] && plan.varying[v.index()]);
            only_products && outer_gradient && store_transposed(m, plan.dtype)
        })
        .collect();
    let large = plan.is_large();
    let mut chosen: Vec<usize> = Vec::new();
    for id in graph.ids() {
        if !matches!(plan.storage[id.index()], Storage::Buffer(_)) {
            continue;
        }
        let Op::Binary(Binary::MatMul, a, b) = graph[id].op else {
            continue;
        };
        let Shape::Matrix(m, k) = graph[a].shape else {
            continue;
        };
        if graph[b].shape.rank() != 1 || !plan.varying[b.index()] || plan.varying[a.index()] {
            continue;
        }
        let param = plan.params.iter().position(|p| {
            plan.storage[a.index()] == Storage::Declared(format!("p.{}", p.declared.ident))
        });
        if let Some(param) = param
            && transpose_for_product(m, k, plan.dtype, large)
            && !stored_transposed[param]
            && !chosen.contains(&param)
        {
            chosen.push(param);
        }
    }
    chosen.sort_unstable();
    plan.stored_transposed = stored_transposed;
    plan.transposed = chosen
        .into_iter()
        .map(|param| Transposed {
            param,
            ident: namer.field(&format!("{}t", plan.params[param].declared.ident)),
        })
        .collect();
}

/// Gives a buffer to a part of any expression longer than [`MAX_EXPRESSION`]: the longest
/// inline operand, until every expression fits.
fn fit_expressions(plan: &mut Plan, model: &Model, naming: &mut Naming) {
    // A split changes no expression of a node before the part split off (a node's operands come
    // before it), which may itself be too long now: each scan goes on from that part.
    let mut from = 0;
    loop {
        let mut split = None;
        let writer = Writer::new(plan);
        for id in plan.graph().ids().skip(from) {
            let (text, parts) = match written_expression(plan, &writer, id) {
                Some(written) => written,
                None => continue,
            };
            if text.chars().count() <= expression_limit(plan, id) {
                continue;
            }
            let longest = parts
                .into_iter()
                .max_by_key(|o| writer.definition(*o, "[i]").text.chars().count());
            if let Some(part) = longest {
                split = Some(part);
                from = part.index();
                break;
            }
        }
        match split {
            Some(operand) => {
                plan.storage[operand.index()] = Storage::Buffer(String::new());
                name_buffers(plan, model, naming);
            }
            None => return,
        }
    }
}

/// The longest expression of a statement for `id`, measured as [`written_expression`] writes
/// it. An element of a tensor is written with its own index (`[c][i][j]`) in loops nested
/// deeper, where a statement too long for its line continues after the `=`: that line keeps
/// at most 70 characters for it.
fn expression_limit(plan: &Plan, id: NodeId) -> usize {
    if plan.graph()[id].shape.rank() > 2 {
        70
    } else {
        MAX_EXPRESSION
    }
}

/// The element index an expression for `id` is measured with: `[i]`, or a tensor's own.
fn measured_index(plan: &Plan, id: NodeId) -> String {
    if plan.graph()[id].shape.rank() > 2 {
        super::emit::element_loops(plan.graph()[id].shape).1
    } else {
        "[i]".to_string()
    }
}

/// The element expression a statement writes for `id`, with the inline nodes that could be
/// given a buffer to shorten it.
fn written_expression(plan: &Plan, writer: &Writer, id: NodeId) -> Option<(String, Vec<NodeId>)> {
    let op = &plan.graph()[id].op;
    let index = measured_index(plan, id);
    let index = index.as_str();
    let inline = |o: &NodeId| plan.storage[o.index()] == Storage::Inline;
    match (&plan.storage[id.index()], op) {
        (Storage::Buffer(_), Op::Unary(Unary::Sum | Unary::Mean | Unary::BatchMean, a)) => Some((
            writer.element(*a, index).text,
            [*a].into_iter().filter(inline).collect(),
        )),
        (Storage::Buffer(_), op) if is_elementwise(op) => Some((
            writer.definition(id, index).text,
            op.operands().filter(inline).collect(),
        )),
        // A gradient scattered into rows is written by its accumulation, term by term.
        (Storage::Inline, _) if scatter_terms(plan.graph(), id).is_some() => None,
        (Storage::Inline, op)
            if is_elementwise(op) && plan.params.iter().any(|p| p.gradient == id) =>
        {
            Some((
                writer.definition(id, index).text,
                op.operands().filter(inline).collect(),
            ))
        }
        _ => None,
    }
}

/// What naming buffers needs between calls: buffers are named once at first, then again each
/// time fitting an expression gives a part a buffer of its own.
struct Naming {
    namer: Namer,
    /// The derivation's lines' names (`delta_o`), by node.
    line_idents: HashMap<NodeId, String>,
    /// `z_h` for the net input of the named layer `h = σ(z)`.
    net_inputs: HashMap<NodeId, String>,
    temporaries: usize,
}

/// Names every buffer not named yet: a value the file names by that name, a derivation's line
/// by its symbol (`delta_o` for δo), others by what they hold (see [`descriptive_name`]) or
/// else `t1`, `t2` …
fn name_buffers(plan: &mut Plan, model: &Model, naming: &mut Naming) {
    let graph = plan.graph();
    let forward_len = plan.gradient.forward_len;
    let unnamed =
        |plan: &Plan, id: NodeId| plan.storage[id.index()] == Storage::Buffer(String::new());
    // Names from the file and the derivation first, so a temporary never takes one of them.
    let mut idents: HashMap<NodeId, String> = HashMap::new();
    for id in graph.ids() {
        if !unnamed(plan, id) {
            continue;
        }
        let base = match &graph[id].name {
            Some(name) if id.index() < forward_len => Some(name.clone()),
            _ if id == model.loss.node => Some(model.loss.name.clone()),
            _ => naming.line_idents.get(&id).cloned(),
        };
        if let Some(base) = base {
            idents.insert(id, naming.namer.field(&base));
        }
    }
    for id in graph.ids() {
        if !unnamed(plan, id) || idents.contains_key(&id) {
            continue;
        }
        let ident = match descriptive_name(graph, plan, id, &idents, &naming.net_inputs) {
            Some(name) => naming.namer.field(&name),
            None => {
                naming.temporaries += 1;
                naming.namer.field(&format!("t{}", naming.temporaries))
            }
        };
        idents.insert(id, ident);
    }
    for (id, ident) in idents {
        let owner = if id.index() < forward_len { "f" } else { "b" };
        plan.storage[id.index()] = Storage::Buffer(format!("{owner}.{ident}"));
    }
}

/// A name that says what an unnamed buffer holds, from its operands' names: `w1_x` for `W1 x`,
/// `w2t_delta_o` for `W2ᵀ δo`, `z_h` for the net input of layer `h`, `o_minus_y`, `sum_y`.
/// `None` when the operands have no short names, or the name would be too long.
fn descriptive_name(
    graph: &Graph,
    plan: &Plan,
    id: NodeId,
    idents: &HashMap<NodeId, String>,
    net_inputs: &HashMap<NodeId, String>,
) -> Option<String> {
    if let Some(name) = net_inputs.get(&id) {
        return Some(name.clone());
    }
    let short = |n: NodeId| -> Option<String> {
        match (&plan.storage[n.index()], &graph[n].op) {
            (Storage::Declared(path), _) => path.rsplit('.').next().map(str::to_lowercase),
            (Storage::TransposedView, Op::Unary(Unary::Transpose, inner)) => {
                match &plan.storage[inner.index()] {
                    Storage::Declared(path) => path
                        .rsplit('.')
                        .next()
                        .map(|s| format!("{}t", s.to_lowercase())),
                    Storage::Buffer(path) if !path.is_empty() => {
                        path.split_once('.').map(|(_, ident)| format!("{ident}t"))
                    }
                    _ => idents.get(inner).map(|s| format!("{s}t")),
                }
            }
            (Storage::Buffer(path), _) if !path.is_empty() => {
                path.split_once('.').map(|(_, ident)| ident.to_string())
            }
            _ => idents.get(&n).cloned(),
        }
    };
    let join = |parts: &[Option<String>], separator: &str| -> Option<String> {
        let parts: Option<Vec<String>> = parts.iter().cloned().collect();
        let name = parts?.join(separator);
        (name.len() <= super::names::MAX_LEN).then_some(name)
    };
    match graph[id].op {
        Op::Binary(Binary::MatMul, a, b) => join(&[short(a), short(b)], "_"),
        Op::Binary(Binary::Outer, a, b) => join(&[short(a), short(b).map(|s| s + "t")], "_"),
        Op::Binary(Binary::Sub, a, b) => join(&[short(a), short(b)], "_minus_"),
        Op::Unary(Unary::Sum, a) => join(&[Some("sum".into()), short(a)], "_"),
        Op::Unary(Unary::Mean | Unary::BatchMean, a) => join(&[Some("mean".into()), short(a)], "_"),
        Op::Unary(Unary::Softmax, a) => join(&[Some("softmax".into()), short(a)], "_"),
        Op::Unary(Unary::LogSoftmax, a) => join(&[Some("log_softmax".into()), short(a)], "_"),
        Op::Unary(Unary::Transpose, a) => short(a).map(|s| s + "t"),
        _ => None,
    }
}

/// The statements of each pass, in graph order.
fn order(plan: &mut Plan) {
    let graph = plan.graph();
    let from_output = graph.reachable_from(&[plan.output]);
    let mut predict = Vec::new();
    let mut forward = Vec::new();
    let mut backward = Vec::new();
    for id in graph.ids() {
        if !matches!(plan.storage[id.index()], Storage::Buffer(_)) {
            continue;
        }
        if !plan.in_forward(id) {
            backward.push(((id.index(), 0), Step::Compute(id)));
        } else if from_output[id.index()] {
            predict.push(id);
        } else {
            forward.push(id);
        }
    }
    for (index, param) in plan.params.iter().enumerate() {
        let g = param.gradient;
        let key = if is_zero(graph, g) {
            usize::MAX
        } else {
            g.index()
        };
        backward.push(((key, 1), Step::Accumulate(index)));
    }
    backward.sort_by_key(|(key, _)| *key);
    plan.predict = predict;
    plan.forward = forward;
    plan.backward = backward.into_iter().map(|(_, step)| step).collect();
}

/// The batch statistics evaluation reads: each one found going back from `roots` (the loss and
/// the output) without going through another, since outside training a statistic is its running
/// average and reads nothing. So `batch_var(z)` is one statistic, not also the mean inside it,
/// while the `mu` of `z - mu` is one of its own. The graph's forward part is its first
/// `forward_len` nodes.
pub fn statistics(
    graph: &Graph,
    forward_len: usize,
    roots: &[NodeId],
) -> Vec<(NodeId, StatisticKind)> {
    let mut seen = vec![false; graph.len()];
    let mut pending: Vec<NodeId> = roots.to_vec();
    let mut found = Vec::new();
    while let Some(id) = pending.pop() {
        if seen[id.index()] || id.index() >= forward_len {
            continue;
        }
        seen[id.index()] = true;
        if let Some(kind) = statistic_kind(graph, id) {
            found.push((id, kind));
            continue;
        }
        pending.extend(graph[id].op.operands());
    }
    found.sort_by_key(|(id, _)| *id);
    found
}

/// A statistic found by [`statistics`], with its names: the file's for a named value, else as
/// the file would call it (`batch_var(z2, 1)`), and its running average's.
fn describe_statistic(
    graph: &Graph,
    names: &Names,
    node: NodeId,
    kind: StatisticKind,
    namer: &mut Namer,
) -> Statistic {
    let (call, ident) = match &graph[node].name {
        Some(name) => (name.clone(), format!("running_{name}")),
        None => {
            let value = averaged_value(graph, node, kind);
            let text = crate::render::math::text::render(&crate::notation::from_graph::formula(
                graph, names, value,
            ));
            let words: String = text
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { '_' })
                .collect();
            match kind {
                StatisticKind::Mean => (
                    format!("batch_mean({text})"),
                    format!("running_mean_{words}"),
                ),
                StatisticKind::Variance => {
                    (format!("batch_var({text})"), format!("running_var_{words}"))
                }
                StatisticKind::SampleVariance => (
                    format!("batch_var({text}, 1)"),
                    format!("running_var_{words}"),
                ),
            }
        }
    };
    Statistic {
        node,
        kind,
        ident: namer.field(&ident),
        name: format!("running {call}"),
        call,
    }
}

/// The value a statistic looks across: `v` of `batch_mean(v)`, `batch_var(v)` or
/// `batch_var(v, 1)`.
fn averaged_value(graph: &Graph, node: NodeId, kind: StatisticKind) -> NodeId {
    // `batch_mean(v)`; `batch_mean((v − batch_mean(v))²)`; that times m/(m − 1).
    let averaged = |mean: NodeId| match graph[mean].op {
        Op::Unary(Unary::BatchMean, v) => v,
        _ => mean,
    };
    if kind == StatisticKind::Mean {
        return averaged(node);
    }
    let variance = match graph[node].op {
        Op::Binary(Binary::Mul, variance, _) => variance,
        _ => node,
    };
    let deviation = match graph[averaged(variance)].op {
        Op::Pow(d, _) | Op::Binary(Binary::Mul, d, _) => d,
        _ => variance,
    };
    match graph[deviation].op {
        Op::Binary(Binary::Sub, v, _) => v,
        _ => deviation,
    }
}

/// What kind of batch statistic a node is, if it is one: a mean over the batch, the variance
/// `batch_var(v)` lowers to (the mean of `(v − batch_mean(v))²`), or that times `m/(m − 1)`
/// (`batch_var(v, 1)`).
fn statistic_kind(graph: &Graph, id: NodeId) -> Option<StatisticKind> {
    let is_variance = |node: NodeId| {
        let Op::Unary(Unary::BatchMean, squared) = graph[node].op else {
            return false;
        };
        let deviation = match graph[squared].op {
            Op::Pow(d, ref p) if *p == num_rational::BigRational::from_integer(2.into()) => d,
            Op::Binary(Binary::Mul, a, b) if a == b => a,
            _ => return false,
        };
        matches!(graph[deviation].op, Op::Binary(Binary::Sub, v, mean)
            if graph[mean].op == Op::Unary(Unary::BatchMean, v))
    };
    match graph[id].op {
        Op::Binary(Binary::Mul, variance, ratio) if is_variance(variance) => {
            let Op::Binary(Binary::Div, m, less) = graph[ratio].op else {
                return None;
            };
            let one = |n: NodeId| {
                matches!(&graph[n].op, Op::Literal(t)
                    if t.as_scalar().is_some_and(num_traits::One::is_one))
            };
            let sample = graph[m].op == Op::BatchSize
                && matches!(graph[less].op, Op::Binary(Binary::Sub, m2, o) if m2 == m && one(o));
            sample.then_some(StatisticKind::SampleVariance)
        }
        Op::Unary(Unary::BatchMean, _) if is_variance(id) => Some(StatisticKind::Variance),
        Op::Unary(Unary::BatchMean, _) => Some(StatisticKind::Mean),
        _ => None,
    }
}

/// Whether each node of `graph` varies from example to example: it depends on an input or a
/// target, and no mean over the batch stands between (see [`Plan::varying`]).
pub fn varying(model: &Model, graph: &Graph) -> Vec<bool> {
    let mut varying = vec![false; graph.len()];
    for id in graph.ids() {
        varying[id.index()] = match &graph[id].op {
            Op::Var(decl) => matches!(
                model.declaration(*decl).kind,
                DeclKind::Input | DeclKind::Target
            ),
            // A mean over the batch is one value for all its rows.
            Op::Literal(_) | Op::Unary(Unary::BatchMean, _) => false,
            op => op.operands().any(|o| varying[o.index()]),
        };
    }
    varying
}

/// The multiply–adds of one example's node: a matrix product's, an outer product's or a
/// convolution's (its products inside the map, the padding's left out); nothing else counts
/// (the work of `WORK` in a trainer's `model.rs`).
pub fn multiply_adds(graph: &Graph, id: NodeId) -> usize {
    match graph[id].op {
        Op::Binary(Binary::MatMul, a, b) => {
            graph[a].shape.size() * graph[b].shape.dims().get(1).copied().unwrap_or(1)
        }
        Op::Binary(Binary::Outer, ..) => graph[id].shape.size(),
        Op::Tensor(TensorOp::Conv(conv, window, a, b)) => {
            let Ok(dims) =
                crate::ir::tensor_op::ConvDims::of(conv, window, graph[a].shape, graph[b].shape)
            else {
                return 0;
            };
            let mut count = 0;
            dims.products(|_, _, _| count += 1);
            count
        }
        _ => 0,
    }
}

/// Whether a node is an exact zero: a parameter the loss does not use has this gradient.
pub fn is_zero(graph: &Graph, node: NodeId) -> bool {
    match &graph[node].op {
        Op::Literal(value) => value.data().iter().all(num_traits::Zero::is_zero),
        _ => false,
    }
}
