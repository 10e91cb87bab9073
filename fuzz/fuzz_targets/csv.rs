//! Any bytes as a data file for a generated trainer (`trainer-under-test/`, the trainer of
//! `examples/iris.nabla`, whose data may end in a class column): the CSV reader returns the
//! examples, or an error that names the file, a line and a column. It never panics.
#![no_main]
#![allow(dead_code)]

use libfuzzer_sys::fuzz_target;

/// The trainer's number type, as its `main.rs` defines it.
pub type Real = f64;

#[path = "../trainer-under-test/src/data.rs"]
mod data;
#[path = "../shared/located.rs"]
mod located;
use located::located;

#[path = "../trainer-under-test/src/kernels.rs"]
mod kernels;
#[path = "../trainer-under-test/src/model.rs"]
mod model;
#[path = "../trainer-under-test/src/rng.rs"]
mod rng;
#[path = "../trainer-under-test/src/words.rs"]
mod words;

fuzz_target!(|bytes: &[u8]| {
    for need in [data::Need::Targets, data::Need::Inputs] {
        if let Err(message) = data::from_bytes("fuzz.csv", bytes, (need, 1), None) {
            assert!(located(&message, "fuzz.csv"), "{message}");
        }
    }
});
