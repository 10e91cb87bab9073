//! Any bytes as a weights file for a generated trainer (`trainer-under-test/`, the trainer of
//! `examples/iris.nabla`): reading returns the parameters or an error that names the file, a line
//! and a column, and never panics. What the writer writes reads back bit for bit: the bytes are
//! also taken as parameter values, written, and read again.
#![no_main]
#![allow(dead_code)]

use libfuzzer_sys::fuzz_target;

/// The trainer's number type, as its `main.rs` defines it.
pub type Real = f64;

#[path = "../shared/located.rs"]
mod located;
use located::located;

#[path = "../trainer-under-test/src/kernels.rs"]
mod kernels;
#[path = "../trainer-under-test/src/model.rs"]
mod model;
#[path = "../trainer-under-test/src/rng.rs"]
mod rng;
#[path = "../trainer-under-test/src/weights.rs"]
mod weights;
#[path = "../trainer-under-test/src/words.rs"]
mod words;

fuzz_target!(|bytes: &[u8]| {
    match weights::from_bytes("fuzz.json", bytes) {
        Ok((params, _labels)) => round_trip(&params),
        Err(message) => assert!(located(&message, "fuzz.json"), "{message}"),
    }
    // The bytes as numbers: every finite one goes into the parameters, in order.
    let mut params = model::Params::zeros();
    let mut numbers = bytes
        .chunks_exact(8)
        .map(|c| Real::from_le_bytes(c.try_into().expect("8 bytes")))
        .filter(|x| x.is_finite());
    for tensor in params.values_mut() {
        for (x, value) in tensor.iter_mut().zip(numbers.by_ref()) {
            *x = value;
        }
    }
    round_trip(&params);
});

/// Writes `params` and reads them back: the same bits.
fn round_trip(params: &model::Params) {
    let json = weights::to_json(params).expect("finite parameters can be written");
    let (again, _) = weights::parse("written.json", &json).expect("the writer's output reads back");
    for (a, b) in params.values().iter().zip(again.values()) {
        let a: Vec<u64> = a.iter().map(|x| x.to_bits()).collect();
        let b: Vec<u64> = b.iter().map(|x| x.to_bits()).collect();
        assert_eq!(a, b, "{json}");
    }
}
