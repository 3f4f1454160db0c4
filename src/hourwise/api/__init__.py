"""HTTP surfaces. Each foreign wire format has its own package with its own schemas."""
