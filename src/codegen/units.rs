//! Cutting a small network's step by its hidden units between two threads.
//!
//! A small network's step (digits': 13 µs on one core, its batch too small to share by rows)
//! is shared by units: each thread keeps its half of the units of a hidden layer — their rows of
//! `W1`, their elements of `b1`, their columns of `W2` — and computes every value of those units
//! for the whole batch. The one value that needs both halves is the product that sums over the
//! units (`W2 h`): each thread computes its half's partial sums, the threads swap them, and both
//! add the two halves in the same order, so that both hold the same bits from there on. What
//! follows (the softmax, the loss, `δp`, the gradient of `b2`) is computed by both threads, each
//! keeping its own copy of the parameters that are not cut (`b2`), which therefore stay equal.
//! A thread's step then needs the other thread once, and updates only its own parameters.
//!
//! [`find`] decides whether a model can be cut so, by a status for every node of the gradient
//! graph: whole, cut along an axis, or summed over the cut (a partial sum, swapped to whole). It
//! accepts a cut with exactly one summed value, in the forward pass, with the gradient of every
//! parameter cut as the parameter is. [`half_model`] is then the model one thread computes: the
//! same graph with the cut axes halved, which the rest of `nabla gen` turns into code as it does
//! any model.
//!
//! Only f32 trainers are cut: the swap adds the two halves' sums, a different association of the
//! sum over units than the evaluator's, which the f64 trainers keep exactly.

use crate::autodiff::Gradient;
use crate::ir::{Binary, DeclId, DeclKind, Graph, Init, Initializer, Model, NodeId, Op, Unary};
use crate::shape::Shape;

use super::Dtype;
use super::plan::lanes;

/// The threads a cut step runs on.
pub const THREADS: usize = 2;

/// The least work (multiply–adds of one example's passes) that a cut shares: a thread's half of
/// less is computed hardly faster than the whole, the work both threads repeat (the softmax
/// after the swap, the gathering of the batch) stays, and the swap itself costs about a
/// microsecond. Measured on two cores, the loop cut against one thread, at batches of 1, 32 and
/// 128 rows: 16-64-4 relu (2,816 an example) 0.58-0.90×; 16-128-4 (5,632) 0.67×, 1.25×, 1.14×;
/// 64-64-10 (10,112) 1.16×, 1.13×, 1.12×; digits' 64-128-10 (20,224) 1.87×, 1.45×, 1.58×;
/// 64-256-10 (40,448) 1.76×, 1.65×, 1.78×.
pub const MIN_EXAMPLE_WORK: usize = 4096;

/// How a model's step is cut by units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitCut {
    /// The units cut in two: the length of every cut axis.
    pub units: usize,
    /// For each declaration, the axis of its shape (in the file's layout) that is cut, if any.
    pub axes: Vec<Option<usize>>,
    /// The product summed over the units: the threads swap its partial sums.
    pub exchange: NodeId,
}

/// Where a node's value lives when the step is cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// Every thread computes all of it.
    Whole,
    /// Each thread computes its half of this axis.
    Cut(usize),
    /// Each thread computes a partial sum over its units; after the swap, whole.
    Summed,
}

/// Why the statuses could not be given.
enum Refusal {
    /// The cut would need this parameter cut along this axis: try again with it so.
    Needs(DeclId, usize),
    /// No cut of this kind works.
    Impossible,
}

