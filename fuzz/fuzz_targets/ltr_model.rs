#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| nps_fuzz::ltr_model(data));
