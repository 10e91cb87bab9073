//! Batches of examples, batch statistics and indices (`each`, `batch_mean`, `C[c]`): what the
//! commands make of them.

use crate::support::nabla;

/// The spec's 2-4-1 network on a batch of three examples.
const BINARY: &str = "\
input  x[2] = each [[1.62434536, -1.07296862],
                    [-0.61175641, 0.86540763],
                    [-0.52817175, -2.3015387]]
target y    = each [1, 0, 1]
param W1[4,2] ~ normal(0, 0.01)
param b1[4]   ~ zeros
param W2[1,4] ~ normal(0, 0.01)
param b2[1]   ~ zeros
h = tanh(W1 @ x + b1)
p = sigmoid(W2 @ h + b2)
loss L = binary_cross_entropy(p, y)
optimizer sgd(lr = 1.2)
";

/// Two token numbers, embedded and joined, and a class number for a target.
const EMBEDDING: &str = "\
input  c1 : index(5) = each [0, 3]
input  c2 : index(5) = each [2, 2]
target y  : index(5) = each [1, 4]
param  C[5, 2] = [[1, 0], [0, 1], [1, 1], [-1, 0], [0, -1]]
param  W[5, 4] ~ zeros
e = concat(C[c1], C[c2])
z = W @ e
p = softmax(z)
loss L = cross_entropy(p, y)
optimizer sgd(lr = 1/2)
";

#[test]
fn check_summarizes_a_batch_and_its_indices() {
    for (name, source) in [("check_binary", BINARY), ("check_embedding", EMBEDDING)] {
        let args = ["check", "-"];
        let run = nabla(&args, Some(source.as_bytes()));
        insta::assert_snapshot!(name, run.transcript(&args));
    }
}

#[test]
fn an_index_has_no_gradient() {
    let run = nabla(&["derive", "--wrt", "c1", "-"], Some(EMBEDDING.as_bytes()));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`c1` is an index (a whole number 0 … 4), which has no gradient"),
        "{}",
        run.stderr
    );
}
