//! The scalar form: one parameter element at a time, as the chain of partial derivatives along
//! the path from the element to the loss, then as the product of the local derivatives:
//!
//! ```text
//! ∂E/∂W2₁₁ = ∂E/∂o₁ · ∂o₁/∂net_o₁ · ∂net_o₁/∂W2₁₁ = (o₁ − y₁) · o₁(1 − o₁) · h₁
//! ```
//!
//! Chains run between *named* elements: elements of declared values, of values the file names,
//! and of the net input of each named layer (`net_o`). Where an element feeds several others
//! (a hidden unit feeding every output), its gradient is a sum over them; it gets a line of its
//! own, placed before its first use and referred to by name after.

use std::collections::HashMap;

use num_rational::BigRational;
use num_traits::{One, Zero};

use crate::autodiff::{Gradient, Rule, backprop};
use crate::eval::exact::Value;
use crate::ir::scalarize::{ScalarizeError, Scalarized, scalarize};
use crate::ir::{Binary, DeclId, Graph, Model, NodeId, Op, Unary};
use crate::notation::from_graph::{Names, formula};
use crate::notation::{Formula, Function, Operator, Symbol};

use super::gradients::{GradientDerivation, LineKind, is_activation};

/// More parameter elements than this and the scalar form stops being readable: one line each.
pub const MAX_SCALAR_ELEMENTS: usize = 64;

#[derive(Debug)]
pub enum ScalarError {
    /// Too many elements to list: (how many there are).
    TooManyElements(usize),
    TooLarge,
    /// The network has an operation the element-by-element form does not write (an index's
    /// pick, a batch statistic, max pooling, softmax along an axis): the vector form shows it.
    Unsupported(crate::ir::scalarize::Unscalar),
}

/// One factor of a chain: `∂o₁/∂net_o₁`, which is `o₁(1 − o₁)`.
#[derive(Clone, Debug)]
pub struct Factor {
    pub symbolic: Formula,
    pub expression: Formula,
    /// The node of the scalar graph holding its value.
    pub node: NodeId,
    /// The chain rule inside the expression between the two elements: the product of each
    /// operation's local derivative along the way, before simplification
    /// (`1/2·2(y₁ − o₁)·(−1)` for `o₁ − y₁`). `None` where there is nothing to expand.
    pub expanded: Option<Formula>,
    /// The local derivative rules that give this factor, in the order they apply.
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug)]
pub struct ScalarLine {
    /// `∂E/∂W2₁₁`
    pub lhs: Formula,
    /// The terms of the sum (one for a single path), each a product of factors.
    pub terms: Vec<Vec<Factor>>,
    /// Whether this line is a shared gradient (a sum other lines refer to).
    pub shared: bool,
    /// The declaration element whose gradient the line is (none for a shared line).
    pub element: Option<(DeclId, usize)>,
    /// The scalar node of the whole gradient.
    pub node: NodeId,
}

impl ScalarLine {
    /// The line as the chain of partial derivatives (`∂E/∂o₁ · ∂o₁/∂net_o₁ · …`, a sum of such
    /// over several paths) and as the same product of the local derivatives' formulas.
    pub fn chain_and_product(&self) -> (Formula, Formula) {
        let sum = |pick: fn(&Factor) -> Formula| {
            let terms: Vec<Formula> = self
                .terms
                .iter()
                .map(|factors| match factors.as_slice() {
                    [one] => pick(one),
                    many => Formula::Product(many.iter().map(pick).collect()),
                })
                .collect();
            match terms.len() {
                0 => Formula::number(0),
                1 => terms.into_iter().next().unwrap_or(Formula::number(1)),
                _ => Formula::Sum(terms),
            }
        };
        (sum(|f| f.symbolic.clone()), sum(|f| f.expression.clone()))
    }
}

