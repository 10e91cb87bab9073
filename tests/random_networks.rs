//! Random networks: gradients against finite differences, exact against float evaluation.
