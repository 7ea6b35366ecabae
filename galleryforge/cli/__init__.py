"""Command-line interface: each module parses one command's flags and calls the library."""