pub struct ScalarDerivation {
    pub loss: String,
    /// The placeholders of the notes (the layer `v` of `net_v`).
    pub placeholders: crate::notation::placeholders::Placeholders,
    pub lines: Vec<ScalarLine>,
    /// The element-level graph (forward and the local derivatives), for evaluation.
    pub graph: Graph,
    pub leaves: Vec<(DeclId, usize)>,
    /// The named elements of the graph, with their symbols (`W2₁₁`, `net_o₁`).
    pub named: HashMap<NodeId, Formula>,
    /// The loss's node in the element-level graph.
    pub loss_node: NodeId,
    /// The target's elements, when the loss is a cross-entropy over softmax probabilities the
    /// file names (then the forward pass shows the probabilities, and the gradient at each logit
    /// is the one fused step `pₖ − yₖ`).
    pub fused_target: Option<Vec<NodeId>>,
    /// Elements of a log-softmax written as the log of a probability the file names:
    /// (the log-softmax element, the probability).
    pub logs_of_probabilities: Vec<(NodeId, NodeId)>,
    feeds: Vec<bool>,
}

impl ScalarDerivation {
    /// The element-level nodes the derivation shows: named elements, local derivatives, totals.
    pub fn needed(&self) -> Vec<bool> {
        let mut roots: Vec<NodeId> = self.named.keys().copied().collect();
        for line in &self.lines {
            roots.push(line.node);
            roots.extend(line.terms.iter().flatten().map(|factor| factor.node));
        }
        self.graph.reachable_from(&roots)
    }

    /// Whether the loss depends on the element-level node.
    pub fn feeds_loss(&self, id: NodeId) -> bool {
        self.feeds.get(id.index()).copied().unwrap_or(false)
    }

    /// Values of the element leaves from declaration values.
    pub fn leaf_values(&self, declared: &[Option<Value>]) -> Vec<Option<Value>> {
        self.leaves
            .iter()
            .map(
                |(decl, index)| match declared.get(decl.index()).cloned().flatten() {
                    Some(Value::Exact(t)) => Some(Value::Exact(crate::tensor::Tensor::scalar(
                        t.data()[*index].clone(),
                    ))),
                    Some(Value::Approx(t)) => Some(Value::Approx(crate::tensor::Tensor::scalar(
                        t.data()[*index],
                    ))),
                    None => None,
                },
            )
            .collect()
    }
}

