"""Today's numbers from public APIs: a module per source, the refresh over them, its report."""
