"""The engine: what the pipeline runs on rather than a stage of it.

``compat`` holds the adaptations of dependencies' internals, one module per upstream
project, each fenced by the releases it was checked against, a check of the upstream shape
and (where the PDF depends on it) the layout's self-test; ``hostprocess`` holds what an
export changes in the process that runs it
beyond the export itself (the garbage collector at a ``jupyter nbconvert`` exit).
"""