/// The scalar form of `gradient`. `declared` are the declarations' values, when known: a
/// target that sums to exactly 1 makes the fused softmax step `pₖ − yₖ` instead of
/// `pₖ·(y₁ + … + yₙ) − yₖ`.
pub fn derive(
    model: &Model,
    gradient: &Gradient,
    vector: &GradientDerivation,
    declared: Option<&[Option<Value>]>,
) -> Result<ScalarDerivation, ScalarError> {
    let forward = &gradient.graph;
    let elements_total: usize = gradient
        .wrt
        .iter()
        .map(|(d, _)| model.declaration(*d).shape.size())
        .sum();
    if elements_total > MAX_SCALAR_ELEMENTS {
        return Err(ScalarError::TooManyElements(elements_total));
    }
    let Scalarized {
        mut graph,
        elements,
        leaves,
    } = scalarize(forward, gradient.forward_len).map_err(|e| match e {
        ScalarizeError::TooLarge | ScalarizeError::Shape(_) => ScalarError::TooLarge,
        ScalarizeError::Unsupported(why) => ScalarError::Unsupported(why),
    })?;

    // Name the elements of named tensors.
    let mut names = Names::default();
    let mut named: HashMap<NodeId, Formula> = HashMap::new();
    let mut name_tensor = |tensor: NodeId, base: Symbol, names: &mut Names| {
        let shape = forward[tensor].shape;
        for (index, &element) in elements[tensor.index()].iter().enumerate() {
            let symbol = Formula::Symbol(base.clone().at(shape, index));
            if let std::collections::hash_map::Entry::Vacant(slot) = named.entry(element) {
                slot.insert(symbol.clone());
                names.insert(element, symbol);
            }
        }
    };
    for declaration in &model.declarations {
        name_tensor(
            declaration.node,
            Symbol::plain(&declaration.name),
            &mut names,
        );
    }
    for id in forward.ids().take(gradient.forward_len) {
        let node = &forward[id];
        let Some(name) = &node.name else { continue };
        if let Op::Unary(f, net) = node.op
            && is_activation(f)
            && forward[net].name.is_none()
            && !matches!(forward[net].op, Op::Var(_))
        {
            name_tensor(net, Symbol::net_input(name), &mut names);
        }
        name_tensor(id, Symbol::plain(name), &mut names);
    }
    let loss = elements[model.loss.node.index()][0];
    let is_named = |id: NodeId, named: &HashMap<NodeId, Formula>| named.contains_key(&id);
    // Cross-entropy over named softmax probabilities: its log-softmax elements are written
    // log(pₖ), as the file wrote the loss.
    let fused = fused_cross_entropy(model, gradient);
    let mut logs_of_probabilities = Vec::new();
    if let Some(fused) = &fused {
        for (k, &log_p) in elements[fused.log_softmax.index()].iter().enumerate() {
            let p = elements[fused.probabilities.index()][k];
            if let Some(p_name) = named.get(&p) {
                names.insert(log_p, Formula::call(Function::Log, p_name.clone()));
                logs_of_probabilities.push((log_p, p));
            }
        }
    }

    // Immediate named predecessors of each named element, and the local derivative to each.
    let scalar_len = graph.len();
    let feeds_loss = graph.reachable_from(&[loss]);
    let mut stop = vec![false; scalar_len];
    for id in named.keys() {
        stop[id.index()] = true;
    }
    let mut locals: HashMap<(NodeId, NodeId), NodeId> = HashMap::new();
    let mut successors: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    let mut named_in_order: Vec<NodeId> = named
        .keys()
        .copied()
        .filter(|id| feeds_loss[id.index()])
        .collect();
    named_in_order.sort();
    for &b in &named_in_order {
        if matches!(graph[b].op, Op::Var(_) | Op::Literal(_)) {
            continue;
        }
        // The cone of b: nodes reachable from b without passing through another named element.
        let mut wanted = vec![false; scalar_len];
        let mut stack = vec![b];
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut wanted[id.index()], true) {
                continue;
            }
            if id != b && is_named(id, &named) {
                continue;
            }
            stack.extend(graph[id].op.operands());
        }
        let sweep =
            backprop(&mut graph, b, &wanted, &stop, false).map_err(|_| ScalarError::TooLarge)?;
        for (index, adjoint) in sweep.adjoints.iter().enumerate() {
            let Some(adjoint) = adjoint else { continue };
            let Some(a) = graph.id_at(index) else {
                continue;
            };
            if a != b && is_named(a, &named) {
                locals.insert((b, a), *adjoint);
                successors.entry(a).or_default().push(b);
            }
        }
    }

    // The fused step: the gradient at each logit is pₖ·(y₁ + … + yₙ) − yₖ, or pₖ − yₖ for a
    // target that sums to 1, instead of the log-sum-exp the element graph differentiates.
    let mut fused_target = None;
    let mut fused_locals: Vec<(NodeId, NodeId)> = Vec::new();
    let mut feeds_loss = feeds_loss;
    if let Some(fused) = &fused {
        let p = elements[fused.probabilities.index()].clone();
        let z = elements[fused.logits.index()].clone();
        let y = elements[fused.target.index()].clone();
        let sums_to_one = target_sums_to_one(model, fused.target, declared);
        let span = graph[loss].span;
        let add = |g: &mut Graph, op: Op| g.add(op, span).map_err(|_| ScalarError::TooLarge);
        let total = match sums_to_one {
            true => None,
            false => {
                let mut total = y[0];
                for &term in &y[1..] {
                    total = add(&mut graph, Op::Binary(Binary::Add, total, term))?;
                }
                Some(total)
            }
        };
        for k in 0..p.len().min(z.len()).min(y.len()) {
            let scaled = match total {
                Some(total) => add(&mut graph, Op::Binary(Binary::Mul, p[k], total))?,
                None => p[k],
            };
            let step = add(&mut graph, Op::Binary(Binary::Sub, scaled, y[k]))?;
            locals.insert((loss, z[k]), step);
            fused_locals.push((loss, z[k]));
        }
        // The probabilities are shown in the forward pass, though the loss reads them through
        // the logits.
        let mut reach = graph.reachable_from(&p);
        reach.truncate(feeds_loss.len());
        for (feeds, reached) in feeds_loss.iter_mut().zip(reach) {
            *feeds |= reached;
        }
        fused_target = Some(y);
    }
    let mut expansions: HashMap<(NodeId, NodeId), Expansion> = HashMap::new();
    for &(b, a) in locals.keys() {
        let expansion = if fused_locals.contains(&(b, a)) {
            (None, vec![Rule::SoftmaxCrossEntropy])
        } else {
            expand(&graph, &names, &named, b, a)
        };
        expansions.insert((b, a), expansion);
    }

    let mut builder = ChainBuilder {
        graph: &mut graph,
        names: &names,
        named: &named,
        locals: &locals,
        expansions: &expansions,
        successors: &successors,
        loss,
        lines: Vec::new(),
        shared_done: HashMap::new(),
    };

    // Parameters in the order the vector form presents their gradients: output layer first.
    let mut order: Vec<DeclId> = Vec::new();
    for line in &vector.lines {
        if let LineKind::Gradient { name } = &line.kind
            && let Some(i) = model.declarations.iter().position(|d| &d.name == name)
        {
            order.push(DeclId(i as u32));
        }
    }
    for (decl, _) in &gradient.wrt {
        if !order.contains(decl) {
            order.push(*decl);
        }
    }
    for decl in order {
        let tensor = model.declaration(decl).node;
        for (index, &element) in elements[tensor.index()].iter().enumerate() {
            builder.element_line(element, (decl, index));
        }
    }
    let lines = builder.lines;
    Ok(ScalarDerivation {
        loss: model.loss.name.clone(),
        placeholders: vector.placeholders.clone(),
        lines,
        graph,
        leaves,
        named,
        loss_node: loss,
        fused_target,
        logs_of_probabilities,
        feeds: feeds_loss,
    })
}

