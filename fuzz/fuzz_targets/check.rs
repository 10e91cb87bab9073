//! Any bytes: parsing and checking return a model or diagnostics, and a valid model's summary
//! renders. Every diagnostic's span lies inside the source, on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(source) = std::str::from_utf8(bytes) else {
        return;
    };
    let (model, diagnostics) = nabla::compile(source);
    for diagnostic in &diagnostics {
        let range = diagnostic.span.range();
        assert!(
            range.end <= source.len(),
            "span past the end: {diagnostic:?}"
        );
        assert!(source.is_char_boundary(range.start) && source.is_char_boundary(range.end));
    }
    if let Some(model) = model {
        assert!(!diagnostics.iter().any(|d| d.is_error()));
        let _ = nabla::render::summary::render(&model, source, "fuzz");
    }
});