/// The cut of `model`'s step by the units of a hidden layer, if there is one that pays: tried
/// from each parameter matrix `W` of a product `W x`, cutting its rows (the layer's units).
pub fn find(model: &Model, gradient: &Gradient, output: NodeId, dtype: Dtype) -> Option<UnitCut> {
    if dtype != Dtype::F32 {
        return None;
    }
    let graph = &gradient.graph;
    let mut roots = vec![model.loss.node, output];
    roots.extend(gradient.wrt.iter().map(|(_, g)| *g));
    let needed = graph.reachable_from(&roots);
    model
        .declarations
        .iter()
        .enumerate()
        .filter(|(_, d)| d.kind == DeclKind::Param)
        .find_map(|(index, d)| {
            let Shape::Matrix(units, _) = d.shape else {
                return None;
            };
            // Each thread's units fill whole vectors of the trainer's number type, at least two
            // (so that its share of a first layer is stored transposed, as the whole one is:
            // `plan::store_transposed`). Halves of other sizes were measured, cut against one
            // thread in the loop: 64-100-10, 50 units a thread, 0.61×; 64-72-10, 36 a thread,
            // 1.35×; 64-200-10, 100 a thread, 1.69× — too irregular for a rule.
            let lanes = lanes(dtype);
            if units % (THREADS * lanes) != 0 || units / THREADS < 2 * lanes {
                return None;
            }
            let mut axes = vec![None; model.declarations.len()];
            axes[index] = Some(0);
            let statuses = loop {
                match statuses(model, graph, &axes) {
                    Ok(statuses) => break statuses,
                    Err(Refusal::Needs(decl, axis)) if axes[decl.index()].is_none() => {
                        axes[decl.index()] = Some(axis);
                    }
                    Err(_) => return None,
                }
            };
            accept(model, gradient, (&needed, output), &statuses, units).map(|exchange| UnitCut {
                units,
                axes,
                exchange,
            })
        })
}

/// The one swapped product, if the statuses make a cut that works and pays.
fn accept(
    model: &Model,
    gradient: &Gradient,
    (needed, output): (&[bool], NodeId),
    statuses: &[Status],
    units: usize,
) -> Option<NodeId> {
    let graph = &gradient.graph;
    let status = |id: NodeId| statuses[id.index()];
    let summed: Vec<NodeId> = graph
        .ids()
        .filter(|&id| needed[id.index()] && status(id) == Status::Summed)
        .collect();
    let [exchange] = summed[..] else {
        return None;
    };
    let varying = super::plan::varying(model, graph);
    // (A product summed over the cut is a matrix times a vector, or a matrix times a matrix,
    // which a row of a batch cannot swap as one vector.)
    let swappable = exchange.index() < gradient.forward_len
        && varying[exchange.index()]
        && matches!(graph[exchange].shape, Shape::Vector(_));
    // Every cut axis is the units'; the loss and the parameters' gradients are as the
    // parameters are.
    let axes_fit = graph
        .ids()
        .filter(|id| needed[id.index()])
        .all(|id| match status(id) {
            Status::Cut(axis) => graph[id].shape.dims().get(axis) == Some(&units),
            _ => true,
        });
    let gradients_fit = gradient.wrt.iter().all(|&(decl, g)| {
        let param = statuses[model.declaration(decl).node.index()];
        super::plan::is_zero(graph, g) || status(g) == param
    });
    // What both threads compute must be small beside what they share.
    let (mut cut, mut whole) = (0, 0);
    for id in graph.ids().filter(|id| needed[id.index()]) {
        let work = super::plan::multiply_adds(graph, id);
        match status(id) {
            Status::Whole if varying[id.index()] => whole += work,
            Status::Whole => {}
            _ => cut += work,
        }
    }
    let pays = whole * 8 <= cut && cut >= MIN_EXAMPLE_WORK;
    let whole_ends = [model.loss.node, output]
        .iter()
        .all(|&id| !matches!(status(id), Status::Cut(_)));
    (swappable && axes_fit && gradients_fit && pays && whole_ends).then_some(exchange)
}