struct ChainBuilder<'a> {
    graph: &'a mut Graph,
    names: &'a Names,
    named: &'a HashMap<NodeId, Formula>,
    locals: &'a HashMap<(NodeId, NodeId), NodeId>,
    expansions: &'a HashMap<(NodeId, NodeId), Expansion>,
    successors: &'a HashMap<NodeId, Vec<NodeId>>,
    loss: NodeId,
    lines: Vec<ScalarLine>,
    /// Shared gradients already given a line: element → the node of its total.
    shared_done: HashMap<NodeId, NodeId>,
}

impl ChainBuilder<'_> {
    /// `∂of/∂wrt` between two named elements.
    fn partial(&self, of: NodeId, wrt: NodeId) -> Formula {
        let name = |id: NodeId| {
            self.named
                .get(&id)
                .cloned()
                .unwrap_or_else(|| Formula::symbol("?"))
        };
        Formula::partial(name(of), name(wrt))
    }

    fn successors_of(&self, a: NodeId) -> Vec<NodeId> {
        let mut list = self.successors.get(&a).cloned().unwrap_or_default();
        list.sort();
        list.dedup();
        list
    }

    fn local(&self, b: NodeId, a: NodeId) -> Factor {
        let node = self.locals[&(b, a)];
        let (expanded, rules) = self.expansions.get(&(b, a)).cloned().unwrap_or_default();
        Factor {
            symbolic: self.partial(b, a),
            expression: formula(self.graph, self.names, node),
            node,
            expanded,
            rules,
        }
    }

    /// The factors of ∂loss/∂a along its chain, loss end first, and the node of their product.
    fn chain(&mut self, a: NodeId) -> (Vec<Factor>, NodeId) {
        let mut factors = Vec::new();
        let mut current = a;
        loop {
            if current == self.loss {
                break;
            }
            let next = self.successors_of(current);
            match next.as_slice() {
                [only] => {
                    factors.push(self.local(*only, current));
                    current = *only;
                }
                // No path from here to the loss (`x·w − x·w` cancels): no term, a zero gradient.
                [] => return (Vec::new(), self.literal(BigRational::zero())),
                _ => {
                    let total = self.shared(current);
                    factors.push(Factor {
                        symbolic: self.partial(self.loss, current),
                        expression: self.partial(self.loss, current),
                        node: total,
                        expanded: None,
                        rules: Vec::new(),
                    });
                    break;
                }
            }
        }
        factors.reverse();
        let product = self.product(&factors);
        (factors, product)
    }

    /// The line of a gradient that is a sum over several successors, made once.
    fn shared(&mut self, m: NodeId) -> NodeId {
        if let Some(&total) = self.shared_done.get(&m) {
            return total;
        }
        let mut terms = Vec::new();
        let mut nodes = Vec::new();
        for b in self.successors_of(m) {
            let (mut factors, product) = self.chain(b);
            if factors.is_empty() && b != self.loss {
                continue;
            }
            let local = self.local(b, m);
            let node = self.multiply(product, local.node);
            factors.push(local);
            terms.push(factors);
            nodes.push(node);
        }
        let total = self.add_all(&nodes);
        self.shared_done.insert(m, total);
        self.lines.push(ScalarLine {
            lhs: self.partial(self.loss, m),
            terms,
            shared: true,
            element: None,
            node: total,
        });
        total
    }

    fn element_line(&mut self, a: NodeId, element: (DeclId, usize)) {
        let (factors, node) = self.chain(a);
        let terms = if factors.is_empty() && a != self.loss {
            Vec::new()
        } else {
            vec![factors]
        };
        self.lines.push(ScalarLine {
            lhs: self.partial(self.loss, a),
            terms,
            shared: false,
            element: Some(element),
            node,
        });
    }

    fn product(&mut self, factors: &[Factor]) -> NodeId {
        let mut iter = factors.iter();
        let Some(first) = iter.next() else {
            return self.literal(BigRational::one());
        };
        let mut node = first.node;
        for factor in iter {
            node = self.multiply(node, factor.node);
        }
        node
    }

    fn literal(&mut self, value: BigRational) -> NodeId {
        let literal = Op::Literal(crate::tensor::Tensor::scalar(value));
        self.graph
            .add(literal, crate::span::Span::default())
            .unwrap_or(self.loss)
    }

    fn multiply(&mut self, a: NodeId, b: NodeId) -> NodeId {
        let span = self.graph[a].span;
        self.graph
            .add(Op::Binary(crate::ir::Binary::Mul, a, b), span)
            .unwrap_or(a)
    }

    fn add_all(&mut self, nodes: &[NodeId]) -> NodeId {
        let mut iter = nodes.iter();
        let Some(&first) = iter.next() else {
            return self.literal(BigRational::zero());
        };
        let mut total = first;
        for &node in iter {
            let span = self.graph[total].span;
            total = self
                .graph
                .add(Op::Binary(crate::ir::Binary::Add, total, node), span)
                .unwrap_or(total);
        }
        total
    }
}

