"""fwtrend test suite."""
