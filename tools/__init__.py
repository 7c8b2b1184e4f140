"""The book's build tools: the ``_toc.yml`` reader, the Colab notebooks, the Sphinx launch extension.

A package so that tests, ``conftest.py`` and ``benchmarks/`` import them as
``tools.<module>`` from the repository root; run them as ``python -m tools.<module>``.
"""