/// The nodes of a cross-entropy over softmax probabilities the file names:
/// `−sum(y ⊙ log_softmax(z))` with `p = softmax(z)` named.
struct FusedCrossEntropy {
    probabilities: NodeId,
    log_softmax: NodeId,
    logits: NodeId,
    target: NodeId,
}

fn fused_cross_entropy(model: &Model, gradient: &Gradient) -> Option<FusedCrossEntropy> {
    let graph = &gradient.graph;
    let Op::Unary(Unary::Neg, total) = graph[model.loss.node].op else {
        return None;
    };
    let Op::Unary(Unary::Sum, product) = graph[total].op else {
        return None;
    };
    let Op::Binary(Binary::Mul, target, log_softmax) = graph[product].op else {
        return None;
    };
    let Op::Unary(Unary::LogSoftmax, logits) = graph[log_softmax].op else {
        return None;
    };
    let softmax = Op::Unary(Unary::Softmax, logits);
    let probabilities = graph
        .ids()
        .take(gradient.forward_len)
        .find(|&id| graph[id].op == softmax && graph[id].name.is_some())?;
    Some(FusedCrossEntropy {
        probabilities,
        log_softmax,
        logits,
        target,
    })
}

/// Whether the target is a declared value whose elements sum to exactly 1 (one-hot, or a
/// distribution).
fn target_sums_to_one(model: &Model, target: NodeId, declared: Option<&[Option<Value>]>) -> bool {
    let Op::Var(decl) = model.graph[target].op else {
        return false;
    };
    match declared
        .and_then(|d| d.get(decl.index()))
        .cloned()
        .flatten()
    {
        Some(Value::Exact(t)) => {
            t.data().iter().sum::<num_rational::BigRational>() == num_traits::One::one()
        }
        _ => false,
    }
}

