#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| nps_fuzz::survey_csv(data));
