"""SMS backends (interface, file backend for the demo, SMPP 3.4)."""