/// A local derivative written out by the chain rule inside its expression, and its rules.
type Expansion = (Option<Formula>, Vec<Rule>);

/// More paths than this between two named elements are not written out one by one.
const MAX_EXPANDED_PATHS: usize = 8;

/// The local derivative of the named element `b` with respect to the named element `a`, written
/// as the chain rule inside `b`'s expression gives it: along each path from `b` down to `a`, the
/// product of each operation's local derivative (ones left out), summed over the paths. Also
/// the rules used, in the order met.
fn expand(
    graph: &Graph,
    names: &Names,
    named: &HashMap<NodeId, Formula>,
    b: NodeId,
    a: NodeId,
) -> Expansion {
    let mut rules: Vec<Rule> = Vec::new();
    let mut paths: Vec<Vec<Formula>> = Vec::new();
    // Depth first, each entry the node reached and the factors along the way.
    let mut stack: Vec<(NodeId, Vec<Formula>)> = vec![(b, Vec::new())];
    while let Some((node, factors)) = stack.pop() {
        if node == a {
            paths.push(factors);
            if paths.len() > MAX_EXPANDED_PATHS {
                return (None, rules);
            }
            continue;
        }
        if node != b && named.contains_key(&node) {
            continue;
        }
        let operands: Vec<NodeId> = graph[node].op.operands().collect();
        for (position, &operand) in operands.iter().enumerate().rev() {
            if !reaches(graph, named, operand, a) {
                continue;
            }
            let Some((local, rule)) = local_formula(graph, names, node, position) else {
                return (None, rules);
            };
            if !rules.contains(&rule) {
                rules.push(rule);
            }
            let Some(local) = local else {
                // A step function's derivative: this path contributes nothing.
                continue;
            };
            let mut factors = factors.clone();
            if local != Formula::number(1) {
                factors.push(local);
            }
            stack.push((operand, factors));
        }
    }
    let terms: Vec<Formula> = paths
        .into_iter()
        .map(|mut factors| match factors.len() {
            0 => Formula::number(1),
            1 => factors.remove(0),
            _ => Formula::Product(factors),
        })
        .collect();
    let expanded = match terms.len() {
        0 => None,
        1 => terms.into_iter().next(),
        _ => Some(Formula::Sum(terms)),
    };
    (expanded, rules)
}

/// Whether `from` reaches `target` through unnamed nodes (or is it).
fn reaches(graph: &Graph, named: &HashMap<NodeId, Formula>, from: NodeId, target: NodeId) -> bool {
    let mut stack = vec![from];
    let mut seen = std::collections::HashSet::new();
    while let Some(node) = stack.pop() {
        if node == target {
            return true;
        }
        if named.contains_key(&node) || !seen.insert(node) || node < target {
            continue;
        }
        stack.extend(graph[node].op.operands());
    }
    false
}

