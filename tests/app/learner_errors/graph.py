"""Errors a learner can cause on the computational-graph page.

None of them is an InputError: the café's numbers, the softmax scores and target, and the
matmul sizes are bounded by their widgets (a link's bad value is a notice, never an error),
so lessons.graph raises nothing a learner can reach. The one free input, the expression
box, raises lessons.expression.ExpressionError, whose codes have their own texts
(graph.expr.err.<code>, checked in tests/app/test_i18n.py) and are each driven on a Korean
page in tests/app/test_graph_page.py.
"""

CASES: dict = {}
