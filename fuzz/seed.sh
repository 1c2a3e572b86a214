#!/usr/bin/env bash
# Builds the seed corpus in fuzz/corpus/<target>/ from tests/vectors/*.json, the shipped
# playbook, retention set and example catalogue, and files the core writes (see
# nps_fuzz::seeds). The corpus is not committed: this script makes it again.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --manifest-path fuzz/Cargo.toml --release --example seed -- fuzz/corpus
