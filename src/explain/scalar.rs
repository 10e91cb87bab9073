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

use crate::autodiff::{Gradient, backprop};
use crate::eval::exact::Value;
use crate::ir::scalarize::{ScalarizeError, Scalarized, scalarize};
use crate::ir::{DeclId, Graph, Model, NodeId, Op};
use crate::notation::from_graph::{Names, formula};
use crate::notation::{Formula, Symbol};

use super::gradients::{GradientDerivation, LineKind, is_activation};

/// More parameter elements than this and the scalar form stops being readable: one line each.
pub const MAX_SCALAR_ELEMENTS: usize = 64;

#[derive(Debug)]
pub enum ScalarError {
    /// Too many elements to list: (how many there are).
    TooManyElements(usize),
    TooLarge,
    /// The network picks rows by an index's value or looks across a batch: its elements'
    /// chains depend on values, and the vector form shows it.
    Unsupported,
}

/// One factor of a chain: `∂o₁/∂net_o₁`, which is `o₁(1 − o₁)`.
#[derive(Clone, Debug)]
pub struct Factor {
    pub symbolic: Formula,
    pub expression: Formula,
    /// The node of the scalar graph holding its value.
    pub node: NodeId,
}

#[derive(Clone, Debug)]
pub struct ScalarLine {
    /// `∂E/∂W2₁₁`
    pub lhs: Formula,
    /// The terms of the sum (one for a single path), each a product of factors.
    pub terms: Vec<Vec<Factor>>,
    /// Whether this line is a shared gradient (a sum other lines refer to).
    pub shared: bool,
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
                1 => terms.into_iter().next().unwrap_or(Formula::number(1)),
                _ => Formula::Sum(terms),
            }
        };
        (sum(|f| f.symbolic.clone()), sum(|f| f.expression.clone()))
    }
}

pub struct ScalarDerivation {
    pub loss: String,
    pub lines: Vec<ScalarLine>,
    /// The element-level graph (forward and the local derivatives), for evaluation.
    pub graph: Graph,
    pub leaves: Vec<(DeclId, usize)>,
    /// The named elements of the graph, with their symbols (`W2₁₁`, `net_o₁`).
    pub named: HashMap<NodeId, Formula>,
    /// The loss's node in the element-level graph.
    pub loss_node: NodeId,
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

pub fn derive(
    model: &Model,
    gradient: &Gradient,
    vector: &GradientDerivation,
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
        ScalarizeError::Unsupported => ScalarError::Unsupported,
    })?;

    // Name the elements of named tensors.
    let mut names = Names::default();
    let mut named: HashMap<NodeId, Formula> = HashMap::new();
    let mut name_tensor = |tensor: NodeId, name: &str, names: &mut Names| {
        let shape = forward[tensor].shape;
        for (index, &element) in elements[tensor.index()].iter().enumerate() {
            let symbol = Formula::Symbol(Symbol::element(name, shape, index));
            if let std::collections::hash_map::Entry::Vacant(slot) = named.entry(element) {
                slot.insert(symbol.clone());
                names.insert(element, symbol);
            }
        }
    };
    for declaration in &model.declarations {
        name_tensor(declaration.node, &declaration.name, &mut names);
    }
    for id in forward.ids().take(gradient.forward_len) {
        let node = &forward[id];
        let Some(name) = &node.name else { continue };
        if let Op::Unary(f, net) = node.op
            && is_activation(f)
            && forward[net].name.is_none()
            && !matches!(forward[net].op, Op::Var(_))
        {
            name_tensor(net, &format!("net_{name}"), &mut names);
        }
        name_tensor(id, name, &mut names);
    }
    let loss = elements[model.loss.node.index()][0];
    let is_named = |id: NodeId, named: &HashMap<NodeId, Formula>| named.contains_key(&id);

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

    let mut builder = ChainBuilder {
        graph: &mut graph,
        names: &names,
        named: &named,
        locals: &locals,
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
        for &element in &elements[tensor.index()] {
            builder.element_line(element);
        }
    }
    let lines = builder.lines;
    Ok(ScalarDerivation {
        loss: model.loss.name.clone(),
        lines,
        graph,
        leaves,
        named,
        loss_node: loss,
        feeds: feeds_loss,
    })
}

struct ChainBuilder<'a> {
    graph: &'a mut Graph,
    names: &'a Names,
    named: &'a HashMap<NodeId, Formula>,
    locals: &'a HashMap<(NodeId, NodeId), NodeId>,
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
        Factor {
            symbolic: self.partial(b, a),
            expression: formula(self.graph, self.names, node),
            node,
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
                [] => break,
                _ => {
                    let total = self.shared(current);
                    factors.push(Factor {
                        symbolic: self.partial(self.loss, current),
                        expression: self.partial(self.loss, current),
                        node: total,
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
            node: total,
        });
        total
    }

    fn element_line(&mut self, a: NodeId) {
        let (factors, node) = self.chain(a);
        self.lines.push(ScalarLine {
            lhs: self.partial(self.loss, a),
            terms: vec![factors],
            shared: false,
            node,
        });
    }

    fn product(&mut self, factors: &[Factor]) -> NodeId {
        let mut iter = factors.iter();
        let Some(first) = iter.next() else {
            return self.one();
        };
        let mut node = first.node;
        for factor in iter {
            node = self.multiply(node, factor.node);
        }
        node
    }

    fn one(&mut self) -> NodeId {
        let literal = Op::Literal(crate::tensor::Tensor::scalar(num_traits::One::one()));
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
            return self.one();
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
