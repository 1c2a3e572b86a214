//! Net Promoter Score statistics.