/// Each node's status, given the cut axis of each declaration.
fn statuses(model: &Model, graph: &Graph, axes: &[Option<usize>]) -> Result<Vec<Status>, Refusal> {
    let mut statuses: Vec<Status> = Vec::with_capacity(graph.len());
    // A parameter (or its transpose) that is whole now and could be cut along `axis`.
    let cuttable = |node: NodeId, axis: usize| -> Option<Refusal> {
        let (decl, axis) = match graph[node].op {
            Op::Var(decl) => (decl, axis),
            Op::Unary(Unary::Transpose, inner) => match graph[inner].op {
                Op::Var(decl) => (decl, 1 - axis),
                _ => return None,
            },
            _ => return None,
        };
        let declaration = model.declaration(decl);
        (declaration.kind == DeclKind::Param && axes[decl.index()].is_none())
            .then_some(Refusal::Needs(decl, axis))
    };
    for id in graph.ids() {
        // A summed value is whole once swapped: that is what its users read.
        let of = |node: NodeId| match statuses[node.index()] {
            Status::Summed => Status::Whole,
            status => status,
        };
        let scalar = |node: NodeId| graph[node].shape.is_scalar();
        use Status::{Cut, Summed, Whole};
        let status = match &graph[id].op {
            Op::Var(decl) => axes[decl.index()].map_or(Whole, Cut),
            Op::Literal(_) | Op::BatchSize => Whole,
            // A sum, a softmax or a broadcast needs every element: only of what is whole.
            Op::Broadcast(a, _)
            | Op::Unary(Unary::Sum | Unary::Mean | Unary::Softmax | Unary::LogSoftmax, a) => {
                match of(*a) {
                    Whole => Whole,
                    _ => return Err(Refusal::Impossible),
                }
            }
            Op::OneHot(..) | Op::Slice(..) | Op::Unary(Unary::BatchMean, _) | Op::Tensor(_) => {
                return Err(Refusal::Impossible);
            }
            Op::Unary(Unary::Transpose, a) => match of(*a) {
                Cut(axis) => Cut(1 - axis),
                status => status,
            },
            Op::Unary(_, a) | Op::Pow(a, _) => of(*a),
            Op::Binary(Binary::MatMul, a, b) => match (of(*a), of(*b)) {
                (Whole, Whole) => Whole,
                (Cut(0), Whole) => Cut(0),
                (Whole, Cut(1)) => Cut(1),
                (Cut(1), Cut(0)) => Summed,
                (Whole, Cut(0)) => return Err(cuttable(*a, 1).unwrap_or(Refusal::Impossible)),
                _ => return Err(Refusal::Impossible),
            },
            Op::Binary(Binary::Outer, a, b) => match (of(*a), of(*b)) {
                (Whole, Whole) => Whole,
                (Cut(0), Whole) => Cut(0),
                (Whole, Cut(0)) => Cut(1),
                _ => return Err(Refusal::Impossible),
            },
            Op::Binary(Binary::Pick | Binary::Concat, ..) => return Err(Refusal::Impossible),
            Op::Binary(_, a, b) => match (of(*a), of(*b)) {
                (Whole, Whole) => Whole,
                (Cut(x), Cut(y)) if x == y => Cut(x),
                (Cut(x), Whole) if scalar(*b) => Cut(x),
                (Whole, Cut(x)) if scalar(*a) => Cut(x),
                (Cut(x), Whole) => return Err(cuttable(*b, x).unwrap_or(Refusal::Impossible)),
                (Whole, Cut(x)) => return Err(cuttable(*a, x).unwrap_or(Refusal::Impossible)),
                _ => return Err(Refusal::Impossible),
            },
        };
        statuses.push(status);
    }
    Ok(statuses)
}

