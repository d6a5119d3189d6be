"""pytest settings for the whole project."""

# Notebook sources (.py twins of the .ipynb) are not modules; benchmarks are run by hand.
collect_ignore_glob = ["notebooks/*.py", "benchmarks/*", "build/*"]