/// The local derivative of `node` with respect to its operand at `position`, as a formula over
/// named values (`Some(None)` when it is zero), with its rule; `None` for an operation the
/// element graph does not hold.
fn local_formula(
    graph: &Graph,
    names: &Names,
    node: NodeId,
    position: usize,
) -> Option<(Option<Formula>, Rule)> {
    let write = |id: NodeId| formula(graph, names, id);
    let own = || write(node);
    let one = || Formula::number(1);
    let binary = |op, a, b| Formula::binary(op, a, b);
    let op = &graph[node].op;
    let local = match *op {
        Op::Unary(f, u) => (
            match f {
                Unary::Neg => Some(Formula::number(-1)),
                Unary::Sigmoid => Some(binary(
                    Operator::Scale,
                    own(),
                    binary(Operator::Sub, one(), own()),
                )),
                Unary::Tanh => Some(binary(
                    Operator::Sub,
                    one(),
                    Formula::Pow(Box::new(own()), Box::new(Formula::number(2))),
                )),
                Unary::Relu => Some(Formula::call(Function::ReluPrime, write(u))),
                Unary::Exp => Some(own()),
                Unary::Log => Some(binary(Operator::Div, one(), write(u))),
                Unary::Sqrt => Some(binary(
                    Operator::Div,
                    one(),
                    binary(Operator::Scale, Formula::number(2), own()),
                )),
                Unary::Abs => Some(Formula::call(Function::Sign, write(u))),
                Unary::Step | Unary::Sign => None,
                Unary::Transpose
                | Unary::Sum
                | Unary::Mean
                | Unary::Softmax
                | Unary::LogSoftmax
                | Unary::BatchMean => {
                    return None;
                }
            },
            Rule::Unary(f),
        ),
        Op::Binary(kind, x, y) => (
            match (kind, position) {
                (Binary::Add, _) | (Binary::Sub, 0) => Some(one()),
                (Binary::Sub, _) => Some(Formula::number(-1)),
                (Binary::Mul, 0) => Some(write(y)),
                (Binary::Mul, _) => Some(write(x)),
                (Binary::Div, 0) => Some(binary(Operator::Div, one(), write(y))),
                (Binary::Div, _) => Some(Formula::Neg(Box::new(binary(
                    Operator::Div,
                    write(x),
                    Formula::Pow(Box::new(write(y)), Box::new(Formula::number(2))),
                )))),
                // Binary cross-entropy of a sigmoid, as one step: σ(z) − y, and −z for y.
                (Binary::SigmoidCrossEntropy, 0) => Some(binary(
                    Operator::Sub,
                    Formula::call(Function::Sigmoid, write(x)),
                    write(y),
                )),
                (Binary::SigmoidCrossEntropy, _) => Some(Formula::Neg(Box::new(write(x)))),
                (Binary::MatMul | Binary::Outer | Binary::Pick | Binary::Concat, _) => {
                    return None;
                }
            },
            Rule::Binary(kind),
        ),
        Op::Pow(u, ref p) => {
            let lowered = p - num_rational::BigRational::from_integer(1.into());
            let power = if num_traits::One::is_one(&lowered) {
                write(u)
            } else {
                Formula::Pow(
                    Box::new(write(u)),
                    Box::new(Formula::Number(lowered.clone())),
                )
            };
            let local = if num_traits::Zero::is_zero(p) {
                None
            } else if num_traits::Zero::is_zero(&lowered) {
                Some(one())
            } else {
                Some(binary(Operator::Scale, Formula::Number(p.clone()), power))
            };
            (local, Rule::Power)
        }
        Op::Var(_)
        | Op::Literal(_)
        | Op::Broadcast(..)
        | Op::OneHot(..)
        | Op::Slice(..)
        | Op::BatchSize
        | Op::Tensor(_) => return None,
    };
    Some(local)
}
