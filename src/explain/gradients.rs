//! The gradient formulas of a network in vector form, one line per layer, as a textbook writes
//! them: the error signal of each layer (`δo = (o − y) ⊙ o ⊙ (1 − o)`), then each parameter's
//! gradient in terms of it (`∂E/∂W2 = δo hᵀ`).

use crate::autodiff::{Gradient, Rule};
use crate::ir::{Graph, Model, NodeId, Op, Pool, TensorOp, Unary};
use crate::notation::from_graph::{Names, definition, name_formula};
use crate::notation::placeholders::Placeholders;
use crate::notation::rules::{Statement, statement};
use crate::notation::{Formula, Symbol};

#[derive(Clone, Debug, PartialEq)]
pub enum LineKind {
    /// `δo = …`: the gradient of the loss with respect to the net input of the layer `o`.
    ErrorSignal { layer: String },
    /// `∂E/∂q = …`: the gradient with respect to a value the file names.
    Value { name: String },
    /// `∂E/∂W = …`: the gradient with respect to a parameter (or a requested input).
    Gradient { name: String },
    /// The gradient at the value a batch normalization normalizes, once more, in the compact
    /// textbook form (the line before gives it step by step).
    Compact { name: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub kind: LineKind,
    pub lhs: Formula,
    pub rhs: Formula,
    /// The gradient node the line defines.
    pub node: NodeId,
    /// Whether the line is about one example of a batch (its rhs sums over another).
    pub per_example: bool,
}

#[derive(Clone, Debug)]
pub struct GradientDerivation {
    pub loss: String,
    pub lines: Vec<Line>,
    /// The local derivative rules the lines use, stated once each.
    pub rules: Vec<Statement>,
    /// The requested gradients, by declaration name, with their lines' indices.
    pub gradients: Vec<(String, usize)>,
    /// Whether the lines are of a batch, and how its examples' gradients are written.
    pub batch: BatchKind,
    /// The names of the rules' variables and of the notes' placeholders: none is the file's.
    pub placeholders: Placeholders,
    /// The nodes the lines write by name: the file's names and the lines' own.
    names: Names,
}

/// Every name the file gives (declarations, values, the loss): what placeholders avoid.
pub fn file_names(model: &Model) -> Vec<&str> {
    model
        .declarations
        .iter()
        .map(|d| d.name.as_str())
        .chain(model.intermediates.iter().map(|i| i.name.as_str()))
        .chain(std::iter::once(model.loss.name.as_str()))
        .collect()
}

/// Elementwise functions whose input is a layer's net input: `o = σ(z)` makes `δo` the gradient
/// with respect to `z`.
pub(crate) fn is_activation(f: Unary) -> bool {
    matches!(
        f,
        Unary::Sigmoid
            | Unary::Tanh
            | Unary::Relu
            | Unary::Exp
            | Unary::Log
            | Unary::Sqrt
            | Unary::Abs
            | Unary::Softmax
            | Unary::LogSoftmax
    )
}

/// The net input `z` of a layer `σ(z)`: an activation of a value with no name of its own (not a
/// declaration), what a textbook calls a layer.
pub(crate) fn net_input(graph: &Graph, id: NodeId) -> Option<NodeId> {
    match graph[id].op {
        Op::Unary(f, net)
            if is_activation(f)
                && graph[net].name.is_none()
                && !matches!(graph[net].op, Op::Var(_)) =>
        {
            Some(net)
        }
        _ => None,
    }
}

/// The net input `z` of a pooled layer `pool(σ(z), k)`, the activation unnamed too.
fn pooled_net_input(graph: &Graph, id: NodeId) -> Option<NodeId> {
    match graph[id].op {
        Op::Tensor(TensorOp::Pool(Pool::Max | Pool::Mean, activated, _))
            if graph[activated].name.is_none() =>
        {
            net_input(graph, activated)
        }
        _ => None,
    }
}

pub fn derive(model: &Model, gradient: &Gradient) -> GradientDerivation {
    let graph = &gradient.graph;
    let loss = model.loss.name.clone();
    let batch = Batch::of(model, gradient);
    let name_of = |id: NodeId, name: &str| batch.name(graph, id, name);
    let partial = |id: NodeId, name: &str| batch.partial(graph, &loss, id, name);

    let mut names = Names::default();
    for declaration in &model.declarations {
        names.insert(
            declaration.node,
            name_of(declaration.node, &declaration.name),
        );
    }
    for id in graph.ids().take(gradient.forward_len) {
        if let Some(name) = &graph[id].name {
            names.insert(id, name_of(id, name));
        }
    }

    // (forward node, kind, lhs), each becoming a line for the forward node's adjoint.
    let mut wanted: Vec<(NodeId, LineKind, Formula)> = Vec::new();
    let mut layers = Vec::new();
    for id in graph.ids().take(gradient.forward_len) {
        let node = &graph[id];
        let Some(name) = &node.name else { continue };
        if let Some(net) = net_input(graph, id) {
            // The net input of a layer the file names: its gradient is the layer's δ. The
            // cross-entropy over softmax reaches the logits through log_softmax, so look for
            // the logits' adjoint whichever path filled it.
            layers.push(id);
            wanted.push((
                net,
                LineKind::ErrorSignal {
                    layer: name.clone(),
                },
                batch.delta(graph, net, name),
            ));
        } else if id != model.loss.node {
            wanted.push((
                id,
                LineKind::Value { name: name.clone() },
                partial(id, name),
            ));
            // A layer pooled as the file names it, `h = max_pool(relu(z), 2)`: the net input's
            // gradient is the layer's δ too, a line of its own that the kernel's and the bias's
            // gradients read, rather than its formula written out in each of them.
            if let Some(net) = pooled_net_input(graph, id) {
                wanted.push((
                    net,
                    LineKind::ErrorSignal {
                        layer: name.clone(),
                    },
                    batch.delta(graph, net, name),
                ));
            }
        }
    }
    for (decl, _) in &gradient.wrt {
        let declaration = model.declaration(*decl);
        wanted.push((
            declaration.node,
            LineKind::Gradient {
                name: declaration.name.clone(),
            },
            partial(declaration.node, &declaration.name),
        ));
    }

    // The adjoint of a named layer's output is written inside its δ, not on a line of its own.
    let inside_delta = |id: NodeId| layers.contains(&id);
    let mut lines: Vec<(usize, Line)> = Vec::new();
    for (forward, kind, lhs) in wanted {
        if matches!(kind, LineKind::Value { .. }) && inside_delta(forward) {
            continue;
        }
        let node = match (&kind, gradient.adjoint(forward)) {
            (_, Some(node)) => node,
            (LineKind::Gradient { name }, None) => match model
                .declarations
                .iter()
                .position(|d| &d.name == name)
                .and_then(|i| gradient.of(crate::ir::DeclId(i as u32)))
            {
                Some(node) => node,
                None => continue,
            },
            (_, None) => continue,
        };
        names.insert(node, lhs.clone());
        let order = if node.index() >= gradient.forward_len {
            node.index()
        } else {
            gradient
                .completed
                .iter()
                .find(|(f, _)| *f == forward)
                .map_or(usize::MAX, |(_, at)| *at)
        };
        lines.push((
            order,
            Line {
                kind,
                lhs,
                rhs: Formula::number(0),
                node,
                per_example: batch.per_example(graph, forward),
            },
        ));
    }
    lines.sort_by_key(|(order, _)| *order);
    // Gradients that backpropagation completes at the same point (the weights and bias of one
    // layer, two inputs) are listed in the file's order, as every other list is.
    let declared_at = |line: &Line| match &line.kind {
        LineKind::Gradient { name } => model.declarations.iter().position(|d| &d.name == name),
        _ => None,
    };
    let mut start = 0;
    while start < lines.len() {
        let mut end = start;
        while end < lines.len() && declared_at(&lines[end].1).is_some() {
            end += 1;
        }
        lines[start..end].sort_by_key(|(_, line)| declared_at(line));
        start = end.max(start + 1);
    }

    let mut lines: Vec<Line> = lines
        .into_iter()
        .flat_map(|(_, line)| {
            // After the step-by-step gradient at a normalized value, the compact form.
            let compact = gradient
                .compact
                .iter()
                .find(|c| gradient.adjoint(c.normalized) == Some(line.node))
                .zip(graph[line.node].per_example.then_some(()))
                .map(|(c, _)| {
                    let name = match &line.kind {
                        LineKind::ErrorSignal { layer } => layer.clone(),
                        LineKind::Value { name }
                        | LineKind::Gradient { name }
                        | LineKind::Compact { name } => name.clone(),
                    };
                    Line {
                        kind: LineKind::Compact { name },
                        lhs: line.lhs.clone(),
                        rhs: Formula::number(0),
                        node: c.gradient,
                        per_example: line.per_example,
                    }
                });
            std::iter::once(line).chain(compact)
        })
        .collect();
    write_lines(graph, &names, &mut lines);
    let gradients = lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| match &line.kind {
            LineKind::Gradient { name } => Some((name.clone(), i)),
            _ => None,
        })
        .collect();
    let placeholders = Placeholders::avoiding(file_names(model));
    let rules = gradient
        .rules
        .iter()
        .filter_map(|r| statement(*r, &model.loss.name, &placeholders))
        .collect::<Vec<_>>();
    GradientDerivation {
        loss,
        lines,
        rules,
        gradients,
        batch: batch.kind,
        placeholders,
        names,
    }
}

