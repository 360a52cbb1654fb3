"""Mixed-integer problems of the estimators, as :class:`bnb.Problem` implementations."""
