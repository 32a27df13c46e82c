"""The edges: chat platforms and the alert webhook. Thin: parse, call the core, render."""
