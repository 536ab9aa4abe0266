"""Identifier handling (施行規則34条 rules 1–3): deletion and per-release random surrogates."""
