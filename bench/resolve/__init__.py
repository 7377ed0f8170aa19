"""Identity-resolution benchmark: synthetic multi-source data, FEBRL loaders, metrics.

The modules also run as scripts (``python bench/resolve/synth.py``); imported as a
package they use relative imports, run as scripts their folder is on ``sys.path``.
"""
