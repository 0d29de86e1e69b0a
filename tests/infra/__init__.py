"""Test infrastructure: PostgreSQL servers, fixture loading and in-process apps."""
