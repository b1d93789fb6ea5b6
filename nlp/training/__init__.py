"""The training wing: gold annotations → datasets → training → evaluation.

Nothing here runs at inference; the runtime modules in `nlp` never import it.
"""