/// Writes each line's rhs from its node, with `names`.
fn write_lines(graph: &Graph, names: &Names, lines: &mut [Line]) {
    for line in lines {
        // A line whose node another line already names is written by that name (`∂E/∂b2 =
        // δo`); the line that owns the name is written out.
        let rhs = match names.get(line.node) {
            Some(name) if *name != line.lhs => name.clone(),
            _ => definition(graph, names, line.node),
        };
        // A line about example i sums over another.
        line.rhs = rhs.bind_examples(line.per_example.then_some("i"));
    }
}

impl GradientDerivation {
    /// The lines as a page writes them that has defined names of its own besides the file's
    /// (`page`: a layer's net input `net_l = W x`, shown in the forward pass): a line writes a
    /// node the page named by that name (`softmax(net_l)`, not `softmax(W x)`), as it writes
    /// the file's names, so it never spells out again what a line above defined.
    pub fn lines_named(&self, graph: &Graph, page: &Names) -> Vec<Line> {
        let names = self.names.and(page);
        let mut lines = self.lines.clone();
        write_lines(graph, &names, &mut lines);
        lines
    }
}

/// How a derivation writes the values of a step on a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchKind {
    /// One example: no superscripts.
    Example,
    /// A batch whose examples do not look at each other: a per-example gradient is that of its
    /// example's own loss, `∂L⁽ⁱ⁾/∂h⁽ⁱ⁾`.
    Independent,
    /// A batch coupled by batch statistics: a per-example gradient is that of the sum of every
    /// example's loss, which is m times that of the batch loss: `m·∂L/∂h⁽ⁱ⁾`.
    Coupled,
}

