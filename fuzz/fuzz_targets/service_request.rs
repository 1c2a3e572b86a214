#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| nps_fuzz::service_request(data));
