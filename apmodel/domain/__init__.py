"""Pure funding rules: no Excel, no files, no pandas I/O."""