/// The names of a batch derivation: per-example values with a superscript ⁽ⁱ⁾.
struct Batch {
    kind: BatchKind,
    loss: String,
}

impl Batch {
    fn of(model: &Model, gradient: &Gradient) -> Batch {
        let kind = if !gradient.batch {
            BatchKind::Example
        } else if model.uses_batch_statistics() {
            BatchKind::Coupled
        } else {
            BatchKind::Independent
        };
        Batch {
            kind,
            loss: model.loss.name.clone(),
        }
    }

    fn per_example(&self, graph: &crate::ir::Graph, id: NodeId) -> bool {
        self.kind != BatchKind::Example && graph[id].per_example
    }

    /// `h`, or `h⁽ⁱ⁾` for a value of each example.
    fn name(&self, graph: &crate::ir::Graph, id: NodeId, name: &str) -> Formula {
        let symbol = Symbol::plain(name);
        Formula::Symbol(if self.per_example(graph, id) {
            symbol.of_example("i")
        } else {
            symbol
        })
    }

    /// `δh`, or `δh⁽ⁱ⁾` for the error signal of each example (at the net input `net`).
    fn delta(&self, graph: &crate::ir::Graph, net: NodeId, layer: &str) -> Formula {
        let symbol = Symbol::delta(layer);
        Formula::Symbol(if self.per_example(graph, net) {
            symbol.of_example("i")
        } else {
            symbol
        })
    }

    /// The gradient's name: `∂L/∂W`; of a value of each example, `∂L⁽ⁱ⁾/∂h⁽ⁱ⁾` or `m·∂L/∂h⁽ⁱ⁾`.
    fn partial(&self, graph: &crate::ir::Graph, loss: &str, id: NodeId, name: &str) -> Formula {
        let wrt = self.name(graph, id, name);
        match self.kind {
            _ if !self.per_example(graph, id) => Formula::partial(name_formula(loss), wrt),
            BatchKind::Coupled => Formula::binary(
                crate::notation::Operator::Scale,
                Formula::symbol("m"),
                Formula::partial(name_formula(loss), wrt),
            ),
            _ => Formula::partial(
                Formula::Symbol(Symbol::plain(&self.loss).of_example("i")),
                wrt,
            ),
        }
    }
}

/// Whether a rule is used.
pub fn uses(derivation: &GradientDerivation, rule: Rule) -> bool {
    derivation.rules.iter().any(|s| s.rule == rule)
}