/// The model one thread of a cut step computes: every cut axis halved, the rest as it is. Its
/// parameters start at zero: a cut trainer copies its halves from the whole parameters. `None`
/// if the halved graph does not keep the model's nodes (which [`find`] should make impossible).
pub fn half_model(model: &Model, cut: &UnitCut) -> Option<Model> {
    let half = cut.units / THREADS;
    let halved = |shape: Shape, axis: Option<usize>| {
        let Some(axis) = axis else {
            return Some(shape);
        };
        let mut dims = shape.dims().to_vec();
        *dims.get_mut(axis)? = half;
        Shape::from_dims(&dims)
    };
    let mut declarations = model.declarations.clone();
    for (declaration, &axis) in declarations.iter_mut().zip(&cut.axes) {
        declaration.shape = halved(declaration.shape, axis)?;
        if axis.is_some() {
            declaration.init = Some(Init::Random(Initializer::Zeros));
        }
    }
    let mut graph = Graph::default();
    for id in model.graph.ids() {
        let node = &model.graph[id];
        let made = match &node.op {
            Op::Var(decl) => graph.var(
                *decl,
                declarations[decl.index()].shape,
                node.per_example,
                node.span,
            ),
            op => graph.add(op.clone(), node.span).ok()?,
        };
        if made != id {
            return None;
        }
        if let Some(name) = &node.name {
            graph.name(id, name);
        }
    }
    Some(Model {
        graph,
        declarations,
        ..model.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each parameter's name and cut axis.
    type Axes = Vec<(String, Option<usize>)>;

    /// The cut of a network, with its parameters' cut axes by name.
    fn cut_of(source: &str, dtype: Dtype) -> Option<(UnitCut, Axes)> {
        let model = crate::compile(source).0.expect("a valid network");
        let wrt = crate::autodiff::default_wrt(&model);
        let gradient = crate::autodiff::differentiate(&model, &wrt).expect("differentiable");
        let output = super::super::task::task(&model).output;
        let cut = find(&model, &gradient, output, dtype)?;
        let axes = model
            .declarations
            .iter()
            .zip(&cut.axes)
            .filter(|(d, _)| d.kind == DeclKind::Param)
            .map(|(d, axis)| (d.name.clone(), *axis))
            .collect();
        Some((cut, axes))
    }

    fn network(hidden: usize, layer: &str, loss: &str) -> String {
        format!(
            "input x[64]\ntarget y[10]\nparam W1[{hidden}, 64] ~ he\nparam b1[{hidden}] ~ zeros\n\
             param W2[10, {hidden}] ~ he\nparam b2[10] ~ zeros\nh = {layer}\n\
             p = softmax(W2 @ h + b2)\nloss L = {loss}\n"
        )
    }

    const CROSS_ENTROPY: &str = "cross_entropy(p, y)";

    #[test]
    fn a_hidden_layer_is_cut_by_its_units_and_the_output_layer_is_swapped() {
        let source = network(128, "relu(W1 @ x + b1)", CROSS_ENTROPY);
        let (cut, axes) = cut_of(&source, Dtype::F32).expect("a cut");
        assert_eq!(cut.units, 128);
        let expected = [
            ("W1", Some(0)),
            ("b1", Some(0)),
            ("W2", Some(1)),
            ("b2", None),
        ];
        assert_eq!(axes, expected.map(|(n, a)| (n.to_string(), a)));
        let model = crate::compile(&source).0.expect("valid");
        let Op::Binary(Binary::MatMul, w, _) = model.graph[cut.exchange].op else {
            panic!("the swapped value is a product");
        };
        assert_eq!(model.node_name(w), Some("W2"));
        // One thread's network: the same nodes, the cut axes halved.
        let half = half_model(&model, &cut).expect("a half");
        let shapes: Vec<Shape> = half.declarations.iter().map(|d| d.shape).collect();
        assert_eq!(
            shapes,
            [
                Shape::Vector(64),
                Shape::Vector(10),
                Shape::Matrix(64, 64),
                Shape::Vector(64),
                Shape::Matrix(10, 64),
                Shape::Vector(10),
            ]
        );
        assert_eq!(half.graph.len(), model.graph.len());
        assert_eq!(half.graph[cut.exchange].shape, Shape::Vector(10));
    }

    #[test]
    fn any_elementwise_activation_is_cut_with_its_layer() {
        for layer in [
            "tanh(W1 @ x + b1)",
            "sigmoid(W1 @ x) * 2",
            "(W1 @ x + b1) ^ 2",
        ] {
            let source = network(64, layer, CROSS_ENTROPY);
            assert!(cut_of(&source, Dtype::F32).is_some(), "{layer}");
        }
    }

    #[test]
    fn f64_trainers_and_small_or_odd_layers_are_not_cut() {
        let digits = network(128, "relu(W1 @ x + b1)", CROSS_ENTROPY);
        assert!(
            cut_of(&digits, Dtype::F64).is_none(),
            "f64 keeps the evaluator's sums"
        );
        // Each thread's units must fill whole vectors of 16 f32s, two at least.
        for hidden in [16, 32, 48, 100] {
            let source = network(hidden, "relu(W1 @ x + b1)", CROSS_ENTROPY);
            assert!(cut_of(&source, Dtype::F32).is_none(), "{hidden} units");
        }
        // 2,816 multiply-adds an example: too little to share.
        let small = |inputs: usize| {
            format!(
                "input x[{inputs}]\ntarget y[4]\nparam W1[64, {inputs}] ~ he\nparam W2[4, 64] ~ he\n\
                 p = softmax(W2 @ relu(W1 @ x))\nloss L = cross_entropy(p, y)\n"
            )
        };
        assert!(cut_of(&small(16), Dtype::F32).is_none());
        assert!(cut_of(&small(64), Dtype::F32).is_some());
    }

    #[test]
    fn a_second_sum_over_the_units_refuses_the_cut() {
        // sum(h) and the softmax of the hidden layer itself need every unit: a second swap.
        for (layer, loss) in [
            ("relu(W1 @ x + b1)", "cross_entropy(p, y) + sum(h) / 100"),
            ("softmax(W1 @ x + b1)", CROSS_ENTROPY),
            (
                "relu(W1 @ x + b1)",
                "cross_entropy(p, y) + sum(W1 * W1) / 100",
            ),
        ] {
            let source = network(64, layer, loss);
            assert!(cut_of(&source, Dtype::F32).is_none(), "{layer}; {loss}");
        }
    }

    #[test]
    fn a_hidden_layer_of_as_many_units_as_inputs_mixed_with_an_input_is_not_cut() {
        // x + h mixes a whole input with the cut units: a thread would need all of x's.
        let source = |layer: &str| {
            format!(
                "input x[64]\ntarget y[10]\nparam W1[64, 64] ~ he\nparam W2[10, 64] ~ he\n\
                 h = {layer}\np = softmax(W2 @ h)\nloss L = cross_entropy(p, y)\n"
            )
        };
        assert!(cut_of(&source("relu(W1 @ x) + x"), Dtype::F32).is_none());
        assert!(cut_of(&source("relu(W1 @ x)"), Dtype::F32).is_some());
    }

    #[test]
    fn a_large_network_is_cut_as_well() {
        let source = include_str!("../../benches/workloads/mnist-size.nabla");
        let (cut, axes) = cut_of(source, Dtype::F32).expect("a cut");
        assert_eq!(cut.units, 256);
        let cut_ones: Vec<&str> = axes
            .iter()
            .filter(|(_, axis)| axis.is_some())
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(cut_ones, ["W1", "b1", "W2"]);
    }

    #[test]
    fn a_deeper_network_is_cut_at_its_first_layer_when_the_rest_is_small() {
        let source = "input x[64]\ntarget y[10]\nparam W1[64, 64] ~ he\nparam W2[32, 64] ~ he\n\
                      param W3[10, 32] ~ he\nh1 = relu(W1 @ x)\nh2 = relu(W2 @ h1)\n\
                      p = softmax(W3 @ h2)\nloss L = cross_entropy(p, y)\n";
        let (cut, axes) = cut_of(source, Dtype::F32).expect("a cut");
        assert_eq!(cut.units, 64);
        let expected = [("W1", Some(0)), ("W2", Some(1)), ("W3", None)];
        assert_eq!(axes, expected.map(|(n, a)| (n.to_string(), a)));
    }
}
