"""Benchmarks of the real server against a fake Slack: `make bench` (see run.py)."""
